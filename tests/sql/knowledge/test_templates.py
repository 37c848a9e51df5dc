"""Content templates: placeholders checked against the business context when saved (hostile ones
refused), rendering by pure substitution in one pass, variants, versions, the library every tenant
starts with, and tenants."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import make_customer, make_tenant
from tests.helpers import act_as, sql_error

BAKERY_WITH_HOURS: dict[str, Any] = {
    "name": "Sunrise Bakery",
    "industry_category": "food_beverage",
    "website": "https://sunrisebakery.example.com",
    "address": {"street": "12 Baker Street", "city": "Portland", "region": "OR", "postal_code": "97201"},
    "business_description": "A neighbourhood bakery.",
    "unique_selling_points": ["Sourdough fermented for 36 hours", "Organic flour", "Open at 6am"],
    "products_services": [{"name": "Sourdough loaf"}, {"name": "Butter croissant", "featured": True}],
    "business_hours": {
        "weekly": {
            "mon": [{"open": "07:00", "close": "18:00"}],
            "tue": [{"open": "07:00", "close": "18:00"}],
            "wed": [{"open": "07:00", "close": "18:00"}],
            "thu": [{"open": "07:00", "close": "18:00"}],
            "fri": [{"open": "07:00", "close": "18:00"}],
            "sat": [{"open": "08:00", "close": "14:00"}],
            "sun": [],
        }
    },
    "content_preferences": {"default_cta": "Order ahead", "hashtags": ["#Sourdough", "#Portland"]},
    "brand_voice": {"phrases_to_use": ["baked fresh every morning"]},
}


@pytest.fixture
def customer_profile() -> dict[str, Any]:
    """The bakery with its hours and content preferences: what the templates' placeholders read."""
    return BAKERY_WITH_HOURS


def add_template(conn: psycopg.Connection[Any], tenant: str, **fields: Any) -> str:
    doc = {"name": "Autumn promotion", "purpose": "promotion", "channel": "email"} | fields
    with act_as(conn, tenant):
        row = conn.execute(
            "insert into aicrm.content_templates (name, purpose, channel, subject, body, variants, industry_category) "
            "values (%(name)s, %(purpose)s, %(channel)s, %(subject)s, %(body)s, %(variants)s, %(industry_category)s) "
            "returning template_id",
            {"subject": None, "industry_category": None, "variants": Jsonb(doc.pop("variants", [])), **doc},
        ).fetchone()
    assert row is not None
    return str(row[0])


def render(conn: psycopg.Connection[Any], tenant: str, template: str, customer: str, variant: str | None = None) -> Any:
    with act_as(conn, tenant):
        row = conn.execute("select aicrm.render_template(%s, %s, %s)", (template, customer, variant)).fetchone()
    assert row is not None
    return row[0]


def count_templates(conn: psycopg.Connection[Any], tenant: str) -> int:
    row = conn.execute("select count(*) from aicrm.content_templates where tenant_id = %s", (tenant,)).fetchone()
    assert row is not None
    return int(row[0])


def test_render_substitutes_the_customers_context(db: psycopg.Connection[Any], tenant: str, customer: str) -> None:
    template = add_template(
        db,
        tenant,
        subject="{{business_name}}: {{featured_product}} is back",
        body="Hi {{first_name}}, {{business_name}} in {{city}} bakes {{products_services}}. "
        "Why us: {{unique_selling_points}}. Open {{business_hours}}. {{cta}} at {{cta_url}}. "
        "{{ brand_phrase }}. {{hashtags}}\n{{signature}}, {{address}}. Unsubscribe: {{unsubscribe_url}}",
    )
    out = render(db, tenant, template, customer)
    assert out["subject"] == "Sunrise Bakery: Butter croissant is back"
    assert out["body"] == (
        "Hi {{first_name}}, Sunrise Bakery in Portland bakes Sourdough loaf and Butter croissant. "
        "Why us: Sourdough fermented for 36 hours, Organic flour and Open at 6am. "
        "Open Mon-Fri 07:00-18:00, Sat 08:00-14:00, Sun closed. Order ahead at https://sunrisebakery.example.com. "
        "baked fresh every morning. #Sourdough #Portland\nThe Sunrise Bakery team, "
        "12 Baker Street, Portland, OR 97201. Unsubscribe: {{unsubscribe_url}}"
    )
    assert out["missing"] == []
    assert out["version"] == 1
    assert out["context_version"] == 1


def test_missing_values_are_reported_and_values_stay_literal(db: psycopg.Connection[Any], tenant: str) -> None:
    sparse = make_customer(
        db, tenant, name="Odd {{cta}} \\1 $1 Co", business_description="We say {{business_name}} twice."
    )
    template = add_template(db, tenant, body="{{business_name}} / {{business_description}} / {{phone}} / {{city}}")
    out = render(db, tenant, template, sparse)
    # A value containing "{{...}}" or regex escapes is never expanded again.
    assert out["body"] == "Odd {{cta}} \\1 $1 Co / We say {{business_name}} twice. /  / "
    assert out["missing"] == ["city", "phone"]


def test_variants_render_and_unknown_ones_are_refused(db: psycopg.Connection[Any], tenant: str, customer: str) -> None:
    template = add_template(
        db,
        tenant,
        subject="A {{business_name}}",
        body="Body A",
        variants=[{"key": "b", "subject": "B {{city}}", "body": "Body B {{featured_product}}"}],
    )
    out = render(db, tenant, template, customer, "b")
    assert (out["subject"], out["body"], out["variant"]) == ("B Portland", "Body B Butter croissant", "b")
    with act_as(db, tenant):
        err = sql_error(db, "select aicrm.render_template(%s, %s, 'c')", (template, customer))
    assert err.sqlstate == "AC002"
    assert err.diag.column_name == "variant"


@pytest.mark.parametrize(
    ("field", "text", "column"),
    [
        ("body", "Hi {{ ''.__class__ }}", "body"),
        ("body", "Hi {{ (select password from pg_shadow) }}", "body"),
        ("body", "Hi {{ business_name | upper }}", "body"),
        ("body", "Hi {{unknown_field}}", "body"),
        ("body", "Hi {{Business_Name}}", "body"),
        ("body", "Hi {{business_name}", "body"),
        ("body", "Hi }} {{", "body"),
        ("body", "{{ config.__init__.__globals__ }}", "body"),
        ("subject", "{{ 7*7 }}", "subject"),
    ],
)
def test_hostile_and_unknown_placeholders_are_refused(
    db: psycopg.Connection[Any], tenant: str, field: str, text: str, column: str
) -> None:
    before = count_templates(db, tenant)
    fields = {"body": "Hello.", field: text}
    with act_as(db, tenant):
        err = sql_error(
            db,
            "insert into aicrm.content_templates (name, purpose, channel, subject, body) "
            "values ('Bad', 'welcome', 'email', %(subject)s, %(body)s)",
            {"subject": None, **fields},
        )
    assert err.sqlstate == "AC001"
    assert err.diag.column_name == column
    assert "{{business_name}}" in (err.diag.message_hint or "")
    assert count_templates(db, tenant) == before


def test_variant_placeholders_are_checked_and_named(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        err = sql_error(
            db,
            "insert into aicrm.content_templates (name, purpose, channel, body, variants) "
            "values ('Bad', 'welcome', 'email', 'Hi', %s)",
            (Jsonb([{"key": "b", "body": "ok"}, {"key": "c", "body": "{{ os.system('x') }}"}]),),
        )
    assert err.sqlstate == "AC001"
    assert err.diag.column_name == "variants[1].body"


def test_rows_are_validated(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        err = sql_error(
            db,
            "insert into aicrm.content_templates (name, purpose, channel, body) values ('X', 'gossip', 'email', 'Hi')",
        )
    assert err.sqlstate == "AC001"
    assert err.diag.column_name == "purpose"


def test_editing_bumps_the_version(db: psycopg.Connection[Any], tenant: str) -> None:
    template = add_template(db, tenant, body="One")
    with act_as(db, tenant):
        db.execute("update aicrm.content_templates set body = 'Two' where template_id = %s", (template,))
        db.execute("update aicrm.content_templates set body = 'Two' where template_id = %s", (template,))
        row = db.execute("select version from aicrm.content_templates where template_id = %s", (template,)).fetchone()
        audit = db.execute(
            "select count(*) from aicrm.audit_log where table_name = 'content_templates' "
            "and row_key ->> 'template_id' = %s",
            (template,),
        ).fetchone()
    assert row == (2,)
    assert audit == (2,)


def test_a_new_tenant_gets_the_library_once_and_keeps_its_edits(db: psycopg.Connection[Any], tenant: str) -> None:
    library = db.execute("select count(*) from aicrm.library_templates").fetchone()
    examples = db.execute("select count(*) from aicrm.library_examples").fetchone()
    assert library is not None
    assert examples is not None
    with act_as(db, tenant):
        got = db.execute(
            "select (select count(*) from aicrm.content_templates where library_key is not null), "
            "(select count(*) from aicrm.content_examples where library_key is not null and embedding is not null)"
        ).fetchone()
        assert got == (library[0], examples[0])
        db.execute(
            "update aicrm.content_templates set body = 'Our own {{business_name}}' where library_key is not null"
        )
        assert db.execute("select aicrm.install_content_library()").fetchone() == ({"templates": 0, "examples": 0},)
        row = db.execute(
            "select count(*) from aicrm.content_templates where body = 'Our own {{business_name}}'"
        ).fetchone()
    assert row == (library[0],)


def test_another_tenants_templates_and_customers_are_not_found(
    db: psycopg.Connection[Any], tenant: str, customer: str
) -> None:
    other = make_tenant(db, "Agency B")
    theirs = add_template(db, other, body="Theirs")
    mine = add_template(db, tenant, body="Mine")
    with act_as(db, tenant):
        err = sql_error(db, "select aicrm.render_template(%s, %s)", (theirs, customer))
        assert (err.sqlstate, err.diag.column_name) == ("AC002", "template_id")
    with act_as(db, other):
        err = sql_error(db, "select aicrm.render_template(%s, %s)", (mine, customer))
        assert (err.sqlstate, err.diag.column_name) == ("AC002", "template_id")
        their_customer = make_customer(db, other, name="Other Co")
    with act_as(db, tenant):
        err = sql_error(db, "select aicrm.render_template(%s, %s)", (mine, their_customer))
        assert (err.sqlstate, err.diag.column_name) == ("AC002", "customer_id")


def test_context_for_ai_carries_matching_templates_rendered(
    db: psycopg.Connection[Any], tenant: str, customer: str
) -> None:
    body = "{{business_name}}: {{cta}}. Reply STOP to opt out."
    add_template(db, tenant, name="Bakery SMS", channel="sms", body=body)
    add_template(db, tenant, name="Gym SMS", channel="sms", body="x", industry_category="fitness")
    with act_as(db, tenant):
        row = db.execute(
            "select aicrm.get_customer_context_for_ai(%s, p_channel => 'sms', p_purpose => 'promotion')", (customer,)
        ).fetchone()
    assert row is not None
    templates = row[0]["templates"]
    names = [t["name"] for t in templates]
    assert "Bakery SMS" in names
    assert "Gym SMS" not in names
    assert all(t["channel"] == "sms" and t["purpose"] == "promotion" for t in templates)
    ours = next(t for t in templates if t["name"] == "Bakery SMS")
    assert ours["rendered"]["body"] == "Sunrise Bakery: Order ahead. Reply STOP to opt out."


def test_the_text_without_gaps_leaves_out_what_a_thin_profile_cannot_fill(
    db: psycopg.Connection[Any], tenant: str, customer: str
) -> None:
    """A sentence with an empty placeholder is left out, and its whole paragraph when it opens it:
    the writer never sends "Why it's worth the trip: ." Merge tags are not gaps."""
    thin = make_customer(db, tenant, name="Thin Bakery", business_description="We bake bread.")
    template = add_template(
        db,
        tenant,
        subject="{{featured_product}} at {{business_name}}",
        body="Hi {{first_name}},\n\nOur {{featured_product}} is back. It sells fast.\n\n"
        "A little about us: {{business_description}} Why us: {{unique_selling_point}}. Come by.\n\n"
        "Where: {{address}}\nWhen: {{business_hours}}\n\nSee you,\n{{signature}}\n\nUnsubscribe: {{unsubscribe_url}}",
    )
    out = render(db, tenant, template, thin)
    assert "Our  is back." in out["body"]  # the text itself: pure substitution, as before
    assert out["missing"] == ["address", "business_hours", "featured_product", "unique_selling_point"]
    assert out["subject_without_gaps"] is None
    assert out["body_without_gaps"] == (
        "Hi {{first_name}},\n\nA little about us: We bake bread. Come by.\n\nSee you,\nThe Thin Bakery team"
        "\n\nUnsubscribe: {{unsubscribe_url}}"
    )
    full = render(db, tenant, template, customer)  # nothing missing: no second copy of the text
    assert full["missing"] == []
    assert "body_without_gaps" not in full
    assert "subject_without_gaps" not in full
