"""The model writer: OpenAIChatProvider.generate turns a DraftRequest into its brief
(llm_brief.brief_from_request), the brief into a prompt within the token budget (llm_prompt), and the
answer into a Draft (llm_answer: JSON, or plain text when the endpoint takes no response_format; a
draft with a bracketed slot is another generation), through the chat machinery of llm_chat."""

from __future__ import annotations

from typing import Any

from openai.types.shared_params import ResponseFormatJSONSchema

from runner.providers.llm_answer import parse_draft, parse_plain_draft
from runner.providers.llm_brief import brief_from_request
from runner.providers.llm_chat import ChatEndpoint
from runner.providers.llm_prompt import DEFAULT_BUDGET, build_prompt
from runner.providers.llm_types import Draft, DraftRequest

DRAFT_SCHEMA: ResponseFormatJSONSchema = {
    "type": "json_schema",
    "json_schema": {
        "name": "draft",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {"subject": {"type": ["string", "null"]}, "content": {"type": "string"}},
            "required": ["subject", "content"],
            "additionalProperties": False,
        },
    },
}


def completion_cap(brief: dict[str, Any]) -> int | None:
    """`max_tokens` for a draft the brief bounds: room for its words (about 1.4 tokens a word in
    English, twice that to be safe, markup included) and the JSON around them; None without a bound.
    A small model that starts repeating itself stops there instead of filling its context."""
    length = brief.get("length") or {}
    words = length.get("max_words") or (length["max_characters"] // 4 if length.get("max_characters") else None)
    return None if not words else int(words * 3 + 200)


class OpenAIChatProvider(ChatEndpoint):
    """The writer on an OpenAI-compatible endpoint (`ChatEndpoint`'s options, and `prompt_budget`:
    the prompt's tokens, AICRM_LLM_PROMPT_TOKENS). The judge uses the same class for its `chat`."""

    def __init__(self, model: str, *, prompt_budget: int = DEFAULT_BUDGET, **options: Any) -> None:
        super().__init__(model, **options)
        self.prompt_budget = prompt_budget

    def generate(self, request: DraftRequest) -> Draft:
        """A draft for `request`: its brief (brief_from_request) as a prompt within the token budget."""
        brief = brief_from_request(request)
        prompt = build_prompt(brief, self.prompt_budget)
        messages: Any = prompt.messages
        result = self.chat(
            messages,
            response_format=DRAFT_SCHEMA,
            parse=parse_draft,
            parse_plain=parse_plain_draft,
            max_tokens=completion_cap(brief),
            task_id=request.task_id,
        )
        subject, content = result.value
        return Draft(
            subject=subject,
            content=content,
            content_format=str(brief.get("format") or "text"),
            provider=self.name,
            model=result.model,
            prompt_tokens=result.prompt_tokens,
            completion_tokens=result.completion_tokens,
            cost_usd=result.cost_usd,
            latency_ms=result.latency_ms,
            meta={**result.meta, "prompt": prompt.report()},
        )
