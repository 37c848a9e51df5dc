"""SQLSTATEs raised by the database map onto the runner's small exception hierarchy."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from runner import errors
from tests.factories import make_customer
from tests.helpers import act_as, sql_error


@pytest.mark.parametrize(
    ("statement", "expected", "field"),
    [
        ('select aicrm.upsert_business_profile(\'{"name": "X"}\')', errors.InvalidInput, "industry_category"),
        (
            "select aicrm.get_customer_context_for_ai('00000000-0000-4000-8000-000000000001')",
            errors.NotFound,
            "customer_id",
        ),
        (
            "insert into aicrm.audit_log (table_name, operation, row_key) values ('x', 'y', '{}')",
            errors.PermissionDenied,
            None,
        ),
    ],
)
def test_database_refusals_map_to_runner_errors(
    db: psycopg.Connection[Any], tenant: str, statement: str, expected: type[errors.AicrmError], field: str | None
) -> None:
    with act_as(db, tenant):
        err = errors.from_psycopg(sql_error(db, statement))
    assert type(err) is expected
    assert err.field == field
    assert err.message
    assert err.one_line().count("\n") == 0


def test_no_tenant_maps_to_tenant_required_with_a_hint(db: psycopg.Connection[Any]) -> None:
    with act_as(db, None):
        err = errors.from_psycopg(sql_error(db, "select aicrm.upsert_business_profile('{}')"))
    assert isinstance(err, errors.TenantRequired)
    assert err.sqlstate == "AC003"
    assert err.hint is not None
    assert "aicrm.tenant_id" in err.hint


def test_duplicate_external_id_is_a_conflict(db: psycopg.Connection[Any], tenant: str) -> None:
    make_customer(db, tenant, external_id="crm-1")
    with act_as(db, tenant):
        err = errors.from_psycopg(
            sql_error(
                db,
                "insert into aicrm.customers (name, industry_category, external_id) "
                "values ('Other', 'retail', 'crm-1')",
            )
        )
    assert isinstance(err, errors.Conflict)
    assert err.exit_code == 4


def test_unreachable_server_is_database_unavailable() -> None:
    with pytest.raises(psycopg.OperationalError) as info:
        psycopg.connect("host=/nonexistent-dir dbname=x connect_timeout=1")
    err = errors.from_psycopg(info.value)
    assert isinstance(err, errors.DatabaseUnavailable)
    assert err.message.startswith("database unavailable")
