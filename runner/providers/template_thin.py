"""What the offline template provider (runner/providers/template.py) writes when the business
profile has little in it: which of the template's rendered variants it starts from, the claims a
template makes that the task did not, the industry's generic phrasing the context offers
(`industry_phrasing`) and the provider's own generic sentences. Generic means true of any business:
the topic, the reader's questions, how to get in touch; never a price, a product, a date or a
promise the profile does not make. The writer adds them as fillers, used only to reach the draft's
minimum length, so a rich profile's draft never carries them."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from runner.providers import template_text as tt

# A sentence that announces an offer, a scarcity or a deadline: a template's own words for a
# promotion, kept only when the task itself speaks of one (nothing in the profile says there is).
CLAIM = re.compile(
    r"\b(?:on offer|(?:the|this|an|special|members-only) offers?|offers\b|on special|specials?\b|on sale|sales?\b"
    r"|discount\w*|deals?\b|free\b|% off|limited|while (?:it|they|stocks?|supplies) lasts?|sells? out|won't last"
    r"|before the week is out|this week only|for a short time|short time only|terms (?:apply|and|on)|end date"
    r"|one (?:evening|day|night) only)",
    re.IGNORECASE,
)
_OFFER_TASK = re.compile(
    r"\b(?:offers?|sale|special|discount|deal|promo\w*|% off|limited|free|coupon|code|save)\b", re.IGNORECASE
)
# A sentence that leans on the one before it ("It's the one our regulars order"), or is a label,
# a sender prefix or a sign-off: not a sentence of its own outside its template.
_LEANS = re.compile(r"^(?:it|it's|its|that|that's|this|these|those|they|they're|there|here|so|and|but|or|plus)\b", re.I)
_LABEL = re.compile(r"^(?:\S+\s+){0,3}\S+:\s")

# The provider's own generic sentences. Each has two forms: with the topic after "about", and one
# without it for a topic that does not read as a thing ("use your benefits", "we have missed you").
_Pair = tuple[str, str]
_INTRO = (
    "This {page} is about {about}, from the team at {name}.",
    "In this {page}, the {name} team writes about one topic: {topic}.",
)
_READ_ON: tuple[_Pair, ...] = (
    ("We wrote it for anyone who's curious about {about}.", "We wrote it for anyone who's curious."),
    ("If that's you, read on.", "If that's you, read on."),
)
_ABOUT = ("{name} is {kind} in {city}.", "{name} is {kind}.")
_WEBSITE = "You can find out more about us at {website}."
_SECTIONS: tuple[tuple[int, str, tuple[_Pair, ...]], ...] = (
    (25, "Where to start", (
        ("Everyone's questions about {about} are a little different.", "Everyone's questions are a little different."),
        ("A good place to start is a conversation about what you need.",) * 2,
        ("Tell us what you have in mind, and we'll talk it through with you.",) * 2,
        ("Every question is a good one, so please don't hesitate to ask.",) * 2,
        ("There's no such thing as a silly question about {about}.", "There's no such thing as a silly question."),
        ("Good decisions start with good information, and that starts with asking.",) * 2,
    )),
    (27, "Questions worth asking", (
        ("When you talk to us about {about}, a few questions are worth asking.",
         "When you talk to us, a few questions are worth asking."),
        ("What does it involve, and how long does it take?",) * 2,
        ("What will it cost, and what's included?",) * 2,
        ("Is there anything you should bring or prepare?",) * 2,
        ("Are there options, and how do they compare?",) * 2,
        ("And what happens next?",) * 2,
    )),
    (35, "Before you get in touch", (
        ("A few notes make a first conversation quicker and easier.",) * 2,
        ("What do you need, and by when?",) * 2,
        ("What have you tried so far, and what would you change?",) * 2,
        ("What matters most to you: the price, the timing or something else?",) * 2,
        ("Jot your questions down as they come up, and bring the list along.",) * 2,
        ("If you have photos or examples of what you like, bring those too.",) * 2,
        ("The more we know, the better we can help.",) * 2,
    )),
)  # fmt: skip
_WELCOME = "Whether this is your first visit or you've been before, you're welcome at {name}."
_NEARBY = "If you're in or around {city}, we'd love to see you."
_NEXT = ("We hope this {page} was useful.", "Is there something you'd like us to write about next? Let us know.")
_SHORT: tuple[_Pair, ...] = (  # email and social: a few lines around the topic and the reader
    ("We'd love to hear what you think about {about}.", "We'd love to hear what you think."),
    ("Tell us what you have in mind, and we'll talk it through with you.",) * 2,
    (_WELCOME,) * 2,
    ("Every question is a good one, so please don't hesitate to ask.",) * 2,
    ("We'd be glad to help you find what fits.",) * 2,
)
_EMAIL: tuple[_Pair, ...] = (
    ("Have a question about {about}? Just reply to this email.", "Have a question? Just reply to this email."),
    ("If you know someone who'd like to hear about {about}, feel free to pass this on.",
     "If you know someone who'd enjoy hearing from us, feel free to pass this on."),
    ("Thanks for reading, and for being on our list.",) * 2,
)  # fmt: skip
# A topic that goes after "about": it opens with a determiner, a possessive, a question word or a
# verb's -ing form ("the new menu", "how we bake", "getting ready for spring"), and is no sentence.
_THING = re.compile(
    r"^(?:(?:the|a|an|our|your|my|this|these|those|how|why|what|when|where|who|which)\b|\w+ing\b)", re.I
)
_SENTENCE = re.compile(r"\b(?:is|are|was|were|have|has|had|will|can|we|you|i)\b", re.IGNORECASE)


def pick_rendering(template: dict[str, Any], task_id: str, attempt: int) -> tuple[str | None, dict[str, Any]]:
    """The template's own text (variant None) or one of its rendered variants. The first attempt's
    is drawn from task_id, weighted by the variants' `weight` when every variant has one (the
    template's own text gets what is left of 100); each retry takes the next one, so a retry never
    repeats the previous attempt's variant when the template has another. Same task, same choice."""
    options: list[tuple[str | None, dict[str, Any]]] = [(None, template.get("rendered") or {})]
    for v in template.get("rendered_variants") or []:
        if isinstance(v, dict) and v.get("variant"):
            options.append((str(v["variant"]), v))
    weights = [o[1].get("weight") for o in options[1:]]
    numeric = [float(w) for w in weights if isinstance(w, int | float) and not isinstance(w, bool) and w >= 0]
    shares = [max(0.0, 100 - sum(numeric)), *numeric] if weights and len(numeric) == len(weights) else []
    seed = int.from_bytes(hashlib.sha256(f"{task_id}:variant".encode()).digest()[:8], "big")
    first = seed % len(options)
    if sum(shares) > 0:
        point, first = (seed % 10_000) / 10_000 * sum(shares), 0
        while point >= shares[first] and first < len(shares) - 1:
            point -= shares[first]
            first += 1
    return options[(first + attempt - 1) % len(options)]


def offers(instructions: dict[str, Any]) -> bool:
    """Whether the task speaks of an offer: then a template's offer sentences may stay."""
    words = " ".join(tt.first_text(instructions.get(k)) for k in ("output_type", "topic", "cta"))
    return bool(_OFFER_TASK.search(f"{words} {' '.join(map(str, instructions.get('must_include') or []))}"))


def phrasing(context: dict[str, Any], purpose: str, offer: bool, channel: str | None) -> list[str]:
    """The industry's generic sentences (the context's industry_phrasing) of the task's purpose,
    and of the channel when given (a post's "new followers" is not an email's), that stand on their
    own: no claim the task does not make, no sentence leaning on the one before, no label."""
    found = []
    for item in context.get("industry_phrasing") or []:
        text = tt.first_text(item.get("text")) if isinstance(item, dict) else ""
        if not text or item.get("purpose") != purpose or _LEANS.match(text) or _LABEL.match(text):
            continue
        if channel and item.get("channel") != channel:
            continue
        if (CLAIM.search(text) and not offer) or tt.looks_like_instruction(text):
            continue
        found.append(text)
    return found


def _about(topic: str) -> str:
    """The topic as it goes after "about" ("" when it does not: see _THING), without a leading
    "about" ("About Sunrise Bakery")."""
    about = re.sub(r"^about\s+", "", topic.strip().rstrip(".!?"), flags=re.IGNORECASE)
    if not _THING.match(about) or _SENTENCE.search(re.sub(r"^(?:how|why|what|when|where|who)\b.*", "", about)):
        return ""
    return tt.lower_first(about)


def _form(pair: _Pair, about: str, **values: str) -> str:
    return (pair[0] if about else pair[1]).format(about=about, **values)


def short_fillers(topic: str, name: str, channel: str) -> list[str]:
    """Email and social: sentences about the topic and the reader, true of any business."""
    about = _about(topic)
    bank = (*_SHORT, *_EMAIL) if channel == "email" else _SHORT
    return [_form(pair, about, name=name) for pair in bank if name or "{name}" not in "".join(pair)]


def article_fillers(
    topic: str, page: str, name: str, context: dict[str, Any], values: Mapping[str, str], *, described: bool
) -> list[tuple[int, str, int]]:
    """Blog posts and web pages: (slot, text, heading level) in the article's sections (1 the
    introduction, 10 why us, 25, 27 and 35 sections of their own, 30 who we serve, 50 the close);
    each sentence once, none about a product, a price or a date. `described`: the draft has the
    business's own description, which says what kind of business it is better."""
    topic = topic.strip().rstrip(".!?")
    about = _about(topic)
    out: list[tuple[int, str, int]] = []
    if topic and name and not tt.has_phrase(topic, name):
        out.append((1, _form(_INTRO, about, page=page, name=name, topic=tt.lower_first(topic)), 0))
        out += [(1, _form(pair, about), 0) for pair in _READ_ON]
    kind = tt.first_text((context.get("industry") or {}).get("subcategory"), values["industry"])
    kind = kind.lower().replace("_", " ").replace("&", "and")
    city = values["city"]
    if name and kind and not described:
        kind = f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind} business"
        out.append((10, (_ABOUT[0] if city else _ABOUT[1]).format(name=name, kind=kind, city=city), 0))
    if values["website"]:
        out.append((10, _WEBSITE.format(website=values["website"]), 0))
    for slot, heading, pairs in _SECTIONS:
        out.append((slot, heading, 2))
        out += [(slot, _form(pair, about), 0) for pair in pairs]
    if name:
        out.append((30, _WELCOME.format(name=name), 0))
    if city:
        out.append((30, _NEARBY.format(city=city), 0))
    out += [(50, s.format(page=page), 0) for s in _NEXT]
    return out
