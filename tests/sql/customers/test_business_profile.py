"""The business profile API: upsert_business_profile, set_brand_voice, set_content_preferences,
upsert_customer_contact, and what every write leaves behind (validation, context versions, audit)."""

from __future__ import annotations

import itertools
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import World, make_customer, new_id
from tests.helpers import act_as, sql_error

BASE = {"name": "Sunrise Bakery", "industry_category": "food_beverage", "industry_subcategory": "bakery"}


def one(conn: psycopg.Connection[Any], query: str, params: Any = None) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def upsert(conn: psycopg.Connection[Any], profile: dict[str, Any], customer_id: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = one(
        conn,
        "select aicrm.upsert_business_profile(p_profile => %s, p_customer_id => %s)",
        (Jsonb(profile), customer_id),
    )
    return result


def customer_row(conn: psycopg.Connection[Any], customer_id: str) -> dict[str, Any]:
    row: dict[str, Any] = one(conn, "select to_jsonb(c) from aicrm.customers c where customer_id = %s", (customer_id,))
    return row


def written(conn: psycopg.Connection[Any]) -> tuple[int, int, int, int]:
    """Row counts of every table a profile write touches (as the superuser: all tenants)."""
    row = conn.execute(
        "select (select count(*) from aicrm.customers), (select count(*) from aicrm.customer_context_versions),"
        " (select count(*) from aicrm.audit_log), (select count(*) from aicrm.customer_contacts)"
    ).fetchone()
    assert row is not None
    return (int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def snapshots(conn: psycopg.Connection[Any], customer_id: str) -> list[tuple[int, Any, Any, dict[str, Any]]]:
    rows = conn.execute(
        "select context_version, valid_from, valid_to, context from aicrm.customer_context_versions "
        "where customer_id = %s order by context_version",
        (customer_id,),
    ).fetchall()
    return [(int(r[0]), r[1], r[2], r[3]) for r in rows]


def assert_invalid(err: psycopg.Error, field: str, sqlstate: str = "AC001") -> None:
    assert err.sqlstate == sqlstate, err
    assert err.diag.column_name == field, err
    assert (err.diag.message_primary or "").startswith(f"{field}:"), err


# --- creating and updating -------------------------------------------------------------------


def test_creates_a_customer_from_name_and_industry(db: psycopg.Connection[Any], world: World) -> None:
    with act_as(db, world.tenant_a):
        result = upsert(db, {**BASE, "website": "https://sunrise.example.com"})
        assert result["created"] is True
        assert result["changed"] is True
        assert result["context_version"] == 1
        row = customer_row(db, result["customer_id"])
    assert row["tenant_id"] == world.tenant_a
    assert (row["name"], row["industry_category"], row["industry_subcategory"]) == (
        "Sunrise Bakery",
        "food_beverage",
        "bakery",
    )
    assert row["website"] == "https://sunrise.example.com"
    assert row["status"] == "active"
    assert row["context_version"] == 1


@pytest.mark.parametrize("missing", ["name", "industry_category"])
def test_creating_needs_name_and_industry(db: psycopg.Connection[Any], world: World, missing: str) -> None:
    before = written(db)
    profile = {k: v for k, v in BASE.items() if k != missing}
    with act_as(db, world.tenant_a):
        err = sql_error(db, "select aicrm.upsert_business_profile(p_profile => %s)", (Jsonb(profile),))
    assert_invalid(err, missing)
    assert written(db) == before


def test_update_changes_only_the_fields_given(db: psycopg.Connection[Any], world: World) -> None:
    with act_as(db, world.tenant_a):
        created = upsert(
            db,
            {
                **BASE,
                "website": "https://sunrise.example.com",
                "business_description": "Sourdough since 1998.",
                "brand_voice": {"tone": ["warm"]},
                "unique_selling_points": ["Baked at 4 am"],
            },
        )
        customer = created["customer_id"]
        before = customer_row(db, customer)
        result = upsert(db, {"business_description": "Sourdough and rye since 1998."}, customer)
        after = customer_row(db, customer)
    assert result == {"customer_id": customer, "context_version": 2, "created": False, "changed": True}
    assert after["business_description"] == "Sourdough and rye since 1998."
    ignored = {"business_description", "context_version", "context_updated_at", "updated_at"}
    assert {k: v for k, v in after.items() if k not in ignored} == {k: v for k, v in before.items() if k not in ignored}


def test_update_by_external_id(db: psycopg.Connection[Any], world: World) -> None:
    with act_as(db, world.tenant_a):
        created = upsert(db, {**BASE, "external_id": "legacy-17"})
        customers = one(db, "select count(*) from aicrm.customers")
        result = upsert(db, {"external_id": "legacy-17", "phone": "+1 555 0100"})
        assert one(db, "select count(*) from aicrm.customers") == customers
        row = customer_row(db, created["customer_id"])
    assert result["customer_id"] == created["customer_id"]
    assert (result["created"], result["changed"]) == (False, True)
    assert row["phone"] == "+1 555 0100"
    assert row["name"] == BASE["name"]


def test_update_by_external_id_stays_in_the_callers_tenant(db: psycopg.Connection[Any], world: World) -> None:
    """Tenant B's external_id means nothing in tenant A: a new customer, B's row untouched."""
    before = customer_row(db, world.customer_b)
    external_id = before["external_id"]
    with act_as(db, world.tenant_a):
        result = upsert(db, {**BASE, "external_id": external_id})
    assert result["created"] is True
    assert result["customer_id"] != world.customer_b
    assert customer_row(db, world.customer_b) == before


def test_the_superuser_is_held_to_the_tenant_it_set(db: psycopg.Connection[Any], world: World) -> None:
    """Superusers (and Supabase's BYPASSRLS postgres) skip row-level security; the API must not."""
    before = customer_row(db, world.customer_b)
    db.execute("select set_config('aicrm.tenant_id', %s, true)", (world.tenant_a,))
    err = sql_error(db, "select aicrm.upsert_business_profile(%s, %s)", (Jsonb({"name": "Hijacked"}), world.customer_b))
    assert_invalid(err, "customer_id", "AC002")
    result = upsert(db, {**BASE, "external_id": before["external_id"]})
    assert result["created"] is True
    assert customer_row(db, world.customer_b) == before
    row = customer_row(db, result["customer_id"])
    assert row["tenant_id"] == world.tenant_a


@pytest.mark.parametrize("by", ["customer_id", "external_id"])
def test_the_same_profile_twice_changes_nothing(db: psycopg.Connection[Any], world: World, by: str) -> None:
    profile = {
        **BASE,
        "external_id": "legacy-42",
        "unique_selling_points": ["Baked at 4 am"],
        "products_services": [{"name": "Sourdough loaf", "price": 6.5, "currency": "USD"}],
        "brand_voice": {"tone": ["warm", "friendly"], "emoji_use": "sparingly"},
        "address": {"city": "Austin", "country": "US"},
    }
    with act_as(db, world.tenant_a):
        customer = upsert(db, profile)["customer_id"]
    row = customer_row(db, customer)
    counts = written(db)
    with act_as(db, world.tenant_a):
        result = upsert(db, profile, customer if by == "customer_id" else None)
        assert result == {"customer_id": customer, "context_version": 1, "created": False, "changed": False}
        assert customer_row(db, customer) == row
    assert written(db) == counts


def test_a_change_outside_the_context_keeps_the_version(db: psycopg.Connection[Any], world: World) -> None:
    before = len(snapshots(db, world.customer_a))
    with act_as(db, world.tenant_a):
        result = upsert(db, {"status": "paused"}, world.customer_a)
    assert (result["changed"], result["context_version"]) == (True, 1)
    assert len(snapshots(db, world.customer_a)) == before


INVALID_PROFILES = [
    pytest.param({"brand_voice": {"tone": "warm"}}, "brand_voice.tone", id="wrong-type"),
    pytest.param({"name": 42}, "name", id="wrong-type-top-level"),
    pytest.param({"products_services": [{"price": 3}]}, "products_services[0].name", id="missing-nested-required"),
    pytest.param({"colour": "red"}, "colour", id="unknown-field"),
    pytest.param({"brand_voice": {"colour": "red"}}, "brand_voice.colour", id="unknown-nested-field"),
    pytest.param({"brand_voice": {"formality": "chatty"}}, "brand_voice.formality", id="bad-enum"),
    pytest.param({"status": "gone"}, "status", id="bad-status"),
    pytest.param({"email": "not-an-email"}, "email", id="bad-email"),
    pytest.param({"website": "ftp://example.com"}, "website", id="bad-website"),
    pytest.param({"address": {"country": "USA"}}, "address.country", id="bad-country-code"),
    pytest.param({"unique_selling_points": [12345]}, "unique_selling_points[0]", id="usp-not-a-string"),
    pytest.param(
        {"business_hours": {"weekly": {"mon": [{"open": "09:00", "close": "24:30"}]}}},
        "business_hours.weekly.mon[0].close",
        id="bad-closing-time",
    ),
    pytest.param({"industry_category": "mining"}, "industry_category", id="unknown-industry"),
    pytest.param({"industry_subcategory": "pizzeria"}, "industry_subcategory", id="unknown-subcategory"),
]


@pytest.mark.parametrize("mode", ["create", "update"])
@pytest.mark.parametrize(("profile", "field"), INVALID_PROFILES)
def test_invalid_profiles_name_the_path_and_write_nothing(
    db: psycopg.Connection[Any], world: World, mode: str, profile: dict[str, Any], field: str
) -> None:
    before = written(db)
    row = customer_row(db, world.customer_a)
    with act_as(db, world.tenant_a):
        if mode == "create":
            err = sql_error(db, "select aicrm.upsert_business_profile(%s)", (Jsonb({**BASE, **profile}),))
        else:
            err = sql_error(db, "select aicrm.upsert_business_profile(%s, %s)", (Jsonb(profile), world.customer_a))
    assert_invalid(err, field)
    assert written(db) == before
    assert customer_row(db, world.customer_a) == row


def test_unknown_industry_hints_the_known_ones(db: psycopg.Connection[Any], world: World) -> None:
    categories = [str(r[0]) for r in db.execute("select industry_category from aicrm.industries").fetchall()]
    bakery_kin = one(db, "select subcategories from aicrm.industries where industry_category = 'food_beverage'")
    assert len(categories) > 1
    with act_as(db, world.tenant_a):
        err = sql_error(db, "select aicrm.upsert_business_profile(%s)", (Jsonb({**BASE, "industry_category": "x"}),))
        assert_invalid(err, "industry_category")
        hint = err.diag.message_hint or ""
        assert all(c in hint for c in categories), hint
        err = sql_error(
            db, "select aicrm.upsert_business_profile(%s, %s)", (Jsonb({"industry_subcategory": "x"}), world.customer_a)
        )
        assert_invalid(err, "industry_subcategory")
        hint = err.diag.message_hint or ""
        assert all(s in hint for s in bakery_kin), hint
        assert "dental" not in hint  # another industry's subcategory is not offered


# --- brand voice, content preferences and context versions ----------------------------------


def test_set_brand_voice_and_preferences_version_the_context(db: psycopg.Connection[Any], world: World) -> None:
    customer = world.customer_a
    with act_as(db, world.tenant_a):
        assert one(db, "select aicrm.set_brand_voice(%s, %s)", (customer, Jsonb({"tone": ["bold", "witty"]}))) == 2
        preferences = {"channels": ["email", "social"], "posting_frequency": {"email": "weekly"}}
        assert one(db, "select aicrm.set_content_preferences(%s, %s)", (customer, Jsonb(preferences))) == 3
        assert customer_row(db, customer)["context_version"] == 3
    history = snapshots(db, customer)
    assert [v for v, *_ in history] == [1, 2, 3]
    for (_, _, valid_to, _), (_, valid_from, _, _) in itertools.pairwise(history):
        assert valid_to is not None
        assert valid_to == valid_from
    assert [v for v, _, valid_to, _ in history if valid_to is None] == [3]
    assert history[0][3]["brand_voice"] == {}
    assert history[1][3]["brand_voice"] == {"tone": ["bold", "witty"]}
    assert history[1][3]["content_preferences"] == {}
    assert history[2][3]["content_preferences"] == preferences


def test_setting_the_same_brand_voice_again_changes_nothing(db: psycopg.Connection[Any], world: World) -> None:
    voice = Jsonb({"tone": ["calm"]})
    with act_as(db, world.tenant_a):
        version = one(db, "select aicrm.set_brand_voice(%s, %s)", (world.customer_a, voice))
    counts = written(db)
    with act_as(db, world.tenant_a):
        assert one(db, "select aicrm.set_brand_voice(%s, %s)", (world.customer_a, voice)) == version
    assert written(db) == counts


@pytest.mark.parametrize(
    ("function", "value", "field"),
    [
        ("set_brand_voice", {"tone": "warm"}, "brand_voice.tone"),
        ("set_brand_voice", {"tone": ["warm"], "colour": "red"}, "brand_voice.colour"),
        ("set_brand_voice", None, "brand_voice"),
        ("set_content_preferences", {"channels": ["fax"]}, "content_preferences.channels[0]"),
        ("set_content_preferences", {"cta_url": "example.com"}, "content_preferences.cta_url"),
        ("set_content_preferences", None, "content_preferences"),
    ],
)
def test_invalid_voice_or_preferences_write_nothing(
    db: psycopg.Connection[Any], world: World, function: str, value: dict[str, Any] | None, field: str
) -> None:
    before = written(db)
    with act_as(db, world.tenant_a):
        err = sql_error(
            db, f"select aicrm.{function}(%s, %s)", (world.customer_a, Jsonb(value) if value is not None else None)
        )
    assert_invalid(err, field)
    assert written(db) == before


@pytest.mark.parametrize("function", ["set_brand_voice", "set_content_preferences"])
def test_setters_refuse_unknown_and_missing_customers(db: psycopg.Connection[Any], world: World, function: str) -> None:
    with act_as(db, world.tenant_a):
        assert_invalid(sql_error(db, f"select aicrm.{function}(%s, '{{}}')", (new_id(),)), "customer_id", "AC002")
        assert_invalid(sql_error(db, f"select aicrm.{function}(null, '{{}}')"), "customer_id")


def test_direct_table_writes_get_the_same_validation(db: psycopg.Connection[Any], world: World) -> None:
    before = written(db)
    with act_as(db, world.tenant_a):
        err = sql_error(
            db,
            "update aicrm.customers set brand_voice = %s where customer_id = %s",
            (Jsonb({"tone": "warm"}), world.customer_a),
        )
        assert_invalid(err, "brand_voice.tone")
        err = sql_error(
            db,
            "insert into aicrm.customers (name, industry_category, email) values ('Direct', 'retail', 'nope')",
        )
        assert_invalid(err, "email")
        err = sql_error(
            db, "insert into aicrm.customers (name, industry_category) values ('Direct', 'underwater_basket_weaving')"
        )
        assert_invalid(err, "industry_category")
    assert written(db) == before


def test_direct_table_writes_are_versioned_too(db: psycopg.Connection[Any], world: World) -> None:
    with act_as(db, world.tenant_a):
        db.execute(
            "update aicrm.customers set brand_voice = %s, context_version = 99 where customer_id = %s",
            (Jsonb({"tone": ["warm"]}), world.customer_a),
        )
        assert customer_row(db, world.customer_a)["context_version"] == 2  # the trigger owns the counter
    assert [v for v, *_ in snapshots(db, world.customer_a)] == [1, 2]


def test_the_app_cannot_write_snapshots(db: psycopg.Connection[Any], world: World) -> None:
    with act_as(db, world.tenant_a):
        err = sql_error(
            db,
            "insert into aicrm.customer_context_versions (customer_id, context_version, context, valid_from) "
            "values (%s, 7, '{}', now())",
            (world.customer_a,),
        )
        assert err.sqlstate == "42501"
        err = sql_error(db, "update aicrm.customer_context_versions set valid_to = now()")
        assert err.sqlstate == "42501"


def test_every_industry_default_brand_voice_is_valid(db: psycopg.Connection[Any]) -> None:
    rows = db.execute(
        "select i.industry_category, e.path, e.problem from aicrm.industries i, "
        "aicrm_private.json_schema_errors("
        "  (select definition from aicrm.json_schemas where schema_name = 'customer.brand_voice'),"
        "  i.default_brand_voice) e"
    ).fetchall()
    assert rows == []
    assert one(db, "select count(*) from aicrm.industries where default_brand_voice ? 'tone'") == one(
        db, "select count(*) from aicrm.industries"
    )


# --- contacts ---------------------------------------------------------------------------------


def upsert_contact(conn: psycopg.Connection[Any], customer: str, contact: dict[str, Any]) -> str:
    return str(one(conn, "select aicrm.upsert_customer_contact(%s, %s)", (customer, Jsonb(contact))))


def contact_row(conn: psycopg.Connection[Any], contact_id: str) -> dict[str, Any]:
    row: dict[str, Any] = one(
        conn, "select to_jsonb(k) from aicrm.customer_contacts k where contact_id = %s", (contact_id,)
    )
    return row


def test_contact_is_created_then_matched_by_email(db: psycopg.Connection[Any], world: World) -> None:
    with act_as(db, world.tenant_a):
        first = upsert_contact(db, world.customer_a, {"first_name": "Maria", "email": "maria@example.com"})
        contacts = one(db, "select count(*) from aicrm.customer_contacts")
        second = upsert_contact(db, world.customer_a, {"email": "maria@example.com", "job_title": "Owner"})
        assert one(db, "select count(*) from aicrm.customer_contacts") == contacts
        row = contact_row(db, first)
    assert second == first
    assert (row["first_name"], row["job_title"], row["customer_id"]) == ("Maria", "Owner", world.customer_a)


def test_contact_is_matched_by_id(db: psycopg.Connection[Any], world: World) -> None:
    with act_as(db, world.tenant_a):
        contact = upsert_contact(db, world.customer_a, {"first_name": "Maria", "email": "maria@example.com"})
        same = upsert_contact(db, world.customer_a, {"contact_id": contact, "email": "maria@sunrise.example.com"})
        row = contact_row(db, contact)
    assert same == contact
    assert (row["first_name"], row["email"]) == ("Maria", "maria@sunrise.example.com")


def test_contact_ids_must_exist_and_be_uuids(db: psycopg.Connection[Any], world: World) -> None:
    before = written(db)
    other_tenants_contact = str(
        one(db, "select contact_id from aicrm.customer_contacts where tenant_id = %s", (world.tenant_b,))
    )
    with act_as(db, world.tenant_a):
        for unknown in (new_id(), other_tenants_contact):
            err = sql_error(
                db,
                "select aicrm.upsert_customer_contact(%s, %s)",
                (world.customer_a, Jsonb({"contact_id": unknown, "first_name": "Ghost"})),
            )
            assert_invalid(err, "contact_id", "AC002")
        err = sql_error(
            db, "select aicrm.upsert_customer_contact(%s, %s)", (world.customer_a, Jsonb({"contact_id": "42"}))
        )
        assert_invalid(err, "contact_id")
    assert written(db) == before


def test_consent_is_timestamped_when_an_opt_in_flag_changes(db: psycopg.Connection[Any], world: World) -> None:
    with act_as(db, world.tenant_a):
        contact = upsert_contact(db, world.customer_a, {"first_name": "Maria", "email": "maria@example.com"})
        assert contact_row(db, contact)["consent_updated_at"] is None
        now = one(db, "select to_jsonb(now())")
        upsert_contact(db, world.customer_a, {"email": "maria@example.com", "email_opt_in": True})
        assert contact_row(db, contact)["consent_updated_at"] == now
    with act_as(db, world.tenant_a, "aicrm_owner"):  # an old timestamp shows which later calls touch it
        db.execute(
            "update aicrm.customer_contacts set consent_updated_at = '2020-01-01Z' where contact_id = %s", (contact,)
        )
    with act_as(db, world.tenant_a):
        upsert_contact(db, world.customer_a, {"email": "maria@example.com", "email_opt_in": True, "job_title": "Owner"})
        assert contact_row(db, contact)["consent_updated_at"].startswith("2020-01-01")
        upsert_contact(db, world.customer_a, {"email": "maria@example.com", "sms_opt_in": True})
        row = contact_row(db, contact)
    assert row["consent_updated_at"] == now
    assert (row["email_opt_in"], row["sms_opt_in"]) == (True, True)


def test_a_customer_has_at_most_one_primary_contact(db: psycopg.Connection[Any], world: World) -> None:
    with act_as(db, world.tenant_a):
        err = sql_error(
            db,
            "select aicrm.upsert_customer_contact(%s, %s)",
            (world.customer_a, Jsonb({"email": "second@example.com", "is_primary": True})),
        )
        assert err.sqlstate == "23505"
        assert err.diag.constraint_name == "customer_contacts_one_primary_idx"
        # Demote the current primary first, and the new one may take its place.
        current = str(
            one(db, "select contact_id from aicrm.customer_contacts where customer_id = %s", (world.customer_a,))
        )
        upsert_contact(db, world.customer_a, {"contact_id": current, "is_primary": False})
        new = upsert_contact(db, world.customer_a, {"email": "second@example.com", "is_primary": True})
        primaries = db.execute(
            "select contact_id::text from aicrm.customer_contacts where customer_id = %s and is_primary",
            (world.customer_a,),
        ).fetchall()
    assert primaries == [(new,)]


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        ({"fax": "555"}, "fax"),
        ({"email": "maria"}, "email"),
        ({"email_opt_in": "yes"}, "email_opt_in"),
        ({"phone": "call me"}, "phone"),
    ],
)
def test_invalid_contacts_name_the_field(
    db: psycopg.Connection[Any], world: World, contact: dict[str, Any], field: str
) -> None:
    before = written(db)
    with act_as(db, world.tenant_a):
        err = sql_error(db, "select aicrm.upsert_customer_contact(%s, %s)", (world.customer_a, Jsonb(contact)))
    assert_invalid(err, field)
    assert written(db) == before


def test_contacts_of_unknown_customers_are_refused(db: psycopg.Connection[Any], world: World) -> None:
    with act_as(db, world.tenant_a):
        for customer in (new_id(), world.customer_b):
            err = sql_error(
                db, "select aicrm.upsert_customer_contact(%s, %s)", (customer, Jsonb({"first_name": "Ghost"}))
            )
            assert_invalid(err, "customer_id", "AC002")


# --- audit log --------------------------------------------------------------------------------


def audit_rows(conn: psycopg.Connection[Any], table: str, key: str, value: str) -> list[tuple[str, Any, str]]:
    rows = conn.execute(
        "select operation, changes, actor_role from aicrm.audit_log "
        "where table_name = %s and row_key = jsonb_build_object(%s::text, %s::text) order by audit_id",
        (table, key, value),
    ).fetchall()
    return [(str(r[0]), r[1], str(r[2])) for r in rows]


def test_audit_log_records_inserts_and_changed_columns(db: psycopg.Connection[Any], world: World) -> None:
    customer = make_customer(db, world.tenant_a, name="Audit Bakery")
    with act_as(db, world.tenant_a):
        upsert(db, {"name": "Audit Bakery & Cafe", "status": "paused"}, customer)
        upsert(db, {"name": "Audit Bakery & Cafe", "status": "paused"}, customer)  # no change, no row
        contact = upsert_contact(db, customer, {"first_name": "Maria", "email": "maria@example.com"})
        upsert_contact(db, customer, {"email": "maria@example.com", "job_title": "Owner"})
        customer_audit = audit_rows(db, "customers", "customer_id", customer)
        contact_audit = audit_rows(db, "customer_contacts", "contact_id", contact)
    assert [(op, role) for op, _, role in customer_audit] == [("insert", "aicrm_app"), ("update", "aicrm_app")]
    inserted = customer_audit[0][1]
    assert (inserted["name"], inserted["customer_id"]) == ("Audit Bakery", customer)
    update = customer_audit[1][1]
    assert set(update) == {"name", "status", "context_version"}
    assert update["name"] == {"old": "Audit Bakery", "new": "Audit Bakery & Cafe"}
    assert update["status"] == {"old": "active", "new": "paused"}
    assert [op for op, _, _ in contact_audit] == ["insert", "update"]
    assert contact_audit[1][1] == {"job_title": {"old": None, "new": "Owner"}}


def test_the_app_cannot_rewrite_the_audit_log(db: psycopg.Connection[Any], world: World) -> None:
    before = written(db)
    with act_as(db, world.tenant_a):
        assert one(db, "select count(*) from aicrm.audit_log") > 0
        for statement in (
            "update aicrm.audit_log set operation = 'nothing happened'",
            "delete from aicrm.audit_log",
            "insert into aicrm.audit_log (table_name, operation, row_key) values ('customers', 'insert', '{}')",
        ):
            assert sql_error(db, statement).sqlstate == "42501", statement
    assert written(db) == before
