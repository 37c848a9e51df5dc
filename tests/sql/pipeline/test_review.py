"""Human review: review_queue (what waits, most urgent first), review_deliverable bound to the
exact version read (approve, approve with an edit kept with its word diff, reject, request changes
that reach the next writer), the batch form (all or nothing), and who may do it."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.helpers import act_as, make_customer, make_tenant, sql_error
from tests.sql.pipeline.test_worker_api import GOOD_EMAIL, SUBJECT, call, claim, create
from tests.sql.quality.test_scorecard import BAKERY

Conn = psycopg.Connection[Any]
REVIEW = (
    "select aicrm.review_deliverable(p_deliverable_id => %s, p_version => %s, p_decision => %s,"
    " p_edited_content => %s, p_reason => %s, p_reviewer => 'ana@agency')"
)


def in_review(db: Conn, tenant: str, customer: str, priority: int = 3, content: str = GOOD_EMAIL) -> tuple[str, str]:
    """A task whose draft (version 1) the rules sent to review: (task, deliverable)."""
    task = create(db, tenant, customer, priority)
    token = claim(db)["lease_token"]
    call(db, tenant, "select aicrm.start_generating(%s, %s)", (task, token))
    draft = call(
        db,
        tenant,
        "select aicrm.submit_draft(p_task_id => %s, p_lease_token => %s, p_content => %s, p_subject => %s)",
        (task, token, content, SUBJECT),
    )["deliverable_id"]
    # As the evaluation would when a rule says "review" (the rules' own tests cover when they do).
    db.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
    db.execute(
        "select aicrm_private.transition_task(%s, 'awaiting_review', 'rules', 'low confidence', 'evaluating', '{}',"
        " 'record_evaluation')",
        (task,),
    )
    return task, str(draft)


def review(db: Conn, tenant: str, draft: str, version: int, decision: str, **kw: Any) -> dict[str, Any]:
    with act_as(db, tenant):
        row = db.execute(REVIEW, (draft, version, decision, kw.get("edited"), kw.get("reason"))).fetchone()
    assert row is not None
    return dict(row[0])


def refused(db: Conn, tenant: str, draft: str, version: int, decision: str, **kw: Any) -> tuple[Any, ...]:
    with act_as(db, tenant):
        err = sql_error(db, REVIEW, (draft, version, decision, kw.get("edited"), kw.get("reason")))
    return err.diag.sqlstate, err.diag.column_name


def state(db: Conn, task: str) -> str:
    row = db.execute("select execution_state from aicrm.project_tasks where task_id = %s", (task,)).fetchone()
    assert row is not None
    return str(row[0])


def counts(db: Conn) -> tuple[Any, ...]:
    row = db.execute(
        "select (select count(*) from aicrm.deliverable_reviews), (select count(*) from aicrm.project_deliverables),"
        " (select count(*) from aicrm.task_state_transitions)"
    ).fetchone()
    assert row is not None
    return tuple(row)


@pytest.fixture
def bakery(db: Conn) -> tuple[str, str]:
    tenant = make_tenant(db, "Agency A")
    return tenant, make_customer(db, tenant, **BAKERY)


def test_the_queue_lists_what_waits_most_urgent_first(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    low, _ = in_review(db, tenant, customer, priority=4)
    urgent, urgent_draft = in_review(db, tenant, customer, priority=1)
    older, _ = in_review(db, tenant, customer, priority=4)
    other = make_tenant(db, "Agency B")
    with act_as(db, tenant):
        rows = db.execute(
            "select task_id::text, deliverable_id::text, version, customer_name from aicrm.review_queue"
        ).fetchall()
    assert [r[0] for r in rows] == [urgent, low, older]
    assert rows[0][1:] == (urgent_draft, 1, "Sunrise Bakery")
    with act_as(db, other):
        assert db.execute("select count(*) from aicrm.review_queue").fetchone() == (0,)
    review(db, tenant, urgent_draft, 1, "approve")
    with act_as(db, tenant):
        assert db.execute("select count(*) from aicrm.review_queue").fetchone() == (2,)


def test_approve_as_is_or_with_an_edit_kept_for_learning(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    got = review(db, tenant, draft, 1, "approve")
    assert (got["execution_state"], got["approved_deliverable_id"], got["edit_diff"]) == ("approved", draft, None)
    assert state(db, task) == "approved"

    task, draft = in_review(db, tenant, customer)
    edited = GOOD_EMAIL.replace("skip the morning line", "skip the queue").replace(
        "Bring a friend", "Bring two friends"
    )
    got = review(db, tenant, draft, 1, "approve", edited=edited, reason="tighter")
    assert got["execution_state"] == "approved"
    row = db.execute(
        "select version, content, created_by, provenance from aicrm.project_deliverables where deliverable_id = %s",
        (got["approved_deliverable_id"],),
    ).fetchone()
    assert row == (2, edited, "ana@agency", {"edited_from_version": 1, "editor": "ana@agency"})
    assert got["edit_diff"]["removed"] == {"line": 1, "morning": 1, "a": 1, "friend": 1}
    assert got["edit_diff"]["added"] == {"queue": 1, "friends": 1, "two": 1}
    stored = db.execute(
        "select reviewer, decision, version, edited, edit_diff from aicrm.deliverable_reviews where task_id = %s",
        (task,),
    ).fetchone()
    assert stored == ("ana@agency", "approve", 1, True, got["edit_diff"])
    assert db.execute(
        "select actor, reason from aicrm.task_state_transitions where task_id = %s order by transition_id desc limit 1",
        (task,),
    ).fetchone() == ("ana@agency", "tighter")


def test_a_stale_version_or_a_task_not_in_review_is_refused(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    before = counts(db)
    assert refused(db, tenant, draft, 2, "approve") == ("AC005", "version")
    review(db, tenant, draft, 1, "approve")
    assert refused(db, tenant, draft, 1, "approve") == ("AC005", "execution_state")
    assert refused(db, tenant, draft, 1, "maybe") == ("AC001", "decision")
    assert refused(db, tenant, draft, 1, "reject") == ("AC001", "reason")
    assert refused(db, tenant, draft, 1, "reject", edited="x", reason="no") == ("AC001", "edited_content")
    assert counts(db)[0] == before[0] + 1  # only the one approval
    assert state(db, task) == "approved"


def test_reject_and_request_changes_reach_the_next_writer(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    assert review(db, tenant, draft, 1, "reject", reason="off brand")["execution_state"] == "rejected"
    assert state(db, task) == "rejected"

    task, draft = in_review(db, tenant, customer)
    got = review(db, tenant, draft, 1, "request_changes", reason="Mention the Saturday market stall.")
    assert got["execution_state"] == "queued"
    claimed = claim(db, "worker-2")
    assert claimed["task_id"] == task
    assert claimed["last_draft"]["version"] == 1
    assert claimed["last_draft"]["fixes"][0] == {
        "code": "reviewer_request",
        "dimension": "review",
        "severity": "major",
        "message": "Mention the Saturday market stall.",
        "reviewer": "ana@agency",
    }


def test_a_batch_is_all_or_nothing_and_names_the_item(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    first_task, first = in_review(db, tenant, customer)
    second_task, second = in_review(db, tenant, customer)
    batch = [
        {"deliverable_id": first, "version": 1, "decision": "approve"},
        {"deliverable_id": second, "version": 7, "decision": "approve"},
    ]
    with act_as(db, tenant):
        err = sql_error(db, "select aicrm.review_deliverables(%s, 'ana@agency')", (Jsonb(batch),))
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC005", "reviews[1].version")
    assert (state(db, first_task), state(db, second_task)) == ("awaiting_review", "awaiting_review")
    batch[1]["version"] = 1
    with act_as(db, tenant):
        row = db.execute("select aicrm.review_deliverables(%s, 'ana@agency')", (Jsonb(batch),)).fetchone()
    assert row is not None
    assert [r["execution_state"] for r in row[0]] == ["approved", "approved"]


def test_only_people_of_the_tenant_review(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer)
    other = make_tenant(db, "Agency B")
    assert refused(db, other, draft, 1, "approve") == ("AC002", "deliverable_id")
    with act_as(db, tenant, "aicrm_worker"):
        assert sql_error(db, REVIEW, (draft, 1, "approve", None, None)).sqlstate == "42501"
    with act_as(db, tenant):
        err = sql_error(
            db,
            "insert into aicrm.deliverable_reviews (task_id, deliverable_id, version, reviewer, decision)"
            " values (%s, %s, 1, 'me', 'approve')",
            (task, draft),
        )
        assert err.sqlstate == "42501"
    assert state(db, task) == "awaiting_review"
