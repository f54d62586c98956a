from agentops_semconv.providers import sdk_requirement

# The supported range lives in the provider registry (one place for it): 5.4.0, the seed's
# floor, installs and runs unpinned on Python 3.11 (v1 only; ClientV2 arrived in 5.8.0); the
# top is the newest major the test suite runs (see docs/compatibility.md).
_instruments = (sdk_requirement("cohere"),)
