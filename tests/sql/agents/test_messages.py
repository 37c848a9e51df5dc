"""Agent messages (docs/agents.md): sent with the role rules enforced, claimed from an inbox under a
visibility timeout (once per acknowledgement; back after the timeout; dead-lettered after too many
claims), acknowledged once, expired into the dead letters by the job expire-agent-messages (which
raises an alert), requests answered by correlation, a NOTIFY at commit, monthly partitions."""

from __future__ import annotations

import json
import time
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import committed, make_customer, make_tenant
from tests.helpers import act_as, call, refused

Conn = psycopg.Connection[Any]
SEND = "select aicrm.send_agent_message(%s)"
READ = "select * from aicrm.read_agent_inbox(%s, %s, %s)"
ACK = "select aicrm.ack_agent_message(%s, %s)"
ROLES = ["strategist", "writer", "editor", "compliance", "publisher", "analyst", "external", "human"]


def make_agent(conn: Conn, tenant: str, name: str, role: str, status: str = "active") -> str:
    with act_as(conn, tenant):
        row = conn.execute(
            "insert into aicrm.ai_agents (name, agent_role, status) values (%s, %s, %s) returning agent_id",
            (name, role, status),
        ).fetchone()
    assert row is not None
    return str(row[0])


def task_with_draft(conn: Conn, tenant: str, customer: str) -> tuple[str, str]:
    """A task of the customer with one draft: (task_id, deliverable_id)."""
    with act_as(conn, tenant):
        row = conn.execute(
            "with p as (insert into aicrm.projects (customer_id, name) values (%s, 'Launch') returning *),"
            " t as (insert into aicrm.project_tasks (project_id, customer_id, title, task_type, channel)"
            "  select p.project_id, p.customer_id, 'Welcome', 'email', 'email' from p returning task_id)"
            " select task_id from t",
            (customer,),
        ).fetchone()
        assert row is not None
        draft = conn.execute(
            "insert into aicrm.project_deliverables (task_id, content) values (%s, 'Hello!') returning deliverable_id",
            (row[0],),
        ).fetchone()
    assert draft is not None
    return str(row[0]), str(draft[0])


def send(conn: Conn, tenant: str, message: dict[str, Any], role: str = "aicrm_worker") -> dict[str, Any]:
    result: dict[str, Any] = call(conn, tenant, SEND, (Jsonb(message),), role)
    return result


def read(conn: Conn, tenant: str, agent: str, limit: int = 10, visibility: int = 60) -> list[dict[str, Any]]:
    with act_as(conn, tenant, "aicrm_worker"):
        return [r[0] for r in conn.execute(READ, (agent, limit, visibility)).fetchall()]


def ack(conn: Conn, tenant: str, message: str, token: str) -> dict[str, Any]:
    result: dict[str, Any] = call(conn, tenant, ACK, (message, token))
    return result


def note(sender: str, to_role: str = "editor", text: str = "FYI", **more: Any) -> dict[str, Any]:
    """A notification.info from an agent to a role."""
    return {
        "kind": "notification",
        "message_type": "notification.info",
        "from_agent_id": sender,
        "to_role": to_role,
        "parts": [{"type": "text", "text": text}, {"type": "data", "data": {"message": text}}],
        **more,
    }


def owner_set(conn: Conn, message: str, assignment: str) -> None:
    """Moves a message's clock as the superuser (no waiting): visible_at, expires_at."""
    conn.execute(f"update aicrm.ai_agent_messages set {assignment} where message_id = %s", (message,))


def status(conn: Conn, message: str) -> tuple[Any, ...]:
    row = conn.execute(
        "select status, deliveries, dead_letter_reason from aicrm.ai_agent_messages where message_id = %s", (message,)
    ).fetchone()
    assert row is not None
    return tuple(row)


@pytest.fixture
def agents(db: Conn, tenant: str) -> dict[str, str]:
    return {
        "writer": make_agent(db, tenant, "Writer", "writer"),
        "editor": make_agent(db, tenant, "Editor", "editor"),
        "editor2": make_agent(db, tenant, "Second editor", "editor"),
        "publisher": make_agent(db, tenant, "Publisher", "publisher"),
        "external": make_agent(db, tenant, "Partner bot", "external"),
        "analyst": make_agent(db, tenant, "Analyst", "analyst"),
        "am": make_agent(db, tenant, "Ana (account manager)", "human"),
    }


# --- the round trip --------------------------------------------------------------------------------------


def test_a_handoff_is_sent_claimed_and_acknowledged_once(
    db: Conn, tenant: str, customer: str, agents: dict[str, str]
) -> None:
    task, draft = task_with_draft(db, tenant, customer)
    sent = send(
        db,
        tenant,
        {
            "kind": "handoff",
            "message_type": "handoff.draft_ready",
            "from_agent_id": agents["writer"],
            "to_role": "editor",
            "priority": 2,
            "parts": [
                {"type": "text", "text": "Draft 1 is ready for you."},
                {"type": "data", "data": {"task_id": task, "version": 1, "summary": "welcome email"}},
                {"type": "artifact", "deliverable_id": draft, "relation": "produced"},
            ],
        },
    )
    assert sent["created"] is True
    assert (sent["status"], sent["thread_id"], sent["correlation_id"]) == ("pending", task, sent["message_id"])
    assert sent["from_role"] == "writer"
    assert sent["to_role"] == "editor"
    assert read(db, tenant, agents["writer"]) == []  # not addressed to the writer's role
    got = read(db, tenant, agents["editor"])
    assert [m["message_id"] for m in got] == [sent["message_id"]]
    claimed = got[0]
    assert (claimed["status"], claimed["deliveries"], claimed["claimed_by"]) == ("delivered", 1, agents["editor"])
    assert claimed["parts"][2] == {"type": "artifact", "deliverable_id": draft, "relation": "produced"}
    assert claimed["claim_token"]
    assert claimed["visible_until"]
    done = ack(db, tenant, sent["message_id"], claimed["claim_token"])
    assert (done["status"], done["changed"], done["acknowledged_by"]) == ("acknowledged", True, agents["editor"])
    again = ack(db, tenant, sent["message_id"], claimed["claim_token"])
    assert (again["status"], again["changed"]) == ("acknowledged", False)
    assert read(db, tenant, agents["editor"]) == []
    owner_set(db, sent["message_id"], "visible_at = now() - interval '1 hour'")
    assert read(db, tenant, agents["editor"]) == [], "an acknowledged message is never handed out again"
    thread = call(db, tenant, "select aicrm.get_thread(%s)", (task,), "aicrm_readonly")
    assert [(m["message_id"], m["status"]) for m in thread["messages"]] == [(sent["message_id"], "acknowledged")]


def test_the_second_reader_gets_nothing_while_the_first_claim_is_visible(
    db: Conn, tenant: str, agents: dict[str, str]
) -> None:
    first = send(db, tenant, note(agents["writer"], priority=4))
    urgent = send(db, tenant, note(agents["writer"], text="now", priority=1))
    direct = send(db, tenant, {**note(agents["writer"]), "to_role": None, "to_agent_id": agents["editor2"]})
    got = read(db, tenant, agents["editor"], limit=5)
    assert [m["message_id"] for m in got] == [urgent["message_id"], first["message_id"]], "by priority, then age"
    # the other editor: only what is addressed to it, the role's messages being claimed
    assert [m["message_id"] for m in read(db, tenant, agents["editor2"])] == [direct["message_id"]]
    assert read(db, tenant, agents["editor2"]) == []
    assert read(db, tenant, agents["editor"]) == []


def test_concurrent_readers_skip_each_others_claims(db_url: str) -> None:
    """Two connections: while the first's claim is uncommitted, the second neither waits nor gets it."""

    def setup(conn: Conn) -> tuple[str, str, str, str]:
        tenant = make_tenant(conn, "Agency A")
        writer, editor = make_agent(conn, tenant, "Writer", "writer"), make_agent(conn, tenant, "Editor", "editor")
        message = send(conn, tenant, note(writer))["message_id"]
        return tenant, writer, editor, message

    tenant, _, editor, message = committed(db_url, setup)
    with psycopg.connect(db_url) as first, psycopg.connect(db_url) as second:
        got = read(first, tenant, editor)
        assert [m["message_id"] for m in got] == [message]
        second.execute("set lock_timeout = '10s'")  # SKIP LOCKED never waits for it
        assert read(second, tenant, editor) == []
        first.commit()
        assert read(second, tenant, editor) == [], "committed, the claim is still invisible to others"
        second.rollback()


# --- visibility timeout and dead letters -----------------------------------------------------------------


def test_an_unacknowledged_message_comes_back_after_its_visibility_timeout(
    db: Conn, tenant: str, agents: dict[str, str]
) -> None:
    message = send(db, tenant, note(agents["writer"]))["message_id"]
    first = read(db, tenant, agents["editor"], visibility=1)
    assert len(first) == 1
    assert read(db, tenant, agents["editor2"]) == []
    time.sleep(1.2)  # a real one-second timeout
    second = read(db, tenant, agents["editor2"])
    assert [(m["message_id"], m["deliveries"], m["claimed_by"]) for m in second] == [(message, 2, agents["editor2"])]
    assert second[0]["claim_token"] != first[0]["claim_token"]
    assert refused(db, tenant, ACK, (message, first[0]["claim_token"])) == ("AC005", "claim_token")
    assert ack(db, tenant, message, second[0]["claim_token"])["status"] == "acknowledged"


def test_a_claim_past_its_timeout_still_acknowledges_until_another_reader_claims(
    db: Conn, tenant: str, agents: dict[str, str]
) -> None:
    message = send(db, tenant, note(agents["writer"]))["message_id"]
    token = read(db, tenant, agents["editor"])[0]["claim_token"]
    owner_set(db, message, "visible_at = now() - interval '1 second'")
    assert ack(db, tenant, message, token)["changed"] is True
    assert read(db, tenant, agents["editor2"]) == []


def test_a_message_claimed_too_often_is_dead_lettered_instead_of_returned(
    db: Conn, tenant: str, agents: dict[str, str]
) -> None:
    message = send(db, tenant, note(agents["writer"]))["message_id"]
    for attempt in range(1, 6):
        got = read(db, tenant, agents["editor"])
        assert [(m["message_id"], m["deliveries"]) for m in got] == [(message, attempt)]
        owner_set(db, message, "visible_at = now() - interval '1 second'")  # the reader died
    assert read(db, tenant, agents["editor"]) == []
    assert status(db, message) == ("dead_lettered", 5, "max_deliveries")
    # the job does the same for one nobody reads again
    other = send(db, tenant, note(agents["writer"]))["message_id"]
    owner_set(db, other, "status = 'delivered', deliveries = 5, visible_at = now() - interval '1 second'")
    assert db.execute("select aicrm.expire_agent_messages()").fetchone() == (1,)
    assert status(db, other) == ("dead_lettered", 5, "max_deliveries")


def test_expired_messages_are_dead_lettered_by_the_job_and_raise_an_alert(
    db: Conn, tenant: str, agents: dict[str, str]
) -> None:
    expired = send(db, tenant, note(agents["writer"], expires_in_seconds=60))["message_id"]
    claimed = send(db, tenant, note(agents["writer"], text="claimed"))["message_id"]
    fresh = send(db, tenant, note(agents["writer"], text="fresh"))["message_id"]
    assert [m["message_id"] for m in read(db, tenant, agents["editor2"], limit=1)] == [expired]
    owner_set(db, expired, "status = 'pending', visible_at = now(), expires_at = now() - interval '1 second'")
    token = next(m for m in read(db, tenant, agents["editor"]) if m["message_id"] == claimed)["claim_token"]
    owner_set(db, claimed, "expires_at = now() - interval '1 second'")  # expired under a live claim
    assert db.execute("select aicrm.expire_agent_messages()").fetchone() == (1,)
    assert status(db, expired) == ("dead_lettered", 1, "expired")
    assert status(db, claimed)[0] == "delivered", "a live claim may still acknowledge"
    assert status(db, fresh)[0] in ("pending", "delivered")
    assert refused(db, tenant, ACK, (expired, token)) == ("AC005", "claim_token")
    owner_set(db, claimed, "visible_at = now() - interval '1 second'")
    assert db.execute("select aicrm.expire_agent_messages()").fetchone() == (1,)
    assert status(db, claimed) == ("dead_lettered", 1, "expired")
    assert refused(db, tenant, ACK, (claimed, token)) == ("AC005", "status")
    # the alert rule agent-dead-letters (metric dead_letters) opens at the next evaluation
    db.execute("select set_config('aicrm.tenant_id', '', true)")
    db.execute("select aicrm.evaluate_alert_rules()")
    with act_as(db, tenant):
        row = db.execute(
            "select state, value, evidence from aicrm.ai_alerts where rule_key = 'agent-dead-letters'"
        ).fetchone()
    assert row is not None
    assert (row[0], float(row[1])) == ("alert", 2)
    assert (row[2]["expired"], row[2]["max_deliveries"]) == (2, 0)
    assert {d["message_id"] for d in row[2]["latest"]} == {expired, claimed}


# --- requests and responses --------------------------------------------------------------------------------


def test_a_request_to_people_is_answered_by_correlation(
    db: Conn, tenant: str, customer: str, agents: dict[str, str]
) -> None:
    question = {"field": "target_audience", "question": "Who are the customers?", "customer_id": customer}
    request = send(
        db,
        tenant,
        {
            "kind": "request",
            "message_type": "request.missing_profile_field",
            "from_agent_id": agents["writer"],
            "to_role": "human",
            "parts": [{"type": "data", "data": question}],
        },
    )
    assert request["correlation_id"] == request["message_id"]
    pending = call(db, tenant, "select aicrm.get_agent_responses(%s)", (request["correlation_id"],), "aicrm_app")
    assert (pending["answered"], pending["responses"]) == (False, [])
    # the account manager's screen reads the role's inbox through the participant row
    got = read(db, tenant, agents["am"])
    assert [m["message_id"] for m in got] == [request["message_id"]]
    answer = {
        "kind": "response",
        "message_type": "response.missing_profile_field",
        "from_role": "human",
        "reply_to": request["message_id"],
        "parts": [{"type": "data", "data": {"field": "target_audience", "value": {"primary": "families"}}}],
    }
    with act_as(db, tenant, "aicrm_app"):  # the answer and the acknowledgement in one transaction
        response = db.execute(SEND, (Jsonb(answer),)).fetchone()[0]  # type: ignore[index]
        db.execute(ACK, (request["message_id"], got[0]["claim_token"]))
    assert (response["to_agent_id"], response["to_role"]) == (agents["writer"], None)
    assert (response["correlation_id"], response["thread_id"]) == (request["correlation_id"], request["thread_id"])
    assert status(db, request["message_id"])[0] == "acknowledged"
    answered = call(db, tenant, "select aicrm.get_agent_responses(%s)", (request["correlation_id"],))
    assert answered["answered"] is True
    assert [r["message_id"] for r in answered["responses"]] == [response["message_id"]]
    assert [m["message_id"] for m in read(db, tenant, agents["writer"])] == [response["message_id"]]
    # what a response must be
    bad = [
        ({**answer, "reply_to": None}, ("AC001", "reply_to")),
        ({**answer, "correlation_id": response["message_id"]}, ("AC001", "correlation_id")),
        ({**answer, "message_type": "response.other"}, ("AC001", "message_type")),
        ({**answer, "from_role": None, "from_agent_id": agents["editor"]}, ("AC006", "from_agent_id")),
        ({**answer, "to_role": "editor"}, ("AC001", "to_role")),
        ({**answer, "reply_to": response["message_id"]}, ("AC001", "reply_to")),  # a response, not a request
    ]
    for message, expected in bad:
        assert refused(db, tenant, SEND, (Jsonb(message),)) == expected, message
    assert refused(db, tenant, "select aicrm.get_agent_responses(%s)", (response["message_id"],)) == (
        "AC002",
        "correlation_id",
    )


def test_the_same_idempotency_key_sends_once(db: Conn, tenant: str, agents: dict[str, str]) -> None:
    message = note(agents["writer"], idempotency_key="k-1")
    first = send(db, tenant, message)
    again = send(db, tenant, message)
    assert (again["message_id"], again["created"]) == (first["message_id"], False)
    assert refused(db, tenant, SEND, (Jsonb({**message, "priority": 1}),)) == ("AC005", "idempotency_key")


# --- validation and the role rules ---------------------------------------------------------------------------


def test_invalid_messages_name_the_field(db: Conn, tenant: str, customer: str, agents: dict[str, str]) -> None:
    w = agents["writer"]
    ok = note(w)
    task, draft = task_with_draft(db, tenant, customer)
    other_tenant = make_tenant(db, "Agency B")
    foreign_customer = make_customer(db, other_tenant, name="Beta Dental")
    _, foreign_draft = task_with_draft(db, other_tenant, foreign_customer)
    request = {
        "kind": "request",
        "message_type": "request.missing_profile_field",
        "from_agent_id": w,
        "to_role": "human",
        "parts": [{"type": "data", "data": {"field": "competitors", "question": "Who?", "customer_id": customer}}],
    }
    cases = [
        ({**ok, "message_type": "notification.gossip"}, ("AC001", "message_type")),
        ({**ok, "message_type": "handoff.draft_ready"}, ("AC001", "message_type")),  # not a notification type
        ({**ok, "kind": "memo"}, ("AC001", "kind")),
        ({**ok, "priority": 9}, ("AC001", "priority")),
        ({**ok, "expires_in_seconds": 5}, ("AC001", "expires_in_seconds")),
        ({**ok, "to_role": None, "to_agent_id": "not-a-uuid"}, ("AC001", "to_agent_id")),
        ({**ok, "parts": []}, ("AC001", "parts")),
        ({**ok, "parts": [{"type": "text"}]}, ("AC001", "parts[0].text")),
        ({**ok, "parts": [{"type": "video", "url": "x"}]}, ("AC001", "parts[0].url")),
        ({**ok, "parts": [{"type": "data", "data": {"level": "loud"}}]}, ("AC001", "parts[0].data.level")),
        (
            {**ok, "parts": [{"type": "data", "data": {}}, {"type": "data", "data": {}}]},
            ("AC001", "parts[1]"),
        ),
        (
            {**ok, "parts": [{"type": "artifact", "deliverable_id": foreign_draft, "relation": "consumed"}]},
            ("AC002", "parts[0].deliverable_id"),
        ),
        ({**ok, "parts": [{"type": "artifact", "deliverable_id": draft}]}, ("AC001", "parts[0].relation")),
        ({**ok, "from_agent_id": None}, ("AC001", "from_agent_id")),
        ({**ok, "from_agent_id": None, "from_role": "editor"}, ("AC001", "from_role")),
        ({**ok, "from_role": "editor"}, ("AC001", "from_role")),  # not the agent's role
        ({**ok, "to_agent_id": agents["editor"]}, ("AC001", "to_role")),  # both
        ({**ok, "to_role": None}, ("AC001", "to_agent_id")),
        ({**ok, "to_role": "pirate"}, ("AC001", "to_role")),
        ({**ok, "to_role": None, "to_agent_id": foreign_draft}, ("AC002", "to_agent_id")),
        ({**ok, "reply_to": foreign_draft}, ("AC002", "reply_to")),
        ({**ok, "surprise": 1}, ("AC001", "surprise")),
        ({**request, "parts": [{"type": "text", "text": "who?"}]}, ("AC001", "parts")),  # its data part
        (
            {**request, "parts": [{"type": "data", "data": {"field": "competitors", "customer_id": customer}}]},
            ("AC001", "parts[0].data.question"),
        ),
        (
            {
                **request,
                "parts": [{"type": "data", "data": {**request["parts"][0]["data"], "customer_id": foreign_customer}}],
            },
            ("AC002", "parts[0].data.customer_id"),
        ),
    ]
    for message, expected in cases:
        assert refused(db, tenant, SEND, (Jsonb(message),)) == expected, message
    assert refused(db, tenant, SEND, (Jsonb([ok]),)) == ("AC001", "message")
    assert send(db, tenant, request)["status"] == "pending"
    assert task  # the thread of a task's messages is the task: test_a_handoff_is_sent_claimed_and_acknowledged_once


def test_the_roles_rules_are_enforced(db: Conn, tenant: str, customer: str, agents: dict[str, str]) -> None:
    task, _ = task_with_draft(db, tenant, customer)

    def handoff(sender: str, to_role: str, **data: Any) -> dict[str, Any]:
        return {
            "kind": "handoff",
            "message_type": "handoff.draft_ready",
            "from_agent_id": sender,
            "to_role": to_role,
            "parts": [{"type": "data", "data": {"task_id": task, **data}}],
        }

    # the kinds a role sends
    assert refused(db, tenant, SEND, (Jsonb(handoff(agents["external"], "editor")),)) == ("AC006", "kind")
    assert refused(db, tenant, SEND, (Jsonb(handoff(agents["analyst"], "editor")),)) == ("AC006", "kind")
    # what the recipient's role may read: no drafts for an external agent, by role or by id
    assert refused(db, tenant, SEND, (Jsonb(handoff(agents["writer"], "external")),)) == ("AC006", "message_type")
    to_partner = {**handoff(agents["writer"], "x"), "to_role": None, "to_agent_id": agents["external"]}
    assert refused(db, tenant, SEND, (Jsonb(to_partner),)) == ("AC006", "message_type")
    # a handoff to the publisher is a decision to publish
    assert refused(db, tenant, SEND, (Jsonb(handoff(agents["writer"], "publisher")),)) == ("AC006", "to_role")
    to_publisher = {**handoff(agents["writer"], "x"), "to_role": None, "to_agent_id": agents["publisher"]}
    assert refused(db, tenant, SEND, (Jsonb(to_publisher),)) == ("AC006", "to_agent_id")
    assert send(db, tenant, handoff(agents["editor"], "publisher", decision="publish"))["status"] == "pending"
    # the decisions a role's messages carry
    assert refused(db, tenant, SEND, (Jsonb(handoff(agents["writer"], "editor", decision="approve")),)) == (
        "AC006",
        "parts[0].data.decision",
    )
    assert send(db, tenant, handoff(agents["writer"], "editor"))["status"] == "pending"
    # what an external agent may do: ask people, be told things
    ask = {
        "kind": "request",
        "message_type": "request.missing_profile_field",
        "from_agent_id": agents["external"],
        "to_role": "human",
        "parts": [{"type": "data", "data": {"field": "website", "question": "Your URL?", "customer_id": customer}}],
    }
    assert send(db, tenant, ask)["status"] == "pending"
    assert send(db, tenant, note(agents["writer"], to_role="external"))["status"] == "pending"
    # paused and retired agents
    paused = make_agent(db, tenant, "Paused", "writer", "paused")
    retired = make_agent(db, tenant, "Retired", "editor", "retired")
    assert refused(db, tenant, SEND, (Jsonb(note(paused)),)) == ("AC005", "from_agent_id")
    to_retired = {**note(agents["writer"]), "to_role": None, "to_agent_id": retired}
    assert refused(db, tenant, SEND, (Jsonb(to_retired),)) == ("AC005", "to_agent_id")
    assert refused(db, tenant, READ, (paused, 10, 60)) == ("AC005", "agent_id")
    assert refused(db, tenant, READ, (agents["writer"], 0, 60)) == ("AC001", "limit")
    assert refused(db, tenant, READ, (agents["writer"], 10, 0)) == ("AC001", "visibility_seconds")


def test_the_roles_are_data_and_agree_with_the_agents_table(db: Conn, tenant: str) -> None:
    roles = db.execute("select role, may_send, may_read, decides from aicrm.agent_roles order by role").fetchall()
    assert sorted(r[0] for r in roles) == sorted(ROLES)
    enum = db.execute(
        "select definition #> '{properties,agent_role,enum}' from aicrm.json_schemas"
        " where schema_name = 'row.ai_agents'"
    ).fetchone()
    assert enum is not None
    assert sorted(enum[0]) == sorted(ROLES)
    external = next(r for r in roles if r[0] == "external")
    assert (external[1], external[3]) == (["request", "response", "notification"], [])
    pirate = "insert into aicrm.ai_agents (name, agent_role) values ('X', 'pirate')"
    assert refused(db, tenant, pirate, None, "aicrm_app") == ("AC001", "agent_role")
    agent = make_agent(db, tenant, "Paused writer", "writer", "paused")
    row = db.execute("select active, status from aicrm.ai_agents where agent_id = %s", (agent,)).fetchone()
    assert row == (False, "paused"), "active is derived from status"


def test_reading_stamps_the_heartbeat_without_an_audit_row(db: Conn, tenant: str, agents: dict[str, str]) -> None:
    before = db.execute("select count(*) from aicrm.audit_log where table_name = 'ai_agents'").fetchone()
    read(db, tenant, agents["editor"])
    row = db.execute(
        "select last_heartbeat_at is not null from aicrm.ai_agents where agent_id = %s", (agents["editor"],)
    )
    assert row.fetchone() == (True,)
    after = db.execute("select count(*) from aicrm.audit_log where table_name = 'ai_agents'").fetchone()
    assert after == before


# --- NOTIFY and partitions -----------------------------------------------------------------------------------


def test_a_listener_is_notified_at_commit_with_ids_only(db_url: str) -> None:
    def setup(conn: Conn) -> tuple[str, str]:
        tenant = make_tenant(conn, "Agency A")
        return tenant, make_agent(conn, tenant, "Writer", "writer")

    tenant, writer = committed(db_url, setup)
    with psycopg.connect(db_url, autocommit=True) as listener, psycopg.connect(db_url) as sender:
        listener.execute("listen aicrm_agent_message")
        sent = send(sender, tenant, note(writer, text="a secret that never travels in a NOTIFY"))
        assert list(listener.notifies(timeout=0.3, stop_after=1)) == [], "nothing before commit"
        sender.commit()
        committed_at = time.monotonic()
        got = list(listener.notifies(timeout=5, stop_after=1))
        latency = time.monotonic() - committed_at
    print(f"NOTIFY latency after commit: {latency * 1000:.1f} ms")
    assert len(got) == 1, "no NOTIFY within 5 s of the commit"
    assert got[0].channel == "aicrm_agent_message"
    assert json.loads(got[0].payload) == {"tenant_id": tenant, "message_id": sent["message_id"]}


def test_messages_live_in_monthly_partitions_created_ahead(db: Conn, tenant: str, agents: dict[str, str]) -> None:
    partitions = db.execute(
        "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
        " where i.inhparent = 'aicrm.ai_agent_messages'::regclass order by 1"
    ).fetchall()
    months = db.execute(
        "select to_char((date_trunc('month', now(), 'UTC') + make_interval(months => m)) at time zone 'UTC',"
        ' \'"ai_agent_messages_y"YYYY"m"MM\') from generate_series(0, 2) as m'
    ).fetchall()
    assert {m[0] for m in months} | {"ai_agent_messages_default"} <= {p[0] for p in partitions}
    sent = send(db, tenant, note(agents["writer"]))
    where = db.execute(
        "select tableoid::regclass::text from aicrm.ai_agent_messages where message_id = %s", (sent["message_id"],)
    ).fetchone()
    assert where == (f"aicrm_private.{months[0][0]}",)
    # a month nobody created lands in the default partition, and moves when its partition is made
    db.execute(
        "insert into aicrm.ai_agent_messages (tenant_id, created_at, kind, message_type, from_role, to_role,"
        " thread_id, correlation_id, parts, expires_at)"
        " select %s, date_trunc('month', now(), 'UTC') + interval '5 months 1 day', 'notification',"
        " 'notification.info', 'human', 'editor', gen_random_uuid(), gen_random_uuid(), '[]', now() + interval '1 year'"
        " returning message_id",
        (tenant,),
    )
    late = db.execute("select tableoid::regclass::text from aicrm.ai_agent_messages where from_role = 'human'")
    assert late.fetchone() == ("aicrm_private.ai_agent_messages_default",)
    assert db.execute("select aicrm_private.ensure_agent_message_partitions(6)").fetchone() == (4,)
    assert db.execute("select aicrm_private.ensure_agent_message_partitions(6)").fetchone() == (0,)
    moved = db.execute("select tableoid::regclass::text from aicrm.ai_agent_messages where from_role = 'human'")
    assert moved.fetchone() == (
        db.execute(
            "select 'aicrm_private.ai_agent_messages_' || to_char((date_trunc('month', now(), 'UTC')"
            " + interval '5 months') at time zone 'UTC', '\"y\"YYYY\"m\"MM')"
        ).fetchone()[0],  # type: ignore[index]
    )
    # every partition forces the parent's policy and is granted to nobody: read through the parent
    for role in ("aicrm_app", "aicrm_worker", "aicrm_readonly"):
        with act_as(db, tenant, role):
            assert refused(db, tenant, f"select * from aicrm_private.{months[0][0]}", None, role)[0] == "42501"
            assert db.execute("select count(*) from aicrm.ai_agent_messages").fetchone() == (2,), role
