"""Model metadata: POST /api/show (litellm asks it for the context length and tool support),
GET /api/tags and GET /api/version."""

from __future__ import annotations

from typing import Any

from ..wire import EmulatedResponse, json_response
from .generation import CREATED_AT

SERVER_VERSION = "0.12.6"
CONTEXT_LENGTH = 131072
# A chat template that mentions tools, which is how clients tell a model supports them.
TEMPLATE = (
    "{{- if .Tools }}Tools: {{ .Tools }}{{ end }}"
    "{{- range .Messages }}<|{{ .Role }}|>{{ .Content }}{{ end }}<|assistant|>"
)
DETAILS = {
    "parent_model": "",
    "format": "gguf",
    "family": "llama",
    "families": ["llama"],
    "parameter_size": "3.2B",
    "quantization_level": "Q4_K_M",
}


def show(body: dict[str, Any]) -> EmulatedResponse:
    payload = {
        "license": "Emulated model license",
        "modelfile": f"FROM {body['model']}\n",
        "parameters": 'stop "<|eot_id|>"',
        "template": TEMPLATE,
        "details": DETAILS,
        "model_info": {
            "general.architecture": "llama",
            "general.parameter_count": 3_212_749_888,
            "llama.context_length": CONTEXT_LENGTH,
            "llama.embedding_length": 3072,
        },
        "capabilities": ["completion", "tools"],
        "modified_at": CREATED_AT,
    }
    return json_response(200, payload)


def tags() -> EmulatedResponse:
    model = {
        "name": "llama3.2:latest",
        "model": "llama3.2:latest",
        "modified_at": CREATED_AT,
        "size": 2_019_393_189,
        "digest": "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
        "details": DETAILS,
    }
    return json_response(200, {"models": [model]})


def version() -> EmulatedResponse:
    return json_response(200, {"version": SERVER_VERSION})
