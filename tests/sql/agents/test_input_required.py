"""Asking for what is missing (docs/agents.md): an email task for a customer without a postal address
asks the account manager (the human role) for it, waits in input_required, goes back to the queue when
a person answers (the customer's profile completed), and its next draft is approved by the rules, no
retry spent; a request nobody answers escalates the task."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tests.factories import make_customer, make_tenant
from tests.helpers import act_as, call, refused
from tests.samples import BAKERY, FOOTER, GOOD_EMAIL
from tests.tasks import claim_task, history, record_evaluation, start_generating, submit_draft, task_row, to_evaluating

Conn = psycopg.Connection[Any]
NO_ADDRESS = GOOD_EMAIL.replace(FOOTER, "\n\nUnsubscribe: {{unsubscribe_url}}")  # aicrm adds the address
ADDRESS = BAKERY["address"]
RESPOND = "select aicrm.respond_to_request(%s, %s, 'ana@agency')"


def asked(db: Conn) -> tuple[str, str, str, dict[str, Any]]:
    """A bakery without an address whose email draft the rules sent for input: (tenant, customer,
    task, the request as the account manager's inbox gives it)."""
    tenant = make_tenant(db, "Agency")
    customer = make_customer(db, tenant, **{k: v for k, v in BAKERY.items() if k != "address"})
    with act_as(db, tenant):
        row = db.execute(
            "insert into aicrm.ai_agents (name, agent_role) values ('Ana', 'human') returning agent_id"
        ).fetchone()
    assert row is not None
    ana = str(row[0])
    task, token, draft = to_evaluating(db, tenant, customer, NO_ADDRESS)
    decision = record_evaluation(db, tenant, draft, NO_ADDRESS, token)
    assert decision["task"]["execution_state"] == "input_required"
    with act_as(db, tenant):
        inbox = [r[0] for r in db.execute("select aicrm.read_agent_inbox(%s, 10, 300)", (ana,)).fetchall()]
    assert len(inbox) == 1
    return tenant, customer, task, inbox[0]


def test_a_missing_address_is_asked_for_answered_and_the_task_approved(db: Conn) -> None:
    tenant, customer, task, request = asked(db)
    data = next(p["data"] for p in request["parts"] if p["type"] == "data")
    assert (request["kind"], request["message_type"], request["from_role"]) == (
        "request",
        "request.missing_profile_field",
        "compliance",
    )
    assert (request["to_role"], request["thread_id"]) == ("human", task)
    assert (data["field"], data["profile_gap"], data["task_id"], data["customer_id"]) == (
        "address",
        "address.street",
        task,
        customer,
    )
    assert "Sunrise Bakery has no postal address" in data["question"]
    # it waits for the answer, not for a review: the dashboard counts it, the review queue does not list it
    with act_as(db, tenant):
        listed = db.execute("select count(*) from aicrm.review_queue where task_id = %s", (task,)).fetchone()
        counted = db.execute(
            "select input_required, waiting_for_people from aicrm.ai_operations_dashboard where customer_id = %s",
            (customer,),
        ).fetchone()
    assert listed == (0,)
    assert counted == (1, 1)

    answer = call(db, tenant, RESPOND, (request["message_id"], Jsonb(ADDRESS)), "aicrm_app")
    assert answer["task"] == {"task_id": task, "execution_state": "queued"}
    assert answer["profile"]["changed"] is True
    assert answer["response"]["reply_to"] == request["message_id"]
    with act_as(db, tenant):
        street = db.execute("select address ->> 'street' from aicrm.customers where customer_id = %s", (customer,))
        assert street.fetchone() == (ADDRESS["street"],)
        thread = db.execute("select aicrm.get_thread(%s)", (task,)).fetchone()
    assert thread is not None
    steps = [(m["message_type"], m["from_role"], m["to_role"], m["status"]) for m in thread[0]["messages"]]
    assert steps == [
        ("handoff.draft_ready", "writer", "editor", "acknowledged"),
        ("handoff.draft_ready", "editor", "compliance", "acknowledged"),
        ("request.missing_profile_field", "compliance", "human", "acknowledged"),
        ("response.missing_profile_field", "human", "compliance", "pending"),
    ]

    # the worker writes it again; the address is in the profile, so aicrm adds it and the rules approve
    got = claim_task(db, tenant=tenant)
    assert got["task_id"] == task
    start_generating(db, tenant, task, got["lease_token"])
    draft = submit_draft(db, tenant, task, got["lease_token"], NO_ADDRESS)["deliverable_id"]
    decision = record_evaluation(db, tenant, draft, NO_ADDRESS, got["lease_token"])
    assert decision["decision"]["action"]["type"] == "approve"
    assert task_row(db, task)["execution_state"] == "approved"
    moves = [(f, t) for f, t, _, _ in history(db, task)]
    assert ("evaluating", "input_required") in moves
    assert ("input_required", "queued") in moves
    assert ("evaluating", "generating") not in moves  # no retry spent: the rules never rewrote it blind
    assert task_row(db, task)["attempts"] == 2
    with act_as(db, tenant):  # the thread tells the story: asked, answered, written again, approved
        thread = db.execute("select aicrm.get_thread(%s)", (task,)).fetchone()
    assert thread is not None
    assert [(m["message_type"], m["from_role"], m["to_role"]) for m in thread[0]["messages"]][3:] == [
        ("response.missing_profile_field", "human", "compliance"),
        ("handoff.draft_ready", "writer", "editor"),
        ("handoff.draft_ready", "editor", "compliance"),
        ("handoff.draft_ready", "compliance", "publisher"),
    ]


def test_an_answer_is_given_once_and_checked(db: Conn) -> None:
    tenant, _, task, request = asked(db)
    assert refused(db, tenant, RESPOND, (request["message_id"], Jsonb("12 Baker Street")), "aicrm_app") == (
        "AC001",
        "value",
    )
    assert refused(db, tenant, RESPOND, (request["message_id"], Jsonb({"colour": "red"})), "aicrm_app")[0] == "AC001"
    assert task_row(db, task)["execution_state"] == "input_required"  # a failed answer wrote nothing
    call(db, tenant, RESPOND, (request["message_id"], Jsonb(ADDRESS)), "aicrm_app")
    assert refused(db, tenant, RESPOND, (request["message_id"], Jsonb(ADDRESS)), "aicrm_app") == (
        "AC005",
        "request_id",
    )
    other = make_tenant(db, "Other Agency")
    assert refused(db, other, RESPOND, (request["message_id"], Jsonb(ADDRESS)), "aicrm_app") == (
        "AC002",
        "request_id",
    )


def test_a_request_nobody_answers_escalates_the_task(db: Conn) -> None:
    tenant, _, task, request = asked(db)
    db.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
    db.execute(
        "update aicrm.ai_agent_messages set expires_at = now() - interval '1 minute', visible_at = now()"
        " where message_id = %s",
        (request["message_id"],),
    )
    db.execute("select set_config('aicrm.tenant_id', '', true)")
    db.execute("select aicrm.expire_agent_messages()")
    assert task_row(db, task)["execution_state"] == "escalated"
    (from_state, to_state, actor, reason) = history(db, task)[-1]
    assert (from_state, to_state, actor) == ("input_required", "escalated", "system")
    assert "went unanswered" in reason


def test_an_agents_request_for_another_profile_field_is_answered_into_the_profile(db: Conn) -> None:
    """A request an agent sent itself (not the rules') for any field of the business profile: the answer
    goes through upsert_business_profile's checks."""
    tenant = make_tenant(db, "Agency")
    customer = make_customer(db, tenant)
    with act_as(db, tenant):
        row = db.execute(
            "insert into aicrm.ai_agents (name, agent_role) values ('Wren', 'writer') returning agent_id"
        ).fetchone()
    assert row is not None
    question = "Who are the bakery's customers?"
    request = call(
        db,
        tenant,
        "select aicrm.send_agent_message(%s)",
        (
            Jsonb(
                {
                    "kind": "request",
                    "message_type": "request.missing_profile_field",
                    "from_agent_id": str(row[0]),
                    "to_role": "human",
                    "parts": [
                        {
                            "type": "data",
                            "data": {"field": "target_audience", "question": question, "customer_id": customer},
                        }
                    ],
                }
            ),
        ),
    )
    bad = refused(db, tenant, RESPOND, (request["message_id"], Jsonb(42)), "aicrm_app")
    assert bad[0] == "AC001"
    audience = {"summary": "Families near the park"}
    answer = call(db, tenant, RESPOND, (request["message_id"], Jsonb(audience)), "aicrm_app")
    assert answer["profile"]["changed"] is True
    assert answer["task"] is None  # no task waited on it
    with act_as(db, tenant):
        got = db.execute("select target_audience from aicrm.customers where customer_id = %s", (customer,)).fetchone()
    assert got == (audience,)


def test_the_agent_holding_the_claim_answers_but_never_its_own_request(db: Conn) -> None:
    """An agent that read a request from its inbox answers it as itself (the worker role may: aicrm mcp);
    one that asked the request itself may not answer it (it would write any profile field so); a
    missing value is refused before anything is written."""
    tenant = make_tenant(db, "Agency")
    customer = make_customer(db, tenant)
    with act_as(db, tenant):
        wren, mo = (
            str(db.execute("insert into aicrm.ai_agents (name, agent_role) values (%s, %s) returning agent_id",
                           (name, role)).fetchone()[0])  # type: ignore[index]
            for name, role in (("Wren", "writer"), ("Mo", "editor"))
        )  # fmt: skip

    def ask(sender: str, to: str) -> dict[str, Any]:
        data = {"field": "target_audience", "question": "Who buys here?", "customer_id": customer}
        message = {"kind": "request", "message_type": "request.missing_profile_field", "from_agent_id": sender,
                   "to_agent_id": to, "parts": [{"type": "data", "data": data}]}  # fmt: skip
        sent = call(db, tenant, "select aicrm.send_agent_message(%s)", (Jsonb(message),))
        claimed = call(db, tenant, "select aicrm.read_agent_inbox(%s, 1, 300)", (to,))
        assert claimed["message_id"] == sent["message_id"]
        return dict(sent)

    own = ask(wren, wren)
    assert refused(db, tenant, RESPOND, (own["message_id"], Jsonb({"summary": "x"}))) == ("AC006", "request_id")
    request = ask(wren, mo)
    assert refused(db, tenant, RESPOND, (request["message_id"], None)) == ("AC001", "value")
    answer = call(db, tenant, RESPOND, (request["message_id"], Jsonb({"summary": "Families"})))
    assert (answer["response"]["from_agent_id"], answer["response"]["from_role"]) == (mo, "editor")
    assert answer["response"]["to_agent_id"] == wren
    with act_as(db, tenant):
        row = db.execute(
            "select status, acknowledged_by::text from aicrm.ai_agent_messages where message_id = %s",
            (request["message_id"],),
        ).fetchone()
        audience = db.execute("select target_audience from aicrm.customers where customer_id = %s", (customer,))
        assert audience.fetchone() == ({"summary": "Families"},)
    assert row == ("acknowledged", mo)


def test_the_worker_role_answers_only_under_a_claim_of_its_own(db: Conn) -> None:
    """Outside agents work as the worker role (aicrm mcp): without holding the request's claim the
    worker role cannot answer it as if it were a person."""
    tenant, _, task, request = asked(db)
    db.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
    db.execute(  # the account manager's claim has lapsed: the request is open to anyone of its role again
        "update aicrm.ai_agent_messages set status = 'pending', claimed_by = null, claim_token = null"
        " where message_id = %s",
        (request["message_id"],),
    )
    db.execute("select set_config('aicrm.tenant_id', '', true)")
    assert refused(db, tenant, RESPOND, (request["message_id"], Jsonb(ADDRESS)), "aicrm_worker") == (
        "AC006",
        "request_id",
    )
    assert task_row(db, task)["execution_state"] == "input_required"
