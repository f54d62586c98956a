"""LiteLLM: a Router call that falls back from a failing deployment to a working one, plain and
streamed.

The Router's ``primary`` group is a Groq deployment, ``backup`` an Anthropic one. Against the
emulator the primary deployment is told to fail (an injected HTTP 503), so each call is one
``route`` span with two attempts: the failed one and the fallback that answered. Against the
real APIs (GROQ_API_KEY and ANTHROPIC_API_KEY set, no DEMO_LITELLM_* variables) the primary
answers and there is one attempt.
"""

from __future__ import annotations

import os

# Offline by default: LiteLLM fetches its model price map from the network at import unless
# told to use its bundled copy.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm

from calls import say

SDK = "litellm"
# The Router's deployments: each attempt is recorded under the provider it went to.
PROVIDERS = ("groq", "anthropic")
EMULATOR_ENV = {
    "DEMO_LITELLM_GROQ_BASE": "{emulator}/groq/openai/v1",
    "DEMO_LITELLM_ANTHROPIC_BASE": "{emulator}/anthropic",
    "DEMO_LITELLM_PRIMARY_FAULT": "http-503",
    # LiteLLM counts a stream's tokens for its logs with a Hugging Face tokenizer for some
    # models; offline, say so at once instead of retrying for half a minute.
    "HF_HUB_OFFLINE": "1",
}

# Not the models the other demo modules call, so their rows in the report stay their own.
PRIMARY_MODEL = os.environ.get("DEMO_LITELLM_PRIMARY_MODEL", "groq/gemma2-9b-it")
BACKUP_MODEL = os.environ.get("DEMO_LITELLM_BACKUP_MODEL", "anthropic/claude-3-5-haiku-20241022")


def _params(model: str, base_variable: str, key_variable: str) -> dict[str, object]:
    params: dict[str, object] = {"model": model, "max_retries": 0}
    base = os.environ.get(base_variable)
    if base:
        params["api_base"] = base
    params["api_key"] = os.environ.get(key_variable, "sk-demo-not-a-real-key")
    return params


def router() -> litellm.Router:
    primary = _params(PRIMARY_MODEL, "DEMO_LITELLM_GROQ_BASE", "GROQ_API_KEY")
    fault = os.environ.get("DEMO_LITELLM_PRIMARY_FAULT")
    if fault:
        primary["extra_headers"] = {"x-emulator-fault": fault}
    backup = _params(BACKUP_MODEL, "DEMO_LITELLM_ANTHROPIC_BASE", "ANTHROPIC_API_KEY")
    return litellm.Router(
        model_list=[
            {"model_name": "primary", "litellm_params": primary, "model_info": {"id": "primary-1"}},
            {"model_name": "backup", "litellm_params": backup, "model_info": {"id": "backup-1"}},
        ],
        fallbacks=[{"primary": ["backup"]}],
        num_retries=0,
    )


def fallback(route: litellm.Router) -> None:
    say("Router call with a fallback ...")
    response = route.completion(
        model="primary", messages=[{"role": "user", "content": "Name one colour of the sky."}]
    )
    say(f"  reply: {response.choices[0].message.content}")


def streamed_fallback(route: litellm.Router) -> None:
    say("streamed Router call with a fallback ...")
    chunks = route.completion(
        model="primary",
        messages=[{"role": "user", "content": "Write one sentence about rivers."}],
        stream=True,
    )
    print("[app]   reply: ", end="", flush=True)
    for chunk in chunks:
        if chunk.choices and chunk.choices[0].delta.content:
            print(chunk.choices[0].delta.content, end="", flush=True)
    print(flush=True)


def run() -> None:
    route = router()
    fallback(route)
    streamed_fallback(route)
