# Every target bootstraps its own tools: uv is installed with pip when missing, then
# `uv sync` builds .venv with every workspace package and the development tools.
SHELL := /bin/bash
PYTHON ?= python3
# uv runs as a module of the machine's Python, wherever pip put it.
UV := $(PYTHON) -m uv
export UV_PYTHON_DOWNLOADS := never
VENV := .venv
STAMP := $(VENV)/.synced
# Compatibility runs: one virtual environment each, described by tests/compat/NAME.toml (an
# SDK's oldest supported release, the oldest and newest OpenTelemetry releases). Independent,
# so `make test` runs them in parallel with the main suite.
COMPAT_RUNS := $(basename $(notdir $(wildcard tests/compat/*.toml)))
# Every instrumentation package (the core and the providers), type-checked strictly.
TYPED_PACKAGES := $(notdir $(wildcard instrumentation/*/src/opentelemetry/instrumentation/agentops/*))

# Oldest (and milestone) releases of the provider SDKs other than openai, as
# `venv-name:pins:test-file` (pins comma-separated); each runs the emulator's wire checks that
# exist in that release (see tests/emulator/README.md).
EMULATOR_FLOORS := \
	'anthropic-0.32.0:anthropic==0.32.0,httpx==0.27.0,pydantic==2.8.2,anyio<4.5:test_anthropic_wire_any_sdk.py' \
	'anthropic-0.40.0:anthropic==0.40.0:test_anthropic_wire_any_sdk.py' \
	'cohere-5.4.0:cohere==5.4.0:test_cohere_wire_any_sdk.py' \
	'cohere-5.8.1:cohere==5.8.1:test_cohere_wire_any_sdk.py' \
	'mistral-1.0.1:mistralai==1.0.1:test_mistral_wire_any_sdk.py' \
	'mistral-1.12.4:mistralai==1.12.4:test_mistral_wire_any_sdk.py' \
	'groq-0.9.0:groq==0.9.0,httpx<0.28:test_groq_wire_any_sdk.py' \
	'groq-0.13.0:groq==0.13.0:test_groq_wire_any_sdk.py' \
	'ai21-2.0.0:ai21==2.0.0:test_ai21_wire_any_sdk.py' \
	'ai21-2.2.5:ai21==2.2.5:test_ai21_wire_any_sdk.py' \
	'ai21-2.5.2:ai21==2.5.2:test_ai21_wire_any_sdk.py' \
	'ollama-0.0.1:ollama==0.0.1:test_ollama_wire_any_sdk.py' \
	'ollama-0.3.3:ollama==0.3.3:test_ollama_wire_any_sdk.py'

# The end-to-end trace backend: Arize Phoenix, in its own environment (it is big).
PHOENIX_VERSION := 20.26.1
PHOENIX_VENV := .e2e/phoenix
PHOENIX_STAMP := $(PHOENIX_VENV)/.installed-$(PHOENIX_VERSION)

.PHONY: demo test test-main test-compat test-emulator-floors e2e lint bench clean

.PHONY: uv
uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"

$(STAMP): pyproject.toml uv.lock $(wildcard */pyproject.toml) $(wildcard */*/pyproject.toml) \
          | uv
	$(UV) sync --frozen --all-packages
	touch $(STAMP)

demo: $(STAMP)
	$(UV) run --no-sync python examples/run_demo.py

# Two jobs at a time (the machine has two cores), each job's output printed when it ends.
test:
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-main test-compat

test-main: $(STAMP)
	$(UV) run --no-sync pytest

test-compat: $(addprefix compat-,$(COMPAT_RUNS))

# A pattern rule (phony targets get no implicit rule search), always run.
compat-%: uv FORCE
	$(PYTHON) tests/compat/run.py $*

FORCE:

# One venv per floor; --confcutdir keeps the suite's root conftest (and its OpenTelemetry
# imports) out, so each venv needs only the emulator, the SDK and pytest.
test-emulator-floors: uv
	@set -e; for floor in $(EMULATOR_FLOORS); do \
	    IFS=: read -r name pins file <<< "$$floor"; \
	    venv=.compat/$$name; \
	    $(UV) venv --quiet --allow-existing --python 3.11 $$venv; \
	    $(UV) pip install --quiet --python $$venv/bin/python $${pins//,/ } pytest "pytest-asyncio>=0.24,<2" \
	        -e tests/emulator; \
	    echo "== $$name"; \
	    $$venv/bin/python -m pytest tests/emulator/tests/$$file -q -p no:cacheprovider \
	        --confcutdir=tests/emulator; \
	done

# The demo apps export OTLP to a real Phoenix server on loopback; their traces are read
# back through Phoenix's REST API (tests/viewing/test_phoenix_e2e.py).
e2e: $(STAMP) $(PHOENIX_STAMP)
	PHOENIX_BIN=$(CURDIR)/$(PHOENIX_VENV)/bin/phoenix \
	    $(UV) run --no-sync pytest tests/viewing/test_phoenix_e2e.py -p no:cacheprovider

$(PHOENIX_STAMP): | uv
	$(UV) venv --quiet --allow-existing --python 3.11 $(PHOENIX_VENV)
	$(UV) pip install --quiet --python $(PHOENIX_VENV)/bin/python "arize-phoenix==$(PHOENIX_VERSION)"
	touch $@

lint: $(STAMP)
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync mypy -p agentops_semconv $(addprefix -p opentelemetry.instrumentation.agentops.,$(TYPED_PACKAGES))

# Reports, not tests: each script prints PASS/FAIL lines and exits 0 (docs/benchmarks.md).
# BENCH_TARGETS=openai,anthropic picks providers; BENCH_ROUNDS, BENCH_LEAK_CALLS and
# BENCH_STARTUP_RUNS trade time for precision.
bench: $(STAMP)
	$(UV) run --no-sync python tests/bench/run.py
	$(UV) run --no-sync python tests/bench/memory.py
	$(UV) run --no-sync python tests/bench/startup.py
	$(UV) run --no-sync python tests/bench/bench_cost.py
	$(UV) run --no-sync python tests/bench/redis_store.py

clean:
	rm -rf $(VENV) .compat .e2e
