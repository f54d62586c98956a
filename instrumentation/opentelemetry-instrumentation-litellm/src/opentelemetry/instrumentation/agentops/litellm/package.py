from agentops_semconv.providers import sdk_requirement

# The supported range lives in the provider registry: the oldest release is the first that
# imports on Python 3.11 (1.53.4, the first to declare its httpx dependency; see
# docs/compatibility.md); the top is the next major.
_instruments = (sdk_requirement("litellm"),)
