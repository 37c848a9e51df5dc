"""ChatEndpoint: any OpenAI-compatible chat-completions endpoint through the official SDK, with the
SDK's transport retries, a new generation when the answer is not what was asked for, the response
format each endpoint takes (runner/providers/llm_formats.py), a circuit breaker (llm_breaker.py),
token usage and cost. What it relies on in the SDK is in runner/providers/llm.py's docstring."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import openai
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema

from runner.errors import ConfigurationError
from runner.providers import llm_formats as formats
from runner.providers.llm_breaker import Breaker
from runner.providers.llm_types import LLMError, MalformedAnswer

if TYPE_CHECKING:  # the openai SDK's own HTTP client library, for an injected transport in tests
    import httpx2

T = TypeVar("T")


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


@dataclass(frozen=True)
class ChatResult(Generic[T]):
    """One answer `chat` got, parsed: its tokens summed over every generation it took."""

    value: T
    model: str  # as the server reported it (`response.model`), else the configured one
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None  # None without prices, or when the endpoint reported no usage
    latency_ms: float
    meta: dict[str, Any]


@dataclass(frozen=True)
class Where:
    """Who is speaking to what, for messages and hints: `llm` / AICRM_LLM for the writer."""

    label: str
    endpoint: str
    env: str
    model: str
    timeout: float
    max_retries: int


def failure(exc: openai.OpenAIError, w: Where, meta: dict[str, Any]) -> LLMError:
    """The LLMError an SDK error after its retries is: its kind, whether to retry the task, a hint."""
    tries = f"{w.max_retries + 1} attempt{'s' if w.max_retries else ''}"
    where, env = f"{w.label}: {w.endpoint}", w.env
    if isinstance(exc, openai.APITimeoutError):
        return LLMError(
            f"{where} did not answer within {w.timeout:g} s ({tries})",
            kind="timeout",
            meta=meta,
            hint=f"Raise {env}_TIMEOUT (a CPU model needs minutes: docs/llm-providers.md) or {env}_MAX_RETRIES.",
        )
    if isinstance(exc, openai.APIConnectionError):
        return LLMError(
            f"{where}: cannot connect ({tries}): {exc.__cause__ or exc}",
            kind="connection",
            meta=meta,
            hint=f"Check {env}_BASE_URL and that the server is running.",
        )
    if not isinstance(exc, openai.APIStatusError):
        return LLMError(f"{where} failed: {_short(str(exc))}", kind="server_error", meta=meta)
    code, message = exc.status_code, _short(exc.message)
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return LLMError(
            f"{where} refused the API key (HTTP {code})",
            kind="auth",
            status_code=code,
            meta=meta,
            hint=f"Set {env}_API_KEY (or OPENAI_API_KEY) to a key for this endpoint.",
        )
    if isinstance(exc, openai.RateLimitError):
        quota = exc.code == "insufficient_quota"  # billing, not load: waiting will not help
        return LLMError(
            f"{where} is rate limiting (HTTP 429, {tries}): {message}",
            kind="rate_limited",
            retryable=not quota,
            status_code=code,
            meta=meta,
            hint="The account is out of quota." if quota else "Fewer workers, or a higher rate limit.",
        )
    if code >= 500 or code in (408, 409):
        return LLMError(
            f"{where} answered HTTP {code} for model {w.model} ({tries}): {message}",
            status_code=code,
            kind="timeout" if code == 408 else "server_error",
            meta=meta,
        )
    return LLMError(
        f"{where} refused the request (HTTP {code}) for model {w.model}: {message}",
        kind="bad_request",
        status_code=code,
        meta=meta,
        hint=f"404: a model the endpoint does not serve; 400: see the message ({env}_STRUCTURED=0 "
        "turns structured output off).",
    )


def usage(completion: Any, tokens: list[int], meta: dict[str, Any]) -> str | None:
    """The assistant's message of `completion`, its usage added to `tokens`; MalformedAnswer if none."""
    if not isinstance(completion, ChatCompletion) or not completion.choices:
        raise MalformedAnswer("an answer that is not a chat completion")
    if completion.usage is None:
        meta["usage_reported"] = False
    else:
        tokens[0] += completion.usage.prompt_tokens or 0
        tokens[1] += completion.usage.completion_tokens or 0
    meta["model_reported"] = completion.model or None
    choice = completion.choices[0]
    meta["finish_reason"] = choice.finish_reason
    if choice.message.refusal:
        raise MalformedAnswer(f"a refusal: {_short(choice.message.refusal, 80)!r}")
    return choice.message.content


def with_note(messages: Any, note: str) -> Any:
    """`messages` with `note` at the end of the last one (the user's): what another generation is
    told of the answer before it, not that answer itself. The prompt's prefix is unchanged, so a
    server's prompt cache still holds it; roles still alternate, as some chat templates insist; and a
    small model told that "[Your Name]" is a slot stops writing one."""
    last = dict(messages[-1])
    last["content"] = f"{last['content']}\n\n{note}"
    return [*messages[:-1], last]


class ChatEndpoint:
    """Any OpenAI-compatible /v1/chat/completions endpoint (OpenAI, Azure's v1 API, vLLM, Ollama,
    llama.cpp, LiteLLM) through the official SDK: `chat` asks for one JSON answer. `label` and
    `env_prefix` name it in errors and hints: `llm` and AICRM_LLM for the writer, `judge` and
    AICRM_JUDGE for the judge. The writer is its subclass OpenAIChatProvider (llm_writer.py)."""

    name = "openai"

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str,
        timeout: float = 60.0,
        max_retries: int = 3,
        breaker_failures: int = 5,
        breaker_cooldown: float = 60.0,
        price_per_1k_prompt: float | None = None,
        price_per_1k_completion: float | None = None,
        structured: bool = True,
        clock: Callable[[], float] = time.monotonic,
        http_client: httpx2.Client | None = None,
        label: str = "llm",
        env_prefix: str = "AICRM_LLM",
    ) -> None:
        if breaker_failures < 1:
            raise ConfigurationError(f"breaker failures: {breaker_failures} is less than 1")
        self.model, self.timeout, self.max_retries, self.structured = model, timeout, max_retries, structured
        self.label, self.env_prefix = label, env_prefix
        self.prices = (price_per_1k_prompt, price_per_1k_completion)
        self._breaker = Breaker(breaker_failures, breaker_cooldown, clock)
        self._client = openai.OpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries, http_client=http_client
        )
        self.base_url = str(self._client.base_url).rstrip("/")
        self.endpoint = self.base_url + "/chat/completions"
        self.where = Where(label, self.endpoint, env_prefix, model, timeout, max_retries)

    def chat(
        self,
        messages: list[ChatCompletionMessageParam],
        *,
        response_format: ResponseFormatJSONSchema,
        parse: Callable[[str | None], T],
        parse_plain: Callable[[str | None], T] | None = None,
        max_tokens: int | None = None,
        task_id: str | None = None,
    ) -> ChatResult[T]:
        """One answer to `messages`, as `parse` reads the assistant's message (`parse_plain` when the
        endpoint gives no structured output; MalformedAnswer: not what was asked for, and another
        generation is asked for). Counted by the breaker; raises LLMError (ProviderUnavailable while
        the breaker is open) after the retries."""
        trial = self._breaker.acquire(f"{self.endpoint} ({self.model})", self.label)
        try:
            result = self._chat(messages, response_format, parse, parse_plain or parse, max_tokens, task_id)
        except LLMError as exc:
            self._breaker.failed(exc.kind, trial)
            raise
        except Exception:  # a bug or an SDK surprise still counts, and never leaves a trial hanging
            self._breaker.failed("server_error", trial)
            raise
        except BaseException:
            self._breaker.release(trial)
            raise
        self._breaker.succeeded()
        return result

    def _send(self, messages: Any, schema: Any, mode: str, max_tokens: int | None, probe: bool) -> Any:
        """One request in `mode`; a probe (a format tried after a 5xx) goes once, without the SDK's retries."""
        client = self._client.with_options(max_retries=0) if probe else self._client
        return client.chat.completions.with_raw_response.create(
            model=self.model,
            messages=messages,
            response_format=formats.response_format(mode, schema),
            max_tokens=max_tokens if max_tokens is not None else openai.omit,
        )

    def _answer(self, messages: Any, schema: Any, mode: formats.Learnt, max_tokens: int | None,
                meta: dict[str, Any]) -> tuple[Any, Any, formats.Learnt]:  # fmt: skip
        """The raw response, its completion and the mode that got it. Until a format has worked on the
        endpoint, a refusal (llm_formats.REFUSALS) moves down the ladder: after a 4xx with the SDK's
        retries as usual (none are spent on a 4xx), after a 5xx once each, without them (an outage
        must not cost every format its retries); when every format is refused the first error stands."""
        first: openai.OpenAIError | None = None
        probe = False
        while True:
            try:
                raw = self._send(messages, schema, mode.mode, max_tokens, probe)
                return raw, raw.parse(), mode
            except openai.OpenAIError as exc:
                first = first or exc
                code = getattr(exc, "status_code", 0) or 0
                if mode.confirmed or not formats.refused(exc, mode.mode) or (code >= 500 and mode.probed):
                    if probe:
                        formats.probed(self.base_url, self.model)
                    raise failure(first if formats.refused(exc, "json_schema") else exc, self.where, meta) from exc
                probe = probe or code >= 500
                mode = formats.Learnt(formats.next_mode(mode.mode), False, f"HTTP {code} to {mode.mode}")

    def _chat(
        self,
        messages: Any,
        schema: Any,
        parse: Callable[[str | None], T],
        parse_plain: Callable[[str | None], T],
        max_tokens: int | None,
        task_id: str | None,
    ) -> ChatResult[T]:
        started, tokens = time.perf_counter(), [0, 0]
        meta: dict[str, Any] = {
            "task_id": task_id,
            "http_retries": 0,
            "request_ids": [],
            "model_configured": self.model,
            "writer_faults": {"malformed_output": 0, "bracket_placeholder": 0, "broken_merge_tag": 0},
        }
        mode, problem = formats.start_mode(self.base_url, self.model, self.structured), ""
        asked = messages
        for generation in range(1, self.max_retries + 2):
            meta["generations"] = generation
            raw, completion, mode = self._answer(asked, schema, mode, max_tokens, meta)
            if not mode.confirmed:
                formats.record(self.base_url, self.model, mode.mode, mode.reason)
                mode = formats.Learnt(mode.mode, True)
            meta["response_format"] = mode.mode
            meta["http_retries"] += raw.retries_taken
            meta["request_ids"].append(raw.headers.get("x-request-id") or getattr(completion, "id", None))
            try:
                message = usage(completion, tokens, meta)
                value = (parse_plain if mode.mode == "text" else parse)(message)
            except MalformedAnswer as exc:
                problem = str(exc)
                meta["writer_faults"][exc.fault] = meta["writer_faults"].get(exc.fault, 0) + 1
                asked = with_note(messages, exc.note())
                continue
            prompt, answer = tokens
            cost = self._cost(tokens) if meta.get("usage_reported", True) else None
            model = meta.get("model_reported") or self.model
            return ChatResult(value, model, prompt, answer, cost, (time.perf_counter() - started) * 1000, meta)
        meta.update(prompt_tokens=tokens[0], completion_tokens=tokens[1])
        raise LLMError(
            f"{self.label}: {self.endpoint} answered model {self.model} {meta['generations']} times without the "
            f"JSON {schema['json_schema']['name']} asked for; last: {problem}",
            kind="malformed_output",
            hint=f"A model that cannot follow structured output: try another, or {self.env_prefix}_STRUCTURED=0.",
            meta=meta,
        )

    def _cost(self, tokens: list[int]) -> float | None:
        prompt, completion = self.prices
        if prompt is None and completion is None:
            return None
        return round(tokens[0] / 1000 * (prompt or 0.0) + tokens[1] / 1000 * (completion or 0.0), 8)
