#!/usr/bin/env bash
# Runs the lineage listener, Spark fingerprint and Spark-written table tests on the Spark 3.5
# line (Scala 2.12) in a second venv, since the main venv carries PySpark 4.x and one venv can
# hold only one PySpark.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${SPARK35_VENV:-.venv-spark35}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import pyspark, sys; sys.exit(0 if pyspark.__version__.startswith("3.5") else 1)' 2>/dev/null; then
  "$VENV/bin/pip" install -q "pyspark>=3.5,<3.6"
fi
# numpy and pandas: Spark ML (the ML capture tests; pyspark.ml.functions needs pandas on 3.5);
# pyarrow: the fingerprint tests compare with Arrow; the Spark-to-Atlas tests need ATLAS_URL set;
# hypothesis: tests/conftest.py imports it (the fuzz profiles);
# collect: the OpenLineage collector the openlineage-spark (Scala 2.12 jar) test sends to;
# the delta and iceberg extras: verify reads back the Spark-written tables' versions
# (test_spark_written_tables.py, whose jobs get delta-spark / iceberg-spark-runtime from Maven
# Central through Spark's Ivy, cached in ~/.cache/atlas-ml/ivy).
"$VENV/bin/pip" install -q -e ".[collect,delta,iceberg]" pytest hypothesis jsonschema numpy \
  pandas pyarrow
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
# Spark-to-Atlas tests run only against an Atlas named by ATLAS_URL (never a local start here).
MARKERS="${ATLAS_URL:+spark}"
exec "$VENV/bin/python" -m pytest tests/spark tests/openlineage/test_spark_emitter.py \
  -k "listener or fingerprint_spark or openlineage_spark or spark_written" \
  -m "${MARKERS:-spark and not atlas}" -q "$@"
