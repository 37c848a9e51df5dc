"""The worker API: claim_next_task (across tenants, by priority, SKIP LOCKED, expired leases
reclaimed), the lease fence on every write back (heartbeat, submit_draft, record_evaluation,
fail_task, release_task), the rules' decision applied to the task, backoff and escalation, and
what other roles and tenants cannot do."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from runner.scoring import text_metrics
from tests.factories import add_maria, make_customer, make_tenant
from tests.helpers import act_as, call, refused, sql_error
from tests.samples import ERROR, GOOD_EMAIL, LEAKS_CONTACT, META, SUBJECT, WEAK
from tests.tasks import (
    EVALUATE,
    SUBMIT,
    always_decide,
    claim_task,
    create_task,
    history,
    last_transition,
    record_evaluation,
    start_generating,
    submit_draft,
    tamper,
    task_row,
    to_evaluating,
)

Conn = psycopg.Connection[Any]
HEARTBEAT = "select aicrm.heartbeat(%s, %s, 60)"
FAIL = "select aicrm.fail_task(p_task_id => %s, p_lease_token => %s, p_error => %s, p_retryable => %s)"
RELEASE = "select aicrm.release_task(%s, %s, 'worker shutting down')"


def seconds_until(conn: Conn, at: Any) -> float:
    row = conn.execute("select extract(epoch from %s::timestamptz - now())::float8", (at,)).fetchone()
    assert row is not None
    return float(row[0])


def snapshot(conn: Conn, task: str) -> tuple[Any, ...]:
    """Everything a write back could change: the task, its drafts, transitions and decisions."""
    row = conn.execute(
        "select to_jsonb(t) - 'updated_at',"
        " (select count(*) from aicrm.project_deliverables d where d.task_id = t.task_id),"
        " (select count(*) from aicrm.project_deliverables d"
        "  where d.task_id = t.task_id and d.evaluated_at is not null),"
        " (select count(*) from aicrm.task_state_transitions s where s.task_id = t.task_id),"
        " (select count(*) from aicrm.ai_decisions a where a.task_id = t.task_id)"
        " from aicrm.project_tasks t where t.task_id = %s",
        (task,),
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_an_empty_queue_gives_nothing(db: Conn, bakery: tuple[str, str]) -> None:
    assert claim_task(db) is None
    tenant, customer = bakery
    cancelled, later = create_task(db, tenant, customer), create_task(db, tenant, customer)
    call(db, tenant, "select aicrm.transition_task_state(%s, 'cancelled', 'ana')", (cancelled,), role="aicrm_app")
    tamper(db, tenant, later, "available_at = now() + interval '1 minute'")
    assert claim_task(db) is None


def test_a_worker_with_no_tenant_claims_from_every_tenant(db: Conn) -> None:
    tenants = [make_tenant(db, "Agency A"), make_tenant(db, "Agency B")]
    tasks = [create_task(db, tenants[0], make_customer(db, tenants[0]), priority=2)]
    tasks.append(create_task(db, tenants[1], make_customer(db, tenants[1], name="Beta Dental"), priority=1))
    with act_as(db, None, "aicrm_worker"):
        row = db.execute("select aicrm.claim_next_task('worker-1', 120)").fetchone()
        assert row is not None
        got = row[0]
        # The rest of the transaction runs in the claimed task's tenant, and sees only it.
        assert db.execute("select current_setting('aicrm.tenant_id')").fetchone() == (tenants[1],)
        assert db.execute("select count(*), count(distinct tenant_id) from aicrm.project_tasks").fetchone() == (1, 1)
        db.execute("select aicrm.start_generating(%s, %s)", (tasks[1], got["lease_token"]))
    assert (got["tenant_id"], got["task_id"], got["attempt"], got["last_draft"]) == (tenants[1], tasks[1], 1, None)
    assert got["task"] == {
        "customer_id": got["task"]["customer_id"],
        "channel": "email",
        "task_type": "email",
        "title": "email for Beta Dental",
        "priority": 1,
        "ai_instructions": {},
        "quality_thresholds": {},
    }
    row = task_row(db, tasks[1])
    assert (row["execution_state"], row["lease_holder"], row["lease_token"]) == (
        "generating",
        "worker-1",
        got["lease_token"],
    )
    assert 119 < seconds_until(db, got["lease_until"]) < 125
    assert history(db, tasks[1])[1] == ("queued", "gathering_context", "worker-1", "claimed")
    second = claim_task(db, "worker-2")
    assert (second["tenant_id"], second["task_id"]) == (tenants[0], tasks[0])
    assert claim_task(db, "worker-3") is None


def test_a_worker_with_a_tenant_set_claims_only_that_tenants_tasks(db: Conn) -> None:
    tenant_a, tenant_b = make_tenant(db, "Agency A"), make_tenant(db, "Agency B")
    create_task(db, tenant_a, make_customer(db, tenant_a), priority=1)
    task_b = create_task(db, tenant_b, make_customer(db, tenant_b), priority=5)
    assert claim_task(db, tenant=tenant_b)["task_id"] == task_b
    assert claim_task(db, tenant=tenant_b) is None


def test_the_best_priority_first_then_the_oldest(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    old3, new3, newest1 = (create_task(db, tenant, customer, priority=p) for p in (3, 3, 1))
    for task, age in ((old3, "3 minutes"), (new3, "1 minute"), (newest1, "10 seconds")):
        tamper(db, tenant, task, f"available_at = now() - interval '{age}'")
    assert [claim_task(db)["task_id"] for _ in range(3)] == [newest1, old3, new3]


@pytest.mark.parametrize("role", ["aicrm_app", "aicrm_readonly"])
def test_only_workers_claim(db: Conn, bakery: tuple[str, str], role: str) -> None:
    tenant, customer = bakery
    task = create_task(db, tenant, customer)
    assert refused(db, tenant, "select aicrm.claim_next_task('me')", role=role)[0] == "42501"
    assert task_row(db, task)["execution_state"] == "queued"


def test_setting_the_claiming_key_by_hand_opens_no_other_tenant(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, _ = bakery
    other = make_tenant(db, "Agency B")
    theirs = create_task(db, other, make_customer(db, other))
    key = db.execute("select key::text from aicrm_private.claim_key").fetchone()
    assert key is not None
    for role in ("aicrm_app", "aicrm_worker", "aicrm_readonly"):
        assert refused(db, tenant, "select key from aicrm_private.claim_key", role=role)[0] == "42501"
    before = snapshot(db, theirs)
    # Guesses, and even the real key: the policy that reads it is aicrm_owner's alone.
    for guess in ("on", "true", str(uuid.uuid4()), key[0]):
        for role in ("aicrm_app", "aicrm_worker"):
            with act_as(db, tenant, role):
                db.execute("select set_config('aicrm_private.claiming', %s, true)", (guess,))
                seen = db.execute("select count(*) from aicrm.project_tasks where tenant_id = %s", (other,)).fetchone()
                assert seen == (0,)
            if guess == key[0]:
                continue  # the key is a secret of aicrm_owner's; with it the owner's functions see further
            with act_as(db, tenant, role):
                db.execute("select set_config('aicrm_private.claiming', %s, true)", (guess,))
                err = sql_error(db, "select aicrm.transition_task_state(%s, 'cancelled', 'intruder')", (theirs,))
                assert (err.diag.sqlstate, err.diag.column_name) == ("AC002", "task_id")
    assert snapshot(db, theirs) == before


def test_two_workers_never_claim_the_same_task(db: Conn, db_url: str, bakery: tuple[str, str]) -> None:
    """The first worker's claim holds its task's row lock until commit; the second skips it (SKIP
    LOCKED, no waiting) and gets the other task; a third finds nothing."""
    tenant, customer = bakery
    tasks = {create_task(db, tenant, customer), create_task(db, tenant, customer)}
    db.commit()
    with psycopg.connect(db_url) as first, psycopg.connect(db_url) as second:
        for conn in (first, second):
            conn.execute("set role aicrm_worker")
            conn.execute("set lock_timeout = '10s'")  # a claim that waited on the lock would fail, not hang
        a = first.execute("select aicrm.claim_next_task('worker-a')").fetchone()
        b = second.execute("select aicrm.claim_next_task('worker-b')").fetchone()
        assert a is not None
        assert b is not None
        assert {a[0]["task_id"], b[0]["task_id"]} == tasks
        assert second.execute("select aicrm.claim_next_task('worker-b')").fetchone() == (None,)
        first.commit()
        second.commit()
    holders = db.execute(
        "select task_id::text, lease_holder from aicrm.project_tasks where execution_state = 'gathering_context'"
    ).fetchall()
    assert sorted(holders) == sorted([(a[0]["task_id"], "worker-a"), (b[0]["task_id"], "worker-b")])


def test_concurrent_workers_claim_each_task_once(db: Conn, db_url: str, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    tasks = [create_task(db, tenant, customer, priority=1 + i % 5) for i in range(12)]
    db.commit()
    claimed: list[str] = []
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            with psycopg.connect(db_url) as conn:
                conn.execute("set role aicrm_worker")
                while True:
                    row = conn.execute("select aicrm.claim_next_task(%s)", (name,)).fetchone()
                    conn.commit()
                    if row is None or row[0] is None:
                        return
                    claimed.append(row[0]["task_id"])
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(f"worker-{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(claimed) == sorted(tasks)


@pytest.mark.parametrize("stage", ["gathering_context", "generating", "evaluating"])
def test_an_expired_lease_is_reclaimed_and_fences_the_old_worker(db: Conn, bakery: tuple[str, str], stage: str) -> None:
    tenant, customer = bakery
    task = create_task(db, tenant, customer)
    old = claim_task(db, "worker-3", 5)["lease_token"]
    draft = None
    if stage != "gathering_context":
        start_generating(db, tenant, task, old)
    if stage == "evaluating":
        draft = submit_draft(db, tenant, task, old, GOOD_EMAIL)["deliverable_id"]
    assert claim_task(db, "worker-4") is None  # the lease still holds
    tamper(db, tenant, task, "lease_until = now() - interval '1 second'")

    got = claim_task(db, "worker-4")
    assert got["task_id"] == task
    assert got["lease_token"] != old
    assert history(db, task)[-2:] == [
        (stage, "queued", "system", "lease of worker-3 expired"),
        ("queued", "gathering_context", "worker-4", "claimed"),
    ]
    if draft:
        assert got["last_draft"]["deliverable_id"] == draft
        assert got["last_draft"]["content"] == GOOD_EMAIL

    before = snapshot(db, task)
    attempts = [
        (HEARTBEAT, (task, old)),
        (SUBMIT, (task, old, WEAK, SUBJECT, Jsonb(META), "late")),
        (FAIL, (task, old, Jsonb(ERROR), True)),
        (RELEASE, (task, old)),
        ("select aicrm.start_generating(%s, %s)", (task, old)),
    ]
    if draft:
        attempts.append((EVALUATE, (draft, Jsonb(text_metrics(GOOD_EMAIL, subject=SUBJECT)), old)))
    for query, params in attempts:
        assert refused(db, tenant, query, params) == ("AC005", "lease_token"), query
    assert snapshot(db, task) == before
    assert task_row(db, task)["lease_holder"] == "worker-4"
    call(db, tenant, HEARTBEAT, (task, got["lease_token"]))  # the new holder's lease works


def test_heartbeat_extends_the_lease_and_bad_values_are_refused(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task = create_task(db, tenant, customer)
    got = claim_task(db, seconds=5)
    audited = "select count(*) from aicrm.audit_log where table_name = 'project_tasks'"
    before = db.execute(audited).fetchone()
    until = call(db, tenant, "select aicrm.heartbeat(%s, %s, 600)", (task, got["lease_token"]))
    assert task_row(db, task)["lease_until"] == until
    assert db.execute(audited).fetchone() == before  # a heartbeat is bookkeeping, not an audited change
    assert 599 < seconds_until(db, until) < 605
    assert refused(db, tenant, "select aicrm.heartbeat(%s, %s, 4)", (task, got["lease_token"])) == (
        "AC001",
        "lease_seconds",
    )
    assert refused(db, tenant, "select aicrm.heartbeat(%s, null)", (task,)) == ("AC001", "lease_token")
    assert refused(db, tenant, "select aicrm.heartbeat(%s, %s)", (str(uuid.uuid4()), got["lease_token"])) == (
        "AC002",
        "task_id",
    )
    create_task(db, tenant, customer)
    for worker, seconds, field in ((" ", 60, "worker_id"), ("w" * 201, 60, "worker_id"), ("w", 86401, "lease_seconds")):
        with act_as(db, None, "aicrm_worker"):
            err = sql_error(db, "select aicrm.claim_next_task(%s, %s)", (worker, seconds))
        assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", field)


def test_submit_draft_versions_idempotency_and_refusals(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task = create_task(db, tenant, customer)
    token = claim_task(db)["lease_token"]
    assert refused(db, tenant, SUBMIT, (task, token, WEAK, SUBJECT, Jsonb(META), "a-1")) == (
        "AC005",
        "execution_state",
    )
    start_generating(db, tenant, task, token)
    before = snapshot(db, task)
    assert refused(db, tenant, SUBMIT, (task, token, "", SUBJECT, Jsonb(META), "a-1")) == ("AC001", "content")
    assert refused(db, tenant, SUBMIT, (task, token, WEAK, "s" * 301, Jsonb(META), None)) == ("AC001", "subject")
    assert refused(db, tenant, SUBMIT, (task, token, WEAK, SUBJECT, Jsonb([1]), None)) == ("AC001", "meta")
    assert snapshot(db, task) == before

    first = submit_draft(db, tenant, task, token, WEAK, key="a-1")
    assert (first["version"], first["created"]) == (1, True)
    assert last_transition(db, task)[:4] == ("generating", "evaluating", "worker-1", "draft submitted")
    stored = db.execute(
        "select provenance, created_by, idempotency_key from aicrm.project_deliverables where deliverable_id = %s",
        (first["deliverable_id"],),
    ).fetchone()
    assert stored == ({**META, "system_parts": []}, "worker-1", "a-1")  # WEAK has its footer
    # A worker that lost the answer asks again: the same draft, nothing new.
    assert submit_draft(db, tenant, task, token, WEAK, key="a-1") == {**first, "created": False}
    assert refused(db, tenant, SUBMIT, (task, token, GOOD_EMAIL, SUBJECT, Jsonb(META), "a-1")) == (
        "AC005",
        "idempotency_key",
    )
    assert refused(db, tenant, SUBMIT, (task, token, GOOD_EMAIL, SUBJECT, Jsonb(META), None)) == (
        "AC005",
        "execution_state",
    )

    retry = record_evaluation(db, tenant, first["deliverable_id"], WEAK, token)
    assert retry["decision"]["action"]["type"] == "retry"
    assert retry["task"] == {"execution_state": "generating", "attempts": 2}
    second = submit_draft(db, tenant, task, token, GOOD_EMAIL, key="a-2")
    assert (second["version"], second["created"]) == (2, True)
    assert submit_draft(db, tenant, task, token, WEAK, key="a-1") == {**first, "created": False}  # in evaluating
    approved = record_evaluation(db, tenant, second["deliverable_id"], GOOD_EMAIL, token)
    assert approved["task"]["execution_state"] == "approved"
    assert submit_draft(db, tenant, task, token, GOOD_EMAIL, key="a-2") == {**second, "created": False}  # lease ended
    assert db.execute("select count(*) from aicrm.project_deliverables where task_id = %s", (task,)).fetchone() == (2,)


@pytest.mark.parametrize(
    ("content", "rule_action", "action", "to_state"),
    [
        (GOOD_EMAIL, None, "approve", "approved"),
        (WEAK, None, "retry", "generating"),
        (LEAKS_CONTACT, None, "escalate", "escalated"),
        (GOOD_EMAIL, "reject", "reject", "rejected"),
        (GOOD_EMAIL, "review", "review", "awaiting_review"),
    ],
)
def test_record_evaluation_applies_the_decision_to_the_task(
    db: Conn, bakery: tuple[str, str], content: str, rule_action: str | None, action: str, to_state: str
) -> None:
    tenant, customer = bakery
    add_maria(db, tenant, customer)  # LEAKS_CONTACT shows her address
    if rule_action:
        always_decide(db, tenant, rule_action)
    task, token, draft = to_evaluating(db, tenant, customer, content)
    got = record_evaluation(db, tenant, draft, content, token)
    decision = got["decision"]
    assert decision["action"]["type"] == action
    assert got["task"] == {"execution_state": to_state, "attempts": 2 if to_state == "generating" else 1}
    from_state, state, actor, reason, details = last_transition(db, task)
    assert (from_state, state, actor, reason) == ("evaluating", to_state, "rules", decision["explanation"])
    assert details["deliverable_id"] == draft
    assert details["decision_id"] == decision["decision_id"]
    assert details["overall"] == got["scorecard"]["overall"]
    assert details["action"]["type"] == action
    row = task_row(db, task)
    if to_state == "generating":  # the same worker writes again, with the fixes
        assert (row["lease_holder"], row["lease_token"]) == ("worker-1", token)
        assert got["scorecard"]["fixes"]
    else:
        assert (row["lease_holder"], row["lease_token"], row["lease_until"]) == (None, None, None)
    assert [b["state"] for b in row["blockers"]] == ([to_state] if to_state in ("escalated", "awaiting_review") else [])
    stored = db.execute(
        "select success_evaluation ->> 'decision_id', quality_score is not null from aicrm.project_deliverables"
        " where deliverable_id = %s",
        (draft,),
    ).fetchone()
    assert stored == (decision["decision_id"], True)


def test_record_evaluation_needs_the_lease_while_evaluating(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, token, draft = to_evaluating(db, tenant, customer, GOOD_EMAIL)
    metrics = Jsonb(text_metrics(GOOD_EMAIL, subject=SUBJECT))
    before = snapshot(db, task)
    for role in ("aicrm_worker", "aicrm_app"):
        assert refused(db, tenant, "select aicrm.record_evaluation(%s, %s)", (draft, metrics), role) == (
            "AC005",
            "lease_token",
        )
    assert refused(db, tenant, EVALUATE, (draft, metrics, str(uuid.uuid4()))) == ("AC005", "lease_token")
    assert snapshot(db, task) == before
    assert record_evaluation(db, tenant, draft, GOOD_EMAIL, token)["task"]["execution_state"] == "approved"
    # Out of the pipeline, the two-argument call scores again and moves nothing.
    transitions = len(history(db, task))
    again = call(db, tenant, "select aicrm.record_evaluation(%s, %s)", (draft, metrics), role="aicrm_app")
    assert again["task"]["execution_state"] == "approved"
    assert len(history(db, task)) == transitions
    assert refused(db, tenant, EVALUATE, (draft, metrics, token)) == ("AC005", "lease_token")


def test_retryable_failures_back_off_then_escalate(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task = create_task(db, tenant, customer)
    for failures, backoff in ((1, 10), (2, 20)):
        token = claim_task(db)["lease_token"]
        got = call(db, tenant, FAIL, (task, token, Jsonb(ERROR), True))
        assert (got["execution_state"], got["failures"]) == ("queued", failures)
        row = task_row(db, task)
        assert (row["execution_state"], row["failures"], row["wait_s"], row["lease_token"]) == (
            "queued",
            failures,
            backoff,
            None,
        )
        assert claim_task(db) is None  # not before its backoff
        _, _, actor, reason, details = last_transition(db, task)
        assert (actor, reason) == ("worker-1", f"failed ({failures} of 3); retry in {backoff} s")
        assert (details["error"], details["failures"]) == (ERROR, failures)
        tamper(db, tenant, task, "available_at = now()")  # the backoff passes
    token = claim_task(db)["lease_token"]
    got = call(db, tenant, FAIL, (task, token, Jsonb(ERROR), True))
    assert got == {"execution_state": "escalated", "failures": 3, "available_at": None}
    row = task_row(db, task)
    assert (row["execution_state"], row["lease_token"], [b["reason"] for b in row["blockers"]]) == (
        "escalated",
        None,
        ["failed 3 times"],
    )
    assert claim_task(db) is None


def test_the_backoff_is_capped_and_the_decision_sees_the_failures(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    call(db, tenant, "select aicrm.set_decision_setting('escalate_after_failures', '20')", role="aicrm_app")
    task = create_task(db, tenant, customer)
    tamper(db, tenant, task, "failures = 9")
    token = claim_task(db)["lease_token"]
    assert call(db, tenant, FAIL, (task, token, Jsonb(ERROR), True))["failures"] == 10
    assert task_row(db, task)["wait_s"] == 900  # 10 s * 2^9 capped at 15 minutes
    tamper(db, tenant, task, "available_at = now()")
    token = claim_task(db)["lease_token"]
    start_generating(db, tenant, task, token)
    draft = submit_draft(db, tenant, task, token, GOOD_EMAIL)["deliverable_id"]
    got = record_evaluation(db, tenant, draft, GOOD_EMAIL, token)
    assert got["decision"]["inputs"]["task"]["failures"] == 10


@pytest.mark.parametrize("stage", ["gathering_context", "generating", "evaluating"])
def test_a_failure_that_cannot_be_retried_escalates_at_once(db: Conn, bakery: tuple[str, str], stage: str) -> None:
    tenant, customer = bakery
    task = create_task(db, tenant, customer)
    token = claim_task(db)["lease_token"]
    if stage != "gathering_context":
        start_generating(db, tenant, task, token)
    if stage == "evaluating":
        submit_draft(db, tenant, task, token, GOOD_EMAIL)
    assert refused(db, tenant, FAIL, (task, token, Jsonb("oops"), False)) == ("AC001", "error")
    error = {"kind": "content_policy", "message": "the provider refused the prompt"}
    got = call(db, tenant, FAIL, (task, token, Jsonb(error), False))
    assert got == {"execution_state": "escalated", "failures": 1, "available_at": None}
    from_state, to_state, actor, reason, details = last_transition(db, task)
    assert (from_state, to_state, actor, reason) == (stage, "escalated", "worker-1", "failed, not retryable")
    assert (details["error"], details["retryable"]) == (error, False)
    assert task_row(db, task)["lease_token"] is None


def test_release_task_queues_it_for_the_next_worker_at_once(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task = create_task(db, tenant, customer)
    token = claim_task(db)["lease_token"]
    start_generating(db, tenant, task, token)
    assert call(db, tenant, RELEASE, (task, token))["execution_state"] == "queued"
    row = task_row(db, task)
    assert (row["execution_state"], row["failures"], row["lease_token"], row["wait_s"]) == ("queued", 0, None, 0)
    assert history(db, task)[-1] == ("generating", "queued", "worker-1", "worker shutting down")
    again = claim_task(db, "worker-2")
    assert (again["task_id"], again["attempt"]) == (task, 2)
    assert refused(db, tenant, HEARTBEAT, (task, token)) == ("AC005", "lease_token")
    assert refused(db, tenant, "select aicrm.release_task(%s, %s, ' ')", (task, again["lease_token"])) == (
        "AC001",
        "reason",
    )


def test_a_worker_in_another_tenant_cannot_write_back(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    other = make_tenant(db, "Agency B")
    task = create_task(db, tenant, customer)
    token = claim_task(db)["lease_token"]
    start_generating(db, tenant, task, token)
    before = snapshot(db, task)
    for query, params in (
        (HEARTBEAT, (task, token)),
        (SUBMIT, (task, token, GOOD_EMAIL, SUBJECT, Jsonb(META), None)),
        (SUBMIT, (task, token, GOOD_EMAIL, SUBJECT, Jsonb(META), "key")),
        (FAIL, (task, token, Jsonb(ERROR), False)),
        (RELEASE, (task, token)),
    ):
        assert refused(db, other, query, params) == ("AC002", "task_id"), query
    assert snapshot(db, task) == before
    draft = submit_draft(db, tenant, task, token, GOOD_EMAIL)["deliverable_id"]
    before = snapshot(db, task)
    metrics = Jsonb(text_metrics(GOOD_EMAIL, subject=SUBJECT))
    assert refused(db, other, EVALUATE, (draft, metrics, token)) == ("AC002", "deliverable_id")
    assert snapshot(db, task) == before


def test_a_task_leaving_the_leased_states_ends_its_lease(db: Conn, bakery: tuple[str, str]) -> None:
    """Cancelled while a worker holds it: the lease is gone (the worker is fenced out) and the task
    no longer shows among the leases claim_next_task looks at."""
    tenant, customer = bakery
    task = create_task(db, tenant, customer)
    token = claim_task(db)["lease_token"]
    start_generating(db, tenant, task, token)
    with act_as(db, tenant):
        db.execute("select aicrm.transition_task_state(%s, 'cancelled', 'ana@agency', 'client paused')", (task,))
    row = task_row(db, task)
    assert (row["lease_holder"], row["lease_token"], row["lease_until"]) == (None, None, None)
    assert refused(db, tenant, HEARTBEAT, (task, token)) == ("AC005", "lease_token")


def test_a_task_whose_workers_keep_dying_goes_to_a_person(db: Conn, bakery: tuple[str, str]) -> None:
    """A reclaimed lease is a failure: the third (escalate_after_failures) escalates the task instead
    of handing it to the next worker, and the claim takes the next task."""
    tenant, customer = bakery
    doomed = create_task(db, tenant, customer, priority=1)
    claim_task(db, "worker-1", 5)
    tamper(db, tenant, doomed, "lease_until = now() - interval '1 second'")
    assert claim_task(db, "worker-2")["task_id"] == doomed  # the first death: requeued and claimed again
    assert task_row(db, doomed)["failures"] == 1
    tamper(db, tenant, doomed, "lease_until = now() - interval '1 second', failures = 2")
    other = create_task(db, tenant, customer, priority=3)
    got = claim_task(db, "worker-3")
    assert got["task_id"] == other
    row = task_row(db, doomed)
    assert (row["execution_state"], row["failures"], row["lease_token"]) == ("escalated", 3, None)
    assert history(db, doomed)[-1] == (
        "gathering_context",
        "escalated",
        "system",
        "lease of worker-2 expired; 3 failures",
    )
