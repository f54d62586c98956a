from agentops_semconv.providers import sdk_requirement

# The supported range lives in the provider registry: 2.0.0 is the seed's floor (Jurassic-2
# only); Jamba chat comes in 2.2, async clients and streams in 2.5 (docs/compatibility.md).
_instruments = (sdk_requirement("ai21"),)
