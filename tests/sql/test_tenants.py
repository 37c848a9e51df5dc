"""aicrm.create_tenant: the owner's call that makes a tenant ready to work."""

from __future__ import annotations

from typing import Any

import psycopg

from tests.helpers import act_as, sql_error


def create_tenant(db: psycopg.Connection[Any], name: str) -> str:
    row = db.execute("select aicrm.create_tenant(%s)", (name,)).fetchone()
    assert row is not None
    return str(row[0])


def test_a_new_tenant_has_its_default_rules_and_library_and_the_callers_setting_is_kept(
    db: psycopg.Connection[Any],
) -> None:
    db.execute("select set_config('aicrm.tenant_id', '', true)")
    tenant = create_tenant(db, "Harbor Agency")
    assert db.execute("select current_setting('aicrm.tenant_id', true)").fetchone() == ("",)
    with act_as(db, tenant):
        assert db.execute("select name from aicrm.tenants").fetchall() == [("Harbor Agency",)]
        rules = db.execute("select count(*) from aicrm.ai_decision_rules").fetchone()
        templates = db.execute("select count(*) from aicrm.content_templates").fetchone()
    assert rules == (8,)
    assert templates is not None
    assert templates[0] > 0


def test_a_taken_name_is_refused_naming_the_field(db: psycopg.Connection[Any]) -> None:
    first = create_tenant(db, "Harbor Agency")
    error = sql_error(db, "select aicrm.create_tenant(%s)", ("  harbor agency ",))
    assert error.sqlstate == "AC005"
    assert error.diag.column_name == "name"
    assert first in (error.diag.message_primary or "")
    assert db.execute("select count(*) from aicrm.tenants").fetchone() == (1,)


def test_only_the_owner_creates_tenants(db: psycopg.Connection[Any]) -> None:
    tenant = create_tenant(db, "Harbor Agency")
    for role in ("aicrm_app", "aicrm_worker", "aicrm_readonly"):
        with act_as(db, tenant, role):
            assert sql_error(db, "select aicrm.create_tenant('Other')").sqlstate == "42501", role
