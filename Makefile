# The two commands a new user needs:  make demo  and  make test.
# Everything else (venv, Java 11 runtime, Maven artifacts, Atlas build) is installed by these
# targets on first use and cached under ~/.cache (pip, atlas-ml) so that later runs are fast.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXTRAS ?= dev,spark,collect

.PHONY: demo test lint dist docs format fuzz venv server-build server-start server-stop clean

$(STAMP): setup.cfg pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	@touch $@

venv: $(STAMP)

# What make test needs beyond the demo, installed once into the same venv (one editable
# install, not one per extra):
# - the Kerberos/SPNEGO tests run a real MIT KDC; the kerberos extra builds gssapi against the
#   system krb5 headers (tools/install-krb5.sh);
# - the Atlas UI tests (marker ui) drive Debian's headless Chromium through its chromedriver
#   with Selenium (tools/install-chromium.sh, the ui extra);
# - MLflow, Great Expectations, DVC, deltalake, pyiceberg (the integrations extra) and the
#   Kafka client (kafka) resolve together with the dev/spark pins.
TEST_EXTRAS := $(EXTRAS),kerberos,ui,integrations,kafka
TEST_STAMP  := $(VENV)/.test-extras
$(TEST_STAMP): $(STAMP)
	tools/install-krb5.sh
	tools/install-chromium.sh
	$(BIN)/python -m pip install --quiet -e ".[$(TEST_EXTRAS)]"
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

## make lint: ruff (lint + format check), mypy on the package (strict on the public modules),
## the import-graph contracts (.importlinter: read side free of capture, no cycles, layers
## along the data path), and the distributions.
lint: venv dist docs
	$(BIN)/ruff check atlas_ml tests benchmarks examples tools docs
	$(BIN)/ruff format --check atlas_ml tests benchmarks examples tools docs
	$(BIN)/mypy atlas_ml
	$(BIN)/lint-imports --no-logo --no-cache .importlinter

## make docs: the documentation site (docs/*.md and the API reference generated from the
## docstrings, mkdocs + mkdocstrings) in build/site/index.html; any warning fails it.
docs: venv
	$(BIN)/mkdocs build --strict --quiet

## make dist: build the wheel and the sdist (build/dist/), check their metadata (twine) and
## that they carry typedefs, the listener sources, facet schemas, templates and py.typed.
## The build log is shown only when the build fails.
dist: venv
	@rm -rf build/dist && mkdir -p build
	@$(BIN)/python -m build --outdir build/dist . >build/dist.log 2>&1 || { cat build/dist.log; exit 1; }
	$(BIN)/twine check --strict build/dist/*
	$(BIN)/python tools/check_dist.py build/dist

## make fuzz: the property-based tests (tests/unit/test_fuzz_*.py) with thousands of inputs per
## property instead of make test's hundreds; prints how many each one tried.
fuzz: venv
	$(BIN)/python -m pytest -m fuzz -q -p no:cacheprovider --hypothesis-profile=long \
	  --hypothesis-show-statistics

format: venv
	$(BIN)/ruff check --fix atlas_ml tests benchmarks examples tools docs
	$(BIN)/ruff format atlas_ml tests benchmarks examples tools docs

## make test: lint, then the whole suite (unit, real Atlas, a Kerberized Atlas with its own MIT
## KDC, the local Atlas's UI in headless Chromium, real Spark 4.x), then the Spark tests again
## on the Spark 3.5 / Scala 2.12 line (its own venv, .venv-spark35).
## Both runs share one Atlas: the one named by ATLAS_URL, or the local server, started here
## with fresh data (and stopped at the end) unless it is already running. The UI tests check
## the local server's UI, so an Atlas named by ATLAS_URL runs the suite without them.
## 'server stop' keeps the data in place (nothing to export), so a run leaves no snapshot behind.
test: lint server-build $(TEST_STAMP)
	@status=0; started=0; url="$$ATLAS_URL"; set --; \
	trap 'if [ $$started = 1 ]; then $(BIN)/atlas-ml server stop; fi' EXIT; \
	if [ -z "$$url" ]; then \
	  url="http://127.0.0.1:$${ATLAS_ML_SERVER_PORT:-21000}"; \
	  if ! $(BIN)/atlas-ml server status >/dev/null 2>&1; then \
	    $(BIN)/atlas-ml server start --fresh || exit 1; started=1; \
	  fi; \
	else set -- -m "not ui"; fi; \
	ATLAS_URL="$$url" $(BIN)/python -m pytest "$$@" || status=$$?; \
	ATLAS_URL="$$url" PYTHON=$(PYTHON) spark_hooks/test-spark35.sh || status=$$?; \
	exit $$status

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
