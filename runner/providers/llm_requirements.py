"""The system message's requirements, from the brief (runner/providers/llm_brief.py): the task's own
(format, subject, length, language, purpose, topic, key points, offer, event, links, tone, what to
write, what is forbidden and why, criteria, a person's requested changes, the profile's gaps), each
task-written string a one-line quoted literal, then the rules every draft follows (facts only from
the brief, no bracketed slots, the merge tags it may use, the system-owned parts left to aicrm).
Every number, part and term comes from the SQL draft brief: none of the scorecard's own is here."""

from __future__ import annotations

import json
import re
from typing import Any

_FENCE_PREFIX = re.compile(r"<{3,}")  # every delimiter starts with <<<, so data can never contain one
_FORMAT_RULES = {
    "text": "plain text, paragraphs separated by a blank line, no markup",
    "html": "an HTML fragment (p, h2, ul, li, a, strong, em only; no html, head, body, script or style)",
    "markdown": "Markdown",
}


def neutralise(text: str) -> str:
    return _FENCE_PREFIX.sub(lambda m: "\u2039" * len(m.group()), text)


def quoted(values: Any) -> str:
    """Task-authored strings as one-line JSON literals: no newline or fence can break out of the rule."""
    items = values if isinstance(values, list) else [values]
    return ", ".join(neutralise(json.dumps(str(v), ensure_ascii=False)) for v in items)


def _length(brief: dict[str, Any]) -> list[str]:
    length, lines = brief.get("length") or {}, []
    low, high = length.get("min_words"), length.get("max_words")
    if low and high:
        lines.append(f"Length: {low} to {high} words.")
    elif low or high:
        lines.append(f"Length: at {'least' if low else 'most'} {low or high} words.")
    if length.get("max_characters"):
        lines.append(f"At most {length['max_characters']} characters in content.")
    if length.get("max_characters_unicode"):
        lines.append(
            f"Only plain characters (no emoji, no curly quotes): one outside the GSM-7 set cuts the limit to "
            f"{length['max_characters_unicode']}."
        )
    if length.get("max_hashtags"):
        lines.append(f"At most {length['max_hashtags']} hashtags.")
    return lines


def _subject(brief: dict[str, Any]) -> str:
    if brief["channel"] != "email":
        return "subject: null (this channel has no subject line)."
    bounds = brief.get("subject_length") or {}
    low, high = bounds.get("min_characters"), bounds.get("max_characters")
    size = f" of {low} to {high} characters" if low and high else ""
    return f"subject: the email's subject line{size}, never empty."


def _what(brief: dict[str, Any]) -> list[str]:
    lines = [
        f"{label}: {quoted(brief[key])}."
        for key, label in (
            ("purpose", "Purpose"),
            ("topic", "Topic"),
            ("audience", "Audience"),
            ("cta", "Call to action"),
        )
        if brief.get(key)
    ]
    if brief.get("key_points"):
        lines.append(f"State each key point: {quoted(brief['key_points'])}.")
    offer = brief.get("offer") or {}
    if offer.get("description"):
        terms = [quoted(offer["description"])]
        terms += [f"code {quoted(offer['code'])}"] if offer.get("code") else []
        terms += [f"valid until {quoted(offer['valid_until'])}"] if offer.get("valid_until") else []
        lines.append(f"The offer, as given: {'; '.join(terms)}.")
    event = brief.get("event") or {}
    if event.get("name"):
        where = f", at {quoted(event['place'])}" if event.get("place") else ""
        lines.append(f"The event: {quoted(event['name'])}, starting {quoted(event.get('starts_at'))}{where}.")
    for key, label in (
        ("cta_url", "Link for the call to action"),
        ("review_url", "Link to leave a review"),
        ("booking_url", "Link to book"),
    ):
        if (brief.get("links") or {}).get(key):
            lines.append(f"{label} (in full): {quoted(brief['links'][key])}.")
    return lines


_CHANGES = {
    "add_key_point": "add this key point: {text}",
    "remove": "remove this phrase or line: {text}",
    "shorten": "shorten the draft to at most {max_words} words",
    "change_cta": "make the call to action: {text}",
    "use_phrase": "use this phrase: {text}",
    "avoid_phrase": "do not use this phrase: {text}",
}


def _change(change: dict[str, Any]) -> str:
    """A person's structured edit (review.changes, checked by SQL against its schema) as an instruction."""
    rule = _CHANGES.get(str(change.get("type")), str(change.get("type")) + ": {text}")
    return rule.format(text=quoted(change.get("text") or ""), max_words=change.get("max_words"))


def _terms(brief: dict[str, Any]) -> list[str]:
    lines = []
    if brief.get("must_write"):
        lines.append(f"Write each of these: {quoted(brief['must_write'])}.")
    forbidden = brief.get("forbidden_terms") or []
    if forbidden:
        said = "; ".join(f"{quoted(t['term'])}" + (f" ({t['reason']})" if t.get("reason") else "") for t in forbidden)
        lines.append(f"Never write: {said}.")
    criteria = brief.get("criteria") or {}
    if isinstance(criteria.get("readability_score_min"), int | float):
        lines.append(f"Flesch reading ease at least {criteria['readability_score_min']:g}: short, plain sentences.")
    if isinstance(criteria.get("grade_level_max"), int | float):
        lines.append(f"Flesch-Kincaid grade level at most {criteria['grade_level_max']:g}.")
    if criteria.get("sentiment_target") in ("positive", "neutral", "negative"):
        lines.append(f"Overall sentiment: {criteria['sentiment_target']}.")
    if brief.get("cta_required"):
        lines.append("End with a clear call to action.")
    if brief.get("changes"):
        edits = "; ".join(_change(c) for c in brief["changes"])
        lines.append(f"A person reviewed the last draft and asked for these changes; make each: {edits}.")
    if brief.get("gaps"):
        lines.append(f"The profile does not say: {quoted(brief['gaps'])}. Write around it; never invent it.")
    return lines


def requirements(brief: dict[str, Any]) -> list[str]:
    """The system message's requirements: the task's own, then the rules every draft follows."""
    fmt = _FORMAT_RULES.get(str(brief.get("format")), _FORMAT_RULES["text"])
    lines = [f"Format of content: {fmt}.", _subject(brief), *_length(brief)]
    lines.append(
        f"Language: {quoted(brief['language'])}." if brief.get("language") else "Language: the business's own."
    )
    lines += _what(brief)
    tone = brief.get("tone") or []
    if tone:
        lines.append(f"Tone: {quoted(tone)}.")
    lines += _terms(brief)
    lines.append(
        "Facts: state only what the 'facts' block and these requirements say; invent no prices, dates, "
        "offers, guarantees or claims. Sign with the sign-off given, if any."
    )
    lines.append("Write finished text: no [bracketed] slots such as [Name], [link] or [Your Company]; links in full.")
    tags = brief.get("merge_tags") or []
    if tags:
        lines.append(
            f"You may use the merge tag{'' if len(tags) == 1 else 's'} {', '.join(tags)} as written (e.g. in a "
            f"greeting): {'it is' if len(tags) == 1 else 'they are'} filled in for each recipient when sent. "
            "No other {{...}} tag."
        )
    else:
        lines.append("Use no {{...}} merge tags.")
    parts = brief.get("system_parts") or []
    if parts:
        lines.append(f"aicrm adds these parts after you, from the profile: {', '.join(parts)}. Do not write them.")
    return lines
