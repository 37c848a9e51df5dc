"""The model writer's brief: one plain dict saying what a draft must be, derived from a DraftRequest
by `brief_from_request`, the only function here that reads the request. The prompt
(runner/providers/llm_prompt.py) is a function of this dict alone, so its source can become the SQL
function `aicrm.get_draft_brief(task_id)`, which returns the same kinds of fields, without touching
the prompt.

The brief (every key optional except `channel`; lists may be empty):

    channel, output_type, format (text | html | markdown), language, attempt
    purpose, topic, key_points [str], offer {description, code, valid_until}, event {name, starts_at,
    place}, links {cta_url, review_url, booking_url}, cta, audience, avoid_topics [str]
    length {min_words, max_words, max_characters}, subject_length {min_characters, max_characters}
    required_terms [str]       what the draft must carry; a part ("call to action") means the part
    forbidden_terms [{term, reason}]
    criteria {readability_score_min, grade_level_max, sentiment_target, cta_present}
    tone [str], tone_override (bool), voice {personality, point_of_view, formality, emoji_use,
    phrases_to_use [str]}
    business_name, facts [{kind, text, source}]   the facts the draft may state, most needed first
    merge_tags [str]           the merge tags the customer's templates use, e.g. {{first_name}}
    system_parts [str] | None  what aicrm adds itself (None: not told; the prompt says it in general)
    template {template_id, variant, subject, body} | None
    examples [{channel, subject, content}]   at most two, most similar first
    previous {subject, content} | None; fixes [{code, params, message}]; reviewer_notes [str]

This adapter knows only what the task and the customer's context say: not the scorecard's defaults
(the channel's usual length, the subject's bounds, the system-owned parts of each channel), which
are the scorecard's to state and which `get_draft_brief` will carry."""

from __future__ import annotations

import re
from typing import Any

from runner.providers.llm_types import DraftRequest

MAX_EXAMPLES = 2
EXAMPLE_CHARS = 600  # an example is a model of shape and voice: its first paragraphs say enough
_FOOTER_RULE = re.compile(r"^[ \t]*[-\u2013\u2014]{1,5}[ \t]*$", re.MULTILINE)  # the line above a footer
_MERGE_TAG = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


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


def _products(business: dict[str, Any]) -> str:
    items = []
    for item in business.get("products_services") or []:
        if not isinstance(item, dict) or not _text(item.get("name")):
            continue
        price, about = _price(item), trimmed(_text(item.get("description")), 120)
        items.append(_text(item["name"]) + (f" ({price})" if price else "") + (f": {about}" if about else ""))
    return "; ".join(items)


def facts_of(context: dict[str, Any], channel: str) -> list[dict[str, str]]:
    """The facts a draft may state, most needed first, each with where it comes from: the profile
    (`business`), the values the database computed from it for templates (`template_values`: hours in
    words, the address, the sign-off) and the content preferences."""
    business = _dict(context.get("business"))
    values = _dict(context.get("template_values"))
    prefs = _dict(context.get("content_preferences"))
    industry = _dict(context.get("industry"))
    audience = _dict(business.get("target_audience"))
    kind_of = _text(industry.get("subcategory") or industry.get("display_name")).replace("_", " ")
    found = [
        (
            "what it is",
            " ".join(x for x in (kind_of + ":" if kind_of else "", _text(business.get("description"))) if x),
            "profile.description",
        ),
        ("products and prices", _products(business), "profile.products_services"),
        ("selling points", "; ".join(_strings(business.get("unique_selling_points"))), "profile.unique_selling_points"),
        ("opening hours", _text(values.get("business_hours")), "profile.business_hours"),
        ("address", _text(values.get("address")), "profile.address"),
        ("phone", _text(business.get("phone")), "profile.phone"),
        ("email", _text(business.get("email")), "profile.email"),
        ("website", _text(business.get("website")), "profile.website"),
        ("order or booking link", _text(prefs.get("cta_url")), "content_preferences.cta_url"),
        ("usual call to action", _text(prefs.get("default_cta")), "content_preferences.default_cta"),
        ("sign-off", _text(prefs.get("signature") or values.get("signature")), "content_preferences.signature"),
        (
            "hashtags",
            " ".join(_strings(prefs.get("hashtags"))) if channel == "social" else "",
            "content_preferences.hashtags",
        ),
        ("customers", _text(audience.get("summary")), "profile.target_audience"),
    ]
    return [{"kind": kind, "text": text, "source": source} for kind, text, source in found if text]


def _forbidden(ins: dict[str, Any], context: dict[str, Any]) -> list[dict[str, str]]:
    voice = _dict(context.get("brand_voice"))
    business = _dict(context.get("business"))
    terms = [(t, "the brief forbids it") for t in _strings(ins.get("must_not_include"))]
    terms += [(t, "the brand voice avoids it") for t in _strings(voice.get("phrases_to_avoid"))]
    terms += [(_text(c.get("name")), "a competitor") for c in business.get("competitors") or [] if isinstance(c, dict)]
    terms += [
        (_text(t.get("term")), "the agency's terms for this customer")
        for t in context.get("compliance_terms") or []
        if isinstance(t, dict) and t.get("kind") == "forbidden"
    ]
    seen: set[str] = set()
    out = []
    for term, reason in terms:
        if term and term.lower() not in seen:
            seen.add(term.lower())
            out.append({"term": term, "reason": reason})
    return out


def _examples(context: dict[str, Any], channel: str, name: str) -> list[dict[str, Any]]:
    """At most two positive examples, this channel's first, then those naming the business, each
    without its footer and trimmed: a model of shape and voice, not text to copy whole."""
    examples = context.get("examples")
    positive = examples.get("positive") if isinstance(examples, dict) else examples
    rows = [e for e in positive or [] if isinstance(e, dict) and _text(e.get("content"))]
    ranked = sorted(
        enumerate(rows),
        key=lambda ie: (ie[1].get("channel") != channel, name.lower() not in str(ie[1].get("content")).lower(), ie[0]),
    )
    return [
        {
            "channel": e.get("channel") or channel,
            "subject": _text(e.get("subject")) or None,
            "content": trimmed(without_footer(str(e["content"])), EXAMPLE_CHARS),
        }
        for _, e in ranked[:MAX_EXAMPLES]
    ]


def _template(context: dict[str, Any], channel: str, purpose: Any) -> dict[str, Any] | None:
    """The context's template for this channel (and purpose, when the task names one), rendered."""
    templates = [t for t in context.get("templates") or [] if isinstance(t, dict) and t.get("channel") == channel]
    templates.sort(key=lambda t: t.get("purpose") != purpose)
    for t in templates:
        rendered = _dict(t.get("rendered"))
        if _text(rendered.get("body")):
            return {
                "template_id": t.get("template_id"),
                "variant": None,
                "subject": rendered.get("subject"),
                "body": without_footer(str(rendered["body"])),
            }
    return None


def _merge_tags(context: dict[str, Any]) -> list[str]:
    """The merge tags the customer's templates and examples use above their footers, in order."""
    texts = [
        str((t.get("rendered") or {}).get("body") or "") for t in context.get("templates") or [] if isinstance(t, dict)
    ]
    examples = context.get("examples")
    for e in (examples.get("positive") if isinstance(examples, dict) else examples) or []:
        if isinstance(e, dict):
            texts.append(str(e.get("content") or ""))
    tags = [m.group(1).lower() for text in texts for m in _MERGE_TAG.finditer(without_footer(text))]
    return [f"{{{{{t}}}}}" for t in dict.fromkeys(tags)]


def brief_from_request(request: DraftRequest) -> dict[str, Any]:
    """The brief of `request`: its instructions and its customer's context, as the writer needs them."""
    ins, ctx = request.instructions, request.context
    voice = _dict(ctx.get("brand_voice"))
    name = _text((ctx.get("customer") or {}).get("name") or (ctx.get("business") or {}).get("name"))
    tenant_required = [
        _text(t.get("term"))
        for t in ctx.get("compliance_terms") or []
        if isinstance(t, dict) and t.get("kind") == "required"
    ]
    override = _strings(ins.get("tone_override"))
    examples = _examples(ctx, request.channel, name)
    revision = request.attempt > 1 and (request.previous_content is not None or bool(request.fixes))
    return {
        "channel": request.channel,
        "attempt": request.attempt,
        "output_type": ins.get("output_type"),
        "format": ins.get("output_format") or "text",
        "language": ins.get("language") or voice.get("language"),
        "purpose": ins.get("purpose"),
        "topic": ins.get("topic"),
        "key_points": _strings(ins.get("key_points")),
        "offer": ins.get("offer") if isinstance(ins.get("offer"), dict) else None,
        "event": ins.get("event") if isinstance(ins.get("event"), dict) else None,
        "links": {k: v for k, v in (ins.get("links") or {}).items() if v},
        "cta": ins.get("cta"),
        "audience": ins.get("audience"),
        "avoid_topics": _strings(ins.get("avoid_topics")),
        "length": {k: v for k, v in (ins.get("output_length") or {}).items() if isinstance(v, int)},
        "subject_length": {},  # the scorecard's bounds: get_draft_brief states them
        "required_terms": list(dict.fromkeys([*_strings(ins.get("must_include")), *filter(None, tenant_required)])),
        "forbidden_terms": _forbidden(ins, ctx),
        "criteria": dict(ins.get("success_criteria") or {}),
        "tone": override or _strings(voice.get("tone")),
        "tone_override": bool(override),
        "voice": {
            k: voice[k]
            for k in ("personality", "point_of_view", "formality", "emoji_use", "phrases_to_use")
            if voice.get(k)
        },
        "business_name": name,
        "facts": facts_of(ctx, request.channel),
        "merge_tags": _merge_tags(ctx),
        "system_parts": None,
        "template": None if len(examples) >= MAX_EXAMPLES else _template(ctx, request.channel, ins.get("purpose")),
        "examples": examples,
        "previous": {"subject": request.previous_subject, "content": request.previous_content} if revision else None,
        "fixes": [
            {k: f.get(k) for k in ("code", "params", "message") if f.get(k) is not None}
            for f in request.fixes
            if isinstance(f, dict)
        ]
        if revision
        else [],
        "reviewer_notes": [],
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
