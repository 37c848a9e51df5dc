"""get_customer_context_for_ai: the one document an agent writes from, current or as of a version."""

from __future__ import annotations

import json
import re
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import World, make_customer, new_id
from tests.helpers import act_as, sql_error

SECTIONS = {
    "customer",
    "context_version",
    "context_valid_from",
    "context_is_current",
    "industry",
    "business",
    "brand_voice",
    "content_preferences",
    "contacts",
    "projects",
    "gaps",
    "template_values",
    "templates",
    "industry_phrasing",
    "examples",
    "rules",
    "learned_patterns",
}
ALL_GAPS = [
    "brand_voice",
    "business.business_hours",
    "business.description",
    "business.products_services",
    "business.target_audience",
    "business.unique_selling_points",
    "content_preferences",
]
FULL_PROFILE: dict[str, Any] = {
    "name": "Sunrise Bakery",
    "external_id": "legacy-7",
    "industry_category": "food_beverage",
    "industry_subcategory": "bakery",
    "website": "https://sunrise.example.com",
    "business_description": "A neighbourhood sourdough bakery.",
    "unique_selling_points": ["Baked at 4 am every day"],
    "products_services": [{"name": "Sourdough loaf", "price": 6.5, "currency": "USD"}],
    "target_audience": {"summary": "Families within two miles"},
    "business_hours": {"timezone": "America/Chicago", "weekly": {"mon": [{"open": "07:00", "close": "15:00"}]}},
    "brand_voice": {"tone": ["warm", "friendly"], "emoji_use": "sparingly"},
    "content_preferences": {"channels": ["email"], "content_length": "short"},
}


def context(conn: psycopg.Connection[Any], customer: str, version: int | None = None) -> dict[str, Any]:
    row = conn.execute(
        "select aicrm.get_customer_context_for_ai(p_customer_id => %s, p_context_version => %s)", (customer, version)
    ).fetchone()
    assert row is not None
    result: dict[str, Any] = row[0]
    return result


def context_at(db: psycopg.Connection[Any], world: World, version: int) -> dict[str, Any]:
    with act_as(db, world.tenant_a):
        return context(db, world.customer_a, version)


def add_contact(conn: psycopg.Connection[Any], customer: str, contact: dict[str, Any]) -> None:
    conn.execute("select aicrm.upsert_customer_contact(%s, %s)", (customer, Jsonb(contact)))


def test_the_context_has_every_section(db: psycopg.Connection[Any], world: World) -> None:
    customer = make_customer(db, world.tenant_a, **FULL_PROFILE)
    display_name = db.execute(
        "select display_name from aicrm.industries where industry_category = 'food_beverage'"
    ).fetchone()
    assert display_name is not None
    with act_as(db, world.tenant_a):
        doc = context(db, customer)
    assert set(doc) >= SECTIONS
    assert doc["customer"] == {
        "customer_id": customer,
        "external_id": "legacy-7",
        "name": "Sunrise Bakery",
        "status": "active",
    }
    assert (doc["context_version"], doc["context_is_current"]) == (1, True)
    assert doc["industry"] == {
        "category": "food_beverage",
        "subcategory": "bakery",
        "display_name": display_name[0],
    }
    business = doc["business"]
    assert business["description"] == FULL_PROFILE["business_description"]
    assert business["unique_selling_points"] == FULL_PROFILE["unique_selling_points"]
    assert business["products_services"] == FULL_PROFILE["products_services"]
    assert business["business_hours"] == FULL_PROFILE["business_hours"]
    assert business["website"] == FULL_PROFILE["website"]
    assert doc["brand_voice"] == FULL_PROFILE["brand_voice"]
    assert doc["content_preferences"] == FULL_PROFILE["content_preferences"]
    assert doc["gaps"] == []
    # The knowledge base's sections: templates for the customer's industry (or any), rendered, and
    # the most similar examples (tests/sql/knowledge/ checks their content).
    assert isinstance(doc["templates"], list)
    assert all(t["industry"] in (None, "food_beverage") for t in doc["templates"])
    assert all("body" in t["rendered"] for t in doc["templates"])
    assert set(doc["examples"]) == {"positive", "negative"}
    # Filled in by later features; present and empty so agents can rely on the shape.
    assert doc["rules"] == []
    assert doc["learned_patterns"] == []


def test_gaps_list_the_empty_sections(db: psycopg.Connection[Any], world: World) -> None:
    bare = make_customer(db, world.tenant_a, name="Bare Bakery")
    partial = make_customer(
        db, world.tenant_a, name="Half Bakery", business_description="Rye.", brand_voice={"tone": ["calm"]}
    )
    with act_as(db, world.tenant_a):
        assert context(db, bare)["gaps"] == ALL_GAPS
        assert context(db, partial)["gaps"] == [g for g in ALL_GAPS if g not in {"brand_voice", "business.description"}]
        db.execute("select aicrm.upsert_business_profile(%s, %s)", (Jsonb({"business_description": ""}), partial))
        assert "business.description" in context(db, partial)["gaps"]


def test_contacts_are_summarised_without_personal_data(db: psycopg.Connection[Any], world: World) -> None:
    customer = make_customer(db, world.tenant_a, name="Contact Bakery")
    personal = ["maria.delgado@example.com", "+1 512 555 0199", "tom.okafor@example.com", "+1 512 555 0142", "Delgado"]
    with act_as(db, world.tenant_a):
        assert context(db, customer)["contacts"] == {"total": 0, "email_opt_in": 0, "sms_opt_in": 0, "primary": None}
        add_contact(
            db,
            customer,
            {
                "first_name": "Maria",
                "last_name": "Delgado",
                "email": personal[0],
                "phone": personal[1],
                "job_title": "Owner",
                "is_primary": True,
                "email_opt_in": True,
                "sms_opt_in": True,
            },
        )
        add_contact(
            db, customer, {"first_name": "Tom", "email": personal[2], "phone": personal[3], "email_opt_in": True}
        )
        doc = context(db, customer)
    assert doc["contacts"] == {
        "total": 2,
        "email_opt_in": 2,
        "sms_opt_in": 1,
        "primary": {"first_name": "Maria", "job_title": "Owner"},
    }
    text = json.dumps(doc)
    assert not [p for p in personal if p in text]


def test_projects_lists_the_active_ones(db: psycopg.Connection[Any], world: World) -> None:
    with act_as(db, world.tenant_a):
        db.execute(
            "insert into aicrm.projects (customer_id, name, status) values (%s, 'Spring menu', 'active'), "
            "(%s, 'Old campaign', 'completed')",
            (world.customer_a, world.customer_a),
        )
        projects = context(db, world.customer_a)["projects"]
    assert projects == {"active": 2, "names": ["Launch", "Spring menu"]}


def test_an_old_version_returns_the_context_as_it_was(db: psycopg.Connection[Any], world: World) -> None:
    with act_as(db, world.tenant_a):
        db.execute("select aicrm.set_brand_voice(%s, %s)", (world.customer_a, Jsonb({"tone": ["bold"]})))
        db.execute(
            "select aicrm.upsert_business_profile(%s, %s)", (Jsonb({"name": "Alpha Bakehouse"}), world.customer_a)
        )
        old = context(db, world.customer_a, 1)
        middle = context(db, world.customer_a, 2)
        current = context(db, world.customer_a)
    assert (old["context_version"], old["context_is_current"]) == (1, False)
    assert old["brand_voice"] == {}
    assert old["customer"]["name"] == "Alpha Bakery"
    assert "brand_voice" in old["gaps"]
    assert (middle["context_version"], middle["context_is_current"]) == (2, False)
    assert middle["brand_voice"] == {"tone": ["bold"]}
    assert middle["customer"]["name"] == "Alpha Bakery"
    assert (current["context_version"], current["context_is_current"]) == (3, True)
    assert current["customer"]["name"] == "Alpha Bakehouse"
    assert current == {**context_at(db, world, 3), "generated_at": current["generated_at"]}


@pytest.mark.parametrize("version", [0, 2, 99])
def test_an_unknown_version_is_not_found(db: psycopg.Connection[Any], world: World, version: int) -> None:
    with act_as(db, world.tenant_a):
        err = sql_error(db, "select aicrm.get_customer_context_for_ai(%s, %s)", (world.customer_a, version))
    assert err.sqlstate == "AC002"
    assert err.diag.column_name == "context_version"
    assert (err.diag.message_primary or "").startswith("context_version:")


@pytest.mark.parametrize("whose", ["unknown", "other_tenant"])
def test_an_unknown_or_foreign_customer_is_not_found(db: psycopg.Connection[Any], world: World, whose: str) -> None:
    customer = new_id() if whose == "unknown" else world.customer_b
    with act_as(db, world.tenant_a):
        err = sql_error(db, "select aicrm.get_customer_context_for_ai(%s)", (customer,))
    assert err.sqlstate == "AC002"
    assert err.diag.column_name == "customer_id"
    assert (err.diag.message_primary or "").startswith("customer_id:")
    assert world.customer_b not in (err.diag.message_detail or "") + (err.diag.message_hint or "")


def test_a_tenant_must_be_set(db: psycopg.Connection[Any], world: World) -> None:
    with act_as(db, None):
        err = sql_error(db, "select aicrm.get_customer_context_for_ai(%s)", (world.customer_a,))
    assert err.sqlstate == "AC003"
    assert (err.diag.message_primary or "").startswith("tenant_id:")


@pytest.mark.parametrize("role", ["aicrm_readonly", "aicrm_worker"])
def test_readers_may_get_the_context(db: psycopg.Connection[Any], world: World, role: str) -> None:
    with act_as(db, world.tenant_a):
        expected = context(db, world.customer_a)
    with act_as(db, world.tenant_a, role):
        doc = context(db, world.customer_a)
    assert doc == {**expected, "generated_at": doc["generated_at"]}


@pytest.mark.parametrize(
    ("call", "params"),
    [
        ("select aicrm.upsert_business_profile(%s, %s)", ({"name": "Read only"}, "customer")),
        ("select aicrm.set_brand_voice(%s, %s)", ("customer", {"tone": ["bold"]})),
        ("select aicrm.set_content_preferences(%s, %s)", ("customer", {"channels": ["sms"]})),
        ("select aicrm.upsert_customer_contact(%s, %s)", ("customer", {"first_name": "Eve"})),
    ],
)
def test_readonly_cannot_change_the_context(
    db: psycopg.Connection[Any], world: World, call: str, params: tuple[Any, Any]
) -> None:
    values = tuple(world.customer_a if p == "customer" else Jsonb(p) for p in params)
    with act_as(db, world.tenant_a, "aicrm_readonly"):
        assert sql_error(db, call, values).sqlstate == "42501"


def test_the_tenants_compliance_terms_come_with_the_context(db: psycopg.Connection[Any], world: World) -> None:
    """A writer that knows the terms the scorecard checks avoids a retry; a tenant's terms only."""
    with act_as(db, world.tenant_a):
        db.execute("insert into aicrm.tenant_compliance_terms (term, kind) values ('free delivery', 'required')")
        got = context(db, world.customer_a)["compliance_terms"]
    assert got == [{"term": "cheap", "kind": "forbidden"}, {"term": "free delivery", "kind": "required"}]
    with act_as(db, world.tenant_b):
        assert context(db, world.customer_b)["compliance_terms"] == [{"term": "cheap", "kind": "forbidden"}]


# --- what the offline writer reads: the templates' values, their variants, the industry's phrasing -----

SEPARATOR = " ||| "


def add_template(conn: psycopg.Connection[Any], **fields: Any) -> str:
    doc = {"name": "Ours", "purpose": "promotion", "channel": "email", "subject": None, "variants": []} | fields
    row = conn.execute(
        "insert into aicrm.content_templates (name, purpose, channel, subject, body, variants) "
        "values (%(name)s, %(purpose)s, %(channel)s, %(subject)s, %(body)s, %(variants)s) returning template_id",
        {**doc, "variants": Jsonb(doc["variants"])},
    ).fetchone()
    assert row is not None
    return str(row[0])


def render(conn: psycopg.Connection[Any], template: str, customer: str, variant: str | None = None) -> Any:
    row = conn.execute("select aicrm.render_template(%s, %s, %s)", (template, customer, variant)).fetchone()
    assert row is not None
    return row[0]


def test_template_values_are_what_render_template_fills(db: psycopg.Connection[Any], world: World) -> None:
    """The context carries the placeholder values (one definition, in SQL: the writer derives none)."""
    profile = {**FULL_PROFILE, "phone": "+1 512 555 0100", "email": "hello@sunrise.example.com",
               "address": {"street": "1 Main St", "city": "Austin", "region": "TX", "postal_code": "78704"},
               "content_preferences": {"default_cta": "Order ahead", "hashtags": ["#Bread", "#Austin"]},
               "brand_voice": {"phrases_to_use": ["baked this morning"]}}  # fmt: skip
    customer = make_customer(db, world.tenant_a, **profile)
    names = [r[0] for r in db.execute("select name from aicrm_private.template_placeholders() where not merge_tag")]
    with act_as(db, world.tenant_a):
        template = add_template(db, channel="web", body=SEPARATOR.join(f"{{{{{n}}}}}" for n in names))
        filled = dict(zip(names, render(db, template, customer)["body"].split(SEPARATOR), strict=True))
        doc = context(db, customer)
        row = db.execute("select aicrm_private.template_values(%s)", (customer,)).fetchone()
    assert row is not None
    values = doc["template_values"]
    assert values == row[0]
    assert set(values) == set(names)
    assert {k: v or "" for k, v in values.items()} == filled
    assert values["featured_product"] == "Sourdough loaf"
    assert values["business_hours"] == "Mon 07:00-15:00"
    assert values["signature"] == "The Sunrise Bakery team"
    assert values["phone"] == "+1 512 555 0100"
    bare = make_customer(db, world.tenant_a, name="Bare Bakery")
    with act_as(db, world.tenant_a):
        empty = context(db, bare)["template_values"]
    assert empty["business_name"] == "Bare Bakery"
    assert empty["cta"] == "Get in touch today"
    assert sorted(k for k, v in empty.items() if v is None) == sorted(
        set(names) - {"business_name", "industry", "cta", "signature"}
    )


def test_an_old_version_carries_its_own_values_and_renderings(db: psycopg.Connection[Any], world: World) -> None:
    with act_as(db, world.tenant_a):
        add_template(db, name="Named", channel="sms", body="{{business_name}}: fresh bread. Reply STOP to opt out.")
        db.execute(
            "select aicrm.upsert_business_profile(%s, %s)", (Jsonb({"name": "Alpha Bakehouse"}), world.customer_a)
        )
        old = db.execute(
            "select aicrm.get_customer_context_for_ai(%s, p_context_version => 1, p_channel => 'sms')",
            (world.customer_a,),
        ).fetchone()
        now = db.execute(
            "select aicrm.get_customer_context_for_ai(%s, p_channel => 'sms')", (world.customer_a,)
        ).fetchone()
    assert old is not None
    assert now is not None
    assert old[0]["template_values"]["business_name"] == "Alpha Bakery"
    assert now[0]["template_values"]["business_name"] == "Alpha Bakehouse"
    named = [t["rendered"]["body"] for doc in (old[0], now[0]) for t in doc["templates"] if t["name"] == "Named"]
    assert named == ["Alpha Bakery: fresh bread. Reply STOP to opt out.",
                     "Alpha Bakehouse: fresh bread. Reply STOP to opt out."]  # fmt: skip


def test_the_best_template_comes_with_its_variants_rendered_three_at_most(
    db: psycopg.Connection[Any], world: World
) -> None:
    variants = [
        {"key": k, "subject": f"{k.upper()}: {{{{business_name}}}}", "body": f"Body {k} for {{{{business_name}}}}."}
        for k in ("b", "c", "d", "e")
    ]
    variants[0]["weight"] = 30
    with act_as(db, world.tenant_a):
        # Ours is the best promotion email (the library's are switched off); a second one ranks after it.
        db.execute(
            "update aicrm.content_templates set active = false where channel = 'email' and purpose = 'promotion'"
        )
        template = add_template(db, name="A ours", subject="A: {{business_name}}", body="Body a.", variants=variants)
        second = add_template(db, name="B second", body="Body two.", variants=variants[:1])
        doc = db.execute(
            "select aicrm.get_customer_context_for_ai(%s, p_channel => 'email', p_purpose => 'promotion')",
            (world.customer_a,),
        ).fetchone()
        assert doc is not None
        ours = next(t for t in doc[0]["templates"] if t["template_id"] == template)
        expected = [render(db, template, world.customer_a, k) for k in ("b", "c", "d")]
    assert ours["variants"] == ["b", "c", "d", "e"]  # every key, as before
    assert ours["rendered"] == {"subject": "A: Alpha Bakery", "body": "Body a.", "missing": []}
    got = ours["rendered_variants"]
    assert [v["variant"] for v in got] == ["b", "c", "d"]
    assert [v["weight"] for v in got] == [30, None, None]
    assert [(v["subject"], v["body"], v["missing"]) for v in got] == [
        (e["subject"], e["body"], e["missing"]) for e in expected
    ]
    # Only the best of a channel and purpose is rendered in its variants: the one a writer starts from.
    other = next(t for t in doc[0]["templates"] if t["template_id"] == second)
    assert other["variants"] == ["b"]
    assert other["rendered_variants"] == []


def test_each_purpose_of_the_channel_brings_its_best_template(db: psycopg.Connection[Any], world: World) -> None:
    """The library has six purposes per channel: none is cut off (welcome, last by name, used to be)."""
    with act_as(db, world.tenant_a):
        templates = context(db, world.customer_a)["templates"]
        email = db.execute(
            "select aicrm.get_customer_context_for_ai(%s, p_channel => 'email')", (world.customer_a,)
        ).fetchone()
    assert email is not None
    purposes = [t["purpose"] for t in email[0]["templates"]]
    assert set(purposes) == {"welcome", "promotion", "newsletter", "re_engagement", "event", "review_request"}
    assert all(t["channel"] == "email" and t["industry"] in (None, "food_beverage") for t in email[0]["templates"])
    firsts = {t["purpose"]: t for t in reversed(email[0]["templates"])}  # the industry's own ranks first
    assert all(t["industry"] == "food_beverage" for t in firsts.values())
    assert len(templates) == 8  # every channel: eight at most, every purpose first


def test_industry_phrasing_is_generic_and_bounded(db: psycopg.Connection[Any], world: World) -> None:
    """For a profile with gaps, sentences of the industry's templates that name nothing but the
    business, its city and its industry: six a purpose at most, each once, none with a hole where
    a city is unknown."""
    with_city = make_customer(db, world.tenant_a, name="City Bakery", address={"city": "Austin"})
    full = make_customer(db, world.tenant_a, **{**FULL_PROFILE, "external_id": "full-1"})
    with act_as(db, world.tenant_a):
        rich = context(db, full)
        found = context(db, with_city)["industry_phrasing"]
        without = context(db, world.customer_a)["industry_phrasing"]
        welcome_first = db.execute(
            "select aicrm.get_customer_context_for_ai(%s, p_purpose => 'welcome')", (world.customer_a,)
        ).fetchone()
    assert found
    assert all(set(p) == {"text", "purpose", "channel"} for p in found)
    texts = [p["text"] for p in found]
    assert len(texts) == len(set(texts))
    for purpose in {p["purpose"] for p in found}:
        assert sum(p["purpose"] == purpose for p in found) <= 6
    for text in texts + [p["text"] for p in without]:
        assert not re.search(r"\{\{|\d|https?:|@|^(Hi|Hello|Dear)\b[^.!?]*,|\s[.,!?]|\s{2}", text), text
        assert 4 <= len(text.split()) <= 30, text
    assert any("Austin" in t for t in texts)  # "{{city}}" filled where the customer has one
    assert not any("Austin" in p["text"] for p in without)
    assert welcome_first is not None
    assert welcome_first[0]["industry_phrasing"][0]["purpose"] == "welcome"
    # A profile with no gaps gets none: a writer with the facts has no use for stock sentences.
    assert rich["gaps"] == []
    assert rich["industry_phrasing"] == []
