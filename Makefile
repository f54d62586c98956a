# Every target bootstraps its own tools: uv is installed with pip when missing, then
# `uv sync` builds .venv with every workspace package and the development tools.
SHELL := /bin/bash
PYTHON ?= python3
# uv runs as a module of the machine's Python, wherever pip put it.
UV := $(PYTHON) -m uv
export UV_PYTHON_DOWNLOADS := never
VENV := .venv
STAMP := $(VENV)/.synced
# The oldest openai release we support, with the dependency versions of its time.
OPENAI_FLOOR_PINS := "openai==1.0.0" "httpx==0.25.1" "pydantic==2.4.2" "anyio<4.1"
COMPAT_VENV := .compat/openai-floor
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

.PHONY: demo test test-main test-compat test-emulator-floors lint bench clean

.PHONY: uv
uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"

$(STAMP): pyproject.toml uv.lock $(wildcard */pyproject.toml) $(wildcard */*/pyproject.toml) \
          | uv
	$(UV) sync --frozen --all-packages
	touch $(STAMP)

demo: $(STAMP)
	$(UV) run --no-sync python examples/run_demo.py

test: test-main test-compat

test-main: $(STAMP)
	$(UV) run --no-sync pytest

test-compat: uv
	$(UV) venv --quiet --allow-existing --python 3.11 $(COMPAT_VENV)
	$(UV) pip install --quiet --python $(COMPAT_VENV)/bin/python $(OPENAI_FLOOR_PINS) \
	    pytest "pytest-asyncio>=0.24,<2" "opentelemetry-sdk>=1.43,<2" \
	    -e semconv -e instrumentation/opentelemetry-instrumentation-genai-core \
	    -e instrumentation/opentelemetry-instrumentation-openai -e tests/emulator
	$(COMPAT_VENV)/bin/python -m pytest tests/instrumentation -p no:cacheprovider

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

lint: $(STAMP)
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .

bench: $(STAMP)
	$(UV) run --no-sync python tests/bench/run.py
	$(UV) run --no-sync python tests/bench/bench_cost.py

clean:
	rm -rf $(VENV) .compat
