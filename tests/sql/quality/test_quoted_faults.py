"""Issue 14's quoted faults, each reproduced in a draft for a customer of the demo tenant and judged as
the pipeline judges a first draft (aicrm.assemble_content, the runner's text metrics,
aicrm.evaluate_content, then aicrm.evaluate_decision on the context record_evaluation builds): none is
approved, the scorecard names it (the right dimension and check, with its span), and so does the
decision's explanation. The same draft with the fault fixed is approved; a good emergency SMS is not
held for its mood; an email for a customer with no street goes to a person at once (profile_gap).
Faults the judge misses today are strict xfails, so they turn into failures when it learns them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from runner.migrate import seed
from runner.scoring import text_metrics
from tests.factories import make_customer
from tests.helpers import act_as

Conn = psycopg.Connection[Any]
SQL_DIR = Path(__file__).resolve().parents[3] / "sql"
DEMO = "00000000-0000-4000-8000-00000000de00"
# A profile as a CRM import leaves it: name, industry and phone, nothing else (no street either).
THIN = {"name": "Lakewood Handyman Services", "industry_category": "home_services", "phone": "+1 303-555-0177"}


@dataclass(frozen=True)
class Case:
    name: str
    customer: str  # the demo customer's external_id, or "thin"
    channel: str
    task_type: str
    instructions: dict[str, Any]
    subject: str | None
    bad: str
    good: str  # the same draft with the fault fixed
    check: str  # dimension.check of the finding that names the fault
    span: str | None = None
    severity: str = "major"
    xfail: str | None = None  # why the judge misses it today


def p(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


BAKERY_SIGN = "Maria and the Sunrise Bakery team"
ORDER = "Pre-order for pickup at https://sunrisebakery.example.com/order and see you at the counter."
PIES = {
    "purpose": "promotion",
    "topic": "holiday pre-orders for pies and stollen",
    "key_points": ["Pre-order pies and stollen by December 20", "Pick up on December 23 or 24"],
    "links": {"cta_url": "https://sunrisebakery.example.com/order"},
}
PIES_SOURDOUGH = p(
    "Hi neighbours,",
    "Our Country sourdough loaf is the star of the season. We ferment every loaf for 36 hours, so the crust "
    "crackles and the crumb stays soft for days. Every loaf is baked on site before 6 am, and it is $9.50.",
    "Grab a loaf for your holiday table, or two for the freezer. It makes lovely toast on a slow Sunday morning.",
    ORDER,
    BAKERY_SIGN,
)
PIES_GOOD = p(
    "Hi neighbours,",
    "Holiday pre-orders for pies and stollen are open! Choose a pie for the family table or a stollen studded "
    "with fruit and dusted with sugar, all fresh from our oven.",
    "Pre-order your pies and stollen by December 20, then pick them up at the counter on December 23 or 24. "
    "Everything is baked on site before 6 am, so your order will be baked that very morning.",
    ORDER,
    BAKERY_SIGN,
)
PIPES = {"purpose": "other", "topic": "winterising your pipes"}
SHORT = {"output_length": {"min_words": 200, "max_words": 500}}  # a short blog post
SUMMIT_CALL = (
    "Our emergency line is answered 24/7, with a two-hour arrival window for emergency call-outs, and we give you "
    "upfront flat-rate pricing before any work starts."
)
PIPES_BLOG_OFF = p(
    "# Get your home ready for winter",
    "Winter in Lakewood, Golden and Wheat Ridge arrives fast, and a little preparation goes a long way. The first "
    "cold snap is the worst time to find out that something in the house needs attention.",
    "## Service the furnace\n\nYour furnace works hardest from November to March. A tune-up checks the burners, the "
    "filter and the safety controls, so the heat comes on when you need it. Our furnace tune-up is $129, and our "
    "technicians are licensed, insured and background-checked.",
    "## Check the water heater\n\nHot water matters more when the mornings are cold. Listen for rumbling, look for "
    "rust around the base and note whether the hot water runs out sooner than it used to. If it does, it may be "
    "time to talk about a water heater replacement.",
    "## Seal the draughts\n\nWeatherstripping and a bead of caulk around windows and doors keep the warm air in and "
    "the heating bill down, and they are easy weekend jobs.",
    f"## Know who to call\n\nEven a well-prepared house can surprise you. {SUMMIT_CALL}",
    "Book a technician at https://summitplumbing.example.com/book, and enjoy a warm, quiet winter at home.",
)
PIPES_BLOG = p(
    "# Winterising your pipes: a homeowner's checklist",
    "Winter in Lakewood, Golden and Wheat Ridge arrives fast, and frozen pipes are one of the most common calls we "
    "get once the first cold snap hits. Winterising your pipes takes an afternoon, and it can save you from a burst "
    "pipe and a flooded basement.",
    "## Insulate exposed pipes\n\nFoam pipe sleeves from any hardware store slip over exposed pipes and take minutes "
    "to fit. Cover the pipes in crawl spaces and garages first, and tape the seams so no cold air gets in.",
    "## Drain and shut off outdoor taps\n\nDisconnect garden hoses, close the shut-off valve inside the house and "
    "open the outdoor tap to drain the water left in the line. A hose left attached traps water that can freeze "
    "and split the pipe behind the wall.",
    "## Know where your main shut-off valve is\n\nIf a pipe does burst, turning off the water at the main valve "
    "stops the damage. Find it now, make sure it turns, and show everyone in the house where it is.",
    "## When to call us\n\nIf a tap gives only a trickle on a cold morning, a pipe may already be frozen. "
    + SUMMIT_CALL,
    "Book a technician at https://summitplumbing.example.com/book, and keep your pipes safe this winter.",
)
THIN_BOOK = "https://lakewoodhandyman.example.com/book"
THIN_BRIEF = {"purpose": "promotion", "topic": "booking a home repair visit", "links": {"booking_url": THIN_BOOK}}
PROMISES = (
    "When you book, we inspect first and explain every option, you get a written estimate before any work starts, "
    "and we'll remind you the day before your visit."
)
THIN_EMAIL = p(
    "Hi there,",
    "Winter is a good time to get the small jobs around the house done before they become big ones: a sticking "
    "door, a dripping tap or a loose handrail.",
    "Book a home repair visit and tell us what needs doing. PROMISES",
    f"Book your home repair visit at {THIN_BOOK} and cross those jobs off your list.",
    "The Lakewood Handyman team",
)
SOURDOUGH = {"purpose": "other", "topic": "how we bake our country sourdough"}
SOURDOUGH_BLOG = p(
    "# How we bake our country sourdough",
    "Every Country sourdough loaf at Sunrise Bakery starts the day before you buy it. Here is what happens between "
    "the flour sack and the counter, and why we never rush it.",
    "## It starts with the starter\n\nOur loaves are naturally leavened: no commercial yeast, just a starter of "
    "flour and water that we feed every day. The starter gives the bread its gentle tang and does the slow work of "
    "raising the dough.",
    "## A long, cool ferment\n\nWe mix the dough with flour milled in Texas, water, salt and starter, then let it "
    "rest. Our sourdough gets a 36-hour ferment, and that long, cool ferment is where the flavour comes from. It "
    "also makes the loaf easier to digest and helps it stay fresh longer on your kitchen counter.",
    "## Baked before sunrise\n\nEverything is baked on site before 6 am. The loaves go into a very hot oven and "
    "come out with a dark, crackling crust, then cool on racks while we open the doors. By the time you arrive, "
    "the bread on the shelf was baked this morning.",
    "## Come and try it\n\nA Country sourdough loaf is $9.50, fresh from our oven from Tuesday to Sunday. " + ORDER,
)
CROISSANT = {"purpose": "promotion", "topic": "the almond croissant", "key_points": ["Almond croissants at $4.75"]}
CROISSANT_EMAIL = p(
    "Hi neighbours,",
    "Our almond croissant is back on the counter this weekend, baked this morning before 6 am. The pastry is flaky, "
    "the almond filling is rich, and each one is $4.75.",
    "SENTENCE Pair it with a Country sourdough loaf, fermented for 36 hours, and your weekend breakfast is sorted.",
    "We open at 7 am on Saturday and Sunday. " + ORDER,
    BAKERY_SIGN,
)
CROISSANT_SUBJECT = "Almond croissants, baked this morning"
TRY_OUR = CROISSANT_EMAIL.replace(
    "SENTENCE Pair it with a",
    "Try our almond croissant warm. Try our Gluten-free banana bread, baked in a dedicated oven. Try our Celebration "
    "cake for the next birthday. Try our pastries with a friend. Try our",
)
TRY_VARIED = CROISSANT_EMAIL.replace(
    "SENTENCE Pair it with a",
    "Enjoy one warm, or take home a Gluten-free banana bread, baked in a dedicated oven. A Celebration cake makes "
    "the next birthday easy, and pastries are better with a friend. Pair your croissant with a",
)
EVENINGS = {
    "purpose": "promotion",
    "topic": "evening check-ups",
    "key_points": ["Open until 7 pm Tuesday and Thursday"],
}
EVENINGS_EMAIL = p(
    "Hi there,",
    "Finding time for the dentist after work can be hard, so we keep our doors open until 7 pm on Tuesdays and "
    "Thursdays. An evening check-up and cleaning includes an exam, a cleaning and X-rays as needed.",
    "SENTENCE If you feel nervous about dental visits, tell us when you book. TAGLINE We offer gentle care for anxious "
    "patients, including sedation options, because your comfort comes first.",
    "Book your visit online in a minute at https://brightsmile.example.com/book.",
    "Dr. Priya Raman and the Brightsmile team",
)
EVENINGS_SUBJECT = "Evening check-ups at Brightsmile"
CROISSANT_POST = (
    "Almond croissants, fresh from our oven! The pastry is flaky, the almond filling is rich, and each one is "
    "$4.75. We bake them on site before 6 am, so come early on Saturday and grab one while it is warm. " + ORDER
)
MEMBERSHIP_EMAIL = p(
    "Hey there,",
    "Ready to get strong with a coach in your corner? PRICE Every class is coached by a certified strength coach and "
    "capped at 12 people, so you get real guidance, not a crowded floor. New to lifting? Strong looks different on "
    "everyone, and we'll meet you where you are.",
    "Claim your free first class at https://ironworksfit.example.com/free-class.",
    "The Ironworks Fitness team",
)
KIDS = {"purpose": "other", "topic": "helping kids enjoy brushing their teeth"}
KIDS_FILLER = p(
    "# Helping kids enjoy brushing their teeth",
    "There's no such thing as a silly question about brushing. In today's busy world, it's no secret that parents "
    "have a lot on their plates. Needless to say, every child is unique. Every family does things in its own "
    "special way. At the end of the day, what matters is that everyone feels good.",
    "## Why it matters\n\nA healthy smile is a happy smile. Good habits are a big part of life. Now more than ever, "
    "it pays to think about the little things. Small steps can lead to big changes over time.",
    "## Making it fun\n\nEvery day is a new chance to make things a little easier. Some things work for one family "
    "and not for another. It is fine to take things slowly and see what works. A little patience goes a long way.",
    "## Keeping it going\n\nHabits take a while to stick, and that is normal. Celebrate the wins, however small they "
    "seem. Remember that nobody is perfect. Keep going, and the rest will follow.",
    "## We're here to help\n\nIf you have questions, we're always happy to talk. Our friendly team is here for you "
    "and your family. Book your visit online in a minute at https://brightsmile.example.com/book.",
)
KIDS_BLOG = p(
    "# Helping kids enjoy brushing their teeth",
    "Brushing twice a day is one of the first health habits children learn, and it is much easier when it feels "
    "like play rather than a chore. Here are the ideas parents at Brightsmile Family Dental tell us work best.",
    "## Let them choose their toothbrush\n\nChildren brush longer with a toothbrush they picked themselves. Let them "
    "choose a colour or a favourite character, and swap it for a new one when the bristles start to splay.",
    "## Brush together\n\nChildren copy what they see. Brush your own teeth at the same time and make it part of the "
    "bedtime routine alongside pyjamas and a story. For young children, brush first, then let them have a turn.",
    "## Make the dentist a friendly place\n\nRegular check-ups help children feel at home in the dental chair. At "
    "our practice, kids under 12 get their own play corner and a prize drawer, and our team is known for putting "
    "nervous patients at ease. A check-up and cleaning includes an exam, a cleaning and X-rays as needed.",
    "We keep evening appointments until 7 pm on Tuesdays and Thursdays, so a visit does not have to mean missing "
    "school. Book your visit online in a minute at https://brightsmile.example.com/book.",
)


def post(tag: str) -> str:
    return f"{CROISSANT_POST} {tag} #AustinEats"


CASES = [
    Case("pies-and-stollen-email-promotes-the-sourdough-loaf", "demo-bakery", "email", "email", PIES,
         "Our sourdough is back for the holidays", PIES_SOURDOUGH, PIES_GOOD, "brief.off_topic"),
    Case("pies-and-stollen-email-misses-its-key-points", "demo-bakery", "email", "email", PIES,
         "Our sourdough is back for the holidays", PIES_SOURDOUGH, PIES_GOOD, "brief.key_point_missing"),
    Case("winterising-pipes-blog-never-mentions-pipes", "demo-plumbing", "blog", "blog_post", PIPES | SHORT, None,
         PIPES_BLOG_OFF, PIPES_BLOG, "brief.off_topic"),
    Case("winterising-pipes-sms-never-mentions-pipes", "demo-plumbing", "sms", "sms", PIPES, None,
         "Summit Plumbing & Heating: cold nights ahead! Book a furnace tune-up for $129: "
         "summitplumbing.example.com/book",
         "Summit Plumbing & Heating: winterise your pipes! Insulate exposed pipes and drain outdoor taps. Book: "
         "summitplumbing.example.com/book", "brief.off_topic"),
    Case("thin-profile-email-promises-inspection-estimate-reminder", "thin", "email", "email", THIN_BRIEF,
         "Book a home repair visit this winter", THIN_EMAIL.replace("PROMISES", PROMISES),
         THIN_EMAIL.replace("PROMISES", "Our handyman will take care of the list."), "accuracy.unstated_promise",
         "we inspect"),
    Case("sourdough-blog-says-48-hour-ferment", "demo-bakery", "blog", "blog_post", SOURDOUGH | SHORT, None,
         SOURDOUGH_BLOG.replace("36-hour", "48-hour"), SOURDOUGH_BLOG, "accuracy.contradiction", "48-hour",
         "critical"),
    Case("the-the-sunrise-bakery-team", "demo-bakery", "email", "email", CROISSANT, CROISSANT_SUBJECT,
         CROISSANT_EMAIL.replace("SENTENCE", "The the Sunrise Bakery team rolls every one by hand."),
         CROISSANT_EMAIL.replace("SENTENCE", "The Sunrise Bakery team rolls every one by hand."),
         "fluency.doubled_word", "The the"),
    Case("business-name-lowercased", "demo-bakery", "email", "email", CROISSANT, CROISSANT_SUBJECT,
         CROISSANT_EMAIL.replace("SENTENCE", "Everyone at sunrise bakery makes them by hand."),
         CROISSANT_EMAIL.replace("SENTENCE", "Everyone at Sunrise Bakery makes them by hand."),
         "fluency.name_case", "sunrise bakery"),
    Case("try-our-five-times", "demo-bakery", "email", "email", CROISSANT, CROISSANT_SUBJECT, TRY_OUR, TRY_VARIED,
         "fluency.repeated_phrase", "Try our"),
    Case("gentle-care-tagline-as-a-sentence", "demo-dental", "email", "email", EVENINGS, EVENINGS_SUBJECT,
         EVENINGS_EMAIL.replace("SENTENCE ", "").replace("TAGLINE", "Gentle care."),
         EVENINGS_EMAIL.replace("SENTENCE ", "").replace("TAGLINE ", ""), "fluency.orphan_tagline", "Gentle care."),
    Case("if-youve-been-putting-off-a-checkup", "demo-dental", "email", "email", EVENINGS, EVENINGS_SUBJECT,
         EVENINGS_EMAIL.replace("SENTENCE", "If you've been putting off a checkup. Evenings make it easy.")
         .replace("TAGLINE ", ""),
         EVENINGS_EMAIL.replace("SENTENCE", "If you've been putting off a checkup, evenings make it easy.")
         .replace("TAGLINE ", ""), "fluency.fragment", "If you've been putting off a checkup."),
    Case("hashtag-miscased-SunrisEBakery", "demo-bakery", "social", "social_post", CROISSANT, None,
         post("#SunrisEBakery"), post("#SunriseBakery"), "fluency.broken_hashtag", "#SunrisEBakery"),
    Case("hashtag-miscased-SunriseBAKery", "demo-bakery", "social", "social_post", CROISSANT, None,
         post("#SunriseBAKery"), post("#SunriseBakery"), "fluency.broken_hashtag", "#SunriseBAKery"),
    Case("hashtag-misspelt-SunriseBakeryy", "demo-bakery", "social", "social_post", CROISSANT, None,
         post("#SunriseBakeryy"), post("#SunriseBakery"), "fluency.broken_hashtag", "#SunriseBakeryy"),
    Case("per-month-with-the-price-missing", "demo-gym", "email", "email",
         {"purpose": "promotion", "topic": "the Unlimited membership"}, "Train with a coach, all month long",
         MEMBERSHIP_EMAIL.replace("PRICE", "Our Unlimited membership (per month) is well worth a try."),
         MEMBERSHIP_EMAIL.replace("PRICE", "At $149 per month, our Unlimited membership is well worth a try."),
         "fluency.dangling_slot", "(per month)"),
    Case("blog-of-filler-sentences", "demo-dental", "blog", "blog_post", KIDS | SHORT, None, KIDS_FILLER, KIDS_BLOG,
         "fluency.filler", "There's no such thing as a silly question"),
]  # fmt: skip
FAULTS = [pytest.param(c, id=c.name, marks=[pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else [])
          for c in CASES]  # fmt: skip
# Each fixed draft once (some cases share one); the thin profile's is held for its missing street (below).
CONTROLS = [pytest.param(c, id=c.name) for i, c in enumerate(CASES)
            if c.customer != "thin" and c.good not in [x.good for x in CASES[:i]]]  # fmt: skip


@pytest.fixture
def demo(db: Conn) -> dict[str, str]:
    """The demo tenant as `aicrm seed --demo` leaves it, plus a thin imported customer: ids by external_id."""
    seed(db, SQL_DIR, demo=True)
    db.execute("reset role")
    thin = make_customer(db, DEMO, **{"industry_subcategory": None, **THIN})
    with act_as(db, DEMO):
        rows = db.execute("select external_id, customer_id::text from aicrm.customers where external_id like 'demo-%'")
        return {**dict(rows.fetchall()), "thin": thin}


def one(db: Conn, query: str, params: Any) -> Any:
    row = db.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def judge(db: Conn, customer: str, c: Case, content: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(scorecard, decision) of a first draft, as record_evaluation makes them (tests/judge_set.py)."""
    fmt = "markdown" if c.channel in ("blog", "web") else "text"
    context = {"task": {"channel": c.channel, "task_type": c.task_type, "attempts": 1, "failures": 0},
               "customer": {"customer_id": customer}}  # fmt: skip
    with act_as(db, DEMO):
        text = one(
            db, "select aicrm.assemble_content(%s, %s, %s, %s) ->> 'content'", (customer, c.channel, content, fmt)
        )
        metrics = text_metrics(text, subject=c.subject, content_format=fmt)
        card = one(
            db,
            "select aicrm.evaluate_content(%s, %s, %s, %s, %s, %s, %s)",
            (text, c.channel, c.subject, customer, Jsonb(c.instructions), Jsonb(metrics), fmt),
        )
        decision = one(
            db,
            "select aicrm.evaluate_decision(%s || jsonb_build_object('quality',"
            " aicrm_private.quality_context(%s, false)))",
            (Jsonb(context), Jsonb(card)),
        )
    return card, decision


def found(card: dict[str, Any], check: str) -> list[dict[str, Any]]:
    dimension, name = check.split(".")
    return [f for f in card["findings"] if (f["dimension"], f["check"]) == (dimension, name)]


@pytest.mark.parametrize("c", FAULTS)
def test_the_quoted_fault_is_not_approved_and_is_named(db: Conn, demo: dict[str, str], c: Case) -> None:
    card, decision = judge(db, demo[c.customer], c, c.bad)
    findings = found(card, c.check)
    summary = [(f["dimension"], f["check"], f["severity"], (f["span"] or {}).get("text")) for f in card["findings"]]
    assert findings, (summary, decision["explanation"])
    assert decision["action"]["type"] != "approve", decision["explanation"]
    explained = decision["explanation"].lower()
    assert c.severity in {f["severity"] for f in findings}, summary
    if c.span:
        assert c.span in [(f["span"] or {}).get("text") for f in findings], summary
        assert c.span in decision["explanation"]
    # The explanation quotes the finding's message (as the scorecard's failures word it).
    named = [f["message"].rstrip(".") for f in findings if f["message"].rstrip(".").lower() in explained]
    assert named, (findings, decision["explanation"])


@pytest.mark.parametrize("c", CONTROLS)
def test_the_draft_with_the_fault_fixed_is_approved(db: Conn, demo: dict[str, str], c: Case) -> None:
    card, decision = judge(db, demo[c.customer], c, c.good)
    # (Minor ones aside: the dentist's signature, "Dr. Priya Raman and ...", has a minor fragment "Dr.".)
    assert [f for f in found(card, c.check) if f["severity"] != "minor"] == []
    assert decision["action"]["type"] == "approve", decision["explanation"]


def test_the_thin_profiles_email_without_promises_is_held_only_for_its_missing_street(
    db: Conn, demo: dict[str, str]
) -> None:
    """No rewrite can approve an email for a customer with no street: the promise-free draft has no
    accuracy finding, and goes to a person for the profile gap alone."""
    c = next(x for x in CASES if x.customer == "thin")
    card, decision = judge(db, demo["thin"], c, c.good)
    assert card["findings"] == []
    assert card["profile_gaps"] == ["address.street"]
    assert decision["action"]["params"]["reason"] == "profile_gap"


def test_a_good_emergency_sms_is_approved_though_it_reads_negative(db: Conn, demo: dict[str, str]) -> None:
    text = (
        "Burst pipe flooding your basement? Summit Plumbing & Heating: 24/7 emergency burst pipe service, two-hour "
        "arrival window. Call +1 303-555-0163."
    )
    brief = {"purpose": "promotion", "topic": "24/7 emergency burst pipe service"}
    c = Case("emergency", "demo-plumbing", "sms", "sms", brief, None, text, text, "sentiment.off_target")
    card, decision = judge(db, demo[c.customer], c, text)
    assert card["details"]["sentiment"]["target"] == "urgent"
    assert card["details"]["sentiment"]["compound"] < 0  # what once sent it to review
    assert [f for f in card["findings"] if f["dimension"] == "sentiment"] == []
    assert decision["action"]["type"] == "approve", decision["explanation"]


def test_an_email_for_a_customer_with_no_street_goes_to_a_person_at_once(db: Conn, demo: dict[str, str]) -> None:
    db.execute("select set_config('aicrm.tenant_id', %s, true)", (DEMO,))
    db.execute("update aicrm.customers set address = address - 'street' where customer_id = %s", (demo["demo-dental"],))
    c = next(x for x in CASES if x.name == "gentle-care-tagline-as-a-sentence")
    card, decision = judge(db, demo["demo-dental"], c, c.good)
    gaps = [v for v in card["details"]["compliance"]["violations"] if v.get("profile_gap")]
    assert [(v["rule"], v["profile_gap"], v["fixable"]) for v in gaps] == [
        ("postal_address_missing", "address.street", False)
    ]
    assert decision["action"]["type"] == "request_input"  # a person is asked for the street
    assert decision["action"]["params"]["reason"] == "profile_gap"
    assert "address.street" in decision["explanation"]
