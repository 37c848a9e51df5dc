"""What the model writer makes of an endpoint's answers, against a real local server speaking the
chat-completions protocol (tests/fakes/openai_chat.py): a draft with a [bracketed] slot left to fill
is refused and written again, counted in the draft's meta; an endpoint refusing `response_format`
json_schema falls back to json_object, then to plain text read by a parser, learnt once per endpoint
and model for the whole process; the model name the server reports is kept beside the configured
one; a bounded draft sends max_tokens; a local endpoint's default timeout is sized for a CPU model."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from runner.providers import llm_formats
from runner.providers.judge import JudgeSettings
from runner.providers.llm import (
    LOCAL_TIMEOUT,
    DraftRequest,
    LLMError,
    LLMSettings,
    OpenAIChatProvider,
    bracket_slots,
    broken_tags,
    llm_from_config,
    parse_plain_draft,
)
from tests.fakes.openai_chat import Behaviour, FakeOpenAIChat, Recorded, ok, reply, status
from tests.runner.workers import MODEL, openai_provider

CONTEXT: dict[str, Any] = {"customer": {"name": "Rosa's Bakery"}, "business": {"description": "Sourdough."}}


def request(**limits: Any) -> DraftRequest:
    """An email about bread; `limits` as the draft brief gives them (aicrm.get_draft_brief's `limits`)."""
    brief = {"brief": {"topic": "bread"}, "limits": limits}
    return DraftRequest("00000000-0000-4000-8000-000000000009", "email", {"topic": "bread"}, CONTEXT, brief=brief)


def formats_sent(fake: FakeOpenAIChat) -> list[str | None]:
    return [(r.body.get("response_format") or {}).get("type") for r in fake.requests]


# --- bracket placeholders -----------------------------------------------------------------------------------


def test_a_bracket_placeholder_is_refused_and_written_again_as_a_writer_fault(fake: FakeOpenAIChat) -> None:
    fake.set_script([ok("Hi [Name]", "Dear [Name], visit [Your Company] at [url]."), ok("Fresh bread", "Come by.")])
    draft = openai_provider(fake.url, max_retries=2).generate(request())
    assert (draft.subject, draft.content) == ("Fresh bread", "Come by.")
    assert len(fake.requests) == 2
    assert draft.meta["generations"] == 2
    assert draft.meta["writer_faults"] == {"malformed_output": 0, "bracket_placeholder": 1, "broken_merge_tag": 0}
    # The second generation was told why, at the end of the same prompt (its prefix unchanged).
    first, second = (r.body["messages"] for r in fake.requests)
    assert second[0] == first[0]
    assert second[1]["content"].startswith(first[1]["content"] + "\n\nYour last answer could not be used: ")
    assert '"placeholders left to fill: [Name], [Your Company], [url]"' in second[1]["content"]
    assert second[1]["content"].endswith("in their place (or without that sentence); no [brackets].")
    assert [m["role"] for m in second] == ["system", "user"]
    fake.set_script([ok("Hi", "Call [Your Company] today.")])
    with pytest.raises(LLMError) as info:
        openai_provider(fake.url, max_retries=1).generate(request())
    assert info.value.kind == "malformed_output"
    assert info.value.message.endswith("placeholders left to fill: [Your Company]")
    assert info.value.meta["writer_faults"]["bracket_placeholder"] == 2


def test_a_malformed_answer_is_named_to_the_next_generation(fake: FakeOpenAIChat) -> None:
    fake.set_script([reply("Sure! Here is your email: come by."), ok("Bread", "Come by.")])
    openai_provider(fake.url, max_retries=1).generate(request())
    note = fake.requests[1].body["messages"][-1]["content"].split("\n\n")[-1]
    assert note == (
        "Your last answer could not be used: \"not JSON: 'Sure! Here is your email: come by.'\". "
        "Answer again with one JSON object, exactly as asked, and nothing else."
    )


def test_a_merge_tag_with_a_brace_missing_is_refused_and_written_again(fake: FakeOpenAIChat) -> None:
    """Qwen2.5-Coder-1.5B wrote "Hi {{first_name}!" (benchmarks/llm_real.py): no sender fills that."""
    fake.set_script([ok("Hi", "Hi {{first_name}! Come by."), ok("Hi", "Hi {{first_name}}, come by.")])
    draft = openai_provider(fake.url, max_retries=1).generate(request())
    assert draft.content == "Hi {{first_name}}, come by."
    assert draft.meta["writer_faults"]["broken_merge_tag"] == 1
    note = fake.requests[1].body["messages"][-1]["content"].split("\n\n")[-1]
    assert note.startswith('Your last answer could not be used: "merge tags with a brace missing: {{first_name}".')
    assert broken_tags("{first_name}} and {{ last_name }} and {{email}}") == ["{first_name}}"]


def test_what_is_and_is_not_a_slot_to_fill() -> None:
    assert bracket_slots("Hi [Name],", "Visit [Insert link] or [url]", "[Name] again") == [
        "[Name]",
        "[Insert link]",
        "[url]",
    ]
    # A Markdown link's text, merge tags, an image, an escaped bracket and numbers are no slots.
    finished = "[Order now](https://x.example/order) {{first_name}} ![logo](l.png) \\[sic] [1] [ ]"
    assert bracket_slots(finished) == []


# --- response_format: json_schema, then json_object, then plain text ----------------------------------------


def refusing(refused: set[str], code: int, answer: Behaviour) -> Any:
    """A script: `code` to a request whose response_format type is in `refused`, else `answer`."""

    def script(_: int, recorded: Recorded) -> Behaviour:
        kind = (recorded.body.get("response_format") or {}).get("type") or "text"
        return status(code) if kind in refused else answer

    return script


def test_a_500_to_json_schema_falls_back_to_json_object_once_per_endpoint(
    fake: FakeOpenAIChat, caplog: pytest.LogCaptureFixture
) -> None:
    """llama-cpp-python's server answers 500 to every json_schema: after the SDK's retries the next
    format is tried, it answers, and the process uses it from then on, even for a new provider object."""
    fake.set_script(refusing({"json_schema"}, 500, ok("Fresh bread", "Come by.")))
    logging.getLogger("aicrm.worker").addHandler(caplog.handler)
    with caplog.at_level(logging.WARNING, logger="aicrm.worker"):
        draft = openai_provider(fake.url, max_retries=1).generate(request())
        again = openai_provider(fake.url, max_retries=1).generate(request())
    assert (draft.content, again.content) == ("Come by.", "Come by.")
    assert formats_sent(fake) == ["json_schema", "json_schema", "json_object", "json_object"]
    assert fake.requests[2].body["response_format"] == {"type": "json_object"}
    assert (draft.meta["response_format"], again.meta["response_format"]) == ("json_object", "json_object")
    warned = list(dict.fromkeys(r.getMessage() for r in caplog.records if "refused structured" in r.getMessage()))
    assert len(warned) == 1  # recorded once, not every task
    assert "HTTP 500 to json_schema" in warned[0]
    # Per endpoint and model: another model on the same server starts from json_schema again.
    fake.set_script([ok("Other", "Other model.")])
    other = OpenAIChatProvider("other-model", base_url=fake.url, api_key="sk-test-worker").generate(request())
    assert other.meta["response_format"] == "json_schema"


def test_an_endpoint_refusing_both_json_formats_gets_plain_text_read_by_a_parser(fake: FakeOpenAIChat) -> None:
    """llama.cpp's server may answer 400 to a schema it cannot convert, and some servers to any
    response_format: the draft is then asked for as text and parsed."""
    text = "Here is your email:\nSubject: Autumn bread is here\n\nPumpkin sourdough is back this Friday."
    fake.set_script(refusing({"json_schema", "json_object"}, 400, reply(text)))
    draft = openai_provider(fake.url, max_retries=0).generate(request())
    assert (draft.subject, draft.content) == ("Autumn bread is here", "Pumpkin sourdough is back this Friday.")
    assert formats_sent(fake) == ["json_schema", "json_object", None]
    assert "response_format" not in fake.requests[2].body
    assert draft.meta["response_format"] == "text"
    openai_provider(fake.url, max_retries=0).generate(request())
    assert formats_sent(fake)[3:] == [None]  # learnt: no more refusals to pay for
    assert llm_formats.learnt(fake.url, MODEL) == llm_formats.Learnt("text", True, "HTTP 400 to json_object")


def test_an_outage_is_not_taken_for_a_refusal(fake: FakeOpenAIChat) -> None:
    fake.set_script([status(500)])
    with pytest.raises(LLMError) as info:
        openai_provider(fake.url, max_retries=1).generate(request())
    assert info.value.kind == "server_error"
    assert "(2 attempts)" in info.value.message  # the first error stands: json_schema after the SDK's retry
    assert formats_sent(fake) == ["json_schema", "json_schema", "json_object", None]  # each next format once
    with pytest.raises(LLMError):
        openai_provider(fake.url, max_retries=1).generate(request())
    assert formats_sent(fake)[4:] == ["json_schema", "json_schema"]  # probed already: an outage, no fall-back
    fake.set_script([ok()])
    assert openai_provider(fake.url).generate(request()).meta["response_format"] == "json_schema"


def test_without_structured_output_nothing_is_asked_and_the_parser_reads_the_text(fake: FakeOpenAIChat) -> None:
    fake.set_script([reply('Sure! {"subject": "Autumn", "content": "Bread."} Enjoy.')])
    draft = openai_provider(fake.url, structured=False).generate(request())
    assert (draft.subject, draft.content, draft.meta["response_format"]) == ("Autumn", "Bread.", "text")
    assert formats_sent(fake) == [None]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Subject: Bread\n\nCome by.", ("Bread", "Come by.")),
        ("**Subject:** Bread\nCome by.", ("Bread", "Come by.")),
        ("```\nSubject: Bread\n\nCome by.\n```", ("Bread", "Come by.")),
        ('{"subject": null, "content": "Pumpkin sourdough is back."}', (None, "Pumpkin sourdough is back.")),
        ("Here's your post:\nPumpkin sourdough is back.", (None, "Pumpkin sourdough is back.")),
    ],
)
def test_the_plain_text_parser(text: str, expected: tuple[str | None, str]) -> None:
    assert parse_plain_draft(text) == expected


# --- what the draft records ---------------------------------------------------------------------------------


def test_the_model_the_server_reports_is_recorded_beside_the_configured_one(fake: FakeOpenAIChat) -> None:
    fake.set_script([ok("Bread", "Come by.", served_model="qwen2.5-1.5b-instruct-q4_k_m.gguf")])
    draft = openai_provider(fake.url).generate(request())
    assert draft.model == "qwen2.5-1.5b-instruct-q4_k_m.gguf"
    assert (draft.meta["model_configured"], draft.meta["model_reported"]) == (MODEL, draft.model)
    assert fake.requests[0].body["model"] == MODEL
    assert draft.meta["prompt"]["budget"] == 1500
    assert draft.meta["prompt"]["over_budget"] is False


def test_a_bounded_draft_caps_the_completion_and_an_unbounded_one_does_not(fake: FakeOpenAIChat) -> None:
    provider = openai_provider(fake.url)
    provider.generate(request(max_words=150))
    provider.generate(request(max_characters=160))
    provider.generate(request())
    assert [r.body.get("max_tokens") for r in fake.requests] == [650, 320, None]


# --- timeouts -----------------------------------------------------------------------------------------------


def test_a_local_endpoint_waits_as_long_as_a_cpu_model_needs_unless_told_otherwise() -> None:
    local = {"AICRM_LLM_PROVIDER": "openai", "AICRM_LLM_MODEL": "m", "AICRM_LLM_BASE_URL": "http://127.0.0.1:8080/v1"}
    assert LLMSettings.from_env(local).timeout == LOCAL_TIMEOUT == 600.0
    assert LLMSettings.from_env({**local, "AICRM_LLM_BASE_URL": "http://localhost:11434/v1"}).timeout == 600.0
    assert LLMSettings.from_env({**local, "AICRM_LLM_TIMEOUT": "90"}).timeout == 90.0
    assert LLMSettings.from_env({**local, "AICRM_LLM_BASE_URL": "https://api.example.com/v1"}).timeout == 60.0
    assert LLMSettings.from_env({}).timeout == 60.0
    built = llm_from_config(LLMSettings.from_env(local))
    assert isinstance(built, OpenAIChatProvider)
    assert built.timeout == 600.0
    # Each endpoint its own: the judge on the same machine too, the judge elsewhere its 30 s.
    assert JudgeSettings.from_env({"AICRM_JUDGE_BASE_URL": "http://127.0.0.1:8081/v1"}).timeout == 600.0
    assert JudgeSettings.from_env({"AICRM_JUDGE_BASE_URL": "https://api.example.com/v1"}).timeout == 30.0


def test_the_prompt_budget_is_a_setting() -> None:
    settings = LLMSettings.from_env({"AICRM_LLM_PROMPT_TOKENS": "2500"})
    assert settings.prompt_budget == 2500
    assert json.dumps(LLMSettings.from_env({}).prompt_budget) == "1500"
