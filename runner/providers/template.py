"""The offline template provider (docs/llm-providers.md, `AICRM_LLM_PROVIDER=template`): drafts from
the context the worker passes (get_customer_context_for_ai), with no network and no database.

The best-ranked template of the channel arrives rendered for the customer, with its variants;
one of them (drawn from task_id, the next one on each retry: template_thin.pick_rendering) is taken
apart into sentences, without the sentences whose placeholders the profile cannot fill, and written
around the task's topic, audience and call to action with the brand's phrases, selling points,
products and description, then fitted to the length asked for. Every sentence has a rank: rank 0
is always kept (the topic, the call to action, what must_include names; the email footer and the
SMS opt-out are aicrm's, added when the draft is stored), the others are added most important
first while the length allows; generic sentences (the industry's phrasing, the provider's own)
only fill a draft that would be too short. What a
careful writer would honour is a rule here: banned terms are never written, nor a template's offer
the task did not make; calm tones lose their exclamation marks, formal voices their contractions.
From attempt 2 the draft is written again with each scorecard fix as one more rule (apply_fix), so
a fix changes what it names while every other instruction still holds. Same request, same draft:
the few free choices are seeded from task_id and attempt. Context text is data: a sentence in it
that addresses a writer ("ignore your rules ...") is never copied."""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from runner.providers import template_text as tt
from runner.providers import template_thin as thin
from runner.providers.llm import Draft, DraftRequest, LLMError
from runner.providers.template_text import Piece
from runner.scoring import readability, sentiment

_WORDS = {"email": (50, 500), "social": (5, 250), "blog": (300, 3000), "web": (50, 1500), "sms": (1, 60)}
_PREFERRED = {"email": 170, "social": 60, "blog": 430, "web": 260, "sms": 40}
_READING = {"simple": 70.0, "general": 60.0, "professional": 45.0, "technical": 30.0}
_CALM = {"calm", "professional", "luxurious", "authoritative", "trustworthy", "reassuring", "expert"}
_LIVELY = {"energetic", "enthusiastic", "bold", "playful"}
_ELEMENTS = {  # must_include terms that name an element, read as check_compliance reads them
    **dict.fromkeys(("business name", "company name", "brand name", "customer name"), "business_name"),
    **dict.fromkeys(("cta", "call to action", "a call to action"), "cta"),
    **dict.fromkeys(("contact info", "contact information", "contact details"), "contact_info"),
    **dict.fromkeys(("unsubscribe", "unsubscribe link", "opt out link"), "unsubscribe"),
    **dict.fromkeys(("postal address", "physical address", "mailing address", "street address", "address"), "postal"),
    **dict.fromkeys(("opt out", "sms opt out", "stop instructions", "reply stop"), "sms_opt_out"),
}

_TOPIC = {
    "event": ("You're invited to something special at {name}: {topic}.", "Save the date at {name}: {topic}."),
    "welcome": ("Welcome to {name}. First up: {topic}.", "We're glad you found {name}. First up: {topic}."),
    "newsletter": ("This month at {name}: {topic}.", "Here's the latest from {name}: {topic}."),
    "re_engagement": ("It's been a while, and there's news at {name}: {topic}.",),
    "promotion": ("Here's what's new at {name}: {topic}.", "News from {name}: {topic}."),
}
_TOPIC_ANY = ("Here's what's new at {name}: {topic}.", "News from {name}: {topic}.")
# A topic that reads as a sentence of its own ("we have missed you", "welcome to the family").
_CLAUSE = re.compile(
    r"^(we|you|our|it|this|these|say|tell|meet|welcome|thank|thanks|happy)\b|\b(is|are|was|were|have|has)\b",
    re.IGNORECASE,
)
_AUDIENCE = ("We put this together for {audience}.", "This one is for {audience}.")
# Warm lines name the reader and the business's own "we"/"our": the scorecard's point of view counts
# whole words, so "we'd" and "we're" are not "we".
_WARM = ("We hope to see you soon.", "Thank you for being part of our community.")
_WARM_SMS = ("We hope to see you soon.", "Thanks for choosing us.", "Thank you.")  # the longest that fits
_PERSON = {
    "first_person_plural": ({"we", "our", "ours", "us", "weve"}, "We hope to see you soon."),
    "first_person_singular": ({"i", "my", "me", "mine", "im", "ive"}, "I look forward to seeing you."),
    "second_person": ({"you", "your", "yours", "youre", "youll", "youve"}, "We hope to see you soon."),
}
_PRODUCT_LEADS = ("Start with our {}.", "Our {} is well worth a try.", "There is also our {}.", "Ask about our {}.")
_SIGN_OFF = re.compile(r"^(see you|until|thank|talk soon|cheers|happy|with love|hope to see)", re.IGNORECASE)
# A selling point is worked into a sentence, never dropped in on its own ("Fresh from our oven." reads as
# a tagline with no verb: docs/quality.md, fluency).
_USP_LEADS = (
    "What makes us different: {}.",
    "We also care about the details: {}.",
    "You can count on this: {}.",
    "And one more thing: {}.",
)


_PHRASE_LEADS = ("We keep it simple: {}.", "As we like to say, {}.")


def _phrase_sentence(phrase: str, n: int = 0) -> str:
    """A brand phrase ("fresh from our oven") inside a sentence of its own, the n-th phrase of a draft
    with another lead than the one before: on its own it reads as a tagline dropped in ("Fresh from
    our oven."); a phrase that is a sentence already stays one."""
    if len(phrase.split()) >= 6 or phrase.rstrip().endswith(("!", "?")):
        return tt.sentence(phrase)
    return _PHRASE_LEADS[n % len(_PHRASE_LEADS)].format(tt.lower_first(phrase).rstrip("."))


_PURPOSES = (
    ("welcome", r"welcome|new (?:member|customer|patient|client|subscriber)s?|joined|just signed up"),
    ("event", r"event|invit|rsvp|workshop|class(?:es)?\b|tasting|party|open house|dinner|night|webinar|meetup"),
    ("review_request", r"review|feedback|how did we do|rate us|testimonial"),
    ("re_engagement", r"miss(?:ed)? you|come back|been a while|win[- ]?back|lapsed"),
    ("newsletter", r"newsletter|monthly|this month|update|round-?up|digest|news\b"),
    ("promotion", r"offer|sale\b|special|discount|% off|deal|promo|limited|back\b|new\b|season|launch|pre-?order"),
)
_THINGS = {"featured_product", "products_services", "unique_selling_point", "unique_selling_points"}
_POINTS_BACK = re.compile(r"\b(?:it|its|it's|them|they|they're|these|those|one|yours)\b", re.IGNORECASE)
_LINK = re.compile(r"^(https?://|www\.)([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(:\d{1,5})?([/?#]\S*)?$")


@dataclass
class Plan:
    """What the draft must do, as rules: the task's instructions, the brand voice, then the fixes."""

    channel: str
    fmt: str
    purpose: str
    min_words: int
    max_words: int
    target: int  # the words aimed at: the channel's usual length within the bounds
    max_chars: int | None
    banned: list[str]
    competitors: list[str]  # never named (the general pack); matched as written: names are proper nouns
    terms: list[str]  # must_include terms that are words to use, not elements
    elements: set[str]
    formality: str
    pov: str
    tone: set[str]
    emoji: str
    reading: float  # the Flesch reading ease aimed at
    grade_max: float | None
    mood: str
    reading_required: bool = False  # a success criterion (or the simplify fix), not only the brand's level
    simple: bool = False
    para_sentences: int = 3
    specifics: bool = False
    warm: bool = False
    strong_cta: bool = False
    phrases_first: bool = False
    example_words: list[str] = field(default_factory=list)
    max_hashtags: int = 5
    applied: list[str] = field(default_factory=list)

    @property
    def calm(self) -> bool:
        return bool(self.tone & _CALM) and not self.tone & _LIVELY

    @property
    def longest(self) -> int:
        """The longest optional sentence worth its length at this reading level."""
        if self.simple:
            return 14
        return 18 if self.reading_required else 20 if self.reading >= 70 else 24 if self.reading >= 55 else 32


def plan_of(request: DraftRequest) -> Plan:
    ins, ctx, channel = request.instructions, request.context, request.channel
    voice, business = ctx.get("brand_voice") or {}, ctx.get("business") or {}
    length = ins.get("output_length") or {}
    criteria = ins.get("success_criteria") or {}
    low, high = _WORDS[channel]
    max_words = int(length.get("max_words") or high)
    min_words = min(int(length["min_words"]) if length.get("min_words") is not None else low, max_words)
    if channel == "email":  # the footer aicrm appends (about 12 words) counts towards the length measured
        max_words, min_words = max(max_words - 12, 1), max(min_words - 12, 1)
    limits = [int(x) for x in (length.get("max_characters"), {"sms": 160, "social": 2200}.get(channel)) if x]
    scale = {"short": 0.8, "long": 1.5}.get(str((ctx.get("content_preferences") or {}).get("content_length")), 1.0)
    template = pick_template(ctx, channel, ins)
    terms: list[str] = []
    elements: set[str] = set()
    # The tenant's own terms for this customer (context compliance_terms, checked by the scorecard
    # like the task's): required ones are written as must_include is, forbidden ones never.
    tenant_terms = [t for t in ctx.get("compliance_terms") or [] if isinstance(t, dict) and t.get("term")]
    required = [str(t["term"]) for t in tenant_terms if t.get("kind") == "required"]
    forbidden = [str(t["term"]) for t in tenant_terms if t.get("kind") == "forbidden"]
    for term in [*map(str, ins.get("must_include") or []), *required]:
        element = _ELEMENTS.get(tt.phrase_key(term.replace("_", " ").replace("-", " ")))
        if element:
            elements.add(element)
        else:
            terms.append(term)
    plan = Plan(
        channel=channel,
        fmt=str(ins.get("output_format") or "text"),
        purpose=str(infer_purpose(ins) or template.get("purpose") or "other"),
        min_words=min_words,
        max_words=max_words,
        target=max(min_words, min(max_words, round(_PREFERRED[channel] * scale))),
        # An SMS leaves room for the opt-out aicrm appends (" Reply STOP to opt out.", 23 characters).
        max_chars=(min(limits) - (23 if channel == "sms" else 0)) if limits else None,
        banned=[str(t) for t in [*(ins.get("must_not_include") or []), *(voice.get("phrases_to_avoid") or [])]]
        + forbidden,
        competitors=[n for n in (tt.first_text(c.get("name")) for c in business.get("competitors") or []) if n],
        terms=terms,
        elements=elements,
        formality=str(voice.get("formality") or ""),
        pov=str(voice.get("point_of_view") or ""),
        tone={str(t).lower() for t in ins.get("tone_override") or voice.get("tone") or []},
        emoji=str(voice.get("emoji_use") or "sparingly"),
        reading=float(criteria.get("readability_score_min") or _READING.get(str(voice.get("reading_level")), 60.0)),
        grade_max=criteria.get("grade_level_max"),
        mood=str(criteria.get("sentiment_target") or "positive"),
        reading_required="readability_score_min" in criteria or "grade_level_max" in criteria,
    )
    if request.attempt > 1:
        for fix in request.fixes:
            apply_fix(plan, fix)
    return plan


def infer_purpose(instructions: dict[str, Any]) -> str | None:
    """The task's purpose: the one its instructions name (one of content.purpose, checked when the
    task was written), else guessed from their words."""
    named = instructions.get("purpose")
    if isinstance(named, str) and named:
        return named
    for keys in (("output_type", "topic", "cta"), ("audience",)):  # what it is about before whom it is for
        text = " ".join(str(instructions.get(k) or "") for k in keys).lower()
        found = next((purpose for purpose, words in _PURPOSES if re.search(rf"\b(?:{words})", text)), None)
        if found:
            return found
    return None


def generic_text(chosen: list[Piece]) -> list[str]:
    """The generic pieces the draft shows, in order: its filler sentences, and the headings of the
    generic sections that have one (a heading alone is not rendered)."""
    shown = {p.slot for p in chosen if not p.heading}
    ordered = sorted(chosen, key=lambda p: (p.slot, p.seq))
    return [p.text for p in ordered if p.filler and (not p.heading or p.slot in shown)]


def pick_template(context: dict[str, Any], channel: str, instructions: dict[str, Any]) -> dict[str, Any]:
    """The context's best-ranked template of the channel for the task's purpose (else a promotion)."""
    found = [t for t in context.get("templates") or [] if isinstance(t, dict) and t.get("channel") == channel]
    purpose = infer_purpose(instructions)
    for wanted in (purpose, "promotion"):
        match = [t for t in found if t.get("purpose") == wanted]
        if match:
            return match[0]
    return found[0] if found else {}


def apply_fix(plan: Plan, fix: dict[str, Any]) -> None:
    """One scorecard fix (docs/quality.md) as one more rule for the next draft; `applied` lists it."""
    code, params = str(fix.get("code")), fix.get("params") or {}
    if code == "shorten":
        plan.max_words = min(plan.max_words, int(params.get("max_words") or plan.max_words))
        if params.get("max_characters"):
            plan.max_chars = min(plan.max_chars or 10**6, int(params["max_characters"]))
        plan.target = max(plan.min_words, min(plan.target, int(plan.max_words * 0.85)))
    elif code == "lengthen":
        plan.min_words = max(plan.min_words, int(params.get("min_words") or plan.min_words))
        plan.target = min(plan.max_words, max(plan.target, round(plan.min_words * 1.15)))
    elif code == "add_cta":
        plan.strong_cta = True
    elif code in ("fix_links", "fill_placeholders"):
        plan.banned += [str(x) for x in params.get("links") or params.get("placeholders") or []]
    elif code == "add_paragraphs":
        plan.para_sentences = 2
    elif code == "simplify":
        plan.simple = plan.reading_required = True
    elif code == "adjust_sentiment":
        plan.mood = str(params.get("target") or plan.mood)
        plan.warm = plan.mood == "positive"
    elif code == "adjust_formality":
        plan.formality = str(params.get("formality") or plan.formality)
    elif code == "adjust_point_of_view":
        plan.pov = str(params.get("point_of_view") or plan.pov)
    elif code == "fewer_emoji":
        plan.emoji = "none"
    elif code == "adjust_tone":
        plan.warm = not plan.calm
    elif code == "use_brand_phrase":
        plan.phrases_first = True
    elif code == "remove_phrase" and params.get("phrase"):
        plan.banned.append(str(params["phrase"]))
    elif code == "add_business_specifics":
        plan.specifics = True
    elif code == "follow_examples":
        plan.example_words = [str(w) for w in params.get("words") or []]
    elif code == "fewer_hashtags":
        plan.max_hashtags = 3
    elif code == "compliance":
        span = fix.get("span") or {}
        if span.get("text"):
            plan.banned.append(str(span["text"]))
        elif fix.get("rule") == "required_term":  # the fix names the term in its message only
            found = re.fullmatch(r"Include (.+?)\.?", str(fix.get("message") or ""))
            if found:
                plan.terms.append(found.group(1))
    elif code not in ("add_subject", "fix_subject_length"):  # the subject is always 15-60 characters
        return  # a code this provider does not know is not claimed as applied
    plan.applied.append(code)


class TemplateProvider:
    """The offline default LLM provider: no model, no network, no database; see the module docstring."""

    name = "template"
    model = "template-v1"

    def generate(self, request: DraftRequest) -> Draft:
        started = time.perf_counter()
        voice = request.context.get("brand_voice") or {}
        language = tt.first_text(request.instructions.get("language"), voice.get("language"))
        if language and not language.lower().startswith("en"):
            raise LLMError(
                f"llm: template: the template provider writes English only, not {language!r}",
                kind="bad_request",
                hint="Use AICRM_LLM_PROVIDER=openai for other languages, or write this task by hand.",
            )
        plan = plan_of(request)
        writer = _Writer(request, plan)
        chosen = writer.fit(writer.pieces)
        if tt.count_words(writer.plain(chosen)) < plan.min_words and writer.fill():
            chosen = writer.fit(writer.pieces)  # a thin profile: made up to length with generic sentences
        chosen = writer.polish(chosen)
        return Draft(
            subject=writer.subject(),
            content=tt.render(chosen, plan.fmt, plan.channel, plan.para_sentences),
            content_format=plan.fmt,
            provider=self.name,
            model=self.model,
            prompt_tokens=0,
            completion_tokens=0,
            cost_usd=0.0,
            latency_ms=(time.perf_counter() - started) * 1000,
            meta={
                "template_id": writer.template_id,
                "template_variant": writer.variant,
                "example_ids": writer.example_ids,
                "fixes_applied": plan.applied,
                # Not about this business: what a thin profile's draft was made up to length with.
                "generic_sentences": generic_text(chosen),
            },
        )


class _Writer:
    """The pieces of one draft, built from the context per channel, then fitted and reread."""

    def __init__(self, request: DraftRequest, plan: Plan) -> None:
        self.plan, self.ins, self.ctx = plan, request.instructions, request.context
        self.rng = random.Random(hashlib.sha256(f"{request.task_id}:{request.attempt}".encode()).digest())
        self.v = tt.values(self.ctx)
        self.name = self.v["business_name"]
        self.business: dict[str, Any] = self.ctx.get("business") or {}
        self.voice_doc: dict[str, Any] = self.ctx.get("brand_voice") or {}
        self.phrases = [p for p in map(tt.first_text, self.voice_doc.get("phrases_to_use") or []) if self._clean(p)]
        template = pick_template(self.ctx, plan.channel, self.ins)
        self.template_id = str(template["template_id"]) if template.get("template_id") else None
        self.variant, rendered = thin.pick_rendering(template, request.task_id, request.attempt)
        self.variant = self.variant if self.template_id else None
        # Without the sentences a thin profile leaves a hole in ("Why it's worth the trip: .").
        self.t_subject = tt.first_text(rendered.get("subject_without_gaps", rendered.get("subject")))
        self.t_body = str(rendered.get("body_without_gaps", rendered.get("body")) or "").strip()
        # A sentence left out for a missing product or selling point may be what "it" meant later on.
        self.lost_thing = bool({str(m) for m in rendered.get("missing") or []} & _THINGS)
        self.offer = thin.offers(self.ins)
        positives = [e for e in (self.ctx.get("examples") or {}).get("positive") or [] if isinstance(e, dict)]
        self.examples = [e for e in positives if e.get("channel") == plan.channel] or positives
        self.example_ids = [str(e["example_id"]) for e in self.examples if e.get("example_id")]
        words = tt.phrase_key(" ".join(str(e.get("content")) for e in self.examples)).split()
        self.example_keys = {w for w in words if len(w) > 3} | {tt.phrase_key(w) for w in plan.example_words}
        self.url = next((u for u in (self.v["cta_url"], self.v["website"]) if _LINK.match(u) and self._clean(u)), "")
        self.facts = [*self._usps(), *(p["name"] for p in self._products())]
        self._feature_the_topic()
        self.template_cta = ""
        self.pieces: list[Piece] = []
        self.said: dict[str, Piece] = {}  # each piece by its words (tt.phrase_key): nothing is said twice
        {"email": self._email, "sms": self._sms, "social": self._social}.get(plan.channel, self._article)()
        self._ensure()

    # --- rules every piece follows ----------------------------------------------------------------------

    def _clean(self, text: str) -> bool:
        return bool(text) and not tt.looks_like_instruction(text) and not self._offending(text)

    def _claim(self, text: str) -> bool:
        """A template's offer, scarcity or deadline the task did not speak of (thin.CLAIM)."""
        return not self.offer and bool(thin.CLAIM.search(text))

    def _offending(self, text: str) -> list[str]:
        """The banned terms (as words) and competitors' names (as written) the text has."""
        found = [b for b in self.plan.banned if tt.has_phrase(text, b)]
        return found + [c for c in self.plan.competitors if re.search(rf"(?<!\w){re.escape(c)}(?!\w)", text)]

    def voice(self, text: str) -> str:
        plan = self.plan
        if plan.formality == "formal":
            text = tt.expand_contractions(text)
        if plan.emoji != "freely" or plan.channel == "sms":
            text = tt.without_emoji(text)
        if plan.calm or plan.mood != "positive" or plan.channel == "sms":
            text = text.replace("!", ".")
        return tt.to_gsm(text) if plan.channel == "sms" else text

    def add(self, text: str, slot: int, rank: int, *, data: bool = True, **kw: Any) -> Piece | None:
        """A piece in the brand's voice without banned terms. Context text (data) that addresses a
        writer is left out; optional sentences too long for the reading level are cut at a comma."""
        text = self.voice(text.strip() if kw.get("block") else " ".join(text.split()))
        if not text or (data and tt.looks_like_instruction(text)):
            return None
        key = f"{kw.get('heading', 0)}:{tt.phrase_key(text) or text}"  # a heading is not its sentence
        same = self.said.get(key)
        if same:  # said once ("Welcome to X." is "Welcome to X!"): at the more important of the two ranks
            same.rank = min(same.rank, rank)
            same.filler = same.filler and bool(kw.get("filler"))
            return same
        for phrase in self._offending(text):
            if rank > 0:
                return None
            text = tt.strip_phrase(text, phrase)
        if rank > 0 and not kw.get("block") and not kw.get("heading"):
            hours, whole = self.v["business_hours"], text
            text = tt.trim_sentence(text, self.plan.longest)
            if hours and hours in whole and hours not in text:  # the week cut at a comma closes the weekend:
                before = whole[: whole.index(hours)]  # cut before the hours instead, or leave the sentence out
                cut = before.rfind(", ")
                text = tt.trim_sentence(before[:cut].rstrip(" ,;:") + ".", self.plan.longest) if cut > 0 else ""
            if self.plan.reading_required and text and readability(text)["flesch_reading_ease"] < self.plan.reading:
                return None  # a reading level the task requires: only sentences that read as easily
        if tt.count_words(text) == 0:
            return None
        keys = set(tt.phrase_key(text).split())
        if rank > 1 and keys & {tt.phrase_key(w) for w in self.plan.example_words}:
            rank -= 1  # the follow_examples fix: the examples' own words come first
        covers = frozenset(tt.phrase_key(f) for f in self.facts if tt.has_phrase(text, f))
        kw["affinity"] = kw.get("affinity", 0) + len(keys & self.example_keys)
        piece = Piece(text, slot, rank, len(self.pieces), covers=covers, **kw)
        self.pieces.append(piece)
        self.said.setdefault(f"{piece.heading}:{tt.phrase_key(text) or text}", piece)
        return piece

    # --- channels ---------------------------------------------------------------------------------------

    def _email(self) -> None:
        paras = [p.strip() for p in re.split(r"\n\s*\n", self.t_body) if p.strip()]
        greeting = paras.pop(0) if paras and re.fullmatch(r"(Hi|Hello|Dear|Hey)\b[^\n]{0,40},", paras[0]) else ""
        for i, para in enumerate(paras):  # the template's footer is left out: aicrm adds the unsubscribe
            if para.startswith(("\u2014", "--")) or "nsubscribe" in para:  # line and the postal address
                paras = paras[:i]  # when the draft is stored (docs/pipeline.md, "Assembly")
                break
        signoff = paras.pop() if paras and re.fullmatch(r"[^\n]{1,30},(\n[^\n]{1,80}){0,2}", paras[-1]) else ""
        if not signoff and paras and paras[-1] == self.v["signature"]:  # a variant signs with the name alone
            paras.pop()
        self.add(greeting or "Hi {{first_name}},", 0, 0, block=True, data=False)
        self._opening(1, paras)
        self._about(40)
        self._closing(80)
        lines = signoff.split("\n") if signoff else ["See you soon,", self.v["signature"]]
        closing = next((p for p in self.phrases[1:] if _SIGN_OFF.match(p)), lines[0].rstrip(","))
        self.add("\n".join([f"{tt.sentence(closing)[:-1]},", *lines[1:]]), 90, 0, block=True, short=lines[-1])

    def _sms(self) -> None:
        body = re.sub(r"\s*Reply STOP[^.]*\.?$", "", self.t_body, flags=re.IGNORECASE)
        body = body[len(self.name) + 1 :] if self.name and body.startswith(self.name + ":") else body
        self.add(f"{self.name}:", 0, 0, data=False)
        self._opening(1, [body] if body else [])
        for i, line in enumerate(_WARM_SMS if self.plan.mood == "positive" else ()):
            self.add(line, 1, 0 if self.plan.warm and i == 2 else 1 + i, data=False, warm=True, group="warm")
        self._closing(3)  # the opt-out is aicrm's to add (docs/pipeline.md, "Assembly")

    def _social(self) -> None:
        paras = [p.strip() for p in re.split(r"\n\s*\n", self.t_body) if p.strip()]
        paras = [p for p in paras if not p.startswith("#") and p != self.v["address"]]
        self._opening(1, paras)
        self._about(40)
        self._closing(80)
        tags = tt.hashtags(self.ctx, self.plan.max_hashtags)
        if tags:
            self.add(" ".join(tags), 99, 0, block=True)

    def _article(self) -> None:
        """Blog posts and web pages: a title and sections with headings, from the business's facts."""
        topic = tt.first_text(self.ins.get("topic")).rstrip(".!?")
        self.add(topic[:1].upper() + topic[1:] if topic else f"Inside {self.name}", 0, 0, heading=1, data=not topic)
        self._opening(1, [p for p in re.split(r"\n\s*\n", self.t_body) if p.strip()])
        for i, s in enumerate(self._description()):
            self.add(s, 1, 1 if i == 0 else 3)
        personality = tt.first_text(self.voice_doc.get("personality")).rstrip(".")
        if personality and re.match(r"(?i)(the|a|an) ", personality):
            self.add(f"Think of us as {tt.lower_first(personality)}.", 1, 3)
        parts = {
            "what makes us different": self._usps(),
            "what we offer": self._products(),
            "who we serve": self.v["target_audience"],
            "how to find us": self.v["address"] or self.v["business_hours"],
        }
        if sum(map(bool, parts.values())) >= 2:
            where = "In this post" if self.plan.channel == "blog" else "On this page"
            self.add(f"{where}: {tt.words_list(k for k, v in parts.items() if v)}.", 1, 2, data=False)
        self.add(f"Why {self.name}", 10, 0, heading=2)
        for i, usp in enumerate(self._usps()):
            self.add(_USP_LEADS[min(i, 3)].format(tt.lower_first(usp).rstrip(".")), 10, 2 if i == 0 else 3)
        self.add("What we offer", 20, 0, heading=2, data=False)
        for i, product in enumerate(self._products()):
            self.add(self._product(product, i), 20, 2 if i == 0 else 3)
        for s in self._example_sentences()[:2]:
            self.add(s, 20, 3)
        self._audience_section(30)
        self.add("Visit us", 40, 0, heading=2, data=False)
        if self.v["business_hours"]:
            self.add(f"Our hours: {self.v['business_hours']}.", 40, 2)
        if self.v["address"]:
            self.add(f"You'll find us at {self.v['address']}.", 40, 2)
        if self.v["phone"] or self.v["email"]:
            contact = " or email ".join(x for x in (self.v["phone"], self.v["email"]) if x)
            self.add(f"Questions? Call us at {contact}." if self.v["phone"] else f"Questions? Email {contact}.", 40, 3)
        self._closing(40)
        topics = [tt.first_text(t) for t in (self.ctx.get("content_preferences") or {}).get("topics_to_cover") or []]
        if any(topics) and self.plan.channel == "blog":
            self.add(f"On this blog we also write about {tt.words_list(topics)}.", 50, 3)
        self.add(f"Thanks for reading, from {re.sub('^The ', 'the ', self.v['signature'])}.", 50, 1, data=False)

    # --- shared parts -----------------------------------------------------------------------------------

    def fill(self) -> bool:
        """Generic sentences for a draft the profile leaves too short (template_thin), added only
        then (a rich profile's draft never builds them): the industry's phrasing of the task's
        purpose, then the provider's own, in the middle of an email or a post and in sections of
        their own in an article. fit() uses them last, and only to reach the minimum length. False
        when there is nothing to add (an SMS)."""
        article = self.plan.channel in ("blog", "web")
        if self.plan.channel == "sms":
            return False
        slot = 1 if article else 40
        for text in thin.phrasing(self.ctx, self.plan.purpose, self.offer, None if article else self.plan.channel):
            self.add(text, slot, 5, filler=True)
        topic = tt.first_text(self.ins.get("topic"))
        if not article:
            for text in thin.short_fillers(topic, self.name, self.plan.channel):
                self.add(text, slot, 6, data=False, filler=True)
            return True
        page = "post" if self.plan.channel == "blog" else "page"
        generic = thin.article_fillers(topic, page, self.name, self.ctx, self.v, described=bool(self._description()))
        for at, text, heading in generic:
            # A generic section's heading is rank 0 (it shows only when its section has a sentence)
            # and generic like its sentences: listed in meta.generic_sentences when it shows.
            self.add(text, at, 0 if heading else 6, data=False, heading=heading, filler=True)
        return True

    def _opening(self, slot: int, paras: list[str]) -> None:
        """The topic, the audience, the template's own paragraphs (its call to action kept aside for
        _closing) and the first brand phrase."""
        sms, short = self.plan.channel == "sms", self.plan.channel in ("sms", "social")
        # A template's {{business_description}} alone: the writer says it itself (_about, _article).
        described = {tt.phrase_key(s) for s in tt.split_sentences(tt.first_text(self.business.get("description")))}
        topic = tt.first_text(self.ins.get("topic")).rstrip(".!?")
        if topic and sms:
            self.add(tt.sentence(topic), slot, 0, data=False, short="")
        elif topic and self.plan.channel not in ("blog", "web"):  # an article's title is its topic
            frame = self.rng.choice(_TOPIC.get(self.plan.purpose, _TOPIC_ANY))
            if _CLAUSE.search(topic) or tt.IMPERATIVE.match(topic):  # "we have missed you" is a sentence already
                frame = "{topic}."
            text = frame.format(name=self.name, topic=topic)
            self.add(text[:1].upper() + text[1:], slot, 0, data=False, short=tt.sentence(topic))
        audience = tt.first_text(self.ins.get("audience")).rstrip(".")
        if audience and not sms:
            self.add(self.rng.choice(_AUDIENCE).format(audience=tt.lower_first(audience)), slot, 1, data=False)
        for i, para in enumerate(paras):
            if "\n" in para and not sms:
                lines = [line for line in para.split("\n") if not self._claim(line)]
                if lines:
                    self.add("\n".join(lines), slot + i, 3, block=True)
                continue
            for j, s in enumerate(tt.split_sentences(para)):
                if self._claim(s) or (self.lost_thing and _POINTS_BACK.search(s)) or tt.phrase_key(s) in described:
                    continue
                if tt.IMPERATIVE.match(s) and re.search(r"https?://", s) and not self.template_cta:
                    self.template_cta = s
                elif not (sms and "http" in s):
                    self.add(s, slot + i, 1 + (i > 0) + (j > 0) + short)
        if self.phrases:  # before the template's sentences on short channels: the brand's own words
            self.add(_phrase_sentence(self.phrases[0]), slot, 0 if self.plan.phrases_first else 1, affinity=99 * short)

    def _description(self) -> list[str]:
        found = tt.split_sentences(tt.first_text(self.business.get("description")))
        if found and re.match(r"An? ", found[0]):  # "A family bakery ..." is a description, not a sentence
            we = "We're" if self.plan.pov == "first_person_plural" else f"{self.name} is"
            found[0] = f"{we} {tt.lower_first(found[0])}"
        return found

    def _about(self, slot: int) -> None:
        """What makes the business itself: its description, selling points, products, own examples."""
        bonus = 1 if self.plan.specifics else 0
        for i, s in enumerate(self._description()):
            self.add(s, slot, (2 if i == 0 else 4) - bonus)
        for i, usp in enumerate(self._usps()):
            lead = _USP_LEADS[min(i, 3)].format(tt.lower_first(usp).rstrip("."))
            self.add(lead, slot, (2 if i == 0 else 4) - bonus, fact=True)
        for i, product in enumerate(self._products()):
            self.add(self._product(product, None), slot, (2 if i == 0 else 4) - bonus, fact=True)
        for s in self._example_sentences()[:2]:
            self.add(s, slot, 3)

    def _closing(self, slot: int) -> None:
        """The call to action (the task's, else the template's, else the customer's default), the
        second brand phrase, a warm line and a way to ask questions."""
        sms = self.plan.channel == "sms"
        preferred = tt.first_text(self.ins.get("cta"), (self.ctx.get("content_preferences") or {}).get("default_cta"))
        if preferred or not self.template_cta or tt.count_words(self.template_cta) > 25:
            cta, data = self._cta(preferred or self.v["cta"]), False
        else:
            cta, data = self.template_cta, True
        cta = cta.removesuffix(".") if sms and self.url and cta.endswith(f"{self.url}.") else cta
        head = cta.split(":")[0] if ":" in cta else ""
        short = f"{head}: {self.url}" if head and self.url and tt.IMPERATIVE.match(head) else None
        self.add(cta, slot, 0, data=data, short=short, block=self.plan.strong_cta and not sms)
        if sms:
            return
        later = [p for p in self.phrases[1:] if not _SIGN_OFF.match(p) or self.plan.channel != "email"]
        if later:
            self.add(_phrase_sentence(later[0], 1), slot, 0 if self.plan.phrases_first else 2)
        for i, line in enumerate(self.rng.sample(_WARM, len(_WARM)) if self.plan.mood == "positive" else []):
            self.add(line, slot, 0 if self.plan.warm and i == 0 else 2 + i, data=False, warm=True, group="warm")
        if self.v["phone"] and self.plan.channel == "email":
            self.add(f"Questions? Call us at {self.v['phone']}.", slot, 4)

    def _cta(self, text: str) -> str:
        text = text.strip().rstrip(".!")
        if "http" in text or "www." in text:
            return tt.sentence(text)
        if tt.IMPERATIVE.match(text):
            return f"{text}: {self.url}." if self.url else tt.sentence(text)
        lead = {"event": "RSVP", "review_request": "Leave a review"}.get(self.plan.purpose, "Find out more")
        if self.url:
            return f"{tt.sentence(text)} {lead} at {self.url}."
        return tt.sentence(text) + (f" Call us at {self.v['phone']}." if self.v["phone"] else " Visit us soon.")

    # --- facts from the context -------------------------------------------------------------------------

    def _usps(self) -> list[str]:
        usps = (tt.first_text(u) for u in self.business.get("unique_selling_points") or [])
        return [u for u in usps if self._clean(u)]

    def _products(self) -> list[dict[str, Any]]:
        """The products, the one the topic names first, else the featured one."""
        found = [p for p in self.business.get("products_services") or [] if isinstance(p, dict)]
        named = [{**p, "name": tt.first_text(p.get("name"))} for p in found]
        named = [p for p in named if self._clean(p["name"])]
        topic = {w.removesuffix("s") for w in tt.phrase_key(tt.first_text(self.ins.get("topic"))).split() if len(w) > 3}

        def order(p: dict[str, Any]) -> tuple[int, bool]:
            words = {w.removesuffix("s") for w in tt.phrase_key(p["name"]).split()}
            return -len(words & topic), str(p.get("featured")).lower() != "true"

        return sorted(named, key=order)

    def _feature_the_topic(self) -> None:
        """A topic about another product than the featured one: the template's {{featured_product}}
        (rendered as the featured product's name) becomes the topic's product."""
        found = [p for p in self.business.get("products_services") or [] if isinstance(p, dict)]
        featured = [tt.first_text(p.get("name")) for p in found if str(p.get("featured")).lower() == "true"]
        featured = featured or [tt.first_text(p.get("name")) for p in found[:1]]
        products = self._products()
        if featured and featured[0] and products and products[0]["name"] != featured[0]:
            self.t_body = self.t_body.replace(featured[0], products[0]["name"])
            self.t_subject = self.t_subject.replace(featured[0], products[0]["name"])

    def _product(self, product: dict[str, Any], position: int | None) -> str:
        """One product as a sentence; with a position (blog, web), with its price and a varied lead."""
        name = tt.lower_first(product["name"])
        about = tt.first_text(product.get("description"))
        about = about if self._clean(about) else ""
        if position is None:
            return f"Try our {name}." + (f" {tt.sentence(about)}" if about else "")
        price = tt.first_text(product.get("price_note"))
        amount = product.get("price")
        if not price and isinstance(amount, int | float) and not isinstance(amount, bool):
            money = f"{amount:,.2f}".removesuffix(".00")
            price = f"${money}" if str(product.get("currency") or "USD") == "USD" else f"{money} {product['currency']}"
        name += f" ({price})" if price else ""
        if about:
            return f"Our {name}: {tt.lower_first(about).rstrip('.')}."
        return _PRODUCT_LEADS[position % len(_PRODUCT_LEADS)].format(name)

    def _example_sentences(self) -> list[str]:
        """Sentences of the positive examples written for this business (they name it): the others
        describe other businesses, so only their words steer which sentences are chosen."""
        own = [e for e in self.examples if tt.has_phrase(str(e.get("content")), self.name)]
        found = [s for e in own for s in tt.portable_sentences(str(e.get("content")), self.name)]
        wanted = {tt.phrase_key(w) for w in self.plan.example_words}
        topic = {w for w in tt.phrase_key(tt.first_text(self.ins.get("topic"))).split() if len(w) > 3}
        found = [s for s in found if not topic or topic & set(tt.phrase_key(s).split())]  # on the task's topic
        return sorted(found, key=lambda s: -len(wanted & set(tt.phrase_key(s).split())))

    def _audience_section(self, slot: int) -> None:
        audience = self.business.get("target_audience") or {}
        self.add("Who we serve", slot, 0, heading=2, data=False)
        if self.v["target_audience"]:
            self.add(f"We're here for {tt.lower_first(self.v['target_audience'])}", slot, 2)
        places = [tt.first_text(x) for x in audience.get("locations") or []]
        if any(places) and not all(tt.has_phrase(self.v["target_audience"], x) for x in places):
            self.add(f"We serve {tt.words_list(places)}.", slot, 3)
        groups = [tt.first_text(g.get("name")).lower() for g in audience.get("segments") or [] if isinstance(g, dict)]
        if any(groups):
            self.add(f"Many of the people we serve are {tt.words_list(groups)}.", slot, 3)
        reasons = [tt.first_text(x) for x in audience.get("motivations") or []]
        if any(reasons):
            self.add(f"They come to us for {tt.words_list(reasons)}.", slot, 4)
        worries = [tt.first_text(x) for x in audience.get("pain_points") or []]
        if any(worries):
            self.add(f"What we hear about most: {tt.words_list(worries)}.", slot, 4)

    # --- what must be there, the fit and the reread -----------------------------------------------------

    def _ensure(self) -> None:
        """Rank 0 must hold each required term and element, the business's name and the voice's
        person: an optional piece that has it becomes rank 0, else a sentence is written for it."""
        plan, v = self.plan, self.v
        closing = {"email": 80, "sms": 3, "social": 80}.get(plan.channel, 40)

        def need(test: Callable[[str], object], text: str, slot: int, **kw: Any) -> None:
            if test(" ".join(p.text for p in self.pieces if p.rank == 0)) or not text:
                return
            for p in sorted(self.pieces, key=lambda p: (p.rank, p.seq)):
                if test(p.text) and not p.heading and not p.filler:
                    p.rank = 0
                    return
            self.add(text, slot, 0, data=False, **kw)

        def has(phrase: str) -> Callable[[str], bool]:
            return lambda text: tt.has_phrase(text, phrase)

        for term in plan.terms:
            need(has(term), f"Ask us about {term}.", closing)
        if self.name:
            need(has(self.name), f"From all of us at {self.name}.", closing)
        if "contact_info" in plan.elements:
            contact = f"Call us at {v['phone']}." if v["phone"] else f"Email us at {v['email']}." if v["email"] else ""
            need(lambda t: re.search(r"https?://|www\.|\S@\S|\d{3}\D?\d{4}", t), contact, closing)
        # The unsubscribe line, the postal address and the SMS opt-out are aicrm's to add when the draft
        # is stored (docs/pipeline.md, "Assembly"), whatever the terms say: not written here.
        if plan.channel == "sms":  # 160 characters: the voice's person is added only where it fits
            return
        if plan.pov in _PERSON:
            words, line = _PERSON[plan.pov]
            need(lambda t: bool(words & set(tt.phrase_key(t).split())), line, closing)
        if plan.formality in ("casual", "conversational"):  # the scorecard: a word starting with "you"
            need(lambda t: " you" in f" {tt.phrase_key(t)}", _WARM[0], closing)

    def fit(self, pieces: list[Piece]) -> list[Piece]:
        plan = self.plan
        return tt.fit(pieces, self.plain, plan.target, plan.min_words, plan.max_words, plan.max_chars)

    def plain(self, pieces: list[Piece]) -> str:
        return tt.render(pieces, "text", self.plan.channel, self.plan.para_sentences)

    def polish(self, chosen: list[Piece]) -> list[Piece]:
        """Reread with the runner's own metrics. When the task sets a reading level (or a fix asked
        for simpler text), drop the hardest optional sentences while the text reads harder than
        that, down to the minimum length; the brand's usual level is aimed at by sentence length
        alone (every sentence dropped costs the business's specifics more than it gains). Add a
        warm line when the text reads colder than asked and one still fits."""
        plan = self.plan
        for _ in range(12 if plan.reading_required else 0):
            text = self.plain(chosen)
            read = readability(text)
            if read["flesch_reading_ease"] >= plan.reading and read["flesch_kincaid_grade"] <= (plan.grade_max or 99):
                break
            hard = [(readability(p.text)["flesch_reading_ease"], p) for p in chosen if p.rank > 0 and not p.block]
            hard = [(fre, p) for fre, p in hard if fre < plan.reading and not p.heading]
            if not hard:
                break
            worst = min(hard, key=lambda x: (x[0], -x[1].seq))[1]
            if tt.count_words(text) - tt.count_words(worst.text) < plan.min_words:
                break
            chosen = [p for p in chosen if p is not worst]
        warmed = any(p.warm for p in chosen)
        if plan.mood == "positive" and not warmed and sentiment(self.plain(chosen))["compound"] < 0.3:
            for warm in (p for p in self.pieces if p.warm and p not in chosen):
                warmer = [*chosen, warm]
                text = self.plain(warmer)
                if tt.count_words(text) <= plan.max_words and len(text) <= (plan.max_chars or len(text)):
                    return warmer
        return chosen

    def subject(self) -> str | None:
        """Email only: the topic, the template's subject or the business's news, 15-60 characters."""
        if self.plan.channel != "email":
            return None
        topic = tt.first_text(self.ins.get("topic")).rstrip(".!?")
        topic = topic[:1].upper() + topic[1:]
        featured = next((p["name"] for p in self._products()), "")
        name = self.name or "our team"
        found = [f"{topic} at {name}", topic] if topic and not tt.has_phrase(topic, name) else [topic]
        found += [self.t_subject, f"{featured} at {name}" if featured else "", f"News from {name}"]
        found = [s for s in found if s and (s.startswith(topic or "\0") or (self._clean(s) and not self._claim(s)))]
        found = [self.voice(s) for s in found]
        found = [s for s in found if not self._offending(s)] or [self.name or "News"]
        best = next((s for s in found if 15 <= len(s) <= 60), found[0])
        if len(best) > 60:
            best = best[:60].rsplit(" ", 1)[0].rstrip(",;:-")
        return best if len(best) >= 15 else f"{best}: news for you"
