from agentops_semconv.providers import sdk_requirement

# The supported range lives in the provider registry (one place for it): the oldest release is
# the seed's floor, which installs and runs on Python 3.11 with the dependency versions of its
# time (see docs/compatibility.md); the top is the newest major the test suite runs.
_instruments = (sdk_requirement("openai"),)
