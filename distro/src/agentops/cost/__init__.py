"""USD cost of GenAI calls: ``agentops.cost.*`` span attributes and the cost counter.

``CostSpanProcessor`` prices each GenAI span from its token usage, with genai-prices' bundled
snapshot and an optional user price file. See ``docs/cost.md``. Importing this package does
not import genai-prices; the first price lookup (or the processor's preload thread) does.
"""

from agentops.cost.prices import LOCAL_SOURCE, FixedPricing, ModelPricing, PriceResolver
from agentops.cost.processor import CostSpanProcessor
from agentops.cost.rates import CostBreakdown, Rate, TokenRates
from agentops.cost.user_prices import (
    PRICES_FILE_ENV,
    PriceFileError,
    UserPrices,
    load_price_file,
)

__all__ = [
    "LOCAL_SOURCE",
    "PRICES_FILE_ENV",
    "CostBreakdown",
    "CostSpanProcessor",
    "FixedPricing",
    "ModelPricing",
    "PriceFileError",
    "PriceResolver",
    "Rate",
    "TokenRates",
    "UserPrices",
    "load_price_file",
]
