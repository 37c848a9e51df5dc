"""`aicrm mcp`'s server (docs/mcp.md): the SQL API to an outside agent over the Model Context
Protocol, with the official SDK's MCPServer (mcp 2.x; FastMCP in 1.x). Each tool is one call of a
SQL API function (a named query of runner/queries.sql) and answers the SQL's JSON; the server holds
one connection as the worker role (aicrm_worker) in one tenant, so an outside agent gets exactly a
worker's rights under the tenant's row-level security, never more. submit_draft measures the draft
as the worker does (runner.scoring) and lets record_evaluation score it and apply the rules'
decision: no tool approves, reviews or decides. A refusal of the database comes back as a tool
error naming its SQLSTATE, field and hint."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import psycopg
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from psycopg.types.json import Jsonb
from pydantic import Field

from runner.config import Settings
from runner.db import connect, queries, set_tenant
from runner.errors import AicrmError, InvalidInput, NotFound, from_psycopg

Fetch = Callable[..., Any]
INSTRUCTIONS = (
    "aicrm writes marketing content for one tenant's customers. Claim a task (claim_task), read its "
    "brief (get_draft_brief), write the draft and hand it in (submit_draft): the tenant's decision "
    "rules score it and decide (approve, retry with fixes, review by a person, reject, escalate). "
    "No tool approves a draft. Errors name the field at fault and a hint."
)

# What submit_draft answers of record_evaluation's decision and scorecard.
DECISION_KEYS = ("decision_id", "action", "category", "rule", "explanation", "confidence")
QUALITY_KEYS = ("overall", "passed", "threshold", "failures", "fixes", "summary")


def describe(err: AicrmError) -> str:
    """A refusal as one line for the agent: `AC001 content: <problem> (hint: ...)`."""
    message = err.message
    if err.field and not message.startswith(f"{err.field}:"):
        message = f"{err.field}: {message}"
    text = f"{err.sqlstate} {message}" if err.sqlstate else message
    if err.detail:
        text += f" (detail: {err.detail})"
    if err.hint:
        text += f" (hint: {err.hint})"
    return text


class Gateway:
    """The server's one connection, as the worker role in the tenant. The SDK runs each (sync) tool
    in a thread of its own, so calls take a lock: one transaction at a time, never interleaved."""

    def __init__(self, settings: Settings, tenant_id: str) -> None:
        self.settings, self.tenant_id = settings, tenant_id
        self._lock = threading.Lock()
        self._conn = connect(settings, "worker", tenant_id=tenant_id)

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[Fetch]:
        """One transaction in the tenant; yields fetch(query, **params) → the query's single value.
        A psycopg error becomes the runner's AicrmError (field, detail and hint kept)."""
        with self._lock:
            if self._conn.closed or self._conn.broken:  # the server restarted: a new session
                self._conn = connect(self.settings, "worker", tenant_id=self.tenant_id)
            conn = self._conn

            def fetch(query: str, /, **params: Any) -> Any:
                row = conn.execute(queries()[query], params).fetchone()
                return row[0] if row else None

            try:
                with conn.transaction():
                    set_tenant(conn, self.tenant_id)
                    yield fetch
            except psycopg.Error as exc:
                raise from_psycopg(exc) from exc

    def value(self, query: str, /, **params: Any) -> Any:
        with self.transaction() as fetch:
            return fetch(query, **params)


@contextmanager
def refusals() -> Iterator[None]:
    """An AicrmError inside a tool as the tool error the agent reads (isError, the text of describe)."""
    try:
        yield
    except AicrmError as err:
        raise ToolError(describe(err)) from err


def find_agent(gateway: Gateway, name: str) -> str:
    """The id of the tenant's agent called `name` (aicrm.ai_agents), refused when there is none."""
    agent_id = gateway.value("mcp_find_agent", name=name)
    if agent_id is None:
        raise NotFound(
            f"agent: no agent named {name!r} in tenant {gateway.tenant_id}",
            field="agent",
            hint="Add one as the app (role external, see docs/mcp.md) or leave --agent out.",
        )
    return str(agent_id)


def build_server(settings: Settings, tenant_id: str, agent: str | None = None) -> tuple[MCPServer[Any], Gateway]:
    """The MCP server of the tenant (and its gateway, for the caller to close). `agent`: the name of
    the tenant's ai_agents row that sends and reads messages; without it the message tools refuse."""
    gateway = Gateway(settings, tenant_id)
    try:
        if not gateway.value("tenant_exists", tenant_id=tenant_id):
            raise NotFound(
                f"tenant: {tenant_id} does not exist", field="tenant", hint="aicrm tenant create NAME makes one."
            )
        agent_id = find_agent(gateway, agent) if agent else None
    except AicrmError:
        gateway.close()
        raise
    worker_id = f"mcp:{agent or 'agent'}:{os.getpid()}"
    server: MCPServer[Any] = MCPServer(name="aicrm", instructions=INSTRUCTIONS)
    tool = server.tool

    def needs_agent() -> str:
        if agent_id is None:
            raise InvalidInput(
                "agent: this server has no agent to send or read messages as",
                field="agent",
                hint="Start it with --agent NAME (a row of aicrm.ai_agents in the tenant).",
            )
        return agent_id

    @tool()
    def get_customer_context(
        customer_id: uuid.UUID, channel: str | None = None, purpose: str | None = None, topic: str | None = None
    ) -> dict[str, Any]:
        """Everything known about a customer to write for it (aicrm.get_customer_context_for_ai): business,
        brand voice, preferences, templates and examples for the channel, purpose and topic; `gaps` lists
        what is missing (ask, do not invent)."""
        with refusals():
            params = {"customer_id": customer_id, "channel": channel, "purpose": purpose, "topic": topic}
            return dict(gateway.value("get_task_context", **params))

    @tool()
    def list_tasks(state: str | None = None, limit: Annotated[int, Field(ge=1, le=500)] = 50) -> dict[str, Any]:
        """The tenant's content tasks (id, title, channel, type, execution_state, customer, priority), most
        urgent first; `state` keeps one execution state (queued, awaiting_review, approved, ...). Reads only."""
        with refusals():
            return {"tasks": gateway.value("mcp_list_tasks", state=state, limit=limit)}

    @tool()
    def claim_task(lease_seconds: int = 900) -> dict[str, Any]:
        """Claim the most urgent queued task (aicrm.claim_next_task) and start writing it
        (aicrm.start_generating). Answers the claim: task_id, lease_token (pass it to submit_draft),
        lease_until, attempt, task (channel, ai_instructions, quality_thresholds) and last_draft (with the
        fixes asked for); task_id null when nothing is queued. Hand a draft in before the lease ends
        (extend_lease keeps it)."""
        with refusals():
            claim = gateway.value("claim_next_task", worker_id=worker_id, lease_seconds=lease_seconds)
            if claim is None:
                return {"task_id": None, "reason": "no queued task is due in this tenant"}
            gateway.value("start_generating", task_id=claim["task_id"], lease_token=claim["lease_token"])
            return dict(claim)

    @tool()
    def extend_lease(task_id: uuid.UUID, lease_token: uuid.UUID, lease_seconds: int = 900) -> dict[str, Any]:
        """Keep the claim of a task being written: the lease ends lease_seconds from now (aicrm.heartbeat)."""
        with refusals():
            params = {"task_id": task_id, "lease_token": lease_token, "lease_seconds": lease_seconds}
            return {"lease_until": str(gateway.value("heartbeat", **params))}

    @tool()
    def get_draft_brief(task_id: uuid.UUID, include_context: bool = False) -> dict[str, Any]:
        """What to write for a task's next draft (aicrm.get_draft_brief): the brief (purpose, topic, key
        points, offer...), the limits it is judged by, the parts to write and the parts aicrm adds (do
        not write those), what is forbidden and why, the facts it may state (state nothing else as a
        fact), the brand voice, the template and variant chosen, examples and, on a rewrite, the last
        draft's structured fixes and a reviewer's words. include_context adds the customer's whole context."""
        with refusals():
            return dict(gateway.value("get_draft_brief", task_id=task_id, include_context=include_context))

    @tool()
    def submit_draft(
        task_id: uuid.UUID,
        lease_token: uuid.UUID,
        content: str,
        subject: str | None = None,
        content_format: str = "text",
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Hand in the draft of a claimed task (aicrm.submit_draft). It is measured and scored, and the
        tenant's decision rules decide what happens to it (aicrm.record_evaluation): the answer is that
        decision (action, rule, explanation), the quality scorecard (overall, passed, failures, fixes) and
        the task's new execution_state. On retry the lease is still yours: write again with the fixes."""
        from runner.scoring import text_metrics  # textstat and VADER: only once a draft is handed in

        with refusals():
            meta = {"provider": "mcp", "agent": agent, "worker": worker_id}
            submitted = gateway.value(
                "submit_draft",
                task_id=task_id,
                lease_token=lease_token,
                content=content,
                subject=subject,
                content_format=content_format,
                meta=Jsonb(meta),
                idempotency_key=idempotency_key,
            )
            # Measured as stored: submit_draft assembled it (the system-owned footer, opt-out, ...).
            try:
                metrics = text_metrics(str(submitted["content"]), subject=subject, content_format=content_format)
            except InvalidInput as exc:  # too long to measure: a failure of the draft, as the worker counts it
                error = {"kind": "invalid_output", "message": exc.one_line()[:4000]}
                params = {"task_id": task_id, "lease_token": lease_token, "error": Jsonb(error), "retryable": True}
                gateway.value("fail_task", **params)
                raise
            result = gateway.value(
                "record_draft_evaluation",
                deliverable_id=submitted["deliverable_id"],
                text_metrics=Jsonb(metrics),
                lease_token=lease_token,
            )
        decision = result.get("decision") or {}
        scorecard = result.get("scorecard") or {}
        return {
            "task_id": str(task_id),
            "deliverable_id": submitted["deliverable_id"],
            "version": submitted.get("version"),
            "execution_state": result["task"]["execution_state"],
            "attempts": result["task"].get("attempts"),
            "decision": {k: decision.get(k) for k in DECISION_KEYS},
            "quality": {k: scorecard.get(k) for k in QUALITY_KEYS},
        }

    @tool()
    def evaluate_content(
        content: str,
        channel: str,
        subject: str | None = None,
        customer_id: uuid.UUID | None = None,
        instructions: dict[str, Any] | None = None,
        content_format: str = "text",
    ) -> dict[str, Any]:
        """The quality scorecard of any text for a channel (aicrm.evaluate_content), as `aicrm evaluate`
        prints it; with a customer, its brand voice and compliance count too. Stores nothing."""
        from runner.scoring import text_metrics

        with refusals():
            metrics = text_metrics(content, subject=subject, content_format=content_format) if content else None
            return dict(
                gateway.value(
                    "evaluate_content",
                    content=content,
                    channel=channel,
                    subject=subject,
                    customer_id=customer_id,
                    instructions=Jsonb(instructions or {}),
                    text_metrics=Jsonb(metrics) if metrics is not None else None,
                    content_format=content_format,
                )
            )

    @tool()
    def find_similar_content(query: str, k: int = 5, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """The k examples of the tenant most similar to the query (aicrm.find_similar_content); filters:
        customer_id, channel, purpose, polarity, industry_category, ..."""
        with refusals():
            params = {"query": query, "k": k, "filters": Jsonb(filters or {})}
            return {"results": gateway.value("mcp_find_similar_content", **params)}

    @tool()
    def get_decision_rules(
        category: str | None = None,
        customer_id: uuid.UUID | None = None,
        channel: str | None = None,
        task_type: str | None = None,
    ) -> dict[str, Any]:
        """The active decision rules for that scope, in evaluation order (aicrm.get_decision_rules): what
        decides a draft. Reads only."""
        with refusals():
            params = {"category": category, "customer_id": customer_id, "channel": channel, "task_type": task_type}
            return {"rules": gateway.value("mcp_decision_rules", **params)}

    @tool()
    def test_rule(condition: Any, context: dict[str, Any] | None = None) -> dict[str, Any]:
        """Evaluate a JSON Logic condition on a context with the tenant's settings (aicrm.test_rule):
        matches, result, trace. Stores nothing."""
        with refusals():
            return dict(gateway.value("mcp_test_rule", condition=Jsonb(condition), context=Jsonb(context or {})))

    @tool()
    def send_message(message: dict[str, Any]) -> dict[str, Any]:
        """Send a message as this server's agent (aicrm.send_agent_message): {kind, message_type,
        to_agent_id | to_role, parts, thread_id?, correlation_id?, priority?, ...}; from_agent_id is the
        server's agent. What a role may send and receive: docs/agents.md."""
        with refusals():
            sent = {k: v for k, v in message.items() if k != "from_role"} | {"from_agent_id": needs_agent()}
            return dict(gateway.value("mcp_send_message", message=Jsonb(sent)))

    @tool()
    def read_inbox(limit: int = 10, visibility_seconds: int = 300) -> dict[str, Any]:
        """Claim the server's agent's next messages (aicrm.read_agent_inbox): each with a claim_token,
        invisible to other readers for visibility_seconds. Acknowledge each (ack_message, or
        respond_to_request with its claim_token) once handled."""
        with refusals():
            params = {"agent_id": needs_agent(), "limit": limit, "visibility_seconds": visibility_seconds}
            return {"messages": gateway.value("mcp_read_inbox", **params)}

    @tool()
    def ack_message(message_id: uuid.UUID, claim_token: uuid.UUID) -> dict[str, Any]:
        """Acknowledge a claimed message (aicrm.ack_agent_message): it is done."""
        with refusals():
            needs_agent()
            return dict(gateway.value("mcp_ack_message", message_id=message_id, claim_token=claim_token))

    @tool()
    def respond_to_request(
        request_message_id: uuid.UUID,
        data: dict[str, Any] | None = None,
        text: str | None = None,
        claim_token: uuid.UUID | None = None,
    ) -> dict[str, Any]:
        """Answer a request message: a response of the request's type (request.x → response.x) with the
        data part `data` (and `text`), replying to it (its thread and correlation id). With the claim_token
        read_inbox gave, the request is acknowledged in the same transaction."""
        sender = None
        with refusals():
            sender = needs_agent()
            parts: list[dict[str, Any]] = []
            if data is not None:
                parts.append({"type": "data", "data": data})
            if text:
                parts.append({"type": "text", "text": text})
            with gateway.transaction() as fetch:
                request_type = fetch("mcp_message_type", message_id=request_message_id)
                if request_type is None:
                    raise NotFound(
                        f"request_message_id: no message {request_message_id} in this tenant",
                        sqlstate="AC002",
                        field="request_message_id",
                    )
                message = {
                    "kind": "response",
                    "message_type": "response." + str(request_type).partition(".")[2],
                    "from_agent_id": sender,
                    "reply_to": str(request_message_id),
                    "parts": parts,
                }
                sent = dict(fetch("mcp_send_message", message=Jsonb(message)))
                if claim_token is not None:
                    sent["request_acknowledged"] = fetch(
                        "mcp_ack_message", message_id=request_message_id, claim_token=claim_token
                    )
            return sent

    return server, gateway
