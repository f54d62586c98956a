from agentops_semconv.providers import sdk_requirement

# From the provider registry: groq 0.9.0 (the seed's floor, with httpx < 0.28 as in its day)
# up to the newest 1.x the suite runs (see docs/compatibility.md).
_instruments = (sdk_requirement("groq"),)
