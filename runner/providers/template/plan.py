"""What to say, in what order, from the draft brief alone (aicrm.get_draft_brief): the topic, every
key point, the offer, the event, the link and the call to action first, then the facts of the
brief's grounding set that bear on the topic; the bounds are the brief's `limits`, the words not to
write its `forbidden` items that name words. On a rewrite, each structured fix and each change a
person asked for becomes one edit of the plan (`edit`), so the next draft differs where they point."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from runner.providers.template.edits import apply_changes, apply_fixes

# The forbidden items that name words to leave out (the others, such as a compliance pack's rule,
# describe a kind of claim: the writer states only the brief's facts, so it makes none of them).
_WORD_SOURCES = ("ai_instructions.must_not_include", "ai_instructions.avoid_topics", "brand_voice.phrases_to_avoid")
_SMS_CHANNEL = "sms"


def text_of(value: Any) -> str:
    """A brief value as one line of text ("" for anything that is not a non-blank string)."""
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else ""


def proper_name(name: str) -> str:
    """A name as the profile spells it; a name stored all in lower case (a CRM export) capitalised
    word by word, the short joining words aside."""
    if name != name.lower():
        return name
    small = {"and", "of", "the", "at", "on", "for", "de", "la"}
    words = name.split()
    return " ".join(w if i and w in small else w[:1].upper() + w[1:] for i, w in enumerate(words))


@dataclass
class Facts:
    """The brief's grounding set, by kind: nothing else is ever stated as a fact."""

    name: str = ""
    description: str = ""
    usps: list[str] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    website: str = ""
    phone: str = ""
    email: str = ""

    @classmethod
    def of(cls, items: list[dict[str, Any]]) -> Facts:
        facts = cls()
        for item in items:
            kind, value = item.get("fact"), item.get("value")
            if kind == "business name":
                facts.name = proper_name(text_of(value))
            elif kind == "description":
                facts.description = text_of(value)
            elif kind == "selling point" and text_of(value):
                facts.usps.append(text_of(value))
            elif kind == "product or service" and isinstance(value, dict) and text_of(value.get("name")):
                facts.products.append(value)
            elif kind in ("website", "phone", "email"):
                setattr(facts, kind, text_of(value))
        return facts


@dataclass
class Plan:
    """The draft to write: what it says (in order), its bounds, its voice and the edits made to it."""

    task_id: str
    attempt: int
    channel: str
    fmt: str
    purpose: str
    topic: str
    points: list[str]
    offer: dict[str, Any]
    event: dict[str, Any]
    link: str
    review_link: str
    cta: str
    cta_required: bool
    facts: Facts
    limits: dict[str, Any]
    reserve: int  # characters aicrm adds (an SMS's opt-out): left free under the character bounds
    banned: list[str]
    phrases: list[str]
    merge_tags: list[str]
    hashtags: list[str]
    template: dict[str, Any]
    extra_facts: int = 1  # how many facts beyond the brief's own (products, selling points) to add
    max_words: int | None = None  # a rewrite's tighter bound
    max_chars: int | None = None
    use_phrase: str | None = None
    widen: bool = False  # a rewrite asked for more words: the profile's other facts may come in
    required: list[tuple[str, str | None]] = field(default_factory=list)  # must_include: (term, element)
    system_parts: list[str] = field(default_factory=list)  # the elements aicrm adds itself
    removed: list[str] = field(default_factory=list)  # text of the last draft to leave out
    paragraph_sentences: int = 3
    echo_points: bool = True  # facts may share a word with a key point (False: a repeat was found)
    applied: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def rng(self) -> random.Random:
        """The free choices of this task's drafts: seeded by the task alone, so two tasks differ and a
        rewrite makes the same choices as the draft before it (it changes only what an edit names)."""
        seed = hashlib.sha256(f"{self.task_id}:writer".encode()).digest()
        return random.Random(int.from_bytes(seed[:8], "big"))

    @property
    def sms(self) -> bool:
        return self.channel == _SMS_CHANNEL

    def char_bound(self) -> int | None:
        """The characters the writer may use: the brief's bounds, less what aicrm adds."""
        found = [self.limits.get("max_characters"), self.max_chars]
        for key in ("sms", "social"):
            part = self.limits.get(key) or {}
            found.append(part.get("max_characters_gsm7") or part.get("max_characters"))
        bounds = [int(x) for x in found if isinstance(x, int | float) and not isinstance(x, bool)]
        return min(bounds) - self.reserve if bounds else None

    def word_bounds(self) -> tuple[int, int]:
        low, high = int(self.limits.get("min_words") or 1), int(self.limits.get("max_words") or 10**6)
        high = min(high, self.max_words or high)
        return min(low, high), high


def plan_of(brief: dict[str, Any]) -> Plan:
    """The plan of a brief's draft, with the previous draft's fixes and a person's changes applied."""
    task, ask = brief.get("task") or {}, brief.get("brief") or {}
    links: dict[str, Any] = ask["links"] if isinstance(ask.get("links"), dict) else {}
    facts = Facts.of([f for f in brief.get("facts") or [] if isinstance(f, dict)])
    voice = brief.get("brand_voice") or {}
    template = brief.get("template") or {}
    system = brief.get("system_parts") or {}
    plan = Plan(
        task_id=str(task.get("task_id") or ""),
        attempt=int(task.get("attempt") or 1),
        channel=str(task.get("channel") or "email"),
        fmt=text_of(ask.get("output_format")) or "text",
        purpose=text_of(ask.get("purpose")) or "other",
        topic=text_of(ask.get("topic")),
        points=[text_of(p) for p in ask.get("key_points") or [] if text_of(p)],
        offer=ask["offer"] if isinstance(ask.get("offer"), dict) else {},
        event=ask["event"] if isinstance(ask.get("event"), dict) else {},
        link=text_of(links.get("cta_url")) or text_of(links.get("booking_url")) or facts.website,
        review_link=text_of(links.get("review_url")),
        cta=text_of(ask.get("cta")),
        cta_required=bool((brief.get("limits") or {}).get("cta_required")),
        facts=facts,
        limits=brief.get("limits") or {},
        reserve=int((system.get("reserve") or {}).get("characters") or 0),
        banned=[text_of(f.get("what")) for f in brief.get("forbidden") or [] if f.get("source") in _WORD_SOURCES],
        phrases=[text_of(p) for p in voice.get("phrases_to_use") or [] if text_of(p)],
        merge_tags=[str(t) for t in (brief.get("merge_tags") or {}).get("tags") or []],
        hashtags=[w for w in str(template.get("body") or "").split() if w.startswith("#") and len(w) > 1],
        template=template,
        required=[
            (text_of(m.get("what")), m.get("element"))
            for m in brief.get("must_write") or []
            if isinstance(m, dict) and m.get("part") == "must_include" and text_of(m.get("what"))
        ],
        system_parts=[str(p) for p in system.get("parts") or []],
    )
    previous = brief.get("previous") or {}
    apply_fixes(plan, previous.get("fixes") or [])
    apply_changes(plan, ((previous.get("review") or {}).get("changes")) or [])
    return plan
