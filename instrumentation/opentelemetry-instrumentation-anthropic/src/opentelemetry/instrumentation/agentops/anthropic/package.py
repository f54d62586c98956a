from agentops_semconv.providers import sdk_requirement

# The supported range lives in the provider registry: the floor, 0.32.0, needs the httpx of its
# time (< 0.28) to build a client (see docs/compatibility.md); the top is the newest major the
# test suite runs.
_instruments = (sdk_requirement("anthropic"),)
