"""What every writer and the worker share (docs/llm-providers.md): the request, the draft, the
provider protocol and the errors a generation ends in. runner/providers/llm.py re-exports them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from runner.errors import InvalidInput, ProviderError

ErrorKind = Literal["timeout", "rate_limited", "server_error", "malformed_output", "connection", "auth", "bad_request"]
CHANNELS = ("email", "sms", "social", "blog", "web")
FORMATS = ("text", "html", "markdown")
_RETRYABLE: dict[str, bool] = {"auth": False, "bad_request": False}


@dataclass(frozen=True)
class DraftRequest:
    """One draft to write: the task's ai_instructions, the business context
    (get_customer_context_for_ai, opaque JSON), from attempt 2 the previous draft and its fixes, and
    the draft brief (aicrm.get_draft_brief without its context: docs/ai-instructions.md)."""

    task_id: str
    channel: str
    instructions: dict[str, Any]
    context: dict[str, Any]
    attempt: int = 1
    previous_subject: str | None = None
    previous_content: str | None = None
    fixes: list[dict[str, Any]] = field(default_factory=list)
    brief: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise InvalidInput(f"channel: {self.channel!r} is not one of {', '.join(CHANNELS)}", field="channel")
        if self.attempt < 1:
            raise InvalidInput(f"attempt: {self.attempt} is less than 1", field="attempt")


@dataclass(frozen=True)
class Draft:
    subject: str | None
    content: str
    content_format: str  # text | html | markdown: the task's output_format, text when it has none
    provider: str
    model: str
    prompt_tokens: int  # summed over every generation this draft took (what was paid for)
    completion_tokens: int
    cost_usd: float | None  # None without prices, or when the endpoint reported no usage
    latency_ms: float
    meta: dict[str, Any]


class LLMProvider(Protocol):
    name: str

    def generate(self, request: DraftRequest) -> Draft: ...


class LLMError(ProviderError):
    """A generation failed after the retries. `kind` says how; `retryable` whether the same task may
    succeed later (an outage, a rate limit) or needs a person (a refused key, a refused request)."""

    def __init__(
        self,
        message: str,
        *,
        kind: ErrorKind,
        retryable: bool | None = None,
        status_code: int | None = None,
        hint: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.kind: ErrorKind = kind
        self.retryable = _RETRYABLE.get(kind, True) if retryable is None else retryable
        self.status_code = status_code
        self.meta = meta or {}


class ProviderUnavailable(LLMError):
    """The breaker is open: raised at once, with no request sent. `kind` is the failure that opened it;
    `retry_in` the seconds until one trial call is let through."""

    def __init__(self, message: str, *, kind: ErrorKind, retry_in: float, hint: str | None = None) -> None:
        super().__init__(message, kind=kind, retryable=True, hint=hint)
        self.retry_in = retry_in


class MalformedAnswer(ValueError):
    """An answer that is not what was asked for: `OpenAIChatProvider.chat` asks for another
    generation. `fault` names the writer's fault for the draft's meta: `malformed_output` (not the
    JSON asked for) or `bracket_placeholder` (a [Name] or [url] left for someone to fill)."""

    def __init__(self, message: str, fault: str = "malformed_output", advice: str | None = None) -> None:
        super().__init__(message)
        self.fault, self.advice = fault, advice

    def note(self) -> str:
        """What the next generation is told of this answer (as JSON literals: the message may quote
        the model's own words, which are no instructions)."""
        advice = self.advice or "Answer again with one JSON object, exactly as asked, and nothing else."
        return f"Your last answer could not be used: {json.dumps(str(self), ensure_ascii=False)}. {advice}"
