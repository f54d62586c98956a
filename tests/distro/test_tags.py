"""``agentops.tags``: tags on the GenAI spans and metric points of the calls inside a block,
through nesting, decorators, asyncio tasks and threads."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import agentops
import pytest
import test_client_helpers as helpers
from agentops.tagging import current_tags
from test_client_helpers import (
    DURATION,
    TOKENS,
    async_openai_client,
    chat,
    configure,
    genai_spans,
    openai_client,
    points,
)

# Fixtures shared through the helpers module (pytest finds them by name here).
_isolated_hooks = helpers._isolated_hooks
agentops_client = helpers.agentops_client

TAG = "agentops.tag."


def tags_of(attributes) -> dict[str, str]:
    return {k[len(TAG) :]: v for k, v in attributes.items() if k.startswith(TAG)}


def span_tags(telemetry) -> list[dict[str, str]]:
    return [tags_of(span.attributes) for span in genai_spans(telemetry)]


def by_model(telemetry) -> dict[str, dict[str, str]]:
    return {
        s.attributes["gen_ai.request.model"]: tags_of(s.attributes) for s in genai_spans(telemetry)
    }


@pytest.fixture
def traced(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry)
    return openai_client(emulator)


@pytest.fixture
def threads_traced(traced):
    pytest.importorskip(
        "opentelemetry.instrumentation.threading",
        reason="opentelemetry-instrumentation-threading carries context into threads",
    )
    from opentelemetry.instrumentation.threading import ThreadingInstrumentor

    assert ThreadingInstrumentor().is_instrumented_by_opentelemetry
    return traced


def test_tags_on_span_and_metric_points(traced, telemetry):
    with agentops.tags(use_case="support", customer_tier="gold", attempt=2):
        chat(traced)

    assert span_tags(telemetry) == [
        {"use_case": "support", "customer_tier": "gold", "attempt": "2"}
    ]
    for name in (DURATION, TOKENS):
        found = points(telemetry, name)
        assert found, name
        for point in found:
            assert tags_of(point.attributes) == {
                "use_case": "support",
                "customer_tier": "gold",
                "attempt": "2",
            }


def test_no_tags_outside_the_block(traced, telemetry):
    with agentops.tags(team="search"):
        pass
    chat(traced)
    assert span_tags(telemetry) == [{}]
    assert all(not tags_of(p.attributes) for p in points(telemetry, DURATION))


def test_nested_blocks_merge_and_inner_wins(traced, telemetry):
    with agentops.tags(team="search", env="prod"):
        with agentops.tags(env="canary", step="rerank") as inner:
            assert inner == {"team": "search", "env": "canary", "step": "rerank"}
            chat(traced, model="gpt-4o")
        chat(traced, model="gpt-4o-mini")

    assert by_model(telemetry) == {
        "gpt-4o": {"team": "search", "env": "canary", "step": "rerank"},
        "gpt-4o-mini": {"team": "search", "env": "prod"},
    }


def test_none_removes_an_outer_tag(traced, telemetry):
    with agentops.tags(team="search", env="prod"), agentops.tags(env=None):
        chat(traced)
    assert span_tags(telemetry) == [{"team": "search"}]


def test_keys_that_are_not_identifiers(traced, telemetry):
    with agentops.tags({"use-case": "support", "ticket.kind": "refund"}):
        chat(traced)
    assert span_tags(telemetry) == [{"use-case": "support", "ticket.kind": "refund"}]


def test_decorator_on_a_function(traced, telemetry):
    @agentops.tags(pipeline="summarize")
    def summarize(model: str) -> str:
        chat(traced, model=model)
        return model

    assert summarize.__name__ == "summarize"
    assert summarize("gpt-4o") == "gpt-4o"
    chat(traced, model="gpt-4o-mini")
    with agentops.tags(pipeline="outer", user="u1"):
        summarize("o3-mini")

    assert by_model(telemetry) == {
        "gpt-4o": {"pipeline": "summarize"},
        "gpt-4o-mini": {},
        "o3-mini": {"pipeline": "summarize", "user": "u1"},
    }


async def test_decorator_on_an_async_function(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry)
    client = async_openai_client(emulator)

    @agentops.tags(pipeline="async")
    async def answer(model: str) -> None:
        await client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": "x"}]
        )

    await asyncio.gather(answer("gpt-4o"), answer("gpt-4o-mini"))
    assert by_model(telemetry) == {
        "gpt-4o": {"pipeline": "async"},
        "gpt-4o-mini": {"pipeline": "async"},
    }
    await client.close()


async def test_async_with(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry)
    client = async_openai_client(emulator)
    async with agentops.tags(kind="async-with"):
        await client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "x"}]
        )
    assert span_tags(telemetry) == [{"kind": "async-with"}]
    await client.close()


async def test_asyncio_tasks_inherit_and_do_not_leak(emulator, telemetry, agentops_client):
    configure(agentops_client, telemetry)
    client = async_openai_client(emulator)

    async def call(model: str, **own: str) -> None:
        with agentops.tags(**own):
            await asyncio.sleep(0)  # let the other tasks run in between
            await client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": model}]
            )

    with agentops.tags(request_id="r-1"):
        tasks = [
            asyncio.create_task(call("gpt-4o", worker="a")),
            asyncio.create_task(call("gpt-4o-mini", worker="b")),
            asyncio.create_task(call("o3-mini")),
        ]
    # The block is closed before the tasks run: they keep the tags they were created with.
    await asyncio.gather(*tasks)

    assert by_model(telemetry) == {
        "gpt-4o": {"request_id": "r-1", "worker": "a"},
        "gpt-4o-mini": {"request_id": "r-1", "worker": "b"},
        "o3-mini": {"request_id": "r-1"},
    }
    for point in points(telemetry, DURATION):
        assert tags_of(point.attributes)["request_id"] == "r-1"
    await client.close()


def test_thread_pool_executor(threads_traced, telemetry):
    def work(model: str) -> None:
        chat(threads_traced, model=model)

    with agentops.tags(batch="nightly"), ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(work, ["gpt-4o", "gpt-4o-mini", "o3-mini"]))
    # A pool thread reused after the block does not keep the block's tags.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(work, "gpt-4.1").result()

    assert by_model(telemetry) == {
        "gpt-4o": {"batch": "nightly"},
        "gpt-4o-mini": {"batch": "nightly"},
        "o3-mini": {"batch": "nightly"},
        "gpt-4.1": {},
    }
    duration = {
        p.attributes["gen_ai.request.model"]: tags_of(p.attributes)
        for p in points(telemetry, DURATION)
    }
    assert duration["o3-mini"] == {"batch": "nightly"}


def test_threading_thread(threads_traced, telemetry):
    seen: list[dict[str, str]] = []

    def work() -> None:
        seen.append(current_tags())
        with agentops.tags(inner="yes"):
            chat(threads_traced, model="gpt-4o")

    with agentops.tags(job="import"):
        thread = threading.Thread(target=work)
        thread.start()
    thread.join()

    assert seen == [{"job": "import"}]
    assert span_tags(telemetry) == [{"job": "import", "inner": "yes"}]


def test_a_block_on_one_thread_does_not_tag_another(threads_traced, telemetry):
    inside = threading.Event()
    done = threading.Event()

    def tagged() -> None:
        with agentops.tags(owner="thread-a"):
            inside.set()
            done.wait(5)

    thread = threading.Thread(target=tagged)
    thread.start()
    inside.wait(5)
    chat(threads_traced)
    done.set()
    thread.join()
    assert span_tags(telemetry) == [{}]


def test_tags_need_no_client(emulator, telemetry):
    # Under opentelemetry-instrument there may be no Client: the first block registers.
    from opentelemetry.instrumentation.agentops.openai import OpenAIInstrumentor

    instrumentor = OpenAIInstrumentor()
    instrumentor.instrument(
        tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
    )
    try:
        with agentops.tags(source="auto"):
            chat(openai_client(emulator))
    finally:
        instrumentor.uninstrument()
    assert span_tags(telemetry) == [{"source": "auto"}]


def test_empty_key_is_rejected():
    with pytest.raises(ValueError):
        agentops.tags({"": "x"})


def test_client_tags_is_the_same_function(agentops_client):
    assert agentops_client.tags is agentops.tags
