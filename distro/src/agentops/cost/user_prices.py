"""The user's price file: prices that override or extend genai-prices.

Format (JSON)::

    {
      "ollama": {"llama3.2": {"input_per_mtok": 0, "output_per_mtok": 0}},
      "openai": {
        "ft:gpt-4o-mini": {"input_per_mtok": 0.3, "output_per_mtok": 1.2,
                           "cache_read_per_mtok": 0.15}
      },
      "*": {"my-gateway-model": {"input_per_mtok": 1, "output_per_mtok": 2}}
    }

Top-level keys are ``gen_ai.provider.name`` values (``"*"`` matches any provider); model
keys match the span's model exactly or as a prefix, the longest key winning, case-insensitive.
Prices are USD per million tokens; ``input_per_mtok`` and ``output_per_mtok`` are required,
the cache prices default to the input price. A file that breaks any rule is ignored as a
whole, with one warning naming the file and the problem.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from agentops.cost.rates import Rate, TokenRates

PRICES_FILE_ENV: Final = "AGENTOPS_PRICES_FILE"
"""Environment variable naming the price file, used when no path is passed explicitly."""

SOURCE: Final = "user"
ANY_PROVIDER: Final = "*"

_REQUIRED: Final = ("input_per_mtok", "output_per_mtok")
_OPTIONAL: Final = ("cache_read_per_mtok", "cache_write_per_mtok")

_logger = logging.getLogger(__name__)


class PriceFileError(ValueError):
    """The price file's content breaks the format; the message says where and how."""


class UserPrices:
    """Validated user prices, looked up by provider name and model."""

    source: Final = SOURCE

    def __init__(self, prices: Mapping[str, Mapping[str, TokenRates]]) -> None:
        # Keys sorted longest first, so the first prefix hit is the longest one.
        self._by_provider: dict[str, tuple[dict[str, TokenRates], tuple[str, ...]]] = {}
        for provider, models in prices.items():
            lowered = {model.lower(): rates for model, rates in models.items()}
            by_length = tuple(sorted(lowered, key=len, reverse=True))
            self._by_provider[provider] = (lowered, by_length)

    def __len__(self) -> int:
        return sum(len(models) for models, _ in self._by_provider.values())

    def find(self, provider_name: str | None, model: str) -> TokenRates | None:
        """The user's rates for ``model`` at ``provider_name``, else at ``"*"``, else ``None``."""
        model = model.lower()
        for provider in (provider_name, ANY_PROVIDER):
            entry = self._by_provider.get(provider) if provider is not None else None
            if entry is None:
                continue
            exact, by_length = entry
            rates = exact.get(model)
            if rates is not None:
                return rates
            for key in by_length:
                if model.startswith(key):
                    return exact[key]
        return None

    @classmethod
    def from_mapping(cls, data: Any) -> UserPrices:
        """Validate parsed JSON; raises :class:`PriceFileError` naming the faulty entry."""
        if not isinstance(data, Mapping):
            raise PriceFileError(
                f"the top level must be an object of provider names, got {type(data).__name__}"
            )
        prices: dict[str, dict[str, TokenRates]] = {}
        for provider, models in data.items():
            if not isinstance(models, Mapping):
                raise PriceFileError(
                    f"{provider!r} must be an object of model names, got {type(models).__name__}"
                )
            if not provider:
                raise PriceFileError("a provider name is empty")
            prices[provider] = {}
            seen: set[str] = set()
            for model, entry in models.items():
                if not model:
                    raise PriceFileError(f"{provider!r} has an empty model name")
                if model.lower() in seen:
                    raise PriceFileError(f"{provider}.{model} is listed twice (case-insensitive)")
                seen.add(model.lower())
                prices[provider][model] = _token_rates(f"{provider}.{model}", entry)
        return cls(prices)


def _token_rates(where: str, entry: Any) -> TokenRates:
    if not isinstance(entry, Mapping):
        raise PriceFileError(f"{where} must be an object of prices, got {type(entry).__name__}")
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        allowed = ", ".join(_REQUIRED + _OPTIONAL)
        raise PriceFileError(
            f"{where} has unknown field(s) {', '.join(unknown)} (allowed: {allowed})"
        )
    missing = [name for name in _REQUIRED if name not in entry]
    if missing:
        raise PriceFileError(f"{where} is missing {', '.join(missing)}")
    values = {name: _price(where, name, entry[name]) for name in entry}
    cache_read = values.get("cache_read_per_mtok")
    cache_write = values.get("cache_write_per_mtok")
    return TokenRates(
        input=Rate(values["input_per_mtok"]),
        output=Rate(values["output_per_mtok"]),
        cache_read=Rate(cache_read) if cache_read is not None else None,
        cache_write=Rate(cache_write) if cache_write is not None else None,
    )


def _price(where: str, name: str, value: Any) -> float:
    # bool is an int subclass; "true" as a price is a mistake, not 1 USD.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PriceFileError(f"{where}.{name} must be a number, got {json.dumps(value)}")
    if not math.isfinite(value) or value < 0:
        raise PriceFileError(f"{where}.{name} must be a finite number >= 0, got {value}")
    return float(value)


def load_price_file(path: str | os.PathLike[str]) -> UserPrices | None:
    """Read and validate a price file; on any problem warn once and return ``None``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
        return UserPrices.from_mapping(data)
    except OSError as exc:
        problem = f"cannot read it ({exc.strerror or exc})"
    except json.JSONDecodeError as exc:
        problem = f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
    except (PriceFileError, UnicodeDecodeError) as exc:
        problem = str(exc)
    _logger.warning("Ignoring price file %s: %s", os.fspath(path), problem)
    return None


def price_file_path(
    explicit: str | os.PathLike[str] | None = None,
) -> str | os.PathLike[str] | None:
    """The price file to use: ``explicit`` if given, else ``$AGENTOPS_PRICES_FILE`` if set."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get(PRICES_FILE_ENV, "").strip()
    return from_env or None
