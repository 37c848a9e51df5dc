"""Sentences of a draft, in the plan's order: the topic and every key point first, then the offer,
the event and the facts of the brief's grounding set that bear on the topic, the call to action
and, for an email, a sign-off. Each piece is a `Block` with a rank: rank 0 is what the brief asks
for and is always written, rank 1 and up are facts added while the length allows (fit.py). Words
are chosen from small banks with the task's seeded draw (Plan.rng), so two tasks of one customer
read differently; no bank repeats an opener within a draft. Nothing is stated that the brief does
not hold: a thin profile gives fewer blocks, never filler."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from runner.providers.template.plan import Plan, text_of

_Kind = str  # title | heading | para | item | line | greeting | signoff | tags


@dataclass
class Block:
    text: str
    kind: _Kind = "para"
    rank: int = 0
    section: int = 0  # blocks of one section and kind "para" share a paragraph


class Draw:
    """The task's seeded choices, each lead used at most once in a draft (no repeated opener)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def pick(self, bank: tuple[str, ...], avoid: str = "") -> str | None:
        """A lead of the bank not used yet in this draft and sharing no word with `avoid`."""
        taken = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", avoid)}
        fresh = [
            b for b in bank if b not in self.used and not taken & {w.lower() for w in re.findall(r"[A-Za-z]{4,}", b)}
        ]
        fresh = fresh or [b for b in bank if b not in self.used]
        if not fresh:
            return None
        choice = self.rng.choice(fresh)
        self.used.add(choice)
        return choice


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def low(text: str) -> str:
    """The first letter in lower case, unless the first word is a name or an acronym ("Invisalign")."""
    first = text.split(" ", 1)[0]
    return text if (len(first) > 1 and first[1:] != first[1:].lower()) or first == "I" else text[:1].lower() + text[1:]


def sentence(text: str) -> str:
    text = " ".join(text.split()).rstrip(" ,;:")
    return cap(text) + ("" if text[-1:] in ".!?" else ".") if text else ""


# A topic written as a sentence of its own ("pumpkin sourdough is back", "we have missed you"): a
# few words a clause holds. (The writer's own reading of a brief; the judge has its own lists.)
_CLAUSE = re.compile(r"\b(is|are|has|have|we|you)\b", re.IGNORECASE)
_NOUN_OPENERS = (
    "{name} has news for you: {topic}.",
    "Here is what is new at {name}: {topic}.",
    "We have something to share: {topic}.",
    "Today we are writing about {topic}.",
    "We wanted you to hear it from us first: {topic}.",
    "Here is the news from {name}: {topic}.",
    "We are writing with news about {topic}.",
    "There is news at {name}: {topic}.",
)
_CLAUSE_OPENERS = (  # no "good news" before "we have missed you" or "it has been a while"
    "{Topic}.",
    "A quick note from all of us: {topic}.",
    "We have an update for you: {topic}.",
    "A word from {name}: {topic}.",
)
_HOWTO_OPENERS = ("Here is {topic}.", "A few tips from {name} on {topic}.", "Some advice from {name} on {topic}.")
_WELCOME = ("{Topic}: we are glad you are here.", "{Topic}! We are so glad to have you.",
            "{Topic}. It is good to have you with us.")  # fmt: skip
_GREETINGS = ("Hi {{first_name}},", "Hello {{first_name}},", "Dear {{first_name}},")
_SIGN_OFFS = ("See you soon", "Warm wishes", "All the best", "Talk soon", "With thanks", "Until next time")
_PIECES = {"email": "email", "sms": "message", "social": "post", "blog": "post", "web": "page"}


def opening(plan: Plan, rng: Draw) -> str:
    """The topic, first and whole: the draft is about it from its first line."""
    topic, name = plan.topic.rstrip(".!"), plan.facts.name or "our team"
    piece = _PIECES.get(plan.channel, "note")
    if not topic:
        return ""
    if topic.endswith("?"):
        return cap(topic)
    if topic.lower().startswith("welcome"):
        bank: tuple[str, ...] = _WELCOME
    elif re.match(r"(how|why|what) to\b", topic, re.IGNORECASE):
        bank = _HOWTO_OPENERS
    elif _CLAUSE.search(topic):  # a question word first ("what is new"): after a colon, never alone
        bank = (
            _CLAUSE_OPENERS[1:]
            if re.match(r"(what|how|why|when|where|who)\b", topic, re.IGNORECASE)
            else _CLAUSE_OPENERS
        )
    elif re.match(r"(a|an|the|our|your|my|this|these)\b", topic, re.IGNORECASE):
        bank = _NOUN_OPENERS
    else:  # a phrase ("time for your yearly check"): after a colon, where anything reads
        bank = tuple(b for b in _NOUN_OPENERS if ": {topic}" in b)
    lead = rng.pick(bank, avoid=topic) or "{Topic}."
    return lead.format(topic=topic, Topic=cap(topic), name=name, piece=piece)


def _when(value: Any) -> tuple[str, str]:
    """A brief's date or date and time as written for a reader: ("January 16", "9 am")."""
    raw = text_of(value)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return raw, ""
    day = f"{moment:%B} {moment.day}"
    if len(raw) <= 10 or (moment.hour, moment.minute) == (0, 0):
        return day, ""
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return day, f"{hour}{minutes} {'am' if moment.hour < 12 else 'pm'}"


def offer(plan: Plan, rng: Draw) -> str:
    what = text_of(plan.offer.get("description"))
    if not what:
        return ""
    until = _when(plan.offer.get("valid_until"))[0] if plan.offer.get("valid_until") else ""
    code = text_of(plan.offer.get("code"))
    if code:
        bank = ("Use code {code} for {what}", "With code {code} you get {what}", "Enter code {code} to get {what}",
                "The code {code} gives you {what}")  # fmt: skip
        text = (rng.pick(bank) or "").format(code=code, what=low(what))
    else:
        text = (rng.pick(("Enjoy {what}", "You get {what}", "We are offering {what}")) or "").format(what=low(what))
    return sentence(f"{text}, until {until}" if until else text)


def event(plan: Plan, rng: Draw) -> str:
    name = text_of(plan.event.get("name"))
    if not name:
        return ""
    day, time = _when(plan.event.get("starts_at"))
    place = text_of(plan.event.get("place"))
    when = f"on {day}" + (f" at {time}" if time else "")
    where = f", at {place}" if place else ""
    lead = rng.pick(("Join us for the {lname} {when}{where}.", "Mark your calendar: the {lname} is {when}{where}."))
    return (lead or "").format(lname=low(name), when=when, where=where)


def _price(product: dict[str, Any]) -> str:
    note = text_of(product.get("price_note"))
    amount = product.get("price")
    if note or not isinstance(amount, int | float) or isinstance(amount, bool):
        return note if re.search(r"\d", note) else ""  # "per month" alone is no price
    money = f"{amount:,.2f}".removesuffix(".00")
    currency = text_of(product.get("currency")) or "USD"
    return f"${money}" if currency == "USD" else f"{money} {currency}"


def product_line(product: dict[str, Any], rng: Draw, item: bool) -> str:
    """A product of the profile with its price and description, as the profile spells them (its
    name opens the sentence, so a capitalised name never sits mid-sentence)."""
    name, price, about = text_of(product.get("name")), _price(product), text_of(product.get("description"))
    if item:
        return f"{name}" + (f" ({price})" if price else "") + (f": {low(about).rstrip('.')}" if about else "")
    # A short draft: the name and price as a line of its own ("Furnace tune-up: $129."), a
    # paragraph rather than an item: after the key points a second list reads as a stray price list.
    if not price:
        return ""
    return f"{name}: {price}."


_USP_LEADS = (
    "One thing we are proud of: {usp}.",
    "You can count on this: {usp}.",
    "Here is what sets {name} apart: {usp}.",
)


def usp_line(plan: Plan, usp: str, rng: Draw) -> str:
    """A selling point worked into a sentence (on its own it reads as a tagline dropped in); ""
    when every lead has been used in this draft."""
    lead = rng.pick(_USP_LEADS)
    return lead.format(usp=low(usp).rstrip("."), name=plan.facts.name or "us") if lead else ""


def _words(text: str) -> set[str]:
    """The longer words of a text (six letters or more: "sourdough", "furnace"), singular."""
    return {w.lower().rstrip("s") for w in re.findall(r"[A-Za-z]{6,}", text)}


def related_facts(plan: Plan, everything: bool) -> list[tuple[str, Any]]:
    """The profile's products and selling points that share words with the topic and key points
    (the most first), then, when the draft is long-form, the others:
    a short draft stays on its topic rather than listing the profile."""
    about = _words(" ".join([plan.topic, *plan.points]))
    found: list[tuple[str, Any]] = [("product", p) for p in plan.facts.products]
    found += [("usp", u) for u in plan.facts.usps]

    def overlap(item: tuple[str, Any]) -> int:
        kind, value = item
        return len(_words(text_of(value.get("name")) if kind == "product" else str(value)) & about)

    points = [_words(p) for p in plan.points]

    def repeats(item: tuple[str, Any]) -> bool:
        words = _words(text_of(item[1].get("name")) if item[0] == "product" else str(item[1]))
        share = 1 if not plan.echo_points else max(1, -(-len(words) * 6 // 10))
        return any(len(words & p) >= share for p in points if words)

    found = [i for i in found if not repeats(i)]
    ranked = sorted(found, key=lambda item: -overlap(item))
    if plan.widen and plan.purpose != "review_request":  # a rewrite asked for more: facts, never filler
        return ranked
    if plan.purpose == "review_request" or (
        plan.purpose in ("announcement", "newsletter", "welcome") and not everything
    ):
        return []  # the brief's items are the message (a welcome sells nothing); a short draft adds nothing
    if everything:
        return ranked
    related = [i for i in ranked if overlap(i)]
    return related  # a welcome or a promotion stays on its own message: no product list of its own


def required_lines(plan: Plan, written: str, rng: Draw) -> list[str]:
    """What the brief's must_include asks that the draft does not say yet: a term in a fact that
    holds it (a selling point, a product), else asked about plainly; an element the brief names
    (must_write `element`): contact details as the profile gives them, nothing for what aicrm adds
    itself or the draft always carries (its name, its call to action)."""
    out = []
    for term, element in plan.required:
        if element is None:
            if term.lower() in written.lower():
                continue
            usp = next((u for u in plan.facts.usps if term.lower() in u.lower()), None)
            product = next((p for p in plan.facts.products if term.lower() in text_of(p.get("name")).lower()), None)
            if usp:
                out.append(usp_line(plan, usp, rng) or sentence(usp))
            elif product and product_line(product, rng, False):
                out.append(product_line(product, rng, False))
            else:
                out.append(sentence(f"Ask us about {term}"))
        elif element == "business_name" and plan.facts.name and plan.facts.name.lower() not in written.lower():
            out.append(
                f"\u2014 The {plan.facts.name} team" if plan.channel == "social" else f"Yours, {plan.facts.name}."
            )
        elif element == "contact_info" and element not in plan.system_parts:
            how = plan.facts.phone and f"call us at {plan.facts.phone}"
            how = how or (plan.facts.email and f"email us at {plan.facts.email}")
            if how and how.split(" at ", 1)[1] not in written:
                out.append(sentence(f"Questions? {cap(how)}"))
        written += " " + " ".join(out)
    return out


def call_to_action(plan: Plan, rng: Draw) -> str:
    """The brief's call to action with its link, else one the purpose suggests; a written-out link."""
    link = plan.review_link if plan.purpose == "review_request" and plan.review_link else plan.link
    if plan.cta:
        return sentence(f"{plan.cta.rstrip('.!')}: {link}" if link else plan.cta) + (
            f" Or call us at {plan.facts.phone}." if not link and plan.facts.phone else ""
        )
    if plan.purpose == "review_request" and link:
        return (rng.pick(("Leave us a review at {link}.", "Leave a short review at {link}.")) or "").format(link=link)
    if link:
        bank = {
            "event": ("Save your spot at {link}.", "RSVP at {link}.", "Sign up at {link}."),
            "welcome": ("Get started at {link}.", "Start here: {link}.", "Take the first step at {link}."),
        }
        others = ("Find out more at {link}.", "Visit {link} for the details.", "See the details at {link}.",
                  "Everything you need is at {link}.")  # fmt: skip
        lead = rng.pick(bank.get(plan.purpose, others))
        return (lead or "{link}").format(link=link)
    if plan.facts.phone:
        return f"Call us at {plan.facts.phone}."
    return f"Email us at {plan.facts.email}." if plan.facts.email else ""


def sign_off(plan: Plan, rng: Draw) -> str:
    """An email's sign-off: a brand phrase that closes ("see you at the counter"), else a plain one."""
    closing = [p for p in plan.phrases if re.match(r"(see you|until|talk soon)", p, re.IGNORECASE)]
    valediction = rng.rng.choice((*_SIGN_OFFS, *(cap(c) for c in closing[:1])))
    name = plan.facts.name or "whole"
    return f"{valediction},\n{'' if name.startswith('The ') else 'The '}{name} team"


def phrase_line(plan: Plan) -> str:
    """A brand phrase the draft must use, as a sentence: a short one ("gentle care") said as the
    brand's own words, never standing alone as a tagline."""
    phrase = (plan.use_phrase or "").strip().rstrip(".!")
    if len(phrase.split()) >= 5:
        return sentence(phrase)
    return f"As we like to say at {plan.facts.name or 'our place'}: {low(phrase)}."


def described(plan: Plan) -> str:
    """The profile's description; one that opens as a noun phrase ("A family bakery ...") gets the
    business as its subject."""
    text = plan.facts.description
    if re.match(r"An? ", text) and plan.facts.name:  # the opener may have led with the name: not again
        return f"At {plan.facts.name}, we are {low(text)}"
    return text


_EXTRA = {"email": 2, "social": 1, "sms": 0, "blog": 12, "web": 5}  # the facts added by default


def blocks_of(plan: Plan) -> list[Block]:
    """The draft's blocks in reading order: greeting, the topic, the key points (as items), the
    offer and the event, facts that bear on the topic, the call to action, the sign-off."""
    rng = Draw(plan.rng)
    out: list[Block] = []
    long_form = plan.channel in ("blog", "web")
    if long_form:
        out.append(Block(cap(plan.topic.rstrip(".")), "title"))
    first = opening(plan, rng)
    if plan.channel == "email" and "first_name" in plan.merge_tags:
        out.append(Block(rng.rng.choice(_GREETINGS), "greeting"))
    if not (long_form and first == cap(plan.topic.rstrip("."))):
        out.append(Block(first, "para", 0, 1))
    if plan.purpose == "review_request" and plan.facts.name:
        out.append(Block(f"Thank you for choosing {plan.facts.name}: we would love to hear how it went.", "para", 0, 1))
    if plan.sms and len(plan.points) > 1:  # one sentence: "Rye is back on Tuesdays; meet Ana, our new baker."
        joined = "; ".join([plan.points[0].rstrip("."), *(low(p).rstrip(".") for p in plan.points[1:])])
        out.append(Block(sentence(joined), "para", 0, 2))
    elif plan.sms:
        out += [Block(sentence(p), "para", 0, 2) for p in plan.points]
    else:
        out += [Block(cap(p).rstrip("."), "item", 0, 2) for p in plan.points]
    said = (event(plan, rng), offer(plan, rng)) if plan.sms else (offer(plan, rng), event(plan, rng))
    if plan.sms:  # one line: what and when first, then the points
        at = next((i for i, b in enumerate(out) if b.section == 2), len(out))
        out[at:at] = [Block(t, "para", 0, 3) for t in said if t]
    else:
        out += [Block(t, "para", 0, 3) for t in said if t]
    extra = _EXTRA.get(plan.channel, 1) + plan.extra_facts - 1
    listed = related_facts(plan, long_form)[: max(extra, 0)]
    if long_form and (plan.facts.description or listed):  # the heading names the business, with or without
        out.append(Block("About " + (plan.facts.name or "us"), "heading", 1, 4))  # its description
        if plan.facts.description:
            out.append(Block(described(plan), "para", 1, 4))
    for n, (what, value) in enumerate(listed):
        if what == "product":  # an item of the long form's list; a sentence of its own in a short draft
            out.append(Block(product_line(value, rng, long_form), "item" if long_form else "para", 1 + n, 5))
        else:
            text = cap(value).rstrip(".") if long_form else usp_line(plan, value, rng)
            out.append(Block(text, "item" if long_form else "para", 1 + n, 5 if long_form else 6))
    written = " ".join(b.text for b in out)
    out += [Block(line, "para", 0, 6) for line in required_lines(plan, written, rng)]
    if plan.use_phrase:
        out.append(Block(phrase_line(plan), "line", 0, 7))
    cta = call_to_action(plan, rng)
    if cta:
        out.append(Block(cta, "para" if plan.sms else "line", 0 if plan.cta_required or plan.link else 1, 8))
    if plan.channel == "social" and plan.hashtags:
        out.append(Block(" ".join(plan.hashtags[:5]), "tags", 2, 9))
    if plan.channel == "email":
        out.append(Block(sign_off(plan, rng), "signoff", 0, 10))
    return [b for b in out if b.text]
