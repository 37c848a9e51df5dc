"""Data for the people's screens' tests (aicrm status, aicrm dashboard): a tenant whose customers
have tasks in several states, made with tests/tasks.py's steps."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tests.factories import make_customer, make_tenant
from tests.samples import ERROR, SMS, SMS_INSTRUCTIONS
from tests.tasks import approved_task, claim_delivery, create_task, in_review, record_delivery


def escalate(conn: psycopg.Connection[Any], tenant: str, task: str) -> None:
    """A queued task a worker claimed and failed for good: escalated with the worker's error."""
    conn.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
    for to, via, details in (
        ("gathering_context", "claim_next_task", {}),
        ("escalated", "fail_task", {"error": ERROR}),
    ):
        conn.execute(
            "select aicrm_private.transition_task(%s, %s, 'worker-1', 'failed, not retryable', null, %s, %s)",
            (task, to, Jsonb(details), via),
        )
    conn.execute("select set_config('aicrm.tenant_id', '', true)")


def agency_at_work(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """A tenant whose two customers have tasks in several states:
    Sunrise Bakery, email: 1 in review, 1 escalated, 1 approved (in the outbox), 1 delivered, 2 queued;
    Harbor Books (external id harbor-books), sms: 1 in review, 1 queued."""
    tenant = make_tenant(conn, "Status Agency")
    bakery = make_customer(conn, tenant)
    books = make_customer(conn, tenant, name="Harbor Books", external_id="harbor-books")
    # Claimed in the order made: the tasks the helpers claim come before the queued ones.
    reviewed, _ = in_review(conn, tenant, bakery)
    sms, _ = in_review(conn, tenant, books, channel="sms", instructions=SMS_INSTRUCTIONS, content=SMS, subject=None)
    delivered = approved_task(conn, tenant, bakery)
    got = claim_delivery(conn)
    assert got is not None
    record_delivery(conn, tenant, got, delivered=True)
    approved = approved_task(conn, tenant, bakery)
    escalated = create_task(conn, tenant, bakery)
    escalate(conn, tenant, escalated)
    queued = [
        create_task(conn, tenant, bakery),
        create_task(conn, tenant, bakery),
        create_task(conn, tenant, books, channel="sms", instructions=SMS_INSTRUCTIONS),
    ]
    return {
        "tenant": tenant, "bakery": bakery, "books": books, "reviewed": reviewed, "sms": sms,
        "delivered": delivered, "approved": approved, "escalated": escalated, "queued": queued,
    }  # fmt: skip
