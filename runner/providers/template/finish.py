"""The finishing step: an email's subject within the brief's subject bounds, the merge tags kept to
the brief's own list (`merge_tags.tags`), and the last reread against the brief's own lists: no
forbidden word of the brief's, no tag it does not list, every key point there. What the reread
finds goes into the draft's meta rather than being hidden."""

from __future__ import annotations

import random
import re
from typing import Any

from runner.providers.template.fill import cap
from runner.providers.template.plan import Plan

_TAG = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def subject(plan: Plan, rng: random.Random) -> str | None:
    """The topic as the subject, with the business's name when it fits, within the bounds."""
    bounds = plan.limits.get("subject") or {}
    if plan.channel != "email" or not bounds:
        return None
    low, high = int(bounds.get("min_characters") or 1), int(bounds.get("max_characters") or 10**3)
    topic, name = cap(plan.topic.rstrip(".!")), plan.facts.name
    offered = [f"{name}: {topic}"] if name and name.lower() not in topic.lower() else []
    plain = not topic.endswith("?") and not re.match(r"(how|what|why|when|where|who)\b", topic, re.IGNORECASE)
    plain = plain and not re.search(r"\b(we|you|is|are|has|have)\b", topic, re.IGNORECASE)  # "We have missed you"
    offered += [f"{topic} at {name}"] if offered and plain else []
    rng.shuffle(offered)
    for text in (*offered, topic, f"News from {name}" if name else ""):
        if low <= len(text) <= high:
            return text
    cut = topic[:high].rsplit(" ", 1)[0].rstrip(",;:-") if len(topic) > high else topic
    return cut if len(cut) >= low else f"{cut} from {name or 'us'}"[:high]


def keep_tags(text: str, plan: Plan) -> str:
    """The brief's merge tags stay; any other {{...}} is dropped (a filled-in template's leftovers)."""
    return _TAG.sub(lambda m: m.group(0) if m.group(1) in plan.merge_tags else "", text)


def reread(text: str, plan: Plan) -> dict[str, Any]:
    """What the last reread found, against the brief's lists: key points not written as given (a
    person's removal can take one out) and forbidden words written (a key point can hold one)."""
    flat = " ".join(text.split()).lower()
    missing = [p for p in plan.points if " ".join(p.split()).lower().rstrip(".") not in flat]
    written = [w for w in plan.banned if w and re.search(rf"(?<!\w){re.escape(w.lower())}(?!\w)", flat)]
    return {k: v for k, v in (("points_not_written", missing), ("forbidden_written", written)) if v}
