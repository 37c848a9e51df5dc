"""`aicrm mcp` driven by the mcp SDK's own client over stdio, as an outside agent would: the real
console script in a subprocess against the test's database (what it must see is committed first).
It lists the tools, reads a customer's context, claims a task, reads its brief, hands in a draft and
sees the tenant's rules decide it; a refusal names the field; messages reach other agents; a request
for a missing postal address is answered into the customer's profile and its task queued again."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import committed, make_bakery, make_customer, make_tenant
from tests.helpers import act_as
from tests.processes import query, run_aicrm
from tests.runner.mcp_client import TOOLS, mcp_session, ok, refused
from tests.runner.workers import INSTRUCTIONS
from tests.samples import BAKERY, FOOTER, GOOD_EMAIL, SUBJECT
from tests.tasks import create_task, in_review, record_evaluation, to_evaluating


@pytest.fixture
def shop(db_url: str) -> dict[str, str]:
    """The bakery's agency with one queued email task and two agents, Claude (external: the outside
    agent the server speaks for) and Writer; committed."""

    def build(conn: psycopg.Connection[Any]) -> dict[str, str]:
        tenant, customer = make_bakery(conn)
        task = create_task(conn, tenant, customer, instructions=INSTRUCTIONS)
        with act_as(conn, tenant):
            agents = {
                name: str(conn.execute(
                    "insert into aicrm.ai_agents (name, agent_role) values (%s, %s) returning agent_id", (name, role)
                ).fetchone()[0])  # type: ignore[index]
                for name, role in (("Claude", "external"), ("Writer", "writer"))
            }  # fmt: skip
        return {"tenant": tenant, "customer": customer, "task": task, "claude": agents["Claude"],
                "writer": agents["Writer"]}  # fmt: skip

    return committed(db_url, build)


def test_an_outside_agent_claims_a_task_hands_in_a_draft_and_the_rules_decide(
    db_url: str, shop: dict[str, str]
) -> None:
    async def main() -> None:
        async with mcp_session(db_url, "--tenant", shop["tenant"], "--agent", "Claude") as call:
            tools = await call("list_tools")
            names = {t.name for t in tools.tools}
            assert names == TOOLS
            # No tool approves, reviews or decides: only the rules do.
            assert not [n for n in names if any(w in n for w in ("approve", "review", "decide", "transition"))]

            context = ok(await call("get_customer_context", customer_id=shop["customer"], channel="email"))
            assert context["customer"]["customer_id"] == shop["customer"]
            assert context["customer"]["name"] == "Sunrise Bakery"

            listed = ok(await call("list_tasks", state="queued"))["tasks"]
            assert [t["task_id"] for t in listed] == [shop["task"]]

            claim = ok(await call("claim_task", lease_seconds=600))
            assert claim["task_id"] == shop["task"]
            assert claim["task"]["ai_instructions"] == INSTRUCTIONS
            assert ok(await call("claim_task"))["task_id"] is None  # nothing else is queued

            brief = ok(await call("get_draft_brief", task_id=shop["task"]))  # aicrm.get_draft_brief
            assert (brief["task"]["state"], brief["task"]["attempt"]) == ("generating", 1)
            assert brief["brief"]["topic"] == INSTRUCTIONS["topic"]
            assert "unsubscribe" in brief["system_parts"]["parts"]  # aicrm adds it: not the agent's to write
            assert {"fact": "business name", "value": "Sunrise Bakery", "source": "profile.name"} in brief["facts"]
            assert "context" not in brief
            with_context = ok(await call("get_draft_brief", task_id=shop["task"], include_context=True))
            assert with_context["context"]["customer"]["customer_id"] == shop["customer"]

            outcome = ok(
                await call(
                    "submit_draft",
                    task_id=shop["task"],
                    lease_token=claim["lease_token"],
                    content=GOOD_EMAIL,
                    subject=SUBJECT,
                )
            )
            assert outcome["decision"]["action"]["type"] == "approve"
            assert outcome["decision"]["rule"]
            assert outcome["execution_state"] == "approved"
            assert outcome["quality"]["passed"] is True

        # The database holds the rules' decision, not the agent's: the task moved by actor `rules`.
        [(state, version, passed)] = query(
            db_url,
            "select t.execution_state, d.version, d.quality_passed from aicrm.project_tasks t"
            " join aicrm.project_deliverables d using (tenant_id, task_id) where t.task_id = %s",
            (shop["task"],),
        )
        assert (state, version, passed) == ("approved", 1, True)
        [(actor, details)] = query(
            db_url,
            "select actor, details from aicrm.task_state_transitions where task_id = %s and to_state = 'approved'",
            (shop["task"],),
        )
        assert actor == "rules"
        assert details["decision_id"] == outcome["decision"]["decision_id"]
        [(provenance,)] = query(
            db_url, "select provenance from aicrm.project_deliverables where task_id = %s", (shop["task"],)
        )
        assert (provenance["provider"], provenance["agent"]) == ("mcp", "Claude")

    anyio.run(main)


def test_a_refusal_names_the_field_and_the_hint(db_url: str, shop: dict[str, str]) -> None:
    async def main() -> None:
        async with mcp_session(db_url, "--tenant", shop["tenant"]) as call:
            text = await refused(call, "evaluate_content", content="", channel="email")
            assert text.startswith("AC001 content: "), text
            assert "(hint: " in text
            text = await refused(call, "test_rule", condition={"nope": [1, 2]})
            assert text.startswith("AC010 "), text
            # A claimed task needs its lease: another token is refused, naming lease_token.
            claim = ok(await call("claim_task"))
            text = await refused(
                call,
                "submit_draft",
                task_id=claim["task_id"],
                lease_token="00000000-0000-4000-8000-000000000001",
                content=GOOD_EMAIL,
            )
            assert text.startswith("AC005 lease_token: "), text
            # An argument that is no UUID is refused before the database, naming it.
            result = await call("get_customer_context", customer_id="the bakery")
            assert result.is_error
            assert "customer_id" in result.content[0].text
            # Without --agent the message tools refuse.
            assert (await refused(call, "read_inbox")).startswith("agent: ")

    anyio.run(main)


def test_messages_go_to_other_agents_and_requests_are_answered(db_url: str, shop: dict[str, str]) -> None:
    # The writer asks the outside agent for a missing profile field (committed: the server reads it).
    with psycopg.connect(db_url) as conn, act_as(conn, shop["tenant"]):
        request = conn.execute(
            "select aicrm.send_agent_message(%s)",
            (
                Jsonb(
                    {
                        "kind": "request",
                        "message_type": "request.missing_profile_field",
                        "from_agent_id": shop["writer"],
                        "to_agent_id": shop["claude"],
                        "parts": [
                            {
                                "type": "data",
                                "data": {
                                    "field": "target_audience",
                                    "question": "Who buys at the bakery?",
                                    "customer_id": shop["customer"],
                                },
                            }
                        ],
                    }
                ),
            ),
        ).fetchone()[0]  # type: ignore[index]

    async def main() -> None:
        async with mcp_session(db_url, "--tenant", shop["tenant"], "--agent", "Claude") as call:
            note = {
                "kind": "notification",
                "message_type": "notification.info",
                "to_agent_id": shop["writer"],
                "parts": [{"type": "text", "text": "Drafts for the autumn menu are on their way."}],
            }
            sent = ok(await call("send_message", message=note))
            assert sent["created"] is True
            [inbox] = ok(await call("read_inbox", limit=5))["messages"]
            assert inbox["message_id"] == request["message_id"]
            # A request for a profile field is answered into the profile (aicrm.respond_to_request), as Claude.
            answer = ok(
                await call(
                    "respond_to_request",
                    request_message_id=inbox["message_id"],
                    value={"summary": "Families from the neighbourhood"},
                    claim_token=inbox["claim_token"],
                )
            )
            assert answer["profile"]["changed"] is True
            assert answer["response"]["from_agent_id"] == shop["claude"]
            assert answer["request_acknowledged"]["status"] == "acknowledged"

    anyio.run(main)
    # Read back as the database has them: the note in the writer's inbox, from Claude; the answer too.
    rows = query(
        db_url,
        "select kind, message_type, from_agent_id::text, from_role, status from aicrm.ai_agent_messages"
        " where to_agent_id = %s order by created_at",
        (shop["writer"],),
    )
    assert rows == [
        ("notification", "notification.info", shop["claude"], "external", "pending"),
        ("response", "response.missing_profile_field", shop["claude"], "external", "pending"),
    ]
    [(status, by)] = query(
        db_url,
        "select status, acknowledged_by::text from aicrm.ai_agent_messages where message_id = %s",
        (request["message_id"],),
    )
    assert (status, by) == ("acknowledged", shop["claude"])
    [(audience,)] = query(
        db_url, "select target_audience from aicrm.customers where customer_id = %s", (shop["customer"],)
    )
    assert audience == {"summary": "Families from the neighbourhood"}


def test_an_unknown_agent_is_refused_before_the_server_starts(db_url: str, shop: dict[str, str]) -> None:
    done = run_aicrm(db_url, "mcp", "--tenant", shop["tenant"], "--agent", "Nobody", stdin="")
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("error: agent: "), done.stderr


NO_ADDRESS = GOOD_EMAIL.replace(FOOTER, "\n\nUnsubscribe: {{unsubscribe_url}}")  # aicrm adds the address


@pytest.fixture
def asking(db_url: str) -> dict[str, str]:
    """A bakery without a postal address whose email draft the rules sent for input: the task waits in
    input_required for the account manager (role human); Ana is her agent row. Committed."""

    def build(conn: psycopg.Connection[Any]) -> dict[str, str]:
        tenant = make_tenant(conn, "Agency")
        customer = make_customer(conn, tenant, **{k: v for k, v in BAKERY.items() if k != "address"})
        with act_as(conn, tenant):
            row = conn.execute(
                "insert into aicrm.ai_agents (name, agent_role) values ('Ana', 'human') returning agent_id"
            ).fetchone()
        assert row is not None
        task, token, draft = to_evaluating(conn, tenant, customer, NO_ADDRESS)
        decision = record_evaluation(conn, tenant, draft, NO_ADDRESS, token)
        assert decision["task"]["execution_state"] == "input_required"
        return {"tenant": tenant, "customer": customer, "task": task, "ana": str(row[0])}

    return committed(db_url, build)


def test_a_missing_address_is_answered_over_mcp_into_the_profile_and_the_task_queued(
    db_url: str, asking: dict[str, str]
) -> None:
    state = "select execution_state from aicrm.project_tasks where task_id = %s"

    async def main() -> None:
        async with mcp_session(db_url, "--tenant", asking["tenant"], "--agent", "Ana") as call:
            [request] = ok(await call("read_inbox"))["messages"]
            assert request["message_type"] == "request.missing_profile_field"
            assert request["thread_id"] == asking["task"]
            # Refused, and nothing written: no claim token, another claim's token, a value that is no address.
            text = await refused(call, "respond_to_request", request_message_id=request["message_id"],
                                 value=BAKERY["address"])  # fmt: skip
            assert text.startswith("AC001 claim_token: "), text
            text = await refused(call, "respond_to_request", request_message_id=request["message_id"],
                                 value=BAKERY["address"], claim_token=str(uuid.uuid4()))  # fmt: skip
            assert text.startswith("AC005 claim_token: "), text
            text = await refused(call, "respond_to_request", request_message_id=request["message_id"],
                                 value="12 Baker Street", claim_token=request["claim_token"])  # fmt: skip
            assert text.startswith("AC001 value: "), text
            assert query(db_url, state, (asking["task"],)) == [("input_required",)]

            answer = ok(
                await call(
                    "respond_to_request",
                    request_message_id=request["message_id"],
                    value=BAKERY["address"],
                    claim_token=request["claim_token"],
                )
            )
            assert answer["task"] == {"task_id": asking["task"], "execution_state": "queued"}
            assert answer["profile"]["changed"] is True
            assert answer["request_acknowledged"]["status"] == "acknowledged"
            # Answered once: a second answer is refused.
            text = await refused(call, "respond_to_request", request_message_id=request["message_id"],
                                 value=BAKERY["address"], claim_token=request["claim_token"])  # fmt: skip
            assert text.startswith("AC005 request_id: "), text

    anyio.run(main)
    [(street,)] = query(db_url, "select address ->> 'street' from aicrm.customers where customer_id = %s",
                        (asking["customer"],))  # fmt: skip
    assert street == BAKERY["address"]["street"]
    assert query(db_url, state, (asking["task"],)) == [("queued",)]
    assert query(
        db_url,
        "select to_state, actor from aicrm.task_state_transitions where task_id = %s and from_state = 'input_required'",
        (asking["task"],),
    ) == [("queued", "mcp:Ana")]
    # The answer is Ana's, in the task's thread, and the request acknowledged by her.
    rows = query(
        db_url,
        "select kind, status, from_agent_id::text, from_role, acknowledged_by::text from aicrm.ai_agent_messages"
        " where thread_id = %s and kind in ('request', 'response') order by created_at",  # not the pipeline's records
        (asking["task"],),
    )
    assert rows == [
        ("request", "acknowledged", None, "compliance", asking["ana"]),
        ("response", "pending", asking["ana"], "human", None),
    ]


def test_another_request_type_is_answered_with_a_plain_response(db_url: str, shop: dict[str, str]) -> None:
    """A request that is not for a profile field gets a response of its type (send_agent_message),
    acknowledged with the claim in the same transaction. The type is a tenant's own, added here."""
    with psycopg.connect(db_url) as conn:
        for kind, schema in (("request", {"required": ["question"]}), ("response", {"required": ["verdict"]})):
            conn.execute(
                "insert into aicrm.json_schemas (schema_name, description, definition) values (%s, 'test', %s)",
                (f"agent_message.{kind}.copy_check", Jsonb({"type": "object", **schema})),
            )
        with act_as(conn, shop["tenant"]):
            editor = conn.execute(
                "insert into aicrm.ai_agents (name, agent_role) values ('Editor', 'editor') returning agent_id::text"
            ).fetchone()[0]  # type: ignore[index]
            message = {
                "kind": "request",
                "message_type": "request.copy_check",
                "from_agent_id": editor,
                "to_agent_id": shop["writer"],
                "parts": [{"type": "data", "data": {"question": "Is the autumn email on brand?"}}],
            }
            request = conn.execute("select aicrm.send_agent_message(%s)", (Jsonb(message),)).fetchone()[0]  # type: ignore[index]

    async def main() -> None:
        async with mcp_session(db_url, "--tenant", shop["tenant"], "--agent", "Writer") as call:
            [inbox] = ok(await call("read_inbox"))["messages"]
            sent = ok(
                await call(
                    "respond_to_request",
                    request_message_id=inbox["message_id"],
                    data={"verdict": "on brand"},
                    text="Warm and short.",
                    claim_token=inbox["claim_token"],
                )
            )
            assert (sent["message_type"], sent["reply_to"]) == ("response.copy_check", request["message_id"])
            assert sent["to_agent_id"] == editor
            assert sent["request_acknowledged"]["status"] == "acknowledged"

    anyio.run(main)


def test_an_agents_feedback_on_a_draft_is_kept_and_decides_nothing(db_url: str, shop: dict[str, str]) -> None:
    """record_feedback stores Claude's judgement of a draft waiting for a person (aicrm.ai_content_feedback);
    the task still waits for the person, however high the rating."""
    task, draft = committed(db_url, lambda conn: in_review(conn, shop["tenant"], shop["customer"], priority=1))
    state = "select execution_state from aicrm.project_tasks where task_id = %s"

    async def main() -> None:
        async with mcp_session(db_url, "--tenant", shop["tenant"], "--agent", "Claude") as call:
            text = await refused(call, "record_feedback", deliverable_id=draft, rating=9)
            assert text.startswith("AC001 feedback.rating: "), text
            got = ok(
                await call(
                    "record_feedback",
                    deliverable_id=draft,
                    rating=5,
                    comment="Ready to send: approve it.",
                    tags=["on-brand"],
                )
            )
            assert (got["created"], got["source"], got["agent_id"]) == (True, "agent", shop["claude"])
            assert got["task_id"] == task
        async with mcp_session(db_url, "--tenant", shop["tenant"]) as call:  # feedback is an agent's: --agent
            assert (await refused(call, "record_feedback", deliverable_id=draft, rating=4)).startswith("agent: ")

    anyio.run(main)
    assert query(db_url, state, (task,)) == [("awaiting_review",)]
    rows = query(db_url, "select source, created_by, rating, tags from aicrm.ai_content_feedback")
    assert rows == [("agent", "mcp:Claude", 5, ["on-brand"])]
