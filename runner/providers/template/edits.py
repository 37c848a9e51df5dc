"""A rewrite's edits (part of the plan): each structured fix of the last draft's scorecard
(`previous.fixes`, `{code, params, span}`: docs/quality.md) and each change a person asked for
(`previous.review.changes`: aicrm.request_changes) is one edit of the plan, so the next draft
differs from the last exactly where they point. A fix whose code has no edit here leaves the text
alone and is listed in `Plan.ignored` (the draft's meta says so)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runner.providers.template.plan import Plan

Edit = Callable[["Plan", dict[str, Any]], None]


def _span_text(fix: dict[str, Any]) -> str:
    span: dict[str, Any] = fix["span"] if isinstance(fix.get("span"), dict) else {}
    params = _params(fix)
    return str(span.get("text") or params.get("phrase") or fix.get("term") or "").strip()


def _params(fix: dict[str, Any]) -> dict[str, Any]:
    params = fix.get("params")
    return params if isinstance(params, dict) else {}


def _remove_span(plan: Plan, fix: dict[str, Any]) -> None:
    """The text a finding points at (an invented claim, a doubled word, a tagline, a forbidden word)
    is left out of the next draft: the sentence holding it goes."""
    text = _span_text(fix)
    if text:
        plan.removed.append(text)


def _repeated(plan: Plan, fix: dict[str, Any]) -> None:
    """A phrase said too often: its span is where it is first written, often a key point, which
    stays; the facts that echo a key point's words (where the repeats come from) are left out."""
    plan.echo_points = False


def _shorten(plan: Plan, fix: dict[str, Any]) -> None:
    params = _params(fix)
    if params.get("max_words"):
        plan.max_words = min(plan.max_words or 10**6, int(params["max_words"]))
    if params.get("max_characters") or params.get("max_characters_gsm7"):
        bound = int(params.get("max_characters") or params["max_characters_gsm7"])
        plan.max_chars = min(plan.max_chars or 10**6, bound)
    plan.extra_facts = 0


def _lengthen(plan: Plan, fix: dict[str, Any]) -> None:
    plan.extra_facts += 3
    plan.widen = True  # the brief's own items said all they could: the profile's facts, related first


def _add_cta(plan: Plan, fix: dict[str, Any]) -> None:
    plan.cta_required = True


def _add_paragraphs(plan: Plan, fix: dict[str, Any]) -> None:
    plan.paragraph_sentences = 1


def _simplify(plan: Plan, fix: dict[str, Any]) -> None:
    plan.extra_facts = 0


def _use_phrase(plan: Plan, fix: dict[str, Any]) -> None:
    plan.use_phrase = str(_params(fix).get("phrase") or (plan.phrases[:1] or [""])[0]) or None


def _fewer_hashtags(plan: Plan, fix: dict[str, Any]) -> None:
    plan.hashtags = plan.hashtags[: max(0, len(plan.hashtags) - 2)]


def _ban_params(plan: Plan, fix: dict[str, Any]) -> None:
    params = _params(fix)
    plan.removed += [str(x) for x in params.get("links") or params.get("placeholders") or []]
    _remove_span(plan, fix)


def _nothing(plan: Plan, fix: dict[str, Any]) -> None:
    """The writer already does what the fix asks (every key point stated as given, the subject
    within the brief's bounds): the edit is to keep doing it."""


FIX_EDITS: dict[str, Edit] = {
    "shorten": _shorten,
    "lengthen": _lengthen,
    "add_cta": _add_cta,
    "add_paragraphs": _add_paragraphs,
    "simplify": _simplify,
    "use_brand_phrase": _use_phrase,
    "fewer_hashtags": _fewer_hashtags,
    "fix_links": _ban_params,
    "fill_placeholders": _ban_params,
    "remove_phrase": _remove_span,
    "compliance": _remove_span,
    "add_business_specifics": _lengthen,
    "add_subject": _nothing,
    "fix_subject_length": _nothing,
    "key_point_missing": _nothing,
    "key_point_partly_covered": _nothing,
    "repeated_phrase": _repeated,
}
# Findings that point at a span of the draft: the sentence holding it goes.
for _code in ("invented_fact", "invented_promise", "contradiction", "doubled_word", "repeated_phrase", "fragment",
              "orphan_tagline", "broken_hashtag", "dangling_slot", "filler", "padding", "avoid_topic_mentioned",
              "name_case", "off_topic"):  # fmt: skip
    FIX_EDITS.setdefault(_code, _remove_span)


def apply_fixes(plan: Plan, fixes: list[dict[str, Any]]) -> None:
    for fix in fixes:
        code = str(fix.get("code") or "")
        edit = FIX_EDITS.get(code)
        if edit is None:
            plan.ignored.append(code)
            continue
        edit(plan, fix)
        plan.applied.append(code)


def apply_changes(plan: Plan, changes: list[dict[str, Any]]) -> None:
    """A person's structured edits: add a key point, remove a phrase or line, shorten to N words,
    change the call to action, use or avoid a phrase."""
    for change in changes:
        kind, text = str(change.get("type") or ""), str(change.get("text") or "").strip()
        if kind == "add_key_point" and text:
            plan.points.append(text)
        elif kind in ("remove", "avoid_phrase") and text:
            plan.removed.append(text)
            plan.banned.append(text)
        elif kind == "shorten" and change.get("max_words"):
            _shorten(plan, {"params": {"max_words": change["max_words"]}})
        elif kind == "change_cta" and text:
            plan.cta = text
        elif kind == "use_phrase" and text:
            plan.use_phrase = text
        else:
            plan.ignored.append(f"change:{kind}")
            continue
        plan.applied.append(f"change:{kind}")
