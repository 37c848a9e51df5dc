"""aicrm.context_completeness: each profile field present or missing, which channels' system-owned
parts a missing field blocks (from the compliance packs that apply), a score, and what a writer
lacks (a thin profile)."""

from __future__ import annotations

from typing import Any

import psycopg

from tests.factories import make_customer, make_tenant
from tests.helpers import act_as, call, refused
from tests.samples import BAKERY

Conn = psycopg.Connection[Any]
REPORT = "select aicrm.context_completeness(%s)"


def report(db: Conn, tenant: str, customer: str) -> dict[str, Any]:
    return dict(call(db, tenant, REPORT, (customer,), "aicrm_app"))


def field(got: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in got["fields"] if f["field"] == name)


def test_a_full_profile_blocks_nothing_and_is_not_thin(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    got = report(db, tenant, customer)
    assert got["blocks"] == []
    assert got["thin"] is False
    assert field(got, "address.street")["present"] is True
    assert {"email", "email_from", "business_hours", "target_audience"} == set(got["missing"])  # BAKERY lacks them
    assert 70 <= got["score"] < 100
    assert all(f["blocks"] == [] for f in got["fields"])


def test_a_thin_imported_profile_says_what_it_blocks_and_what_a_writer_lacks(db: Conn) -> None:
    tenant = make_tenant(db, "Agency")
    customer = make_customer(
        db,
        tenant,
        name="Pipe Pros",
        industry_category="home_services",
        industry_subcategory="plumbing",
        phone="(503) 555-0100",
    )
    got = report(db, tenant, customer)
    assert got["thin"] is True
    assert {"business_description", "products_services", "unique_selling_points"} <= set(got["writer_missing"])
    blocks = [(b["channel"], b["part"], b["field"], b["pack"]) for b in got["blocks"]]
    assert blocks == [("email", "postal_address", "address.street", "email_marketing")]
    street = field(got, "address.street")
    assert street["present"] is False
    [block] = street["blocks"]
    assert "email" in block
    assert "address.street" in block
    assert field(got, "phone")["present"] is True
    assert got["score"] < field(got, "name")["weight"] + 30
    full = report(db, tenant, make_customer(db, tenant, **BAKERY))
    assert got["score"] < full["score"]


def test_what_is_blocked_follows_the_packs_that_apply(db: Conn) -> None:
    tenant = make_tenant(db, "Agency")
    customer = make_customer(
        db, tenant, name="Pipe Pros", industry_category="home_services", industry_subcategory="plumbing"
    )
    # No contact details at all: a pack requiring contact info on social blocks it there too.
    db.execute(
        "insert into aicrm.compliance_packs (pack_code, name, description, channels)"
        " values ('social_contact', 'Social contact', 'Posts say how to reach the business.', '{social}')"
    )
    db.execute(
        "insert into aicrm.compliance_rules (pack_code, rule_code, kind, severity, element, message, fix)"
        " values ('social_contact', 'contact_missing', 'required_element', 'major', 'contact_info', 'None.', 'Add.')"
    )
    got = report(db, tenant, customer)
    assert [(b["channel"], b["part"]) for b in got["blocks"]] == [
        ("email", "postal_address"),
        ("social", "contact_info"),
    ]
    assert field(got, "website")["blocks"] == field(got, "phone")["blocks"] != []
    with act_as(db, tenant):
        db.execute("insert into aicrm.tenant_compliance_packs (pack_code, enabled) values ('email_marketing', false)")
    assert [b["channel"] for b in report(db, tenant, customer)["blocks"]] == ["social"]


def test_bad_input_and_another_tenants_customer(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    assert refused(db, tenant, REPORT, (None,), "aicrm_app") == ("AC001", "customer_id")
    other = make_tenant(db, "Other")
    assert refused(db, other, REPORT, (customer,), "aicrm_app") == ("AC002", "customer_id")
