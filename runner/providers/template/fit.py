"""The draft fitted to the brief's bounds (`limits`, less what aicrm adds: Plan.char_bound): what a
rewrite's edits or the brief's forbidden words rule out goes first, then the optional blocks from
the last added back, and for an SMS the opening gives way to the key points. Rendering (render)
lays the blocks out in the task's format: text, Markdown or HTML; an SMS is one line, opening with
the business's name when the text does not say it."""

from __future__ import annotations

import re
from dataclasses import replace

from runner.providers.template.fill import Block, cap
from runner.providers.template.plan import Plan

_URL = re.compile(r"https?://\S+[^\s.,;:!?)]")


def _contains(text: str, phrase: str) -> bool:
    return bool(phrase) and re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None


def without(blocks: list[Block], phrases: list[str], keep_required: bool) -> list[Block]:
    """The blocks less every sentence that holds one of the phrases (a line: the whole line); a
    required block (rank 0) stays when keep_required, the brief's own words outranking a word list."""
    out = []
    for b in blocks:
        hits = [p for p in phrases if _contains(b.text, p)]
        if not hits or (keep_required and b.rank == 0):
            out.append(b)
            continue
        if b.kind == "para":
            kept = [s for s in re.split(r"(?<=[.!?])\s+", b.text) if not any(_contains(s, p) for p in hits)]
            if kept:
                out.append(replace(b, text=" ".join(kept)))
    return out


def _html_line(text: str) -> str:
    return _URL.sub(lambda m: f'<a href="{m.group()}">{m.group()}</a>', text.replace("<", "&lt;").replace(">", "&gt;"))


def render(blocks: list[Block], plan: Plan) -> str:
    if plan.sms:  # one line, and it says who it is from (a text nobody signed reads as spam)
        text = " ".join(b.text for b in blocks)
        name = plan.facts.name
        return f"{name}: {text}" if name and name.lower() not in text.lower() else text
    out: list[str] = []
    items: list[str] = []
    para: list[str] = []
    fmt = plan.fmt

    def flush() -> None:
        if para:
            out.append(f"<p>{_html_line(' '.join(para))}</p>" if fmt == "html" else " ".join(para))
            para.clear()
        if items:
            if fmt == "html":
                out.append("<ul>\n" + "\n".join(f"<li>{_html_line(i)}</li>" for i in items) + "\n</ul>")
            else:
                out.append("\n".join(f"- {i}" for i in items))
            items.clear()

    last_section = None
    for b in blocks:
        if b.kind == "item":
            if para or (items and b.section != last_section):  # the key points and the facts: two lists
                flush()
            last_section = b.section
            items.append(b.text)
            continue
        if items or (para and (b.kind != "para" or b.section != last_section or len(para) >= plan.paragraph_sentences)):
            flush()
        last_section = b.section
        if b.kind == "para":
            para.append(b.text)
        elif fmt == "html":
            tag = {"title": "h1", "heading": "h2"}.get(b.kind, "p")
            out.append(f"<{tag}>{_html_line(b.text).replace(chr(10), '<br>' + chr(10))}</{tag}>")
        elif fmt == "markdown" and b.kind in ("title", "heading"):
            out.append(("# " if b.kind == "title" else "## ") + b.text)
        else:
            out.append(b.text)
    flush()
    return "\n\n".join(out)


def words(text: str) -> int:
    return len(re.sub(r"<[^>]+>", " ", text).split())


def _fits(blocks: list[Block], plan: Plan) -> bool:
    text = render(blocks, plan)
    bound = plan.char_bound()
    return words(text) <= plan.word_bounds()[1] and (bound is None or len(text) <= bound)


def _shorter_sms(blocks: list[Block], plan: Plan) -> list[Block]:
    """An SMS over its characters: the call to action keeps its words and link only, the opening
    becomes the bare topic, then gives way to the key points (they carry the message)."""
    link = plan.review_link if plan.purpose == "review_request" and plan.review_link else plan.link
    if link:
        label = {"review_request": "Leave a review", "event": "RSVP"}.get(plan.purpose, "More")
        short = f"{cap(plan.cta.rstrip('.!')) if plan.cta else label}: {link}"
        blocks = [replace(b, text=short) if b.section == 8 else b for b in blocks]
    opening = next((b for b in blocks if b.section == 1), None)
    if _fits(blocks, plan) or opening is None or not plan.topic:
        return blocks
    topic = cap(plan.topic.rstrip(".!?"))
    point = next((b for b in blocks if b.section == 2), None)
    said = any(b.section == 3 for b in blocks)  # the offer or the event says what it is about
    if point is not None and not said and not plan.topic.endswith("?"):
        # "Our new Sunday hours: from January 10 we open Sundays 8 am to 2 pm."
        joined = replace(point, text=f"{topic}: {point.text[:1].lower() + point.text[1:]}")
        blocks = [joined if b is point else b for b in blocks if b is not opening]
        return blocks if _fits(blocks, plan) else [point if b is joined else b for b in blocks]
    bare = replace(opening, text=topic + ("?" if plan.topic.endswith("?") else "."))
    blocks = [bare if b is opening else b for b in blocks]
    if _fits(blocks, plan) or not (point is not None or said):
        return blocks
    return [b for b in blocks if b is not bare]


def fit(blocks: list[Block], plan: Plan) -> list[Block]:
    """The blocks within the bounds: the edits' removals and the forbidden words first, then the
    optional blocks dropped from the least important (highest rank, last written) while too long."""
    blocks = without(blocks, plan.removed, keep_required=False)
    blocks = without(blocks, plan.banned, keep_required=True)
    while not _fits(blocks, plan):
        optional = [b for b in blocks if b.rank > 0]
        if not optional:
            break
        worst = max(optional, key=lambda b: (b.rank, blocks.index(b)))
        blocks = [b for b in blocks if b is not worst]
    if plan.sms and not _fits(blocks, plan):
        blocks = _shorter_sms(blocks, plan)
    return blocks
