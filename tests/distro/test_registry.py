"""The provider registry is the one place for provider facts: what derives from it agrees."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

from agentops.cost.providers import GENAI_PRICES_PROVIDER, LOCAL_PROVIDERS
from agentops.provider_names import KNOWN_NAMES, matching_values
from agentops.providers import PROVIDERS
from agentops_semconv import PROVIDERS as ROWS
from agentops_semconv.providers import by_name, instrumented
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[2]


def _package_dir(seed: str) -> Path:
    return ROOT / "instrumentation" / f"opentelemetry-instrumentation-{seed}"


def test_rows_with_an_instrumentor_name_everything_it_needs():
    for row in instrumented():
        assert row.seed and row.sdk and row.sdk_versions and row.package, row
        assert row.instrumentor == (
            f"opentelemetry.instrumentation.agentops.{row.seed}:{row.instrumentor.split(':')[1]}"
        )
    assert [row.seed for row in instrumented()] == list(KNOWN_NAMES)
    assert len({row.name for row in ROWS}) == len(ROWS)


def test_the_distro_loads_what_the_registry_lists():
    assert [(p.name, p.instrumentor, p.sdk, p.package) for p in PROVIDERS] == [
        (row.seed, row.instrumentor, row.sdk, row.package) for row in instrumented()
    ]


def test_the_distros_extras_are_the_registrys():
    extras = tomllib.loads((ROOT / "distro/pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    built = [row for row in instrumented() if _package_dir(row.seed).is_dir()]
    assert built, "no provider package found"
    for row in built:
        assert extras[row.seed] == [row.package, f"{row.sdk}{row.sdk_versions}"], row.seed
        assert f"agentops-otel-distro[{row.seed}]" in extras["all"], row.seed


def test_each_package_declares_the_registrys_range_and_entry_point():
    checked = []
    for row in instrumented():
        if not _package_dir(row.seed).is_dir():
            continue
        try:  # the lean compatibility runs install some of the packages only
            requires = [Requirement(r) for r in importlib.metadata.requires(row.package) or []]
        except importlib.metadata.PackageNotFoundError:
            continue
        checked.append(row.seed)
        instruments = [r for r in requires if r.marker and "instruments" in str(r.marker)]
        assert [(r.name, r.specifier) for r in instruments] == [
            (row.sdk, SpecifierSet(row.sdk_versions))
        ], requires
        points = importlib.metadata.entry_points(group="opentelemetry_instrumentor")
        mine = [p for p in points if p.value == row.instrumentor]
        assert [p.name for p in mine] == [row.seed]
    assert "openai" in checked


def test_prices_and_seed_names_come_from_the_rows():
    for row in ROWS:
        if row.prices is not None:
            assert GENAI_PRICES_PROVIDER[row.name] == row.prices
            for alias in row.aliases:
                assert by_name(alias) is row
        if row.seed is not None:
            assert row.name in matching_values(row.seed)
    assert {row.name for row in ROWS if row.local} == LOCAL_PROVIDERS
