"""Reading a model's answer: the JSON object it is (a ```json fence, or words around it, aside), the
draft in it, and, when an endpoint gives no structured output at all, the draft in plain text. An
answer that is not a draft raises MalformedAnswer, and the chat machinery asks for another
generation; so does a draft with a bracketed slot left for someone to fill ([Name], [url]): a model
that writes one did not finish the text, and a person would have to; and so does a merge tag with a
brace missing ({{first_name}), which no sender can fill. Those are faults of the writing, found
before the draft is stored; judging finished text stays the scorecard's."""

from __future__ import annotations

import json
import re
from typing import Any

from runner.providers.llm_types import MalformedAnswer

_CODE_FENCE = re.compile(r"\A\s*```[A-Za-z]*[ \t]*\n?(.*?)\n?```\s*\Z", re.DOTALL)
# A bracketed span with a letter in it that is not a Markdown link's text ([Order now](https://...)).
_SLOT = re.compile(r"(?<![\\!])\[([^\[\]\n]{0,80}[A-Za-z][^\[\]\n]{0,80})\](?!\()")
# A merge tag with a brace missing ({{first_name}, {first_name}}): no sender can fill it, and the
# reader would see it as written.
_BROKEN_TAG = re.compile(r"\{\{\s*[A-Za-z_]\w*\s*\}(?!\})|(?<!\{)\{\s*[A-Za-z_]\w*\s*\}\}")
_SUBJECT_LINE = re.compile(r"\A\s*\**subject\**\s*:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
_PREAMBLE = re.compile(r"\A[^\n]{0,100}:\s*\n")  # "Here is your email:" on a line of its own


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def json_object(text: str | None) -> dict[str, Any]:
    """The JSON object an assistant's message is (a ```json fence around it stripped); anything else
    raises MalformedAnswer saying what it was."""
    if text is None or not text.strip():
        raise MalformedAnswer("an empty message")
    fenced = _CODE_FENCE.match(text)
    try:
        doc = json.loads(fenced.group(1) if fenced else text)
    except ValueError:
        raise MalformedAnswer(f"not JSON: {_short(text)!r}") from None
    if not isinstance(doc, dict):
        raise MalformedAnswer(f"JSON {type(doc).__name__}, not an object")
    return doc


def embedded_object(text: str | None) -> dict[str, Any]:
    """json_object, or the outermost {...} of a message that wraps it in words."""
    try:
        return json_object(text)
    except MalformedAnswer:
        start, end = (text or "").find("{"), (text or "").rfind("}")
        if start < 0 or end <= start:
            raise
        return json_object((text or "")[start : end + 1])


def bracket_slots(*texts: str | None) -> list[str]:
    """The bracketed slots in `texts`, as written ([Name], [Your Company]), first seen first."""
    return list(dict.fromkeys(f"[{m.group(1)}]" for t in texts if t for m in _SLOT.finditer(t)))


def broken_tags(*texts: str | None) -> list[str]:
    """The merge tags with a brace missing in `texts`, as written."""
    return list(dict.fromkeys(m.group() for t in texts if t for m in _BROKEN_TAG.finditer(t)))


def finished(subject: str | None, content: str) -> tuple[str | None, str]:
    """The draft, if it has no slot left to fill and no broken merge tag; else MalformedAnswer with
    fault bracket_placeholder or broken_merge_tag."""
    broken = broken_tags(subject, content)
    if broken:
        raise MalformedAnswer(
            f"merge tags with a brace missing: {', '.join(broken[:5])}",
            fault="broken_merge_tag",
            advice="Write it again with each merge tag in two braces on each side, e.g. {{first_name}}.",
        )
    slots = bracket_slots(subject, content)
    if slots:
        raise MalformedAnswer(
            f"placeholders left to fill: {', '.join(slots[:5])}",
            fault="bracket_placeholder",
            advice="Write it again with the real words from the facts in their place (or without that sentence); "
            "no [brackets].",
        )
    return subject, content


def parse_draft(text: str | None) -> tuple[str | None, str]:
    """`{"subject": str | null, "content": str}` from the assistant's message (a ```json fence, or
    words around the object, aside); anything else, or a draft with a slot to fill, raises
    MalformedAnswer."""
    doc = embedded_object(text)
    content, subject = doc.get("content"), doc.get("subject")
    if not isinstance(content, str) or not content.strip():
        raise MalformedAnswer("JSON without content")
    if subject is not None and not isinstance(subject, str):
        raise MalformedAnswer("a subject that is not a string")
    return finished((subject.strip() or None) if subject else None, content.strip())


def parse_plain_draft(text: str | None) -> tuple[str | None, str]:
    """The draft of an endpoint without structured output: the JSON draft if the message holds one,
    else the text itself, a `Subject: ...` first line taken as the subject and a line introducing
    the draft ("Here is your email:") left out."""
    try:
        return parse_draft(text)
    except MalformedAnswer as exc:
        if exc.fault != "malformed_output" or text is None or not text.strip():
            raise
    fenced = _CODE_FENCE.match(text)
    body = (fenced.group(1) if fenced else text).strip()
    subject = None
    if (preamble := _PREAMBLE.match(body)) and not _SUBJECT_LINE.match(body):
        body = body[preamble.end() :].strip()
    if line := _SUBJECT_LINE.match(body):
        subject, body = line.group(1).strip().strip("*").strip() or None, body[line.end() :].strip()
    if not body:
        raise MalformedAnswer("a message without content")
    return finished(subject, body)
