"""Claims and tenants: a connection with a tenant set claims that tenant's work only, whichever
claim function it calls; only a connection with no tenant claims across tenants (a shared worker
or publisher). The claim functions are read from the catalog, so a new one must be added here."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import make_customer, make_tenant
from tests.helpers import act_as
from tests.tasks import walk_to_review

Conn = psycopg.Connection[Any]

# How to call each claim function; a claim function missing here fails the first test.
CLAIMS = {
    "claim_next_task": "select aicrm.claim_next_task('w-1', 60)",
    "claim_next_delivery_v2": "select aicrm.claim_next_delivery_v2('w-1', 60, null)",
    "claim_alert_notification": "select aicrm.claim_alert_notification('w-1', 60)",
}


def queued_and_approved(db: Conn, tenant: str, customer: str) -> tuple[str, str]:
    """Tenant's claimable work: one queued task, and one task whose approved draft waits in the outbox."""
    with act_as(db, tenant):
        queued = db.execute(
            "select aicrm.create_content_task(p_customer_id => %s, p_channel => 'sms',"
            " p_ai_instructions => %s) ->> 'task_id'",
            (customer, Jsonb({"topic": "opening hours", "purpose": "announcement"})),
        ).fetchone()
        assert queued is not None
        approved = db.execute(
            "insert into aicrm.project_tasks (project_id, customer_id, title, task_type, channel) "
            "select project_id, customer_id, 'Welcome email', 'email', 'email' from aicrm.project_tasks "
            "where task_id = %s returning task_id",
            (queued[0],),
        ).fetchone()
        assert approved is not None
        draft = db.execute(
            "insert into aicrm.project_deliverables (task_id, content) values (%s, 'Hello!') returning deliverable_id",
            (approved[0],),
        ).fetchone()
        assert draft is not None
        db.execute("select aicrm.transition_task_state(%s, 'queued', 'tester')", (approved[0],))
    walk_to_review(db, tenant, str(approved[0]))
    with act_as(db, tenant):
        db.execute("select aicrm.review_deliverable(%s, 1, 'approve', null, 'test')", (draft[0],))
        # an alert notice waiting for the notifier
        rule = {"rule_key": "always", "name": "Always", "metric": "review_sla", "alert_threshold": 0}
        db.execute("select aicrm.set_alert_rule(%s)", (Jsonb(rule),))
        db.execute("select aicrm.set_alert_webhook('https://hooks.example.com/alerts')")
    db.execute("select aicrm.evaluate_alert_rules()")
    return str(queued[0]), str(approved[0])


def snapshot(db: Conn, tenant: str) -> list[tuple[Any, ...]]:
    """Everything a claim could change in a tenant, read as the superuser."""
    tasks = db.execute(
        "select task_id::text, execution_state, lease_holder from aicrm.project_tasks where tenant_id = %s order by 1",
        (tenant,),
    ).fetchall()
    outbox = db.execute(
        "select outbox_id::text, status, attempts, lease_holder from aicrm.outbox where tenant_id = %s order by 1",
        (tenant,),
    ).fetchall()
    notices = db.execute(
        "select notification_id::text, status, attempts, lease_holder from aicrm.alert_notifications"
        " where tenant_id = %s order by 1",
        (tenant,),
    ).fetchall()
    return [*tasks, *outbox, *notices]


@pytest.fixture
def two_tenants(db: Conn) -> tuple[str, str]:
    """Tenant A with claimable work of every kind; tenant B with none."""
    tenant_a = make_tenant(db, "Agency A")
    tenant_b = make_tenant(db, "Agency B")
    queued_and_approved(db, tenant_a, make_customer(db, tenant_a, name="Alpha Bakery"))
    make_customer(db, tenant_b, name="Beta Dental")
    return tenant_a, tenant_b


def test_every_claim_function_is_covered(db: Conn) -> None:
    names = {
        str(r[0])
        for r in db.execute(
            "select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
            "where n.nspname = 'aicrm' and p.proname like 'claim%'"
        ).fetchall()
    }
    assert names == set(CLAIMS), "a claim function is missing from CLAIMS (or CLAIMS names one that is gone)"


@pytest.mark.parametrize("claim", sorted(CLAIMS))
def test_a_worker_with_a_tenant_set_never_claims_another_tenants_work(
    db: Conn, two_tenants: tuple[str, str], claim: str
) -> None:
    tenant_a, tenant_b = two_tenants
    before = snapshot(db, tenant_a)
    with act_as(db, tenant_b, "aicrm_worker"):
        got = db.execute(CLAIMS[claim]).fetchone()
        assert got is not None
        assert got[0] is None, f"{claim} as tenant B returned tenant A's work"
        setting = db.execute("select current_setting('aicrm.tenant_id', true)").fetchone()
        assert setting == (tenant_b,), f"{claim} switched the session to another tenant"
    assert snapshot(db, tenant_a) == before, f"{claim} as tenant B changed tenant A's rows"


@pytest.mark.parametrize("scope", ["own", "none"])
@pytest.mark.parametrize("claim", sorted(CLAIMS))
def test_a_worker_claims_its_own_tenants_work_and_one_without_a_tenant_claims_any(
    db: Conn, two_tenants: tuple[str, str], claim: str, scope: str
) -> None:
    tenant_a, _ = two_tenants
    with act_as(db, tenant_a if scope == "own" else None, "aicrm_worker"):
        got = db.execute(CLAIMS[claim]).fetchone()
        assert got is not None
        assert got[0] is not None, f"{claim} ({scope} tenant) found none of A's work"
        assert got[0]["tenant_id"] == tenant_a
        setting = db.execute("select current_setting('aicrm.tenant_id', true)").fetchone()
        assert setting == (tenant_a,), "the claim continues in the claimed row's tenant"
