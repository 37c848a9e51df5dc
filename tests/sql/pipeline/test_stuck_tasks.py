"""The scheduled job detect-stuck-tasks (aicrm.detect_stuck_tasks, docs/operations.md): a task held
under a live lease past its state's threshold goes to a person with the reason, and its worker can
no longer write back; a task whose lease expired is left to the next claim, which takes it back to
the queue; the thresholds are the tenant's decision setting; only the deployment runs the job."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tests.factories import make_customer, make_tenant
from tests.helpers import act_as, refused
from tests.samples import GOOD_EMAIL
from tests.tasks import (
    claim_task,
    create_task,
    history,
    start_generating,
    submit_draft,
    tamper,
    task_row,
    task_state,
)

Conn = psycopg.Connection[Any]
HEARTBEAT = "select aicrm.heartbeat(%s, %s, 60)"


def detect(conn: Conn, limit: int | None = None) -> int:
    """The job as the scheduler runs it (the owner, no tenant set), or its limited form."""
    conn.execute("select set_config('aicrm.tenant_id', '', true)")
    query = "select aicrm.detect_stuck_tasks()" if limit is None else "select aicrm_private.escalate_stuck_tasks(%s)"
    row = conn.execute(query, () if limit is None else (limit,)).fetchone()
    assert row is not None
    return int(row[0])


def generating(conn: Conn, tenant: str, customer: str, worker: str = "worker-1") -> tuple[str, str]:
    """A task a worker holds in generating: (task, its lease token)."""
    task = create_task(conn, tenant, customer)
    got = claim_task(conn, worker, 600, tenant)
    assert got["task_id"] == task
    start_generating(conn, tenant, task, got["lease_token"])
    return task, str(got["lease_token"])


def test_a_task_held_too_long_under_a_live_lease_goes_to_a_person(db: Conn, tenant: str, customer: str) -> None:
    task, token = generating(db, tenant, customer)
    tamper(db, tenant, task, "state_changed_at = now() - interval '20 minutes'")
    assert detect(db) == 0  # under generating's 30 minutes
    tamper(db, tenant, task, "state_changed_at = now() - interval '45 minutes'")
    assert detect(db) == 1
    assert task_state(db, task) == "escalated"
    (from_state, to_state, actor, reason) = history(db, task)[-1]
    assert (from_state, to_state, actor) == ("generating", "escalated", "system")
    assert reason.startswith("stuck: generating for 45 min under the live lease of worker-1 (threshold 30 min)")
    details = db.execute(
        "select details from aicrm.task_state_transitions where task_id = %s order by transition_id desc limit 1",
        (task,),
    ).fetchone()
    assert details is not None
    assert (details[0]["stuck"], details[0]["threshold_minutes"], details[0]["lease_holder"]) == (True, 30, "worker-1")
    row = task_row(db, task)
    assert (row["lease_holder"], row["lease_token"], row["lease_until"]) == (None, None, None)
    # The worker that was stuck finds its lease gone on its next write back.
    assert refused(db, tenant, HEARTBEAT, (task, token)) == ("AC005", "lease_token")
    assert refused(db, tenant, "select aicrm.submit_draft(%s, %s, %s)", (task, token, GOOD_EMAIL))[0] == "AC005"
    assert detect(db) == 0  # once


def test_a_task_whose_lease_expired_is_reclaimed_not_escalated(db: Conn, tenant: str, customer: str) -> None:
    task, _ = generating(db, tenant, customer)
    tamper(db, tenant, task, "state_changed_at = now() - interval '3 hours', lease_until = now() - interval '1 minute'")
    assert detect(db) == 0
    assert task_state(db, task) == "generating"
    got = claim_task(db, "worker-2", 600, tenant)
    assert got["task_id"] == task
    assert [h[:3] for h in history(db, task)[-2:]] == [
        ("generating", "queued", "system"),
        ("queued", "gathering_context", "worker-2"),
    ]


def test_each_state_has_its_threshold_and_the_tenant_may_change_one(db: Conn, tenant: str, customer: str) -> None:
    reading = create_task(db, tenant, customer)
    got = claim_task(db, "worker-1", 600, tenant)
    assert got["task_id"] == reading  # gathering_context: 15 minutes
    writing, token = generating(db, tenant, customer, "worker-2")
    scoring, scoring_token = generating(db, tenant, customer, "worker-3")
    submit_draft(db, tenant, scoring, scoring_token, GOOD_EMAIL)  # evaluating: 15 minutes
    for task in (reading, writing, scoring):
        tamper(db, tenant, task, "state_changed_at = now() - interval '20 minutes'")
    assert detect(db) == 2
    assert [task_state(db, t) for t in (reading, writing, scoring)] == ["escalated", "generating", "escalated"]

    with act_as(db, tenant):
        db.execute("select aicrm.set_decision_setting('stuck_after_minutes', %s)", (Jsonb({"generating": 10}),))
    assert detect(db) == 1  # generating's own threshold now; the others keep the defaults
    assert task_state(db, writing) == "escalated"
    assert refused(db, tenant, HEARTBEAT, (writing, token)) == ("AC005", "lease_token")
    # A threshold is whole minutes, 1 to 10080 (a week).
    bad = "select aicrm.set_decision_setting('stuck_after_minutes', %s)"
    assert refused(db, tenant, bad, (Jsonb({"generating": 0}),), "aicrm_app")[0] == "AC001"
    assert refused(db, tenant, bad, (Jsonb({"queued": 5}),), "aicrm_app")[0] == "AC001"


def test_every_tenants_tasks_oldest_first_at_most_the_limit(db: Conn) -> None:
    tasks = []
    for name in ("Agency A", "Agency B"):
        tenant = make_tenant(db, name)
        customer = make_customer(db, tenant, name=f"Bakery of {name}")
        for minutes in (50, 40):
            task, _ = generating(db, tenant, customer)
            tamper(db, tenant, task, f"state_changed_at = now() - interval '{minutes} minutes'")
            tasks.append(task)
    assert detect(db, 3) == 3
    assert detect(db, 3) == 1
    assert all(task_state(db, t) == "escalated" for t in tasks)
    db.execute("select set_config('aicrm.tenant_id', '', true)")
    assert refused(db, None, "select aicrm_private.escalate_stuck_tasks(0)", role="aicrm_owner") == ("AC001", "limit")


def test_only_the_deployment_runs_the_job(db: Conn, tenant: str) -> None:
    for role in ("aicrm_app", "aicrm_worker", "aicrm_readonly"):
        for query in ("select aicrm.detect_stuck_tasks()", "select aicrm_private.escalate_stuck_tasks(5)"):
            assert refused(db, tenant, query, role=role)[0] == "42501", (role, query)
