"""The offline template provider's three limits, lifted (docs/llm-providers.md, "The template
provider"): the placeholder values come from the context (SQL computes them, the provider derives
none); a template's rendered variants are chosen from, by task and attempt, and recorded; a thin
profile still gets drafts of the length asked for, without holes, invented facts or repeated
sentences, that pass the real scorecard on every channel."""

from __future__ import annotations

import copy
import re
from typing import Any

import psycopg
import pytest

from runner.providers import template_thin as thin
from runner.providers.llm import Draft, DraftRequest
from runner.providers.template import TemplateProvider
from runner.providers.template_text import count_words, phrase_key, split_sentences
from runner.scoring import plain_text
from tests.factories import make_customer, make_tenant
from tests.runner.context_bakery import CONTEXT, TASKS, live_context, request, scorecard

PROVIDER = TemplateProvider()


def email_template(context: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(t for t in context["templates"] if t["channel"] == "email")
    return found


# --- the values: SQL's, not a Python copy ----------------------------------------------------------------


def test_the_fixture_carries_what_the_database_computes(
    db: psycopg.Connection[Any], context_bakery: tuple[str, str]
) -> None:
    live = live_context(db, context_bakery, "email", None)
    assert live["template_values"] == CONTEXT["template_values"]
    ours = next(t for t in live["templates"] if t["name"] == email_template(CONTEXT)["name"])
    assert ours["rendered_variants"] == email_template(CONTEXT)["rendered_variants"]


def test_the_provider_writes_the_values_it_is_given() -> None:
    """Change a value in the context and the draft follows; take them away and the provider has none
    of its own (it used to compute them again from the profile)."""
    context = copy.deepcopy(CONTEXT)
    context["template_values"].update(signature="Chef Ana and the crew", address="9 Elm St, Austin, TX 78701")
    email = PROVIDER.generate(request("email", {"topic": "pumpkin sourdough is back"}, context))
    blog = PROVIDER.generate(request("blog", {"topic": "How we bake our sourdough"}, context))
    assert "Chef Ana and the crew" in email.content
    assert "You'll find us at 9 Elm St, Austin, TX 78701." in blog.content
    del context["template_values"]
    bare = PROVIDER.generate(request("blog", {"topic": "How we bake our sourdough"}, context))
    assert "You'll find us at" not in bare.content
    assert "Maria and the Sunrise Bakery team" not in bare.content


# --- variants ----------------------------------------------------------------------------------------------


def test_variants_are_chosen_by_task_recorded_and_changed_on_a_retry() -> None:
    ins = {"topic": "pumpkin sourdough is back"}
    first = {n: PROVIDER.generate(request("email", ins, task_id=f"task-{n}")) for n in range(12)}
    chosen = {n: d.meta["template_variant"] for n, d in first.items()}
    assert set(chosen.values()) == {None, "b"}  # the template's own text and its variant b
    for n, draft in first.items():
        assert draft.meta["template_id"] == email_template(CONTEXT)["template_id"]
        assert ("Fair warning" in draft.content) == (chosen[n] == "b"), draft.content
        again = PROVIDER.generate(request("email", ins, task_id=f"task-{n}"))
        assert (again.content, again.meta) == (draft.content, draft.meta)
        retry = PROVIDER.generate(request("email", ins, task_id=f"task-{n}", attempt=2, previous_content=draft.content))
        assert retry.meta["template_variant"] != chosen[n]
        third = PROVIDER.generate(request("email", ins, task_id=f"task-{n}", attempt=3))
        assert third.meta["template_variant"] == chosen[n]  # two to choose from: back to the first


def test_variant_weights_share_the_first_attempts() -> None:
    template = copy.deepcopy(email_template(CONTEXT))
    template["rendered_variants"][0]["weight"] = 100  # b gets every first attempt, the template's own none
    assert {thin.pick_rendering(template, f"t{n}", 1)[0] for n in range(20)} == {"b"}
    assert {thin.pick_rendering(template, f"t{n}", 2)[0] for n in range(20)} == {None}
    template["rendered_variants"][0]["weight"] = 0
    assert {thin.pick_rendering(template, f"t{n}", 1)[0] for n in range(20)} == {None}
    assert thin.pick_rendering({}, "t", 1) == (None, {})


def test_a_template_offer_the_task_did_not_make_is_not_written() -> None:
    context = copy.deepcopy(CONTEXT)
    email_template(context)["rendered_variants"] = []
    long = {"output_length": {"min_words": 300, "max_words": 500}}
    plain = PROVIDER.generate(request("email", {"topic": "pumpkin sourdough is back", **long}, context))
    offer = PROVIDER.generate(request("email", {"topic": "our weekend offer on sourdough", **long}, context))
    assert "limited batch" not in plain.content
    assert "We make a limited batch each day, so earlier is better." in offer.content


def outside_the_week(text: str, hours: str) -> list[str]:
    """The days of `hours` that `text` writes outside the whole list ("Mon closed" alone)."""
    rest = text.replace(hours, "")
    return [day for day in hours.split(", ") if day in rest]


def test_opening_hours_are_written_whole_or_not_at_all() -> None:
    """A long sentence is cut at a comma to read easily; a list of hours cut there would close the
    weekend ("open Mon closed, Tue-Thu 06:30-15:00."): it is cut before the hours instead. Where a
    sentence can hold them, the hours are written whole."""
    context = copy.deepcopy(CONTEXT)
    hours = context["template_values"]["business_hours"]
    assert len(hours.split(", ")) > 2  # a week a comma can cut
    template = email_template(context)
    template["rendered_variants"] = []
    body = template["rendered"]["body"].replace("\n\nEnjoy,", f"\n\nCome and see us, we're open {hours}.\n\nEnjoy,")
    assert body != template["rendered"]["body"]
    template["rendered"]["body"] = body
    for n in range(6):
        draft = PROVIDER.generate(request("email", {"output_length": {"min_words": 200}}, context, task_id=f"t{n}"))
        assert "Come and see us." in draft.content, draft.content  # the long sentence was cut: before the hours
        assert outside_the_week(draft.content, hours) == [], draft.content
    for channel in ("blog", "web"):
        page = PROVIDER.generate(request(channel, {"topic": "How we bake our sourdough"}, context))
        assert f"Our hours: {hours}." in page.content, page.content  # a sentence that holds them: whole
        assert outside_the_week(page.content, hours) == [], page.content


def test_a_rich_profile_needs_no_generic_sentence() -> None:
    for n, (channel, instructions) in enumerate(TASKS):
        draft = PROVIDER.generate(request(channel, instructions, task_id=f"task-{n}"))
        assert draft.meta["generic_sentences"] == [], (n, draft.meta["generic_sentences"])


# --- thin profiles --------------------------------------------------------------------------------------

# A deliberately thin customer: no selling points, no products, no audience, hours, brand voice or
# preferences; a one-line description, a website and the street address commercial email needs.
THIN: dict[str, Any] = {
    "name": "Harbor Bikes",
    "industry_category": "retail",
    "industry_subcategory": None,
    "business_description": "A bike shop in Duluth.",
    "website": "https://harborbikes.example.com",
    "address": {"street": "14 Lake Ave", "city": "Duluth", "region": "MN", "postal_code": "55802"},
}
THIN_TASKS: list[tuple[str, dict[str, Any]]] = [
    ("email", {"topic": "spring tune-ups"}),
    ("email", {"topic": "welcome to Harbor Bikes", "audience": "new subscribers", "output_length": {"min_words": 120}}),
    ("email", {"topic": "the new season of group rides", "output_length": {"min_words": 150, "max_words": 300}}),
    ("email", {"topic": "our spring sale", "cta": "Shop the sale", "output_format": "html"}),
    ("social", {"topic": "spring tune-ups"}),
    ("social", {"topic": "how we fit a bike to its rider", "output_length": {"min_words": 60, "max_words": 120}}),
    ("sms", {"topic": "spring tune-ups"}),
    ("sms", {"topic": "tell us how we did", "output_length": {"max_characters": 150}}),
    ("blog", {"topic": "Getting your bike ready for spring"}),
    ("blog", {"topic": "Why we love commuting by bike", "output_format": "markdown"}),
    ("blog", {"topic": "use your bike more this summer", "output_format": "html", "audience": "new riders"}),
]  # fmt: skip
# Words that would claim what the profile does not say: an offer, a deadline, a superlative, a price.
CLAIMS = re.compile(r"\$|%|\b(?:offer|limited|sale|discount|(?<!feel )free|best|award|guarantee\w*|only)\b", re.I)


def draft_for(db: psycopg.Connection[Any], tenant: str, customer: str, n: int, channel: str, ins: Any) -> Draft:
    """As the worker asks for it: from the live context for the task's channel and topic."""
    context = live_context(db, (tenant, customer), channel, ins.get("topic"))
    return PROVIDER.generate(DraftRequest(f"thin-{n}", channel, ins, context))


def honest(draft: Draft, ins: dict[str, Any]) -> None:
    """No hole, no repeated sentence, no number but the address's, no claim the task did not make."""
    text = plain_text(draft.content, draft.content_format)
    sentences = [phrase_key(s) for line in text.splitlines() for s in split_sentences(line)]
    assert len(sentences) == len(set(sentences)), text  # not even "Welcome!" after "Welcome."
    written = re.sub(r"<[^>]+>", "", draft.content)  # plain_text spaces a link from its full stop
    assert not re.search(r"\s[.,:;!?]|\b(?:and|our|the|at|of)\s*[.,!?]|:\s*[.!?]", written), written
    assert "{{" not in text.replace("{{first_name}}", "").replace("{{unsubscribe_url}}", "")
    assert set(re.findall(r"\d+", text)) <= {"14", "55802"}, text
    asked = " ".join(str(v) for v in ins.values())
    found = {m.lower() for m in CLAIMS.findall(f"{draft.subject or ''} {text}")}
    assert found <= {m.lower() for m in CLAIMS.findall(asked)}, (found, text)


# The judge (issue 14) now reads what the thin-profile writer pads with: generic sentences ("There's no
# such thing as a silly question about ...") are filler, "This post is about ..." repeats. Rebuilding
# that writer is issue 15's ("A writer that answers the brief and listens"); strict, so the day it
# passes these fail and ask for the mark to go.
PADDING = pytest.mark.xfail(
    strict=True, reason="issue 15: the thin-profile writer pads with generic sentences the judge calls filler"
)


@PADDING
def test_a_thin_profile_gets_full_honest_drafts_that_pass_the_scorecard(db: psycopg.Connection[Any]) -> None:
    tenant = make_tenant(db, "Northwind Marketing")
    customer = make_customer(db, tenant, **THIN)
    report = []
    for n, (channel, ins) in enumerate(THIN_TASKS):
        draft = draft_for(db, tenant, customer, n, channel, ins)
        card = scorecard(db, (tenant, customer), draft, channel, ins)
        structure = card["details"]["structure"]
        report.append(f"{n:2} {channel:6} {structure['word_count']:4} words {card['overall']:5} {card['summary']}")
        assert card["details"]["compliance"]["violations"] == [], (n, card["summary"])
        assert [c["check"] for c in structure["checks"] if not c["passed"]] == [], (n, card["summary"], draft.content)
        assert card["passed"], (n, card["summary"], draft.content)
        honest(draft, ins)
        if channel == "blog":  # 300 words from a one-line profile: the rest is generic, and says so
            assert count_words(plain_text(draft.content, draft.content_format)) >= 300
            assert draft.meta["generic_sentences"]
            written = re.sub(r"<[^>]+>", "", draft.content)
            assert [s for s in draft.meta["generic_sentences"] if s not in written] == [], written
    print("\n" + "\n".join(report))


@pytest.mark.parametrize("channel", ["email", "social", "sms", pytest.param("blog", marks=PADDING)])
def test_a_profile_with_no_address_passes_everywhere_but_email(db: psycopg.Connection[Any], channel: str) -> None:
    """Commercial email must carry the sender's postal address (the general pack's CAN-SPAM rule); a
    profile without one cannot pass on email, and the writer does not invent one: the scorecard's
    fix asks for it, and the task goes to a person. Every other channel passes."""
    tenant = make_tenant(db, "Northwind Marketing")
    bare = {k: v for k, v in THIN.items() if k not in ("address", "website")}
    customer = make_customer(db, tenant, **bare)
    ins = {"topic": "spring tune-ups"} if channel != "blog" else {"topic": "Getting your bike ready for spring"}
    draft = draft_for(db, tenant, customer, 0, channel, ins)
    card = scorecard(db, (tenant, customer), draft, channel, ins)
    honest(draft, ins)
    assert [c["check"] for c in card["details"]["structure"]["checks"] if not c["passed"]] == []
    violations = [v["rule"] for v in card["details"]["compliance"]["violations"]]
    if channel == "email":
        assert card["passed"] is False
        assert len(violations) == 1, violations
        assert "street address" in card["summary"]
    else:
        assert violations == []
        assert card["passed"], card["summary"]
