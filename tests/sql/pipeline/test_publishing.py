"""Publishing: every approval puts the approved draft in the outbox once; a publisher claims a
delivery with a lease (any tenant's), records the outcome fenced by the lease; exactly one
delivery is recorded as delivered; failures back off and end in an escalation."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.helpers import act_as, make_customer, make_tenant, sql_error
from tests.sql.pipeline.test_review import in_review, review, state
from tests.sql.quality.test_scorecard import BAKERY, GOOD_EMAIL

Conn = psycopg.Connection[Any]
RECORD = "select aicrm.record_delivery(%s, %s, %s, 'webhook', 'https://hooks.example.com/in', %s, %s)"


def claim(db: Conn, worker: str = "publisher-1", seconds: int = 120) -> Any:
    with act_as(db, None, "aicrm_worker"):
        row = db.execute("select aicrm.claim_next_delivery(%s, %s)", (worker, seconds)).fetchone()
    assert row is not None
    return row[0]


def record(db: Conn, tenant: str, got: dict[str, Any], delivered: bool, retryable: bool = True) -> Any:
    with act_as(db, tenant, "aicrm_worker"):
        row = db.execute(
            RECORD,
            (got["outbox_id"], got["lease_token"], delivered, psycopg.types.json.Jsonb({"status": 200}), retryable),
        ).fetchone()
    assert row is not None
    return row[0]


def outbox(db: Conn, task: str) -> list[tuple[Any, ...]]:
    return db.execute(
        "select status, attempts, payload ->> 'content', available_at > now() from aicrm.outbox where task_id = %s",
        (task,),
    ).fetchall()


@pytest.fixture
def bakery(db: Conn) -> tuple[str, str]:
    tenant = make_tenant(db, "Agency A")
    return tenant, make_customer(db, tenant, **BAKERY)


def test_an_approved_draft_is_delivered_exactly_once(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    assert claim(db) is None  # nothing approved yet
    edited = GOOD_EMAIL.replace("Bring a friend", "Bring two friends")
    review(db, tenant, draft, 1, "approve", edited=edited)
    assert state(db, task) == "approved"
    assert outbox(db, task) == [("pending", 0, edited, False)]  # the edited version is what goes out

    got = claim(db)
    assert (got["tenant_id"], got["attempt"], got["payload"]["content"]) == (tenant, 1, edited)
    assert got["payload"]["customer_name"] == "Sunrise Bakery"
    assert state(db, task) == "publishing"
    assert record(db, tenant, got, True)["status"] == "delivered"
    assert state(db, task) == "delivered"
    assert db.execute(
        "select status, transport, delivered_by from aicrm.deliveries where outbox_id = %s", (got["outbox_id"],)
    ).fetchall() == [("delivered", "webhook", "publisher-1")]
    # Recorded once: the same lease again is refused, and no second "delivered" row can exist.
    with act_as(db, tenant, "aicrm_worker"):
        err = sql_error(db, RECORD, (got["outbox_id"], got["lease_token"], True, psycopg.types.json.Jsonb({}), True))
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC005", "lease_token")
    err = sql_error(
        db,
        "insert into aicrm.deliveries (tenant_id, outbox_id, task_id, deliverable_id, attempt, transport, status,"
        " delivered_by) select tenant_id, outbox_id, task_id, deliverable_id, 2, 'webhook', 'delivered', 'x'"
        " from aicrm.outbox where outbox_id = %s",
        (got["outbox_id"],),
    )
    assert err.sqlstate == "23505"
    assert claim(db) is None


def test_failures_back_off_then_escalate(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    review(db, tenant, draft, 1, "approve")
    got = claim(db)
    assert record(db, tenant, got, False)["status"] == "pending"
    assert outbox(db, task)[0][:2] == ("pending", 1)
    assert outbox(db, task)[0][3] is True  # held back
    assert claim(db) is None
    for attempt in range(2, 7):
        db.execute("update aicrm.outbox set available_at = now() where task_id = %s", (task,))
        got = claim(db)
        assert got["attempt"] == attempt
        record(db, tenant, got, False)
    assert outbox(db, task)[0][:2] == ("failed", 6)
    assert state(db, task) == "escalated"

    task, draft = in_review(db, tenant, customer)
    review(db, tenant, draft, 1, "approve")
    assert record(db, tenant, claim(db), False, retryable=False)["status"] == "failed"
    assert state(db, task) == "escalated"


def test_an_expired_lease_is_reclaimed_and_fences_the_old_publisher(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    review(db, tenant, draft, 1, "approve")
    old = claim(db, "publisher-1", 5)
    db.execute("update aicrm.outbox set lease_until = now() - interval '1 second' where task_id = %s", (task,))
    new = claim(db, "publisher-2")
    assert (new["outbox_id"], new["attempt"]) == (old["outbox_id"], 2)
    with act_as(db, tenant, "aicrm_worker"):
        err = sql_error(db, RECORD, (old["outbox_id"], old["lease_token"], True, psycopg.types.json.Jsonb({}), True))
    assert err.diag.sqlstate == "AC005"
    assert db.execute("select count(*) from aicrm.deliveries where task_id = %s", (task,)).fetchone() == (0,)
    record(db, tenant, new, True)
    assert state(db, task) == "delivered"


def test_only_workers_publish_and_tenants_stay_apart(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    review(db, tenant, draft, 1, "approve")
    with act_as(db, tenant):
        assert sql_error(db, "select aicrm.claim_next_delivery('me')").sqlstate == "42501"
        assert sql_error(db, "update aicrm.outbox set status = 'delivered'").sqlstate == "42501"
    got = claim(db)
    other = make_tenant(db, "Agency B")
    with act_as(db, other, "aicrm_worker"):
        err = sql_error(db, RECORD, (got["outbox_id"], got["lease_token"], True, psycopg.types.json.Jsonb({}), True))
        assert (err.diag.sqlstate, err.diag.column_name) == ("AC002", "outbox_id")
        assert db.execute("select count(*) from aicrm.outbox").fetchone() == (0,)
    assert state(db, task) == "publishing"
