"""The model writer's brief: the plain dict the prompt (runner/providers/llm_prompt.py) is a function
of, read from the draft brief SQL hands every writer (`aicrm.get_draft_brief`, DraftRequest.brief;
docs/ai-instructions.md "The draft brief") by `brief_from_request`, the only function here that reads
the request. Nothing is worked out here that SQL decides: the bounds, the parts to write and the
parts aicrm adds, what is forbidden and why, the facts a draft may state, the template and its
variant, the examples, the fixes and a person's requested changes all come from the SQL brief; this
module only words them for a model (a product's price, the opening hours, an address as text).

The dict (every key optional except `channel`; lists may be empty):

    channel, output_type, format (text | html | markdown), language, attempt
    purpose, topic, key_points [str], offer {description, code, valid_until}, event {name, starts_at,
    place}, links {cta_url, review_url, booking_url}, cta, audience
    length {min_words, max_words, max_characters, max_characters_unicode, max_hashtags}
    cta_required (bool), subject_length {min_characters, max_characters}
    must_write [str]           what the draft must carry, in words (a part such as the call to action)
    forbidden_terms [{term, reason}]
    criteria {readability_score_min, grade_level_max, sentiment_target}
    tone [str], voice {personality, point_of_view, formality, emoji_use, phrases_to_use}
    business_name, facts [{kind, text, source}]   the facts the draft may state
    gaps [str]                 what the profile lacks: write around it, never invent it
    merge_tags [str]           the merge tags the sending service fills, e.g. {{first_name}}
    system_parts [str]         what aicrm adds itself (not to be written)
    template {template_id, variant, subject, body} | None
    examples [{channel, subject, content}]   at most two, most similar first
    previous {subject, content} | None; fixes [{code, params, message}]; changes [{type, text,
    max_words}] (a person's structured edits); reviewer_notes [str] (a person's words, fenced)"""

from __future__ import annotations

import re
from typing import Any

from runner.providers.llm_types import DraftRequest

MAX_EXAMPLES = 2
EXAMPLE_CHARS = 600  # an example is a model of shape and voice: its first paragraphs say enough
_FOOTER_RULE = re.compile(r"^[ \t]*[-\u2013\u2014]{1,5}[ \t]*$", re.MULTILINE)  # the line above a footer
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(values: Any) -> list[str]:
    return [_text(v) for v in values if _text(v)] if isinstance(values, list) else []


def without_footer(text: str) -> str:
    """`text` up to its footer: the line of dashes our templates and examples put above the sender's
    address and the unsubscribe line, which aicrm adds itself and a writer must not copy."""
    found = _FOOTER_RULE.search(text)
    return (text[: found.start()] if found else text).rstrip()


def trimmed(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a paragraph or sentence end where there is one."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind("\n\n"), cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return (cut[: end + 1] if end > limit // 2 else cut.rsplit(" ", 1)[0] + " \u2026").rstrip()


def _price(item: dict[str, Any]) -> str:
    price, note = item.get("price"), _text(item.get("price_note"))
    if isinstance(price, int | float) and not isinstance(price, bool):
        currency = _text(item.get("currency"))
        amount = f"{price:,.2f}".removesuffix(".00")
        shown = f"${amount}" if currency in ("", "USD") else f"{amount} {currency}"
        return f"{shown}, {note}" if note else shown
    return note


def _hours(hours: dict[str, Any]) -> str:
    """Opening hours as a line: days with the same hours run together ("tue-thu 06:30-15:00")."""
    weekly = _dict(hours.get("weekly"))
    spans: list[tuple[list[str], str]] = []
    for day in _DAYS:
        slots = [s for s in weekly.get(day) or [] if isinstance(s, dict)]
        said = ", ".join(f"{_text(s.get('open'))}-{_text(s.get('close'))}" for s in slots) or "closed"
        if spans and spans[-1][1] == said:
            spans[-1][0].append(day)
        else:
            spans.append(([day], said))
    line = "; ".join(f"{(d[0] + '-' + d[-1]) if len(d) > 1 else d[0]} {said}" for d, said in spans if weekly)
    closed = [
        f"closed {_text(e.get('date'))}" + (f" ({_text(e.get('note'))})" if e.get("note") else "")
        for e in hours.get("exceptions") or []
        if isinstance(e, dict) and e.get("closed")
    ]
    return "; ".join(x for x in (line, *closed) if x)


def _fact_text(value: Any) -> str:
    """A fact's value as a model reads it: a product with its price, hours and an address as a line."""
    if not isinstance(value, dict):
        return ", ".join(map(_text, value)) if isinstance(value, list) else _text(value)
    if value.get("name"):
        price, about = _price(value), trimmed(_text(value.get("description")), 120)
        return _text(value["name"]) + (f" ({price})" if price else "") + (f": {about}" if about else "")
    if "weekly" in value:
        return _hours(value)
    if value.get("street") or value.get("city"):
        parts = ("street", "street2", "city", "region", "postal_code", "country")
        return ", ".join(_text(value[k]) for k in parts if value.get(k))
    if value.get("summary"):
        return _text(value["summary"])
    if value.get("description"):  # an offer or an event the task gives
        return "; ".join(f"{k.replace('_', ' ')}: {_text(v)}" for k, v in value.items() if _text(v))
    return "; ".join(f"{k.replace('_', ' ')}: {_text(v)}" for k, v in value.items() if _text(v))


def _facts(brief: dict[str, Any]) -> list[dict[str, str]]:
    facts = [
        {"kind": _text(f.get("fact")), "text": _fact_text(f.get("value")), "source": _text(f.get("source"))}
        for f in brief.get("facts") or []
        if isinstance(f, dict)
        and f.get("fact") not in ("business name", "audience")
        and not str(f.get("source")).startswith("ai_instructions.")  # the task's own: a requirement already
    ]
    return [f for f in facts if f["text"]]


def _forbidden(brief: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for item in brief.get("forbidden") or []:
        if isinstance(item, dict) and _text(item.get("what")):
            reason = _text(item.get("why"))  # a pack's `instead` is the judge's fix: the term says enough
            out.append({"term": _text(item["what"]), "reason": reason})
    return out


def _examples(brief: dict[str, Any], channel: str) -> list[dict[str, Any]]:
    """At most two approved examples (SQL ranks them), each without its footer and trimmed: a model of
    shape and voice, not text to copy whole."""
    rows = [e for e in _dict(brief.get("examples")).get("approved") or [] if isinstance(e, dict)]
    return [
        {
            "channel": e.get("channel") or channel,
            "subject": _text(e.get("subject")) or None,
            "content": trimmed(without_footer(str(e["content"])), EXAMPLE_CHARS),
        }
        for e in rows[:MAX_EXAMPLES]
        if _text(e.get("content"))
    ]


def _template(brief: dict[str, Any]) -> dict[str, Any] | None:
    template = _dict(brief.get("template"))
    if not _text(template.get("body")):
        return None
    return {
        "template_id": template.get("template_id"),
        "variant": template.get("variant"),
        "subject": template.get("subject"),
        "body": without_footer(str(template["body"])),
    }


def _length(limits: dict[str, Any], reserve: Any) -> dict[str, Any]:
    """The brief's bounds on length: words, characters (the task's, else an SMS segment's or a caption's),
    an SMS's bound when a character falls outside GSM-7, a caption's hashtags; the characters less what
    the parts aicrm adds take of them (`system_parts.reserve.characters`: an SMS's opt-out)."""
    sms, social = _dict(limits.get("sms")), _dict(limits.get("social"))
    taken = reserve if isinstance(reserve, int) and not isinstance(reserve, bool) else 0
    characters = limits.get("max_characters") or sms.get("max_characters_gsm7") or social.get("max_characters")
    unicode = sms.get("max_characters_unicode")
    found = {
        "min_words": limits.get("min_words"),
        "max_words": limits.get("max_words"),
        "max_characters": characters - taken if isinstance(characters, int) else None,
        "max_characters_unicode": unicode - taken if isinstance(unicode, int) else None,
        "max_hashtags": social.get("max_hashtags"),
    }
    return {k: v for k, v in found.items() if isinstance(v, int) and not isinstance(v, bool) and v > 0}


def _audience(value: Any) -> str | None:
    return (_text(value.get("summary")) or None) if isinstance(value, dict) else (_text(value) or None)


def brief_from_request(request: DraftRequest) -> dict[str, Any]:
    """The prompt's brief for `request`: its SQL draft brief (`request.brief`), worded for a model."""
    sql = request.brief
    task, ask, limits = _dict(sql.get("task")), _dict(sql.get("brief")), _dict(sql.get("limits"))
    voice = _dict(sql.get("brand_voice"))
    subject = _dict(limits.get("subject"))
    previous = _dict(sql.get("previous"))
    review = _dict(previous.get("review"))
    name = next((_text(f.get("value")) for f in sql.get("facts") or [] if f.get("fact") == "business name"), "")
    parts = _dict(sql.get("system_parts"))
    return {
        "channel": request.channel,
        "attempt": task.get("attempt") or request.attempt,
        "output_type": ask.get("output_type"),
        "format": ask.get("output_format") or "text",
        "language": ask.get("language"),
        "purpose": ask.get("purpose"),
        "topic": ask.get("topic"),
        "key_points": _strings(ask.get("key_points")),
        "offer": ask.get("offer") if isinstance(ask.get("offer"), dict) else None,
        "event": ask.get("event") if isinstance(ask.get("event"), dict) else None,
        "links": {k: v for k, v in _dict(ask.get("links")).items() if v},
        "cta": ask.get("cta"),
        "audience": _audience(ask.get("audience")),
        "length": _length(limits, _dict(parts.get("reserve")).get("characters")),
        "cta_required": limits.get("cta_required") is True,
        "subject_length": {k: subject[k] for k in ("min_characters", "max_characters") if subject.get(k)},
        "must_write": [  # the subject, the call to action and the key points have requirements of their own
            _text(m.get("what"))
            for m in sql.get("must_write") or []
            if isinstance(m, dict) and m.get("what") and m.get("part") not in ("subject", "cta", "key_point")
        ],
        "forbidden_terms": _forbidden(sql),
        "criteria": {k: v for k, v in _dict(ask.get("success_criteria")).items() if k != "cta_present"},
        "tone": _strings(ask.get("tone")),
        "voice": {
            k: voice[k]
            for k in ("personality", "point_of_view", "formality", "emoji_use", "phrases_to_use")
            if voice.get(k)
        },
        "business_name": name,
        "facts": _facts(sql),
        "gaps": _strings(sql.get("gaps")),
        "merge_tags": [f"{{{{{t}}}}}" for t in _strings(_dict(sql.get("merge_tags")).get("personal"))],
        "system_parts": [p.replace("_", " ") for p in _strings(parts.get("parts"))],
        "template": None if len(_examples(sql, request.channel)) >= MAX_EXAMPLES else _template(sql),
        "examples": _examples(sql, request.channel),
        "previous": {"subject": previous.get("subject"), "content": without_footer(str(previous.get("content") or ""))}
        if previous
        else None,
        "fixes": [
            {k: f.get(k) for k in ("code", "params", "message") if f.get(k) is not None}
            for f in previous.get("fixes") or []
            if isinstance(f, dict)
        ],
        "changes": [c for c in review.get("changes") or [] if isinstance(c, dict) and c.get("type")],
        "reviewer_notes": [review["words"]] if review.get("words") else [],
    }


def prompt_context(context: dict[str, Any]) -> dict[str, Any]:
    """The business context without what only the offline writer uses (`industry_phrasing`,
    `template_values`, each template's `rendered_variants`): what the model judge reads."""
    trimmed_ = {k: v for k, v in context.items() if k not in ("industry_phrasing", "template_values")}
    templates = context.get("templates")
    if isinstance(templates, list):
        trimmed_["templates"] = [
            {k: v for k, v in t.items() if k != "rendered_variants"} if isinstance(t, dict) else t for t in templates
        ]
    return trimmed_
