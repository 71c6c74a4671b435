#!/usr/bin/env bash
# Apache Airflow with its OpenLineage provider, in its own venv (.venv-airflow by default) for
# the collector's Airflow test (tests/openlineage/test_airflow_emitter.py). Airflow pins many
# packages (SQLAlchemy, pendulum, ...), so it never goes into the project's main venv.
# Idempotent: a second run only checks the stamp. Downloads stay in pip's cache (~/.cache/pip).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${AIRFLOW_VENV:-.venv-airflow}"
PYTHON="${PYTHON:-python3}"
# The major lines the test is written for; pip picks the newest release within them.
REQUIREMENTS=(
  "apache-airflow>=3.0,<4"
  "apache-airflow-providers-openlineage>=2.3"
  "apache-airflow-providers-sqlite>=4.0"
  "apache-airflow-providers-common-sql>=1.27"
)
STAMP="$VENV/.installed"
WANTED="$(printf '%s\n' "${REQUIREMENTS[@]}")"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANTED" ]; then
  exit 0
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "${REQUIREMENTS[@]}"
printf '%s\n' "$WANTED" >"$STAMP"
