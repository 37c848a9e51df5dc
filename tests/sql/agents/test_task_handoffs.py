"""A task's thread (docs/agents.md, "A task's thread"): the pipeline's own functions record each
handoff as the move that makes it happens: writer -> editor (the version written) -> compliance (what
assembly added) -> publisher (the rules' or a person's approval) -> analyst (delivered), and back to
the writer with the fixes, to a person for review or on an escalation. The records are acknowledged
(the work waits in the pipeline's queues), never handed out by an inbox; each follows its message
type's schema and the roles' rules; the strategist's planned handoff is taken when a writer claims
the task; another tenant never sees a thread."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import make_customer, make_tenant
from tests.helpers import act_as, call, refused
from tests.samples import GOOD_EMAIL, WEAK
from tests.tasks import (
    always_decide,
    claim_delivery,
    claim_task,
    create_task,
    in_review,
    record_delivery,
    record_evaluation,
    review,
    start_generating,
    submit_draft,
    to_evaluating,
)

Conn = psycopg.Connection[Any]


def thread(db: Conn, tenant: str, task: str) -> list[dict[str, Any]]:
    with act_as(db, tenant):
        row = db.execute("select aicrm.get_thread(%s)", (task,)).fetchone()
    assert row is not None
    return list(row[0]["messages"])


def steps(messages: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(m["message_type"], m["from_role"], m["to_role"]) for m in messages]


def data(message: dict[str, Any]) -> dict[str, Any]:
    return dict(next(p["data"] for p in message["parts"] if p["type"] == "data"))


def artifacts(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["deliverable_id"], p["relation"]) for p in message["parts"] if p["type"] == "artifact"]


def test_an_approved_draft_goes_writer_editor_compliance_publisher_analyst(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, token, draft = to_evaluating(db, tenant, customer, GOOD_EMAIL)
    decided = record_evaluation(db, tenant, draft, GOOD_EMAIL, token)
    assert decided["task"]["execution_state"] == "approved"
    got = claim_delivery(db)
    record_delivery(db, tenant, got, delivered=True)

    messages = thread(db, tenant, task)
    assert steps(messages) == [
        ("handoff.draft_ready", "writer", "editor"),
        ("handoff.draft_ready", "editor", "compliance"),
        ("handoff.draft_ready", "compliance", "publisher"),
        ("notification.delivered", "publisher", "analyst"),
    ]
    written, edited, approved, delivered = messages
    assert {m["thread_id"] for m in messages} == {task}
    assert {m["status"] for m in messages} == {"acknowledged"}  # records: the work waits in the queues
    assert artifacts(written) == [(draft, "produced")]
    assert artifacts(edited) == artifacts(approved) == artifacts(delivered) == [(draft, "consumed")]
    assert data(written) == {"task_id": task, "version": 1}
    # the editor's step is the draft's assembly: what it added, from the customer's profile
    assert data(edited)["summary"].startswith("Version 1 ")
    approval = data(approved)
    assert (approval["decision"], approval["version"]) == ("publish", 1)
    assert approval["score"] == pytest.approx(decided["scorecard"]["overall"])
    assert data(delivered)["outbox_id"] == got["outbox_id"]


def test_a_retry_hands_the_fixes_back_to_the_writer(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, token, draft = to_evaluating(db, tenant, customer, WEAK)
    decided = record_evaluation(db, tenant, draft, WEAK, token)
    assert decided["task"]["execution_state"] == "generating"
    second = submit_draft(db, tenant, task, token, GOOD_EMAIL)["deliverable_id"]

    messages = thread(db, tenant, task)
    assert steps(messages) == [
        ("handoff.draft_ready", "writer", "editor"),
        ("handoff.draft_ready", "editor", "compliance"),
        ("handoff.changes_requested", "compliance", "writer"),
        ("handoff.draft_ready", "writer", "editor"),
        ("handoff.draft_ready", "editor", "compliance"),
    ]
    sent_back = data(messages[2])
    assert (sent_back["decision"], sent_back["version"]) == ("request_changes", 1)
    # the scorecard's own fixes, structured: what the writer works from on the retry
    assert sent_back["fixes"] == decided["scorecard"]["fixes"] != []
    assert all("code" in fix for fix in sent_back["fixes"])
    assert data(messages[3])["version"] == 2
    assert artifacts(messages[3]) == [(second, "produced")]


def test_a_review_hands_the_task_to_a_person_who_approves_or_sends_it_back(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    approved, draft = in_review(db, tenant, customer)
    review(db, tenant, draft, 1, "approve")
    assert steps(thread(db, tenant, approved))[2:] == [
        ("handoff.review_requested", "compliance", "human"),
        ("handoff.draft_ready", "human", "publisher"),
    ]
    assert data(thread(db, tenant, approved)[2])["state"] == "awaiting_review"

    rejected, draft = in_review(db, tenant, customer)
    review(db, tenant, draft, 1, "reject", reason="off brand")
    closed = thread(db, tenant, rejected)[-1]
    assert (closed["message_type"], closed["from_role"], closed["to_role"]) == (
        "notification.task_closed",
        "human",
        "writer",
    )
    assert data(closed)["state"] == "rejected"

    sent_back, draft = in_review(db, tenant, customer)
    review(db, tenant, draft, 1, "request_changes", reason="add the price of the loaf")
    messages = thread(db, tenant, sent_back)
    assert steps(messages)[2:] == [
        ("handoff.review_requested", "compliance", "human"),
        ("handoff.changes_requested", "human", "writer"),
    ]
    assert data(messages[3])["summary"] == "add the price of the loaf"
    assert "review_id" in data(messages[3])


def test_escalations_go_to_a_person_from_the_step_that_raised_them(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    always_decide(db, tenant, "escalate")
    task, token, draft = to_evaluating(db, tenant, customer, GOOD_EMAIL)
    record_evaluation(db, tenant, draft, GOOD_EMAIL, token)
    last = thread(db, tenant, task)[-1]
    assert (last["message_type"], last["from_role"], last["to_role"]) == (
        "handoff.review_requested",
        "compliance",
        "human",
    )
    assert data(last)["state"] == "escalated"

    # a writer that fails for good: no draft, the writer's step hands it to a person
    failed = create_task(db, tenant, customer)
    got = claim_task(db, tenant=tenant)
    start_generating(db, tenant, failed, got["lease_token"])
    call(
        db,
        tenant,
        "select aicrm.fail_task(%s, %s, %s, false)",
        (failed, got["lease_token"], Jsonb({"kind": "bad_request", "message": "the model refused"})),
    )
    [escalated] = thread(db, tenant, failed)
    assert (escalated["from_role"], escalated["to_role"], data(escalated)["state"]) == ("writer", "human", "escalated")
    assert artifacts(escalated) == []
    assert "version" not in data(escalated)


def test_every_record_follows_its_schema_and_the_roles(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, token, draft = to_evaluating(db, tenant, customer, WEAK)
    record_evaluation(db, tenant, draft, WEAK, token)
    again = submit_draft(db, tenant, task, token, GOOD_EMAIL)["deliverable_id"]
    record_evaluation(db, tenant, again, GOOD_EMAIL, token)
    record_delivery(db, tenant, claim_delivery(db), delivered=True)
    reviewed, draft = in_review(db, tenant, customer)
    review(db, tenant, draft, 1, "request_changes", reason="shorter")

    messages = thread(db, tenant, task) + thread(db, tenant, reviewed)
    assert len({m["message_type"] for m in messages}) == 4
    for message in messages:  # the type's schema, as send_agent_message checks an agent's data part
        db.execute(
            "select aicrm_private.assert_json_valid('agent_message.' || %s, %s)",
            (message["message_type"], Jsonb(data(message))),
        )
    roles = {
        r[0]: r[1:] for r in db.execute("select role, may_send, may_read, decides from aicrm.agent_roles").fetchall()
    }
    for message in messages:
        may_send, _, decides = roles[message["from_role"]]
        _, may_read, _ = roles[message["to_role"]]
        assert message["kind"] in may_send
        assert "*" in may_read or message["message_type"] in may_read
        if "decision" in data(message):
            assert data(message)["decision"] in decides
        if message["to_role"] == "publisher":
            assert "publish" in decides


def test_the_records_are_never_handed_out_and_the_planned_handoff_is_taken_with_the_task(
    db: Conn, bakery: tuple[str, str]
) -> None:
    tenant, customer = bakery
    with act_as(db, tenant):
        agents = {
            role: db.execute(
                "insert into aicrm.ai_agents (name, agent_role) values (%s, %s) returning agent_id::text",
                (f"the {role}", role),
            ).fetchone()[0]  # type: ignore[index]
            for role in ("strategist", "writer", "editor", "compliance", "publisher", "analyst", "human")
        }
    task = create_task(db, tenant, customer)
    planned = call(
        db,
        tenant,
        "select aicrm.send_agent_message(%s)",
        (
            Jsonb(
                {
                    "kind": "handoff",
                    "message_type": "handoff.draft_ready",
                    "from_agent_id": agents["strategist"],
                    "to_role": "writer",
                    "thread_id": task,
                    "parts": [{"type": "data", "data": {"task_id": task}}],
                }
            ),
        ),
        "aicrm_app",
    )
    assert planned["status"] == "pending"
    token = claim_task(db, tenant=tenant)["lease_token"]
    start_generating(db, tenant, task, token)
    draft = submit_draft(db, tenant, task, token, GOOD_EMAIL)["deliverable_id"]
    record_evaluation(db, tenant, draft, GOOD_EMAIL, token)

    first = thread(db, tenant, task)[0]
    assert (first["message_id"], first["status"]) == (planned["message_id"], "acknowledged")
    with act_as(db, tenant):
        for agent in agents.values():
            assert db.execute("select count(*) from aicrm.read_agent_inbox(%s, 50, 60)", (agent,)).fetchone() == (0,)


def test_another_tenant_never_sees_a_thread(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task, token, draft = to_evaluating(db, tenant, customer, GOOD_EMAIL)
    record_evaluation(db, tenant, draft, GOOD_EMAIL, token)
    other = make_tenant(db, "Other Agency")
    make_customer(db, other)
    assert refused(db, other, "select aicrm.get_thread(%s)", (task,), "aicrm_app") == ("AC002", "thread_id")
    assert refused(db, other, "select aicrm.get_thread(%s)", (task,)) == ("AC002", "thread_id")  # the worker too
