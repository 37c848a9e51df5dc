"""`aicrm mcp` driven by the mcp SDK's own client over stdio, as an outside agent would: the real
console script in a subprocess against the test's database (what it must see is committed first).
It lists the tools, reads a customer's context, claims a task, reads its brief, hands in a draft and
sees the tenant's rules decide it; a refusal names the field; messages reach other agents."""

from __future__ import annotations

import json
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import psycopg
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from psycopg.types.json import Jsonb

from tests.factories import committed, make_bakery
from tests.helpers import act_as
from tests.processes import AICRM, command_env, query, run_aicrm
from tests.runner.workers import INSTRUCTIONS
from tests.samples import GOOD_EMAIL, SUBJECT
from tests.tasks import create_task

TOOLS = {
    "get_customer_context", "list_tasks", "claim_task", "extend_lease", "get_draft_brief", "submit_draft",
    "evaluate_content", "find_similar_content", "get_decision_rules", "test_rule", "send_message", "read_inbox",
    "ack_message", "respond_to_request",
}  # fmt: skip
TIMEOUT = 120.0  # seconds for one request: the machine may be loaded; nothing here depends on speed


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


@asynccontextmanager
async def mcp_session(db_url: str, *args: str) -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    """`aicrm mcp *args` started by the SDK's stdio client, initialized; yields call(tool, **arguments)
    → the tool's CallToolResult. The server's stderr is shown when the test fails."""
    params = StdioServerParameters(command=str(AICRM), args=["mcp", *args], env=command_env(db_url))
    with tempfile.TemporaryFile("w+") as errlog:
        try:
            async with (
                stdio_client(params, errlog=errlog) as (read, write),
                ClientSession(read, write, read_timeout_seconds=TIMEOUT) as session,
            ):
                await session.initialize()

                async def call(tool: str, **arguments: Any) -> Any:
                    if tool == "list_tools":
                        return await session.list_tools()
                    return await session.call_tool(tool, arguments)

                yield call
        except BaseException:
            errlog.seek(0)
            print("aicrm mcp stderr:\n" + errlog.read()[-4000:])
            raise


def ok(result: Any) -> dict[str, Any]:
    """A tool's answer: its structured content, after checking it is no error."""
    assert not result.is_error, result.content
    assert result.structured_content is not None
    # The text content is the same JSON, for clients that read only text.
    assert json.loads(result.content[0].text) == result.structured_content
    return dict(result.structured_content)


async def refused(call: Callable[..., Awaitable[Any]], tool: str, **arguments: Any) -> str:
    """The error a tool call gets, after the SDK's prefix (`Error executing tool <tool>: `)."""
    result = await call(tool, **arguments)
    assert result.is_error, result.structured_content
    text = str(result.content[0].text)
    prefix = f"Error executing tool {tool}: "
    assert text.startswith(prefix), text
    return text.removeprefix(prefix)


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
                                    "field": "business_hours",
                                    "question": "When is the bakery open?",
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
            answer = ok(
                await call(
                    "respond_to_request",
                    request_message_id=inbox["message_id"],
                    data={"field": "business_hours", "value": "Tue-Sun 7:00-15:00"},
                    claim_token=inbox["claim_token"],
                )
            )
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
    [(status,)] = query(
        db_url, "select status from aicrm.ai_agent_messages where message_id = %s", (request["message_id"],)
    )
    assert status == "acknowledged"


def test_an_unknown_agent_is_refused_before_the_server_starts(db_url: str, shop: dict[str, str]) -> None:
    done = run_aicrm(db_url, "mcp", "--tenant", shop["tenant"], "--agent", "Nobody", stdin="")
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("error: agent: "), done.stderr
