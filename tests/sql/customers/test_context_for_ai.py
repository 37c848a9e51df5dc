"""get_customer_context_for_ai: the one document an agent writes from, current or as of a version."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.helpers import World, act_as, make_customer, make_world, new_id, sql_error

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
    "templates",
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


@pytest.fixture
def world(db: psycopg.Connection[Any]) -> World:
    return make_world(db)


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
