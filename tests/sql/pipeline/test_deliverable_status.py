"""A draft's status follows its task's decisions (issue 12, point 10): approved by the rules or a
person, rejected, retried (the superseded draft), edited, published, cancelled; kept by
transition_task, the one way a task moves, so no path leaves a status behind; written by no role by
hand; existing rows brought in line by migration 0021."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.factories import add_maria, make_customer, make_tenant
from tests.helpers import act_as, call, sql_error
from tests.samples import BAKERY, GOOD_EMAIL, LEAKS_CONTACT, WEAK
from tests.tasks import (
    always_decide,
    claim_delivery,
    claim_task,
    in_review,
    record_delivery,
    record_evaluation,
    review,
    start_generating,
    submit_draft,
    to_evaluating,
)

Conn = psycopg.Connection[Any]
MIGRATION = Path(__file__).resolve().parents[3] / "sql" / "migrations" / "0021_deliverable_status.sql"


def statuses(db: Conn, task: str) -> list[str]:
    """The task's drafts' statuses, by version."""
    rows = db.execute("select status from aicrm.project_deliverables where task_id = %s order by version", (task,))
    return [str(r[0]) for r in rows.fetchall()]


def move(db: Conn, tenant: str, task: str, to: str) -> None:
    """A person's transition (cancel, send back, reject an escalated task)."""
    call(db, tenant, "select aicrm.transition_task_state(%s, %s, 'ana@agency')", (task, to), role="aicrm_app")


def test_approved_by_the_rules_then_published(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, token, draft = to_evaluating(db, tenant, customer, GOOD_EMAIL)
    assert statuses(db, task) == ["draft"]
    assert record_evaluation(db, tenant, draft, GOOD_EMAIL, token)["task"]["execution_state"] == "approved"
    assert statuses(db, task) == ["approved"]
    got = claim_delivery(db)
    assert statuses(db, task) == ["approved"]  # publishing: approved, not delivered yet
    record_delivery(db, tenant, got, True)
    assert statuses(db, task) == ["published"]


def test_a_retry_supersedes_the_draft_and_the_next_one_decides(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, token, draft = to_evaluating(db, tenant, customer, WEAK)
    assert record_evaluation(db, tenant, draft, WEAK, token)["task"]["execution_state"] == "generating"
    assert statuses(db, task) == ["rejected"]
    second = submit_draft(db, tenant, task, token, GOOD_EMAIL)["deliverable_id"]
    assert statuses(db, task) == ["rejected", "draft"]
    record_evaluation(db, tenant, second, GOOD_EMAIL, token)
    assert statuses(db, task) == ["rejected", "approved"]


@pytest.mark.parametrize(("action", "expected"), [("reject", "rejected"), ("escalate", "draft"), ("review", "draft")])
def test_the_rules_other_decisions(db: Conn, bakery: tuple[str, str], action: str, expected: str) -> None:
    tenant, customer = bakery
    always_decide(db, tenant, action)
    task, token, draft = to_evaluating(db, tenant, customer, GOOD_EMAIL)
    record_evaluation(db, tenant, draft, GOOD_EMAIL, token)
    assert statuses(db, task) == [expected]  # escalated or in review: a person decides on it


@pytest.mark.parametrize(
    ("decision", "edited", "expected"),
    [
        ("approve", None, ["approved"]),
        ("approve", GOOD_EMAIL.replace("Bring a friend", "Bring two friends"), ["rejected", "approved"]),
        ("reject", None, ["rejected"]),
        ("request_changes", None, ["rejected"]),
    ],
)
def test_a_persons_decision(
    db: Conn, bakery: tuple[str, str], decision: str, edited: str | None, expected: list[str]
) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    review(db, tenant, draft, 1, decision, edited=edited, reason="not quite")
    assert statuses(db, task) == expected


def test_escalations_cancellation_and_a_failed_delivery(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    # Escalated by the rules, then rejected by a person.
    add_maria(db, tenant, customer)
    task, token, draft = to_evaluating(db, tenant, customer, LEAKS_CONTACT)
    record_evaluation(db, tenant, draft, LEAKS_CONTACT, token)
    assert statuses(db, task) == ["draft"]
    move(db, tenant, task, "rejected")
    assert statuses(db, task) == ["rejected"]

    # Cancelled in review: never to be published.
    task, _ = in_review(db, tenant, customer)
    move(db, tenant, task, "cancelled")
    assert statuses(db, task) == ["rejected"]

    # Approved, its delivery failed for good: still the approved draft, not published; a person
    # sends the task back (a new draft replaces it) or takes it to review (undecided again).
    for then, expected in (("queued", "rejected"), ("awaiting_review", "draft")):
        task, draft = in_review(db, tenant, customer)
        review(db, tenant, draft, 1, "approve")
        got = claim_delivery(db)
        assert got["payload"]["task_id"] == task
        record_delivery(db, tenant, got, False, retryable=False)
        assert statuses(db, task) == ["approved"]
        move(db, tenant, task, then)
        assert statuses(db, task) == [expected]
        if then == "queued":  # cleared from the queue for the next case
            move(db, tenant, task, "cancelled")


def test_a_released_draft_is_superseded_by_the_next_attempt(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, token, _ = to_evaluating(db, tenant, customer, GOOD_EMAIL)
    call(db, tenant, "select aicrm.release_task(%s, %s, 'worker shutting down')", (task, token))
    assert statuses(db, task) == ["rejected"]  # the next worker writes a new draft
    token = claim_task(db)["lease_token"]
    start_generating(db, tenant, task, token)
    submit_draft(db, tenant, task, token, GOOD_EMAIL)
    assert statuses(db, task) == ["rejected", "draft"]


@pytest.mark.parametrize("role", ["aicrm_app", "aicrm_worker"])
def test_no_role_writes_a_status_by_hand(db: Conn, bakery: tuple[str, str], role: str) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    with act_as(db, tenant, role):
        err = sql_error(
            db, "update aicrm.project_deliverables set status = 'published' where deliverable_id = %s", (draft,)
        )
        assert err.diag.sqlstate == "42501"
        err = sql_error(
            db,
            "insert into aicrm.project_deliverables (task_id, version, content, status)"
            " values (%s, 9, 'x', 'approved')",
            (task,),
        )
        assert err.diag.sqlstate == "42501"
    assert statuses(db, task) == ["draft"]


def test_migration_0021_brings_existing_rows_in_line(db: Conn) -> None:
    """Rows written before the fix all say draft; the migration's backfill (run again here, as the
    migration runs: aicrm_owner, no tenant set) gives each the status its task's history says."""
    expected: dict[str, list[str]] = {}
    tenants = [make_tenant(db, "Agency A"), make_tenant(db, "Agency B")]
    customers = [make_customer(db, tenant, **BAKERY) for tenant in tenants]
    for tenant, customer in zip(tenants, customers, strict=True):
        task, draft = in_review(db, tenant, customer)  # waiting for a person
        expected[task] = ["draft"]
        task, draft = in_review(db, tenant, customer)  # approved with an edit, then delivered
        review(db, tenant, draft, 1, "approve", edited=GOOD_EMAIL.replace("Bring a friend", "Bring friends"))
        got = claim_delivery(db)
        assert got["payload"]["task_id"] == task
        record_delivery(db, tenant, got, True)
        expected[task] = ["rejected", "published"]
        task, draft = in_review(db, tenant, customer)  # sent back for changes, then rewritten
        review(db, tenant, draft, 1, "request_changes", reason="warmer")
        token = claim_task(db)["lease_token"]
        start_generating(db, tenant, task, token)
        submit_draft(db, tenant, task, token, GOOD_EMAIL)
        expected[task] = ["rejected", "draft"]
        task, draft = in_review(db, tenant, customer)  # rejected
        review(db, tenant, draft, 1, "reject", reason="off brand")
        expected[task] = ["rejected"]
    for tenant, customer in zip(tenants, customers, strict=True):
        task, draft = in_review(db, tenant, customer)  # approved, waiting in the outbox
        review(db, tenant, draft, 1, "approve")
        expected[task] = ["approved"]
    db.execute("select set_config('aicrm.tenant_id', '', true)")
    assert {t: statuses(db, t) for t in expected} == expected
    db.execute("alter table aicrm.project_deliverables disable trigger user")
    db.execute("update aicrm.project_deliverables set status = 'draft'")  # as before the fix
    db.execute("alter table aicrm.project_deliverables enable trigger user")

    db.execute("set local role aicrm_owner")
    db.execute(MIGRATION.read_text().encode())
    db.execute("reset role")
    assert {t: statuses(db, t) for t in expected} == expected
    assert db.execute("select current_setting('aicrm_private.claiming', true)").fetchone() in ((None,), ("",))
