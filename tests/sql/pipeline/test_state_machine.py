"""The task state machine: create_content_task (validated, queued, idempotent), transition_task_state
(allowed transitions only, via the API function that owns them, compare-and-set, recorded), what
roles may not do by hand, tenants, concurrent transitions and the wake-up NOTIFY."""

from __future__ import annotations

import threading
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import make_customer, make_tenant
from tests.helpers import act_as, sql_error
from tests.tasks import history

INSTRUCTIONS = {
    "output_type": "email",
    "output_length": {"min_words": 120, "max_words": 250},
    "must_include": ["call to action"],
    "topic": "the spring menu",
}


def create(conn: psycopg.Connection[Any], customer: str, key: str | None = None, **kw: Any) -> dict[str, Any]:
    row = conn.execute(
        "select aicrm.create_content_task(p_customer_id => %s, p_channel => %s, p_ai_instructions => %s,"
        " p_idempotency_key => %s, p_priority => %s)",
        (customer, kw.get("channel", "email"), Jsonb(kw.get("instructions", INSTRUCTIONS)), key, kw.get("priority", 3)),
    ).fetchone()
    assert row is not None
    return dict(row[0])


def transition(conn: psycopg.Connection[Any], task: str, to: str, **kw: Any) -> dict[str, Any]:
    row = conn.execute(
        "select aicrm.transition_task_state(%s, %s, %s, p_reason => %s, p_expected_state => %s)",
        (task, to, kw.get("actor", "tester"), kw.get("reason"), kw.get("expected")),
    ).fetchone()
    assert row is not None
    return dict(row[0])


def state(conn: psycopg.Connection[Any], task: str) -> tuple[Any, ...]:
    row = conn.execute(
        "select execution_state, attempts, blockers from aicrm.project_tasks where task_id = %s", (task,)
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_a_created_task_is_queued_with_its_instructions(db: psycopg.Connection[Any], bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    with act_as(db, tenant):
        got = create(db, customer)
        assert (got["created"], got["execution_state"]) == (True, "queued")
        row = db.execute(
            "select t.task_type, t.channel, t.title, t.ai_instructions, p.name from aicrm.project_tasks t"
            " join aicrm.projects p using (tenant_id, project_id) where t.task_id = %s",
            (got["task_id"],),
        ).fetchone()
        assert row == ("email", "email", "email for Sunrise Bakery: the spring menu", INSTRUCTIONS, "Content")
        assert history(db, got["task_id"]) == [("draft", "queued", "aicrm_app", "created")]
        # A second task of the customer goes to the same project.
        other = create(db, customer, channel="sms", instructions={"output_type": "sms"})
        projects = db.execute(
            "select count(distinct project_id) from aicrm.project_tasks where task_id in (%s, %s)",
            (got["task_id"], other["task_id"]),
        ).fetchone()
        assert projects == (1,)


def test_the_same_idempotency_key_never_creates_a_second_task(
    db: psycopg.Connection[Any], bakery: tuple[str, str]
) -> None:
    tenant, customer = bakery
    with act_as(db, tenant):
        first = create(db, customer, key="line-1")
        again = create(db, customer, key="line-1")
        assert again == {"task_id": first["task_id"], "created": False, "execution_state": "queued"}
        err = sql_error(
            db,
            "select aicrm.create_content_task(%s, 'email', %s, p_idempotency_key => 'line-1')",
            (customer, Jsonb({"output_type": "newsletter"})),
        )
        assert (err.diag.sqlstate, err.diag.column_name) == ("AC005", "idempotency_key")
        assert db.execute("select count(*) from aicrm.project_tasks").fetchone() == (1,)


@pytest.mark.parametrize(
    ("args", "code", "column"),
    [
        (
            {"instructions": {"output_length": {"max_words": "many"}}},
            "AC001",
            "ai_instructions.output_length.max_words",
        ),
        ({"instructions": {"must_include": [""]}}, "AC001", "ai_instructions.must_include[0]"),
        ({"instructions": {"tone": "loud"}}, "AC001", "ai_instructions.tone"),
        ({"channel": "fax"}, "AC001", "channel"),
        ({"priority": 9}, "AC001", "priority"),
    ],
)
def test_bad_requests_name_the_field_and_write_nothing(
    db: psycopg.Connection[Any], bakery: tuple[str, str], args: dict[str, Any], code: str, column: str
) -> None:
    tenant, customer = bakery
    with act_as(db, tenant):
        err = sql_error(
            db,
            "select aicrm.create_content_task(p_customer_id => %s, p_channel => %s, p_ai_instructions => %s,"
            " p_priority => %s)",
            (customer, args.get("channel", "email"), Jsonb(args.get("instructions", {})), args.get("priority", 3)),
        )
        assert (err.diag.sqlstate, err.diag.column_name) == (code, column)
        assert db.execute("select count(*) from aicrm.project_tasks").fetchone() == (0,)
        assert db.execute("select count(*) from aicrm.projects").fetchone() == (0,)
        err = sql_error(db, "select aicrm.create_content_task(gen_random_uuid(), 'email')")
        assert (err.diag.sqlstate, err.diag.column_name) == ("AC002", "customer_id")


def test_only_allowed_transitions_and_each_one_recorded(db: psycopg.Connection[Any], bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    with act_as(db, tenant):
        task = create(db, customer)["task_id"]
        err = sql_error(db, "select aicrm.transition_task_state(%s, 'approved', 'tester')", (task,))
        assert err.diag.sqlstate == "AC005"
        assert "queued -> approved is not allowed" in (err.diag.message_primary or "")
        assert err.diag.message_hint == "From queued a task may go to cancelled, gathering_context."
        # A transition an API function owns is refused to a bare call: no claiming without a lease.
        err = sql_error(db, "select aicrm.transition_task_state(%s, 'gathering_context', 'tester')", (task,))
        assert err.diag.sqlstate == "AC006"
        assert "claim_next_task" in (err.diag.message_primary or "")
        err = sql_error(db, "select aicrm.transition_task_state(%s, 'cancelled', 'tester', null, 'draft')", (task,))
        assert err.diag.sqlstate == "AC005"
        assert (err.diag.message_primary or "").endswith("is queued, not draft")
        err = sql_error(db, "select aicrm.transition_task_state(%s, 'queued!', 'tester')", (task,))
        assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", "to_state")
        err = sql_error(db, "select aicrm.transition_task_state(%s, 'cancelled', ' ')", (task,))
        assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", "actor")
        assert state(db, task)[0] == "queued"
        got = transition(db, task, "cancelled", actor="ana@agency", reason="client paused", expected="queued")
        assert (got["from_state"], got["to_state"]) == ("queued", "cancelled")
        err = sql_error(db, "select aicrm.transition_task_state(%s, 'queued', 'tester')", (task,))
        assert err.diag.message_hint == "cancelled is a final state."
        assert history(db, task) == [
            ("draft", "queued", "aicrm_app", "created"),
            ("queued", "cancelled", "ana@agency", "client paused"),
        ]


def test_attempts_and_blockers_follow_the_states(db: psycopg.Connection[Any], bakery: tuple[str, str]) -> None:
    """Through the internal function the API functions use (as they will: claim, submit, evaluate)."""
    tenant, customer = bakery
    with act_as(db, tenant):
        task = create(db, customer)["task_id"]
    db.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
    path = [
        ("gathering_context", "claim_next_task"),
        ("generating", "start_generating"),
        ("evaluating", "submit_draft"),
        ("generating", "record_evaluation"),
        ("evaluating", "submit_draft"),
        ("escalated", "record_evaluation"),
    ]
    for to, via in path:
        db.execute("select aicrm_private.transition_task(%s, %s, 'worker-1', 'step', null, '{}', %s)", (task, to, via))
    execution_state, attempts, blockers = state(db, task)
    assert (execution_state, attempts) == ("escalated", 2)
    assert [(b["state"], b["reason"]) for b in blockers] == [("escalated", "step")]
    db.execute("select aicrm.transition_task_state(%s, 'queued', 'ana@agency', 'try again')", (task,))
    assert state(db, task)[0::2] == ("queued", [])
    err = sql_error(
        db,
        "select aicrm_private.transition_task(%s, 'gathering_context', 'w', null, null, '{}', 'submit_draft')",
        (task,),
    )
    assert err.diag.sqlstate == "AC006"


def test_no_role_moves_a_task_or_writes_history_by_hand(db: psycopg.Connection[Any], bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    with act_as(db, tenant):
        task = create(db, customer)["task_id"]
        err = sql_error(db, "update aicrm.project_tasks set execution_state = 'approved' where task_id = %s", (task,))
        assert err.diag.sqlstate == "42501"
        err = sql_error(db, "update aicrm.project_tasks set attempts = 0 where task_id = %s", (task,))
        assert err.diag.sqlstate == "42501"
        err = sql_error(
            db,
            "insert into aicrm.project_tasks (project_id, customer_id, title, task_type, channel, execution_state)"
            " select project_id, customer_id, 'x', 'email', 'email', 'approved' from aicrm.project_tasks",
        )
        assert err.diag.sqlstate == "42501"
        err = sql_error(
            db,
            "insert into aicrm.task_state_transitions (task_id, from_state, to_state, actor)"
            " values (%s, 'queued', 'cancelled', 'me')",
            (task,),
        )
        assert err.diag.sqlstate == "42501"
        err = sql_error(
            db, "select aicrm_private.transition_task(%s, 'cancelled', 'me', null, null, '{}', null)", (task,)
        )
        assert err.diag.sqlstate == "42501"
        # Editing what the task asks for is still the app's.
        db.execute("update aicrm.project_tasks set priority = 1 where task_id = %s", (task,))
    with act_as(db, tenant, "aicrm_worker"):
        err = sql_error(db, "select aicrm.create_content_task(%s, 'email')", (customer,))
        assert err.diag.sqlstate == "42501"


def test_a_tenant_cannot_move_or_read_another_tenants_task(
    db: psycopg.Connection[Any], bakery: tuple[str, str]
) -> None:
    tenant, customer = bakery
    with act_as(db, tenant):
        task = create(db, customer)["task_id"]
    other = make_tenant(db, "Other agency")
    with act_as(db, other):
        err = sql_error(db, "select aicrm.transition_task_state(%s, 'cancelled', 'intruder')", (task,))
        assert (err.diag.sqlstate, err.diag.column_name) == ("AC002", "task_id")
        assert db.execute("select count(*) from aicrm.task_state_transitions").fetchone() == (0,)
        err = sql_error(db, "select aicrm.create_content_task(%s, 'email')", (customer,))
        assert err.diag.sqlstate == "AC002"
    with act_as(db, tenant):
        assert state(db, task)[0] == "queued"


def test_two_concurrent_transitions_cannot_both_win(db: psycopg.Connection[Any], db_url: str) -> None:
    """Both callers read "queued" and race: the first locks the task and wins, the second waits for
    it, then finds the task moved and is refused."""
    tenant = make_tenant(db, "Race agency")
    customer = make_customer(db, tenant)
    with act_as(db, tenant):
        task = create(db, customer)["task_id"]
    db.commit()
    setup = "select set_config('aicrm.tenant_id', %s, false)"
    with psycopg.connect(db_url) as first, psycopg.connect(db_url) as second:
        for conn in (first, second):
            conn.execute("set role aicrm_app")
            conn.execute(setup, (tenant,))
        first.execute(
            "select aicrm.transition_task_state(%s, 'cancelled', 'first', null, 'queued')", (task,)
        )  # holds the row lock until commit
        outcome: dict[str, Any] = {}

        def racer() -> None:
            try:
                second.execute("select aicrm.transition_task_state(%s, 'cancelled', 'second', null, 'queued')", (task,))
                outcome["won"] = True
            except psycopg.Error as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=racer)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive()  # waiting for the first one's lock
        first.commit()
        thread.join(10)
        assert "won" not in outcome
        assert outcome["error"].diag.sqlstate == "AC005"
        second.rollback()
        rows = first.execute(
            "select actor from aicrm.task_state_transitions where task_id = %s and to_state = 'cancelled'", (task,)
        ).fetchall()
        assert rows == [("first",)]


def test_queueing_wakes_listening_workers(db: psycopg.Connection[Any], db_url: str) -> None:
    tenant = make_tenant(db, "Notify agency")
    customer = make_customer(db, tenant)
    db.commit()
    with psycopg.connect(db_url, autocommit=True) as listener, psycopg.connect(db_url) as app:
        listener.execute("listen aicrm_task_queued")
        app.execute("set role aicrm_app")
        app.execute("select set_config('aicrm.tenant_id', %s, false)", (tenant,))
        create(app, customer)
        assert list(listener.notifies(timeout=0.2, stop_after=1)) == []  # not before commit
        app.commit()
        got = list(listener.notifies(timeout=5, stop_after=1))
        assert [(n.channel, n.payload) for n in got] == [("aicrm_task_queued", "")]
