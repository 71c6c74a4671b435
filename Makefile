# The two commands a new user needs:  make demo  and  make test.
# Everything else (venv, Java 11 runtime, Maven artifacts, Atlas build) is installed by these
# targets on first use and cached under ~/.cache (pip, atlas-ml) so that later runs are fast.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXTRAS ?= dev,spark

.PHONY: demo test lint format venv server-build server-start server-stop clean

$(STAMP): setup.cfg pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	@touch $@

venv: $(STAMP)

# The Kerberos/SPNEGO tests run a real MIT KDC; the kerberos extra builds gssapi against the
# system krb5 headers. Both are needed by make test only, not by make demo.
KERBEROS_STAMP := $(VENV)/.kerberos
$(KERBEROS_STAMP): $(STAMP)
	tools/install-krb5.sh
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS),kerberos]"
	@touch $@

server-build: venv
	$(BIN)/atlas-ml server build

# The demo starts from empty data each time ('server start' alone reopens the last run's graph,
# index and audit trail; see README).
server-start: server-build
	$(BIN)/atlas-ml server start --fresh

server-stop: venv
	$(BIN)/atlas-ml server stop

## make demo: build and start a real local Atlas, install the typedefs, run the Titanic
## example with provenance capture, and print the model's lineage and its Atlas UI address.
demo: server-start
	$(BIN)/atlas-ml typedefs install
	$(BIN)/python examples/titanic/train.py

## make lint: ruff (lint + format check) and mypy on the package.
lint: venv
	$(BIN)/ruff check atlas_ml tests benchmarks examples
	$(BIN)/ruff format --check atlas_ml tests benchmarks examples
	$(BIN)/mypy atlas_ml

format: venv
	$(BIN)/ruff check --fix atlas_ml tests benchmarks examples
	$(BIN)/ruff format atlas_ml tests benchmarks examples

## make test: lint, then the whole suite (unit, real Atlas, a Kerberized Atlas with its own MIT
## KDC, real Spark 4.x), then the Spark tests again on the Spark 3.5 / Scala 2.12 line (its own
## venv, .venv-spark35).
## Both runs share one Atlas: the one named by ATLAS_URL, or the local server, started here
## with fresh data (and stopped at the end) unless it is already running.
test: lint server-build $(KERBEROS_STAMP)
	@status=0; started=0; url="$$ATLAS_URL"; \
	trap 'if [ $$started = 1 ]; then $(BIN)/atlas-ml server stop; fi' EXIT; \
	if [ -z "$$url" ]; then \
	  url="http://127.0.0.1:$${ATLAS_ML_SERVER_PORT:-21000}"; \
	  if ! $(BIN)/atlas-ml server status >/dev/null 2>&1; then \
	    $(BIN)/atlas-ml server start --fresh || exit 1; started=1; \
	  fi; \
	fi; \
	ATLAS_URL="$$url" $(BIN)/python -m pytest || status=$$?; \
	ATLAS_URL="$$url" PYTHON=$(PYTHON) spark_hooks/test-spark35.sh || status=$$?; \
	exit $$status

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
