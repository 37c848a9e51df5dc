"""The scorecard's accuracy dimension (aicrm_private.score_accuracy): every checkable claim of a
draft traced to the customer's profile, the brief or its approved examples; contradictions,
untraceable claims, unstated promises and invented product names as findings with spans; good
drafts that state only profile facts get none; any input the scorecard accepts is scored."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import make_customer, make_tenant
from tests.helpers import act_as
from tests.samples import BAKERY, GOOD_EMAIL

Conn = psycopg.Connection[Any]

# A thin profile as a CRM export leaves it: name, industry, phone.
THIN = {
    "name": "Rapid Rooter Plumbing",
    "industry_category": "home_services",
    "industry_subcategory": None,
    "phone": "(555) 201-3344",
}
PLUMBER = {
    "name": "Harbor Line Plumbing",
    "industry_category": "home_services",
    "industry_subcategory": "plumbing",
    "website": "https://harborline.example.com",
    "phone": "(253) 555-0181",
    "email": "help@harborline.example.com",
    "address": {"street": "88 Dock Street", "city": "Tacoma", "region": "WA", "postal_code": "98402"},
    "business_description": "Emergency and everyday plumbing for homes in Tacoma since 2006.",
    "unique_selling_points": [
        "24/7 emergency service with a 90-minute arrival window",
        "Licensed, bonded and insured plumbers",
    ],
    "products_services": [
        {"name": "Drain cleaning", "price": 149, "currency": "USD"},
        {"name": "Water heater flush", "price": 99, "currency": "USD"},
    ],
    "business_hours": {
        "timezone": "America/Los_Angeles",
        "weekly": {
            "mon": [{"open": "07:00", "close": "18:00"}],
            "tue": [{"open": "07:00", "close": "18:00"}],
            "wed": [{"open": "07:00", "close": "18:00"}],
            "thu": [{"open": "07:00", "close": "18:00"}],
            "fri": [{"open": "07:00", "close": "18:00"}],
            "sat": [{"open": "08:00", "close": "14:00"}],
            "sun": [],
        },
    },
}
DENTAL = {
    "name": "Bright Smile Dental",
    "industry_category": "health_wellness",
    "industry_subcategory": "dental",
    "website": "https://brightsmile.example.com",
    "phone": "+1 971 555 0100",
    "business_description": "A family dental practice offering gentle cleanings, checkups and whitening.",
    "unique_selling_points": ["Early morning and Saturday appointments", "Hygienists who explain every step"],
    "products_services": [{"name": "Teeth cleaning", "price": 120}, {"name": "Teeth whitening", "price": 350}],
}
SALON = {
    "name": "The Velvet Chair Salon",
    "industry_category": "beauty",
    "industry_subcategory": None,
    "website": "https://velvetchair.example.com",
    "phone": "(828) 555-0123",
    "address": {"street": "22 Lexington Ave", "city": "Asheville", "region": "NC"},
    "business_description": "A calm downtown salon for cuts, color and blowouts.",
    "unique_selling_points": ["Every appointment starts with a consultation"],
    "products_services": [{"name": "Cut and style", "price": 65}, {"name": "Full color", "price": 140}],
    "business_hours": {
        "weekly": {
            "tue": [{"open": "10:00", "close": "19:00"}],
            "wed": [{"open": "10:00", "close": "19:00"}],
            "sat": [{"open": "09:00", "close": "17:00"}],
            "sun": [],
        }
    },
}
PRICED_BAKERY = {
    **BAKERY,
    "products_services": [{"name": "Sourdough loaf", "price": 8}, {"name": "Butter croissant", "price": 3.5}],
}


def score(
    db: Conn,
    tenant: str,
    customer: str | None,
    text: str,
    instructions: dict[str, Any] | None = None,
    subject: str | None = None,
    channel: str = "email",
    role: str = "aicrm_app",
) -> dict[str, Any]:
    """score_accuracy as the scorecard calls it: the customer row as JSON, the draft's features."""
    with act_as(db, tenant, role):
        row = db.execute(
            """select aicrm_private.score_accuracy(%(t)s, %(s)s, %(ch)s,
                   (select to_jsonb(c) - 'tenant_id' from aicrm.customers c where c.customer_id = %(c)s::uuid),
                   %(i)s, aicrm_private.draft_features_of(%(t)s, %(s)s))""",
            {"t": text, "s": subject, "ch": channel, "c": customer, "i": Jsonb(instructions or {})},
        ).fetchone()
    assert row is not None
    result: dict[str, Any] = row[0]
    return result


def serious(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in result["findings"] if f["severity"] in ("critical", "major")]


def spans(result: dict[str, Any], check: str) -> list[str]:
    return [f["span"]["text"] for f in result["findings"] if f["check"] == check]


def only(result: dict[str, Any], text: str) -> dict[str, Any]:
    found = [f for f in result["findings"] if f["span"] and f["span"]["text"] == text]
    assert len(found) == 1, result["findings"]
    return found[0]


@pytest.fixture
def plumber(db: Conn, tenant: str) -> str:
    return make_customer(db, tenant, **PLUMBER)


# --- issue 14's quoted faults -------------------------------------------------------------------------


def test_a_48_hour_ferment_contradicts_the_profiles_36_hours(db: Conn, tenant: str, customer: str) -> None:
    text = "Every loaf we bake gets a slow 48-hour ferment, which is where the tang comes from. Order ahead online."
    result = score(db, tenant, customer, text, channel="blog")
    finding = only(result, "48-hour")
    assert (finding["check"], finding["severity"], finding["fixable"], finding["field"]) == (
        "contradiction",
        "critical",
        True,
        "content",
    )
    assert text[finding["span"]["start"] : finding["span"]["end"]] == "48-hour"
    assert "36 hours" in finding["message"]
    assert result["score"] == 60
    assert serious(score(db, tenant, customer, text.replace("48-hour", "36-hour"), channel="blog")) == []


def test_a_thin_profile_inventing_how_the_business_works_is_not_approved(db: Conn, tenant: str) -> None:
    thin = make_customer(db, tenant, **THIN)
    text = (
        "Leaky tap? We inspect first and explain what we find, then you get a written estimate before any "
        "work starts. We'll remind you the day before your visit. Call (555) 201-3344."
    )
    result = score(db, tenant, thin, text)
    assert result["thin_profile"] is True
    assert spans(result, "unstated_promise") == ["We inspect", "written estimate", "We'll remind"]
    # Several invented promises on a thin profile: each major, each saying to confirm with the customer.
    assert {f["severity"] for f in result["findings"]} == {"major"}
    assert all("confirm" in f["message"] and f["fixable"] for f in result["findings"])


def test_one_promise_on_a_thin_profile_is_minor_and_on_a_full_profile_major(
    db: Conn, tenant: str, plumber: str
) -> None:
    thin = make_customer(db, tenant, **THIN)
    text = "Dripping tap? We'll remind you when it is time for a check. Call (555) 201-3344."
    finding = only(score(db, tenant, thin, text), "We'll remind")
    assert (finding["check"], finding["severity"]) == ("unstated_promise", "minor")
    text = "Dripping tap? We'll remind you when it is time for a check. Call (253) 555-0181."
    assert only(score(db, tenant, plumber, text), "We'll remind")["severity"] == "major"


def test_a_promise_the_profile_states_is_no_finding(db: Conn, tenant: str) -> None:
    dental = make_customer(db, tenant, **DENTAL)
    text = "At your cleaning we explain every step, and early morning appointments make it easy to fit in."
    assert score(db, tenant, dental, text)["findings"] == []


# --- each kind of claim -------------------------------------------------------------------------------


def test_an_untraceable_price_is_a_major_finding_naming_it(db: Conn, tenant: str, customer: str) -> None:
    result = score(db, tenant, customer, "Our new rye loaf is just $29 this week. Order ahead online.")
    finding = only(result, "$29")
    assert (finding["check"], finding["severity"], finding["fixable"]) == ("untraceable_claim", "major", True)
    assert "'$29'" in finding["message"]
    assert result["score"] == 80


def test_a_products_price_written_otherwise_is_a_contradiction(db: Conn, tenant: str) -> None:
    bakery = make_customer(db, tenant, **PRICED_BAKERY)
    result = score(db, tenant, bakery, "Grab a butter croissant for $4 on your way to work.")
    finding = only(result, "$4")
    assert (finding["check"], finding["severity"]) == ("contradiction", "critical")
    assert "3.5" in finding["message"]
    for same in ("$3.50", "$3.5", "3.50 dollars"):
        assert serious(score(db, tenant, bakery, f"Grab a butter croissant for {same} on your way.")) == [], same


def test_a_wrong_phone_email_or_website_contradicts_the_profile(db: Conn, tenant: str, plumber: str) -> None:
    result = score(
        db,
        tenant,
        plumber,
        "Call (253) 555-0199, write to info@harborline.example.com or see harborline.com/book.",
    )
    assert [(f["check"], f["span"]["text"]) for f in result["findings"]] == [
        ("contradiction", "(253) 555-0199"),
        ("contradiction", "info@harborline.example.com"),
        ("contradiction", "harborline.com/book"),
    ]
    assert "(253) 555-0181" in result["findings"][0]["message"]
    same = "Call 253.555.0181, write to help@harborline.example.com or see https://www.harborline.example.com/book."
    assert score(db, tenant, plumber, same)["findings"] == []


def test_hours_that_differ_from_the_profile_for_the_day_named_are_a_contradiction(
    db: Conn, tenant: str, plumber: str
) -> None:
    result = score(db, tenant, plumber, "We're open Monday to Friday 7am-6pm and Saturday 7am-2pm.")
    finding = only(result, "7am-2pm")
    assert (finding["check"], finding["severity"]) == ("contradiction", "critical")
    assert "Sat 08:00\u201314:00" in finding["message"]
    assert serious(score(db, tenant, plumber, "We're open Monday to Friday 7am-6pm and Saturday 8am-2pm.")) == []
    assert (
        serious(score(db, tenant, plumber, "We're open 7 am to 6 pm Monday through Friday and from 8 am on Saturday."))
        == []
    )
    closed = score(db, tenant, plumber, "Drop by, we're open Sunday 9am-1pm.")
    assert "Sun closed" in only(closed, "9am-1pm")["message"]
    assert spans(score(db, tenant, plumber, "Need us late? We're open until 9 on Fridays."), "contradiction") == [
        "until 9"
    ]


def test_dates_percentages_years_counts_durations_and_superlatives_untraceable(
    db: Conn, tenant: str, plumber: str
) -> None:
    text = (
        "Since 1998 we have helped over 5,000 families. Book by March 14 and save 20%. "
        "Our 2-hour arrival window is the best in town, and our work is guaranteed."
    )
    result = score(db, tenant, plumber, text, channel="blog")
    assert spans(result, "untraceable_claim") == [
        "Since 1998",
        "over 5,000 families",
        "March 14",
        "20%",
        "the best in town",
        "guaranteed",
    ]
    # The profile's 90-minute window is about the same thing: a contradiction, not a new fact.
    assert spans(result, "contradiction") == ["2-hour"]
    assert [f["severity"] for f in result["findings"]] == ["critical"] + ["major"] * 6


def test_how_often_is_checked_against_the_profiles_own_frequency(db: Conn, tenant: str) -> None:
    """A frequency ("every month", "twice a year", "daily") contradicts the profile when the profile
    says how often of the same thing; general advice may say how often of anything."""
    itsupport = make_customer(
        db,
        tenant,
        **{
            **PLUMBER,
            "name": "Northgate IT Support",
            "products_services": [
                {
                    "name": "Backup and recovery",
                    "description": "Daily encrypted backups with a test restore every quarter.",
                },
                {"name": "Managed IT plan", "price": 89, "price_note": "per user per month"},
            ],
        },
    )
    text = "Our backup service gives your office daily encrypted backups with a test restore every month."
    finding = only(score(db, tenant, itsupport, text, channel="blog"), "every month")
    assert (finding["check"], finding["severity"]) == ("contradiction", "critical")
    assert "'every quarter'" in finding["message"]
    right = text.replace("every month", "every quarter")
    assert score(db, tenant, itsupport, right, channel="blog")["findings"] == []
    advice = "Check your tire pressure once a month, and rotate the tires twice a year. Our plan is $89 per user."
    assert score(db, tenant, itsupport, advice)["findings"] == []


def test_a_duration_that_describes_the_service_is_a_claim(db: Conn, tenant: str, plumber: str) -> None:
    """ "Done in 20 min." says how long the business takes, with no "we" in the sentence."""
    result = score(db, tenant, plumber, "Drain cleaning, $149. Done in 20 min. Call (253) 555-0181.", channel="sms")
    assert spans(result, "untraceable_claim") == ["20 min"]
    # Advice to the reader is not a claim of the business.
    advice = "Let the water run for 2 minutes before you drink it. Call (253) 555-0181."
    assert score(db, tenant, plumber, advice, channel="sms")["findings"] == []


def test_serving_while_the_customer_waits_is_a_promise(db: Conn, tenant: str) -> None:
    thin = make_customer(db, tenant, **THIN)
    text = "Stop by for a free leak check, and we'll fix the tap while you wait. Call (555) 201-3344."
    result = score(db, tenant, thin, text)
    assert spans(result, "unstated_promise") == ["free leak check", "we'll fix the tap while you wait"]
    assert {f["severity"] for f in result["findings"]} == {"major"}  # two on a thin profile
    # Waiting is no promise when the business does nothing while the reader waits.
    text = "Need a ride while you wait? Call (555) 201-3344."
    assert spans(score(db, tenant, thin, text), "unstated_promise") == []


def test_values_the_brief_gives_are_grounded_and_one_it_contradicts_is_critical(
    db: Conn, tenant: str, plumber: str
) -> None:
    brief = {
        "purpose": "promotion",
        "key_points": ["15% off drain cleaning booked before March 31"],
        "offer": {"description": "15% off drain cleaning", "valid_until": "2027-03-31"},
        "links": {"cta_url": "https://book.harborline-offers.example.com/drains"},
    }
    good = "Book drain cleaning before March 31 and take 15% off: https://book.harborline-offers.example.com/drains"
    assert score(db, tenant, plumber, good, brief)["findings"] == []
    bad = score(db, tenant, plumber, good.replace("15%", "20%"), brief)
    finding = only(bad, "20%")
    assert (finding["check"], finding["severity"], finding["fixable"]) == ("contradiction", "critical", True)
    assert "15%" in finding["message"]
    wrong_date = score(db, tenant, plumber, good.replace("March 31", "March 30"), brief)
    assert only(wrong_date, "March 30")["check"] == "contradiction"


def test_a_brief_that_contradicts_the_profile_is_not_fixable(db: Conn, tenant: str, customer: str) -> None:
    brief = {"topic": "our sourdough", "key_points": ["Our sourdough ferments for 48 hours"]}
    result = score(db, tenant, customer, "Our sourdough ferments for 48 hours before baking.", brief, channel="blog")
    finding = only(result, "48 hours")
    assert (finding["check"], finding["severity"], finding["fixable"]) == ("contradiction", "critical", False)
    assert "brief and the customer's profile disagree" in finding["message"]


def test_an_invented_product_name_is_major_and_a_listed_one_is_not(db: Conn, tenant: str, plumber: str) -> None:
    result = score(db, tenant, plumber, "Ask about our Winter Pipe Protection Plan before the first freeze.")
    finding = only(result, "Winter Pipe Protection Plan")
    assert (finding["check"], finding["severity"]) == ("invented_product", "major")
    assert score(db, tenant, plumber, "## Our Winter Pipe Protection Plan\n\nDrain cleaning first.")["findings"] == []
    assert score(db, tenant, plumber, "Book a Water Heater Flush before winter.")["findings"] == []


def test_a_claim_in_the_subject_has_its_span_in_the_subject(db: Conn, tenant: str, customer: str) -> None:
    result = score(db, tenant, customer, GOOD_EMAIL, subject="Sourdough, now $12")
    finding = only(result, "$12")
    assert finding["field"] == "subject"
    assert (finding["span"]["start"], finding["span"]["end"]) == (15, 18)


def test_the_customers_approved_examples_ground_a_claim(db: Conn, tenant: str, customer: str) -> None:
    text = "Baking for Portland since 2009, and still shaping every loaf by hand."
    assert spans(score(db, tenant, customer, text), "untraceable_claim") == ["since 2009"]
    with act_as(db, tenant):
        db.execute(
            "insert into aicrm.content_examples (customer_id, purpose, channel, content, polarity)"
            " values (%s, 'promotion', 'email', 'Proudly baking in Portland since 2009.', 'positive')",
            (customer,),
        )
    result = score(db, tenant, customer, text)
    assert result["findings"] == []
    assert [c["source"] for c in result["claims"]] == ["examples"]


def test_another_tenants_examples_ground_nothing(db: Conn, tenant: str, customer: str) -> None:
    with act_as(db, tenant):
        db.execute(
            "insert into aicrm.content_examples (customer_id, purpose, channel, content, polarity)"
            " values (%s, 'promotion', 'email', 'Proudly baking since 2009.', 'positive')",
            (customer,),
        )
    other = make_tenant(db, "Other agency")
    with act_as(db, other):
        row = db.execute(
            "select aicrm_private.score_accuracy('Baking since 2009.', null, 'email', %s, '{}', null)",
            (Jsonb({**BAKERY, "customer_id": customer}),),
        ).fetchone()
    assert row is not None
    assert [f["check"] for f in row[0]["findings"]] == ["untraceable_claim"]


def test_findings_are_ordered_most_severe_first_and_capped(db: Conn, tenant: str, plumber: str) -> None:
    prices = " ".join(f"Item {n} is ${n}." for n in range(200, 230))
    result = score(db, tenant, plumber, prices + " Call (253) 555-0100.")
    assert result["findings"][0]["check"] == "contradiction"
    assert len(result["findings"]) == 20
    assert result["counts"] == {"critical": 1, "major": 30, "minor": 0}
    assert result["score"] == 0


def test_without_a_customer_accuracy_is_not_measured(db: Conn, tenant: str) -> None:
    with act_as(db, tenant):
        row = db.execute("select aicrm_private.score_accuracy('Only $5!', null, 'sms', null, '{}', null)").fetchone()
    assert row is not None
    assert (row[0]["score"], row[0]["findings"], row[0]["measured"]) == (None, [], False)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "🍞🥐✨ $ % 24/ 7: 99999999999999999999 https:// @ #1",
        "<p>Only <b>$5</b> &amp; 10% off &nbsp;</p><a href=",
        "Open until 99. 45/45/45. 13:75. May 99. 0 am. 2027-13-45. ++1 (000) 000-0000.",
        ("Sourdough $8, open 7am-6pm, since 1999, 48-hour ferment, call 555-0100. " * 2700)[:200000],
    ],
)
def test_any_text_the_scorecard_accepts_is_scored(db: Conn, tenant: str, customer: str, text: str) -> None:
    result = score(db, tenant, customer, text, {"key_points": ["$"], "offer": {"description": "x"}}, subject="")
    assert 0 <= result["score"] <= 100
    assert len(result["findings"]) <= 20


def test_the_worker_role_can_score(db: Conn, tenant: str, customer: str) -> None:
    assert score(db, tenant, customer, GOOD_EMAIL, role="aicrm_worker")["findings"] == []


# --- good drafts: only profile and brief facts, no serious finding --------------------------------------

GOOD: list[tuple[str, dict[str, Any], str, str, dict[str, Any]]] = [
    ("bakery", BAKERY, "email", GOOD_EMAIL, {}),
    (
        "bakery",
        BAKERY,
        "sms",
        "Sunrise Bakery: our 36-hour sourdough is out of the oven. Order at sunrisebakery.example.com",
        {},
    ),
    (
        "bakery",
        BAKERY,
        "social",
        "Fresh from our oven to your table: sourdough fermented for 36 hours with organic flour "
        "from Oregon mills. Call (503) 555-0142 to save a loaf. #sourdough",
        {},
    ),
    (
        "bakery",
        BAKERY,
        "blog",
        "## Why we wait 36 hours\n\nGood bread takes time. Our dough rests for 36 hours, so the "
        "crumb is open and the crust crackles. Mix flour and water, let it sit for 30 minutes, then knead for ten "
        "minutes. Bake at 230 degrees. The best loaf is the one you share.",
        {},
    ),
    (
        "bakery",
        BAKERY,
        "email",
        "Pre-order your holiday sourdough by December 20 and pick it up on December 23. "
        "Order at https://sunrisebakery.example.com/holiday.",
        {"key_points": ["Pre-order by December 20", "Pick up on December 23"], "purpose": "promotion"},
    ),
    (
        "plumber",
        PLUMBER,
        "sms",
        "Harbor Line Plumbing: burst pipe? 24/7 emergency service, a plumber within a 90-minute "
        "arrival window. Call (253) 555-0181",
        {},
    ),
    (
        "plumber",
        PLUMBER,
        "email",
        "Winter is hard on pipes. Our licensed, bonded and insured plumbers can clean a slow drain "
        "for $149 or flush your water heater for $99. "
        "We're open Monday to Friday 7 am to 6 pm and Saturday 8 am to 2 pm. "
        "Book at https://harborline.example.com/book or call (253) 555-0181.",
        {},
    ),
    (
        "plumber",
        PLUMBER,
        "blog",
        "## Five ways to keep pipes from freezing\n\n1. Let a tap drip overnight when it drops "
        "below 20 degrees.\n2. Open cabinet doors for two hours on the coldest nights.\n"
        "3. Insulate pipes in the garage.\n"
        "4. Know where your main shut-off valve is.\n5. Keep the heat at 55 or above when you travel for a week.\n\n"
        "If a pipe bursts at 2 am, call us: 24/7 emergency service. Serving Tacoma since 2006.",
        {},
    ),
    (
        "plumber",
        PLUMBER,
        "web",
        "Emergency and everyday plumbing for Tacoma homes since 2006. Drain cleaning from $149. "
        "Email help@harborline.example.com or call (253) 555-0181.",
        {},
    ),
    (
        "plumber",
        PLUMBER,
        "email",
        "Take 15% off drain cleaning until March 31, 2027 with code DRAIN15. Book online.",
        {"offer": {"description": "15% off drain cleaning", "code": "DRAIN15", "valid_until": "2027-03-31"}},
    ),
    (
        "dental",
        DENTAL,
        "email",
        "Hi there,\n\nIt's been about six months since your last cleaning, so it's a good time "
        "to book your checkup. Our hygienists explain every step, and early morning and Saturday appointments make it "
        "easy. Brush for two minutes twice a day until then. Book at https://brightsmile.example.com/book.",
        {},
    ),
    (
        "dental",
        DENTAL,
        "social",
        "Whitening before the wedding? Our teeth whitening is $350 and takes one visit. Call +1 971 555 0100.",
        {},
    ),
    (
        "dental",
        DENTAL,
        "sms",
        "Bright Smile Dental: Saturday appointments are open this month. Book: brightsmile.example.com",
        {},
    ),
    (
        "salon",
        SALON,
        "email",
        "Welcome to The Velvet Chair Salon! Every appointment starts with a consultation. A cut "
        "and style is $65 and full color is $140. We're open Tuesday and Wednesday 10 am to 7 pm and Saturday 9 am to "
        "5 pm at 22 Lexington Ave. Book at https://velvetchair.example.com.",
        {},
    ),
    (
        "salon",
        SALON,
        "social",
        "The calmest chair in downtown Asheville is waiting. Book your cut and style for $65. Call (828) 555-0123.",
        {},
    ),
    (
        "salon",
        SALON,
        "blog",
        "## Caring for color at home\n\nWash with cool water, wait 72 hours before the first "
        "shampoo and use a heat protectant every time. Many people color every six to eight weeks. When you are ready, "
        "our full color is $140.",
        {},
    ),
    ("thin", THIN, "sms", "Rapid Rooter Plumbing: a blocked drain can't wait. Call (555) 201-3344", {}),
    (
        "thin",
        THIN,
        "email",
        "Got a plumbing problem? Rapid Rooter Plumbing is a phone call away. Tell us what's going on "
        "and we'll take it from there. Call (555) 201-3344 today.",
        {},
    ),
]


@pytest.mark.parametrize(
    ("key", "profile", "channel", "text", "brief"), GOOD, ids=[f"{g[0]}-{g[2]}-{i}" for i, g in enumerate(GOOD)]
)
def test_good_drafts_get_no_serious_finding(
    db: Conn, tenant: str, key: str, profile: dict[str, Any], channel: str, text: str, brief: dict[str, Any]
) -> None:
    customer = make_customer(db, tenant, **profile)
    result = score(db, tenant, customer, text, brief, channel=channel)
    assert serious(result) == [], key
