from agentops_semconv.providers import sdk_requirement

# The supported range lives in the provider registry: the oldest release is the seed's floor,
# 0.0.1, which installs and runs on Python 3.11 (see docs/compatibility.md); the top is the
# newest major the test suite runs.
_instruments = (sdk_requirement("ollama"),)
