from agentops_semconv.providers import sdk_requirement

# The supported range lives in the provider registry: 1.0.1 (the seed's floor) installs and
# runs on Python 3.11 with the dependency versions of its time (see docs/compatibility.md); the
# top is the newest major the test suite runs.
_instruments = (sdk_requirement("mistral"),)
