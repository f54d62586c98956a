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
# The oldest Anthropic and Cohere SDKs the emulator is checked against (see tests/emulator/README.md).
ANTHROPIC_FLOOR_PINS := "anthropic==0.32.0" "httpx==0.27.0" "pydantic==2.8.2" "anyio<4.5"
ANTHROPIC_040_PINS := "anthropic==0.40.0"
COHERE_FLOOR_PINS := "cohere==5.4.0"
COHERE_V2_FLOOR_PINS := "cohere==5.8.1"
COMPAT_TEST_PINS := pytest "pytest-asyncio>=0.24,<2" "opentelemetry-sdk>=1.43,<2"

# The end-to-end trace backend: Arize Phoenix, in its own environment (it is big).
PHOENIX_VERSION := 20.26.1
PHOENIX_VENV := .e2e/phoenix
PHOENIX_STAMP := $(PHOENIX_VENV)/.installed-$(PHOENIX_VERSION)

.PHONY: demo test test-main test-compat test-emulator-compat e2e lint bench clean

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

# Emulator wire checks on the oldest Anthropic and Cohere SDKs, one venv per pin set:
# (venv name, pins, provider of the test file).
define emulator_compat
	$(UV) venv --quiet --allow-existing --python 3.11 .compat/$(1)
	$(UV) pip install --quiet --python .compat/$(1)/bin/python $(2) $(COMPAT_TEST_PINS) \
	    -e tests/emulator
	.compat/$(1)/bin/python -m pytest tests/emulator/tests/test_$(3)_wire_any_sdk.py \
	    -p no:cacheprovider -q
endef

test-emulator-compat: uv
	$(call emulator_compat,anthropic-0.32,$(ANTHROPIC_FLOOR_PINS),anthropic)
	$(call emulator_compat,anthropic-0.40,$(ANTHROPIC_040_PINS),anthropic)
	$(call emulator_compat,cohere-5.4,$(COHERE_FLOOR_PINS),cohere)
	$(call emulator_compat,cohere-5.8,$(COHERE_V2_FLOOR_PINS),cohere)

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

bench: $(STAMP)
	$(UV) run --no-sync python tests/bench/run.py
	$(UV) run --no-sync python tests/bench/bench_cost.py

clean:
	rm -rf $(VENV) .compat .e2e
