"""The OpenAI-compatible LLM provider against a real local server speaking the chat-completions
protocol (tests/fakes/openai_chat.py): a draft with its usage and cost; 429 with Retry-After, 500s,
timeouts, dropped connections and a dead endpoint retried by the SDK, then reported as an LLMError of
the right kind; malformed output retried as a new generation; the circuit breaker opening, refusing
without a request, and letting one trial through after the cooldown. Then the configuration from
AICRM_LLM_* variables. The prompt is tests/runner/test_llm_prompt.py's; response formats, placeholders
and what the draft's meta records, tests/runner/test_llm_answers.py's. Nothing leaves 127.0.0.1."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest

from runner.errors import ConfigurationError, InvalidInput, ProviderError
from runner.providers.llm import (
    Draft,
    DraftRequest,
    LLMError,
    LLMProvider,
    LLMSettings,
    OpenAIChatProvider,
    ProviderUnavailable,
    build_messages,
    llm_from_config,
)
from tests.fakes.openai_chat import FakeOpenAIChat, dead_endpoint, delay, drop, malformed, ok, reply, status
from tests.runner.prompts import nonce_of
from tests.runner.workers import API_KEY, MODEL, learnt_structured, openai_provider

CONTEXT: dict[str, Any] = {
    "business": {"name": "Rosa's Bakery", "industry": "bakery", "description": "Sourdough baked every morning."},
    "brand_voice": {"tone": ["warm", "plain"], "avoid": ["cheap"]},
    "templates": [],
    "similar_examples": [{"subject": "Bread is back", "content": "Pumpkin sourdough returns on Friday."}],
}
INSTRUCTIONS: dict[str, Any] = {
    "output_type": "email",
    "output_format": "text",
    "output_length": {"min_words": 50, "max_words": 200, "max_characters": 1400},
    "must_include": ["pumpkin sourdough"],
    "must_not_include": ["cheap", "best in town"],
    "success_criteria": {"readability_score_min": 60, "cta_present": True},
    "audience": "regular customers",
    "tone_override": ["cheerful"],
    "language": "en",
    "topic": "autumn bread",
    "cta": "Order online by Thursday",
}


def draft_request(**kwargs: Any) -> DraftRequest:
    options: dict[str, Any] = {
        "task_id": "00000000-0000-4000-8000-000000000007",
        "channel": "email",
        "instructions": INSTRUCTIONS,
        "context": CONTEXT,
    }
    options.update(kwargs)
    return DraftRequest(**options)


def provider(server: FakeOpenAIChat, **options: Any) -> OpenAIChatProvider:
    """The provider under test against the fake: a short timeout, the SDK's retries."""
    return openai_provider(server.url, **{"timeout": 5.0, "max_retries": 2, **options})


def fails(p: OpenAIChatProvider, request: DraftRequest | None = None) -> LLMError:
    with pytest.raises(LLMError) as info:
        p.generate(request or draft_request())
    return info.value


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


# --- success --------------------------------------------------------------------------------------------


def test_a_draft_with_usage_and_cost_over_the_real_protocol(fake: FakeOpenAIChat) -> None:
    fake.set_script(
        [ok("Autumn bread is back", "Pumpkin sourdough returns.", prompt_tokens=1200, completion_tokens=300)]
    )
    p = provider(fake, price_per_1k_prompt=0.15, price_per_1k_completion=0.6)
    draft = p.generate(draft_request())
    assert isinstance(draft, Draft)
    assert (draft.subject, draft.content, draft.content_format) == (
        "Autumn bread is back", "Pumpkin sourdough returns.", "text",
    )  # fmt: skip
    assert (draft.provider, draft.model, draft.prompt_tokens, draft.completion_tokens) == ("openai", MODEL, 1200, 300)
    assert draft.cost_usd == pytest.approx(1.2 * 0.15 + 0.3 * 0.6)
    assert draft.latency_ms > 0
    assert draft.meta["request_ids"] == ["req_fake_1"]
    assert (draft.meta["http_retries"], draft.meta["generations"], draft.meta["finish_reason"]) == (0, 1, "stop")

    [sent] = fake.requests
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert sent.body["model"] == MODEL
    assert [m["role"] for m in sent.body["messages"]] == ["system", "user"]
    assert sent.body["messages"] == build_messages_without_nonce(sent.body["messages"])
    schema = sent.body["response_format"]
    assert (schema["type"], schema["json_schema"]["name"], schema["json_schema"]["strict"]) == (
        "json_schema",
        "draft",
        True,
    )
    assert schema["json_schema"]["schema"]["required"] == ["subject", "content"]
    assert schema["json_schema"]["schema"]["additionalProperties"] is False


def build_messages_without_nonce(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """The messages build_messages makes for the default request, with the nonce of `messages`."""
    nonce = nonce_of(messages[0]["content"])
    fresh = build_messages(draft_request())
    return [{**m, "content": m["content"].replace(nonce_of(fresh[0]["content"]), nonce)} for m in fresh]


def test_without_prices_there_is_no_cost_and_unstructured_sends_no_response_format(fake: FakeOpenAIChat) -> None:
    draft = provider(fake, structured=False).generate(draft_request(channel="sms", instructions={}))
    assert draft.cost_usd is None
    assert draft.content == "Draft number 1 from gpt-test-mini."
    assert "response_format" not in fake.requests[0].body


def test_a_json_code_fence_around_the_answer_is_stripped(fake: FakeOpenAIChat) -> None:
    fake.set_script([reply('```json\n{"subject": "  Fresh bread ", "content": "Come by.\\n"}\n```')])
    draft = provider(fake).generate(draft_request())
    assert (draft.subject, draft.content) == ("Fresh bread", "Come by.")


# --- transport faults: retried by the SDK, then an LLMError of the right kind ----------------------------


def test_429_with_retry_after_is_retried_after_the_servers_wait(fake: FakeOpenAIChat) -> None:
    fake.set_script([status(429, retry_after=1), ok()])
    draft = provider(fake, max_retries=2).generate(draft_request())
    assert len(fake.requests) == 2
    # Retry-After says 1 s; the SDK's own first backoff is at most 0.5 s, so the wait was the server's.
    assert fake.gaps()[0] >= 0.9
    assert fake.requests[1].headers.get("x-stainless-retry-count") == "1"
    assert draft.meta["http_retries"] == 1


def test_500s_are_retried_with_exponential_backoff_and_then_succeed(fake: FakeOpenAIChat) -> None:
    fake.set_script([status(500), status(500), ok("Back", "We are back.")])
    draft = provider(fake, max_retries=2).generate(draft_request())
    assert draft.content == "We are back."
    assert len(fake.requests) == 3
    first, second = fake.gaps()
    assert 0.37 <= first <= 1.5  # 0.5 s minus up to 25 % jitter
    assert second >= 0.74  # doubled
    assert draft.meta["http_retries"] == 2


def test_a_persistent_500_is_a_server_error_after_exactly_max_retries_plus_one_calls(fake: FakeOpenAIChat) -> None:
    learnt_structured(fake.url)  # a 500 from an endpoint known to take json_schema is an outage
    fake.set_script([status(500, retry_after_ms=20)])
    err = fails(provider(fake, max_retries=3))
    assert len(fake.requests) == 4
    assert (err.kind, err.retryable, err.status_code, err.exit_code) == ("server_error", True, 500, 8)
    assert isinstance(err, ProviderError)
    assert "HTTP 500" in err.message
    assert "4 attempts" in err.message


def test_a_slow_answer_times_out(fake: FakeOpenAIChat) -> None:
    fake.set_script([delay(1.0)])
    started = time.monotonic()
    err = fails(provider(fake, timeout=0.3, max_retries=1))
    assert time.monotonic() - started < 2.5
    assert len(fake.requests) == 2
    assert (err.kind, err.retryable) == ("timeout", True)
    assert "did not answer within 0.3 s (2 attempts)" in err.message
    assert "AICRM_LLM_TIMEOUT" in (err.hint or "")


def test_a_dropped_connection_is_retried(fake: FakeOpenAIChat) -> None:
    fake.set_script([drop(), ok("Hi", "Hello again.")])
    assert provider(fake, max_retries=1).generate(draft_request()).content == "Hello again."
    assert len(fake.requests) == 2
    fake.set_script([drop()])
    err = fails(provider(fake, max_retries=1))
    assert len(fake.requests) == 4
    assert err.kind == "connection"


def test_a_dead_endpoint_is_a_connection_error() -> None:
    started = time.monotonic()
    err = fails(OpenAIChatProvider(MODEL, base_url=dead_endpoint(), api_key=API_KEY, max_retries=1, timeout=1.0))
    assert time.monotonic() - started < 3
    assert (err.kind, err.retryable) == ("connection", True)
    assert "cannot connect (2 attempts)" in err.message
    assert "AICRM_LLM_BASE_URL" in (err.hint or "")


def test_a_refused_key_is_an_auth_error_and_not_retried(fake: FakeOpenAIChat) -> None:
    err = fails(provider(fake, api_key="sk-wrong", max_retries=3))
    assert len(fake.requests) == 1
    assert (err.kind, err.retryable, err.status_code) == ("auth", False, 401)
    assert "AICRM_LLM_API_KEY" in (err.hint or "")


@pytest.mark.parametrize("code", [400, 404, 422])
def test_a_refused_request_is_a_bad_request_and_not_retried(fake: FakeOpenAIChat, code: int) -> None:
    learnt_structured(fake.url)  # json_schema worked here before: a 400 is about the request, not the format
    fake.set_script([status(code)])
    err = fails(provider(fake, max_retries=3))
    assert len(fake.requests) == 1
    assert (err.kind, err.retryable, err.status_code) == ("bad_request", False, code)


@pytest.mark.parametrize("code", [400, 422])
def test_a_new_endpoint_refusing_every_format_is_a_bad_request_after_one_try_of_each(
    fake: FakeOpenAIChat, code: int
) -> None:
    fake.set_script([status(code)])
    err = fails(provider(fake, max_retries=3))
    sent = [(r.body.get("response_format") or {}).get("type") for r in fake.requests]
    assert sent == ["json_schema", "json_object", None]  # each format once, no retries of a 4xx
    assert (err.kind, err.retryable, err.status_code) == ("bad_request", False, code)
    fake.set_script([status(404)])
    assert fails(provider(fake, max_retries=3)).status_code == 404  # not a refusal of the format
    assert len(fake.requests) == 4


def test_a_rate_limit_is_retryable_unless_the_quota_is_gone(fake: FakeOpenAIChat) -> None:
    fake.set_script([status(429, retry_after_ms=10)])
    err = fails(provider(fake, max_retries=1))
    assert (len(fake.requests), err.kind, err.retryable) == (2, "rate_limited", True)
    quota = {"error": {"message": "You exceeded your current quota", "type": "insufficient_quota",
                       "code": "insufficient_quota"}}  # fmt: skip
    fake.set_script([status(429, retry_after_ms=10, body=quota)])
    err = fails(provider(fake, max_retries=1))
    assert (err.kind, err.retryable) == ("rate_limited", False)


# --- malformed output: the generation is retried ----------------------------------------------------------


def test_malformed_output_then_a_draft_succeeds(fake: FakeOpenAIChat) -> None:
    fake.set_script([malformed(), ok("Hi", "A real draft.", prompt_tokens=100, completion_tokens=20)])
    draft = provider(fake, max_retries=2, price_per_1k_prompt=1.0).generate(draft_request())
    assert draft.content == "A real draft."
    assert len(fake.requests) == 2
    assert draft.meta["generations"] == 2
    assert draft.prompt_tokens > 100  # both generations were paid for
    assert draft.cost_usd == pytest.approx(draft.prompt_tokens / 1000)


def test_persistent_malformed_output_is_an_error_after_the_retries(fake: FakeOpenAIChat) -> None:
    fake.set_script([malformed("I cannot write that as JSON, sorry.")])
    err = fails(provider(fake, max_retries=2))
    assert len(fake.requests) == 3
    assert (err.kind, err.retryable) == ("malformed_output", True)
    assert "3 times without the JSON draft" in err.message
    assert "not JSON" in err.message
    assert err.meta["generations"] == 3
    assert err.meta["prompt_tokens"] > 0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"subject": "Only a subject"}', "JSON without content"),
        ('{"subject": null, "content": "   "}', "JSON without content"),
        ('["subject", "content"]', "JSON list, not an object"),
        ('{"subject": 7, "content": "x"}', "a subject that is not a string"),
        ("", "an empty message"),
    ],
)
def test_what_counts_as_malformed(fake: FakeOpenAIChat, text: str, problem: str) -> None:
    fake.set_script([reply(text)])
    err = fails(provider(fake, max_retries=0))
    assert err.kind == "malformed_output"
    assert err.message.endswith(problem)


# --- the circuit breaker ------------------------------------------------------------------------------------


def test_the_breaker_opens_refuses_without_a_request_and_closes_after_a_good_trial(fake: FakeOpenAIChat) -> None:
    clock = Clock()
    learnt_structured(fake.url)
    p = provider(fake, max_retries=0, breaker_failures=2, breaker_cooldown=30.0, clock=clock)
    fake.set_script([status(500)])
    assert fails(p).kind == "server_error"
    assert fails(p).kind == "server_error"
    assert len(fake.requests) == 2
    for _ in range(3):
        with pytest.raises(ProviderUnavailable) as info:
            p.generate(draft_request())
        assert (info.value.kind, info.value.retry_in, info.value.retryable) == ("server_error", 30.0, True)
        assert isinstance(info.value, LLMError)
    assert len(fake.requests) == 2  # not one request while open
    clock.now += 29.5
    with pytest.raises(ProviderUnavailable):
        p.generate(draft_request())
    assert len(fake.requests) == 2

    clock.now += 0.5  # the cooldown is over: one trial call goes through
    fake.set_script([ok("Back", "Up again.")])
    assert p.generate(draft_request()).content == "Up again."
    assert len(fake.requests) == 3
    fake.set_script([status(500), ok()])  # closed again: a single failure does not reopen it
    assert fails(p).kind == "server_error"
    assert p.generate(draft_request()).content
    assert len(fake.requests) == 5


def test_a_failed_trial_reopens_the_breaker_at_once(fake: FakeOpenAIChat) -> None:
    clock = Clock()
    learnt_structured(fake.url)
    p = provider(fake, max_retries=0, breaker_failures=3, breaker_cooldown=10.0, clock=clock)
    fake.set_script([status(503)])
    for _ in range(3):
        fails(p)
    clock.now += 10
    assert not isinstance(fails(p), ProviderUnavailable)  # the trial went out, and failed
    assert len(fake.requests) == 4
    with pytest.raises(ProviderUnavailable) as info:
        p.generate(draft_request())
    assert info.value.retry_in == 10.0
    assert len(fake.requests) == 4


def test_only_one_trial_at_a_time_while_half_open(fake: FakeOpenAIChat) -> None:
    clock = Clock()
    learnt_structured(fake.url)
    p = provider(fake, max_retries=0, breaker_failures=1, breaker_cooldown=5.0, clock=clock)
    fake.set_script([status(500)])
    fails(p)
    clock.now += 5
    fake.set_script([delay(0.5, ok("Slow", "Slow but fine."))])
    results: list[Draft] = []
    trial = threading.Thread(target=lambda: results.append(p.generate(draft_request())))
    trial.start()
    deadline = time.monotonic() + 5
    while len(fake.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    with pytest.raises(ProviderUnavailable):  # the trial is in flight: the others still wait
        p.generate(draft_request())
    trial.join(timeout=5)
    assert [d.content for d in results] == ["Slow but fine."]
    assert len(fake.requests) == 2
    fake.set_script([ok()])
    p.generate(draft_request())  # closed


def test_a_request_is_checked() -> None:
    with pytest.raises(InvalidInput) as info:
        draft_request(channel="fax")
    assert info.value.field == "channel"
    with pytest.raises(InvalidInput):
        draft_request(attempt=0)


# --- configuration ------------------------------------------------------------------------------------------


class Template:
    name = "template"

    def generate(self, request: DraftRequest) -> Draft:
        return Draft(None, "offline", "text", self.name, "template", 0, 0, 0.0, 0.0, {})


def test_llm_from_config_builds_the_named_provider(fake: FakeOpenAIChat) -> None:
    env = {
        "AICRM_LLM_PROVIDER": "openai",
        "AICRM_LLM_MODEL": MODEL,
        "AICRM_LLM_BASE_URL": fake.url,
        "AICRM_LLM_API_KEY": API_KEY,
        "AICRM_LLM_TIMEOUT": "2.5",
        "AICRM_LLM_MAX_RETRIES": "1",
        "AICRM_LLM_PRICE_PER_1K_PROMPT": "0.5",
    }
    settings = LLMSettings.from_env(env)
    assert API_KEY not in repr(settings)
    built = llm_from_config(settings)
    assert isinstance(built, OpenAIChatProvider)
    assert (built.model, built.timeout, built.max_retries, built.prices) == (MODEL, 2.5, 1, (0.5, None))
    draft = built.generate(draft_request())
    assert draft.cost_usd is not None
    assert fake.requests[0].body["model"] == MODEL


def test_llm_from_config_defaults_to_the_template_factory() -> None:
    template: LLMProvider = llm_from_config(LLMSettings.from_env({}), template_factory=Template)
    assert template.name == "template"
    with pytest.raises(ConfigurationError, match="AICRM_LLM_PROVIDER: template"):
        llm_from_config(LLMSettings.from_env({}))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AICRM_LLM_PROVIDER": "anthropic"}, "AICRM_LLM_PROVIDER: 'anthropic' is not an LLM provider"),
        ({"AICRM_LLM_PROVIDER": "openai", "OPENAI_API_KEY": "sk"}, "AICRM_LLM_MODEL: not set"),
        ({"AICRM_LLM_PROVIDER": "openai", "AICRM_LLM_MODEL": MODEL}, "AICRM_LLM_API_KEY: not set"),
        ({"AICRM_LLM_TIMEOUT": "soon"}, "AICRM_LLM_TIMEOUT: 'soon' is not a number"),
        ({"AICRM_LLM_MAX_RETRIES": "-1"}, "AICRM_LLM_MAX_RETRIES: -1 is not between 0 and 20"),
    ],
)
def test_llm_configuration_errors_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        llm_from_config(LLMSettings.from_env(env), template_factory=Template)
    assert info.value.message.startswith(message)


def test_openai_api_key_is_the_fallback_and_a_local_endpoint_needs_none(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AICRM_LLM_API_KEY", "AICRM_LLM_BASE_URL", "AICRM_LLM_PROVIDER", "AICRM_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fallback")
    assert LLMSettings.from_env().api_key == "sk-fallback"
    local = {"AICRM_LLM_PROVIDER": "openai", "AICRM_LLM_MODEL": "llama3", "AICRM_LLM_BASE_URL": "http://127.0.0.1:9/v1"}
    built = llm_from_config(LLMSettings.from_env(local))
    assert isinstance(built, OpenAIChatProvider)
    assert built.endpoint == "http://127.0.0.1:9/v1/chat/completions"
