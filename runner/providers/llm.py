"""LLM providers the content worker drafts with (docs/llm-providers.md): `provider.generate(request)`
returns a `Draft` or raises an `LLMError` saying what kind of failure it was and whether trying the
task again later can help; `ProviderUnavailable` says the circuit breaker is open and nothing was sent.

OpenAIChatProvider speaks to any OpenAI-compatible chat-completions endpoint through the official SDK
and relies on the SDK for transport retries. What it relies on, as read in the installed openai 3.57.0
(openai/_base_client.py unless named):

- `OpenAI(max_retries=N, timeout=T)`: every HTTP attempt may take T seconds (connect, write, pool and
  read alike); up to N retries follow the first attempt (SyncAPIClient.request, lines 1136-1260).
- Retried: timeouts (1188-1201) and connection errors, including a connection closed without an
  answer (1206-1220), and the statuses `_should_retry` accepts (922-964): 408, 409, 429 and every 5xx,
  unless the server sends `x-should-retry: false`. 400/401/403/404/422 are raised at once.
- The wait (`_calculate_retry_timeout`, 898-920): `retry-after-ms`, else `Retry-After` in seconds
  (floats allowed) or as an HTTP date (`_parse_retry_after_header`, 849-885), when it is over 0 and at
  most 120 s; otherwise 0.5 s doubling per retry, capped at 8 s, minus up to 25 % jitter
  (_constants.py lines 13-15). A Retry-After over 120 s is not retried at all (923-931).
- Each retry carries `x-stainless-retry-count` (551-552) and the same idempotency key (1149-1151);
  the parsed response's `retries_taken` says how many retries one call took.

On top of that the provider retries the *generation* when an answer arrives but is not the JSON
asked for (malformed output, or a draft with a [bracketed] slot left to fill), learns once per
process which `response_format` each endpoint takes, and counts failed generations for the breaker.
Latency is measured with time.perf_counter; the injectable clock serves only the breaker.
`OpenAIChatProvider.chat` is that machinery for any JSON answer: the writer's `generate` and the
model judge (runner/providers/judge.py) both go through it, each with its own provider object and
breaker.

This module is the front: the configuration (AICRM_LLM_*) and `llm_from_config`, and every name the
worker, the judge and the tests use. The parts live beside it: llm_types (request, draft, errors),
llm_brief (the brief from a request), llm_prompt (the prompt from a brief, within a token budget),
llm_answer (reading the answer), llm_formats (the response format each endpoint takes), llm_breaker,
llm_chat (the chat machinery) and llm_writer (the provider: `generate`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from runner.config import _number
from runner.errors import ConfigurationError
from runner.providers.llm_answer import bracket_slots, broken_tags, json_object, parse_draft, parse_plain_draft
from runner.providers.llm_breaker import Breaker
from runner.providers.llm_brief import brief_from_request, prompt_context
from runner.providers.llm_chat import ChatResult
from runner.providers.llm_prompt import DEFAULT_BUDGET, Prompt, build_prompt, data_block, estimate_tokens
from runner.providers.llm_types import (
    CHANNELS,
    FORMATS,
    Draft,
    DraftRequest,
    ErrorKind,
    LLMError,
    LLMProvider,
    MalformedAnswer,
    ProviderUnavailable,
)
from runner.providers.llm_writer import DRAFT_SCHEMA, OpenAIChatProvider

if TYPE_CHECKING:  # the openai SDK's own HTTP client library, for an injected transport in tests
    import httpx2

__all__ = [
    "CHANNELS",
    "DEFAULT_BUDGET",
    "DRAFT_SCHEMA",
    "FORMATS",
    "LOCAL_TIMEOUT",
    "Breaker",
    "ChatResult",
    "Draft",
    "DraftRequest",
    "ErrorKind",
    "LLMError",
    "LLMProvider",
    "LLMSettings",
    "MalformedAnswer",
    "OpenAIChatProvider",
    "Prompt",
    "ProviderUnavailable",
    "bracket_slots",
    "broken_tags",
    "build_messages",
    "build_prompt",
    "data_block",
    "endpoint_options",
    "estimate_tokens",
    "is_local",
    "json_object",
    "llm_from_config",
    "parse_draft",
    "parse_plain_draft",
    "prompt_context",
]
LOCAL_TIMEOUT = 600.0  # seconds: a CPU model's answer takes minutes (docs/llm-providers.md, "Timeouts")


def build_messages(request: DraftRequest, budget: int = DEFAULT_BUDGET) -> list[dict[str, str]]:
    """The messages `generate` sends for `request`: its brief as a prompt within `budget` tokens."""
    return build_prompt(brief_from_request(request), budget).messages


def is_local(base_url: str | None) -> bool:
    """Whether `base_url` is a server on this machine (a loopback address or localhost)."""
    host = (urlsplit(base_url).hostname or "") if base_url else ""
    return host == "localhost" or host.startswith("127.") or host in ("::1", "0.0.0.0")


# --- configuration ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LLMSettings:
    """The AICRM_LLM_* variables (docs/llm-providers.md)."""

    provider: str = "template"
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 60.0
    max_retries: int = 3
    breaker_failures: int = 5
    breaker_cooldown: float = 60.0
    price_per_1k_prompt: float | None = None
    price_per_1k_completion: float | None = None
    structured: bool = True
    prompt_budget: int = DEFAULT_BUDGET

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LLMSettings:
        env = os.environ if env is None else env
        return cls(
            provider=(env.get("AICRM_LLM_PROVIDER") or "template").strip().lower(),
            api_key=env.get("AICRM_LLM_API_KEY") or env.get("OPENAI_API_KEY") or None,
            prompt_budget=_number(env, "AICRM_LLM_PROMPT_TOKENS", int, DEFAULT_BUDGET, 300, 1_000_000),
            **endpoint_options(env, "AICRM_LLM"),
        )


def endpoint_options(
    env: Mapping[str, str], prefix: str, *, timeout: float = 60.0, max_retries: int = 3
) -> dict[str, Any]:
    """What every OpenAI-compatible endpoint is configured by, from PREFIX_MODEL, _BASE_URL, _TIMEOUT,
    _MAX_RETRIES, _BREAKER_FAILURES, _BREAKER_COOLDOWN, _PRICE_PER_1K_PROMPT, _PRICE_PER_1K_COMPLETION
    and _STRUCTURED (not the key: whose key may go where is the caller's rule). A number that is not
    one, or out of range, is refused naming its variable; `timeout` and `max_retries` are the defaults,
    and an endpoint on this machine (is_local: a model on its CPU, most likely) waits LOCAL_TIMEOUT
    unless _TIMEOUT says otherwise."""

    def price(name: str) -> float | None:
        return _number(env, name, float, 0.0, 0.0, 1000.0) if env.get(name, "").strip() else None

    base_url = env.get(f"{prefix}_BASE_URL") or None
    timeout = max(timeout, LOCAL_TIMEOUT) if is_local(base_url) else timeout
    return {
        "model": (env.get(f"{prefix}_MODEL") or "").strip() or None,
        "base_url": base_url,
        "timeout": _number(env, f"{prefix}_TIMEOUT", float, timeout, 0.01, 3600.0),
        "max_retries": _number(env, f"{prefix}_MAX_RETRIES", int, max_retries, 0, 20),
        "breaker_failures": _number(env, f"{prefix}_BREAKER_FAILURES", int, 5, 1, 1000),
        "breaker_cooldown": _number(env, f"{prefix}_BREAKER_COOLDOWN", float, 60.0, 0.0, 86400.0),
        "price_per_1k_prompt": price(f"{prefix}_PRICE_PER_1K_PROMPT"),
        "price_per_1k_completion": price(f"{prefix}_PRICE_PER_1K_COMPLETION"),
        "structured": env.get(f"{prefix}_STRUCTURED", "1").strip().lower() not in ("0", "false", "no"),
    }


def llm_from_config(
    settings: LLMSettings | None = None,
    *,
    template_factory: Callable[[], LLMProvider] | None = None,
    http_client: httpx2.Client | None = None,
) -> LLMProvider:
    """The provider AICRM_LLM_PROVIDER names. `template` (the default, offline) is built by
    `template_factory`: the template provider lives in runner/providers/template.py, which the worker
    passes in, so this module does not depend on it."""
    settings = settings or LLMSettings.from_env()
    if settings.provider == "template":
        if template_factory is None:
            raise ConfigurationError(
                "AICRM_LLM_PROVIDER: template: the offline template provider is not available here",
                hint="Set AICRM_LLM_PROVIDER=openai with AICRM_LLM_MODEL, or run the worker, which provides it.",
            )
        return template_factory()
    if settings.provider != "openai":
        raise ConfigurationError(
            f"AICRM_LLM_PROVIDER: {settings.provider!r} is not an LLM provider", hint="Use template or openai."
        )
    if settings.model is None:
        raise ConfigurationError(
            "AICRM_LLM_MODEL: not set; the openai provider needs a model name",
            hint="For example AICRM_LLM_MODEL=gpt-4o-mini, or the name your local server serves.",
        )
    api_key = settings.api_key
    if api_key is None:
        if settings.base_url is None:
            raise ConfigurationError(
                "AICRM_LLM_API_KEY: not set, and OPENAI_API_KEY neither",
                hint="Set one of them, or AICRM_LLM_BASE_URL for a local endpoint that needs no key.",
            )
        api_key = "unused"  # local OpenAI-compatible servers take any key; the SDK insists on one
    return OpenAIChatProvider(
        settings.model,
        base_url=settings.base_url,
        api_key=api_key,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        breaker_failures=settings.breaker_failures,
        breaker_cooldown=settings.breaker_cooldown,
        price_per_1k_prompt=settings.price_per_1k_prompt,
        price_per_1k_completion=settings.price_per_1k_completion,
        structured=settings.structured,
        http_client=http_client,
        prompt_budget=settings.prompt_budget,
    )
