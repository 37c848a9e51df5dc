"""The customer's scoring profile (aicrm.customer_scoring_profiles): what the scorecard derives from
a customer and its contacts, derived again whenever either changes, so a scorecard never works
from stale facts; a customer without a stored profile is scored the same (derived on the spot);
no role writes a profile by hand."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tests.factories import make_customer
from tests.helpers import act_as, sql_error
from tests.samples import BAKERY, GOOD_EMAIL
from tests.tasks import evaluate_content


def profile(conn: psycopg.Connection[Any], tenant: str, customer: str) -> dict[str, Any]:
    with act_as(conn, tenant):
        row = conn.execute(
            "select to_jsonb(p) from aicrm.customer_scoring_profiles p where customer_id = %s", (customer,)
        ).fetchone()
    assert row is not None, "no profile stored"
    return dict(row[0])


def violations(card: dict[str, Any]) -> list[str]:
    return sorted(f"{v['pack']}.{v['rule']}" for v in card["details"]["compliance"]["violations"])


def test_the_profile_follows_the_customer_and_its_contacts(db: psycopg.Connection[Any], tenant: str) -> None:
    customer = make_customer(db, tenant, **BAKERY)
    got = profile(db, tenant, customer)
    assert got["name_keys"] == ["sunrise bakery"]
    assert got["street_key"] == "12 baker street"
    assert got["website_host"] == "sunrisebakery.example.com"
    assert (got["competitor_names"], got["competitor_keys"]) == (["Golden Loaf"], ["golden loaf"])
    assert got["use_phrases"] == ["baked fresh every morning", "from our oven to your table"]
    assert got["avoid_keys"] == ["cheap", "mass produced"]
    assert {"sourdough", "croissants", "organic"} <= set(got["relevance_keywords"])
    assert "every" not in got["relevance_keywords"]  # too common to tell what a draft is about
    assert got["contact_emails"] == []

    draft = GOOD_EMAIL + "\n\nP.S. Ask Dana at dana.lee@example.org or 503-555-0199, or try Crumb & Co."
    before = evaluate_content(db, tenant, draft, customer=customer)
    assert violations(before) == []
    with act_as(db, tenant):
        contact = db.execute(
            "select aicrm.upsert_customer_contact(%s, %s)",
            (customer, Jsonb({"first_name": "Dana", "email": "Dana.Lee@example.org", "phone": "(503) 555-0199"})),
        ).fetchone()
        assert contact is not None
        db.execute(
            "update aicrm.customers set competitors = competitors || %s where customer_id = %s",
            (Jsonb([{"name": "Crumb & Co"}]), customer),
        )
    got = profile(db, tenant, customer)
    assert (got["contact_emails"], got["contact_phones"]) == (["dana.lee@example.org"], ["5035550199"])
    assert got["competitor_names"] == ["Golden Loaf", "Crumb & Co"]
    after = evaluate_content(db, tenant, draft, customer=customer)
    assert violations(after) == [
        "general.competitor_named",
        "privacy.contact_personal_data",
        "privacy.contact_personal_data",
    ]
    with act_as(db, tenant):
        db.execute("delete from aicrm.customer_contacts where contact_id = %s", (contact[0],))
    assert profile(db, tenant, customer)["contact_emails"] == []
    assert violations(evaluate_content(db, tenant, draft, customer=customer)) == ["general.competitor_named"]


def test_brand_phrases_follow_the_brand_voice(db: psycopg.Connection[Any], tenant: str) -> None:
    customer = make_customer(db, tenant, **BAKERY)
    card = evaluate_content(db, tenant, GOOD_EMAIL, customer=customer)
    assert card["details"]["brand_alignment"]["phrases_used"] == [
        "baked fresh every morning",
        "from our oven to your table",
    ]
    with act_as(db, tenant):
        db.execute(
            "select aicrm.set_brand_voice(%s, %s)",
            (
                customer,
                Jsonb({**BAKERY["brand_voice"], "phrases_to_use": ["rise and shine"], "phrases_to_avoid": ["oven"]}),
            ),
        )
    card = evaluate_content(db, tenant, GOOD_EMAIL, customer=customer)
    assert card["details"]["brand_alignment"]["phrases_used"] == []
    assert card["details"]["brand_alignment"]["phrases_avoided_found"] == ["oven"]


def test_a_customer_without_a_stored_profile_is_scored_the_same(db: psycopg.Connection[Any], tenant: str) -> None:
    """Customers from before the profile existed (or a profile lost) are derived on the spot."""
    customer = make_customer(db, tenant, **BAKERY)
    drafts = [GOOD_EMAIL, GOOD_EMAIL + "\nCheaper than Golden Loaf, guaranteed results!", "Hi.\n\nBuy now."]
    with_profile = [evaluate_content(db, tenant, d, customer=customer) for d in drafts]
    db.execute("delete from aicrm.customer_scoring_profiles where customer_id = %s", (customer,))
    without = [evaluate_content(db, tenant, d, customer=customer) for d in drafts]
    assert without == with_profile
    assert violations(with_profile[1]) != []


def test_no_role_writes_a_profile(db: psycopg.Connection[Any], tenant: str) -> None:
    customer = make_customer(db, tenant, **BAKERY)
    for role in ("aicrm_app", "aicrm_worker", "aicrm_readonly"):
        with act_as(db, tenant, role):
            for statement in (
                "update aicrm.customer_scoring_profiles set name_keys = '{}'",
                "delete from aicrm.customer_scoring_profiles",
                "insert into aicrm.customer_scoring_profiles (customer_id) values (gen_random_uuid())",
            ):
                assert sql_error(db, statement).sqlstate == "42501", (role, statement)
    assert profile(db, tenant, customer)["name_keys"] == ["sunrise bakery"]


EXAMPLES = [
    (
        "Cinnamon morning buns are back",
        "Our cinnamon morning buns return this weekend. Neighbours queue early for the cardamom twist, "
        "so come by before nine.",
    ),
    (
        "Weekend bakes",
        "This weekend: cinnamon morning buns, cardamom twists and a rye loaf. Neighbours, come by early!",
    ),
]
ECHO = (
    "Hi neighbour,\n\nThe cinnamon morning buns and cardamom twists are back this weekend, baked fresh every "
    "morning. Neighbours tell us to come by early, so we open at seven.\n\nOrder ahead at "
    "https://sunrisebakery.example.com/order.\n\nSunrise Bakery, 12 Baker Street, Portland, OR 97201\n"
    "Unsubscribe: {{unsubscribe_url}}"
)


def add_example(conn: psycopg.Connection[Any], customer: str | None, subject: str, content: str, polarity: str) -> str:
    row = conn.execute(
        "insert into aicrm.content_examples (customer_id, purpose, channel, subject, content, polarity)"
        " values (%s, 'promotion', 'email', %s, %s, %s) returning example_id",
        (customer, subject, content, polarity),
    ).fetchone()
    assert row is not None
    return str(row[0])


def test_brand_alignment_measures_likeness_to_the_customers_positive_examples(
    db: psycopg.Connection[Any], tenant: str
) -> None:
    customer = make_customer(db, tenant, **BAKERY)
    card = evaluate_content(db, tenant, GOOD_EMAIL, customer=customer)
    assert "examples" not in card["details"]["brand_alignment"]["components"]  # none yet: left out
    with act_as(db, tenant):
        ids = [add_example(db, customer, s, c, "positive") for s, c in EXAMPLES]
        add_example(db, customer, "Cheap deals", "Cheap cheap cheap deals deals on stale bread bread.", "negative")
        add_example(db, None, "Library", "Cinnamon cinnamon pastries pastries for every bakery.", "positive")
    keywords = profile(db, tenant, customer)["example_keywords"]
    assert {"cinnamon", "buns", "cardamom", "weekend", "neighbours"} <= set(keywords)
    assert not {"cheap", "deals", "stale", "pastries"} & set(keywords)  # not negative, not the library's
    assert not {"sourdough", "morning"} & set(keywords)  # the description's words are relevance's

    alike = evaluate_content(db, tenant, ECHO, customer=customer)["details"]["brand_alignment"]
    unlike = evaluate_content(db, tenant, GOOD_EMAIL, customer=customer)
    assert alike["components"]["examples"] == 100.0
    assert alike["example_words_matched"] >= min(8, len(keywords))
    brand = unlike["details"]["brand_alignment"]
    assert brand["components"]["examples"] < 50
    assert any("approved examples" in r for r in brand["reasons"])
    assert "follow_examples" in [f["code"] for f in unlike["fixes"]]

    with act_as(db, tenant):
        db.execute("delete from aicrm.content_examples where example_id = any(%s::uuid[])", (ids,))
    assert profile(db, tenant, customer)["example_keywords"] == []


def accuracy(card: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((f["check"], f["span"]["text"]) for f in card["findings"] if f["dimension"] == "accuracy")


FERMENT = GOOD_EMAIL + "\n\nP.S. Our sourdough ferments for 48 hours, and the cinnamon roll is now $6."


def test_the_accuracy_grounding_follows_the_profile_and_its_examples(db: psycopg.Connection[Any], tenant: str) -> None:
    """What the profile grounds is derived when the profile (or an approved example) changes, not per
    draft; a change takes effect on the next scorecard, and a profile other than the stored one (or
    none stored) is grounded on the spot, with the same verdict."""
    customer = make_customer(db, tenant, **BAKERY)
    grounding = profile(db, tenant, customer)["accuracy_grounding"]
    assert {g["text"] for g in grounding["ground"]} >= {"36 hours", "(503) 555-0142"}
    assert grounding["examples"] == []
    before = evaluate_content(db, tenant, FERMENT, customer=customer)
    assert accuracy(before) == [("contradiction", "48 hours"), ("untraceable_claim", "$6")]

    with act_as(db, tenant):
        db.execute(
            "update aicrm.customers set unique_selling_points = %s where customer_id = %s",
            (["Sourdough fermented for 48 hours", "Organic flour from Oregon mills"], customer),
        )
    # (GOOD_EMAIL's "36 hours" is now the contradiction.)
    changed = accuracy(evaluate_content(db, tenant, FERMENT, customer=customer))
    assert changed == [("contradiction", "36 hours"), ("untraceable_claim", "$6")]
    with act_as(db, tenant):
        add_example(db, customer, "Rolls", "Cinnamon rolls are $6 this week, warm from the oven.", "positive")
    assert {"kind": "price", "v": "6"} in profile(db, tenant, customer)["accuracy_grounding"]["examples"]
    after = evaluate_content(db, tenant, FERMENT, customer=customer)
    assert accuracy(after) == [("contradiction", "36 hours")]

    # Without the stored grounding, or scoring another profile than the stored one: derived now.
    db.execute(
        "update aicrm.customer_scoring_profiles set accuracy_grounding = null where customer_id = %s", (customer,)
    )
    assert evaluate_content(db, tenant, FERMENT, customer=customer) == after
    with act_as(db, tenant):
        row = db.execute(
            "select aicrm_private.score_accuracy(%s, null, 'email', (select to_jsonb(c) - 'tenant_id' || "
            '\'{"unique_selling_points": ["Sourdough fermented for 36 hours"]}\' from aicrm.customers c '
            "where customer_id = %s), '{}', null)",
            (FERMENT, customer),
        ).fetchone()
    assert row is not None
    assert ("contradiction", "48 hours") in sorted((f["check"], f["span"]["text"]) for f in row[0]["findings"])
