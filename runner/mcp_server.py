"""`aicrm mcp`'s server (docs/mcp.md): the SQL API to an outside agent over the Model Context
Protocol, with the official SDK's MCPServer (mcp 2.x; FastMCP in 1.x). Each tool is one call of a
SQL API function (a named query of runner/queries.sql) and answers the SQL's JSON; the server holds
one connection as the worker role (aicrm_worker) in one tenant, so an outside agent gets exactly a
worker's rights under the tenant's row-level security, never more. submit_draft measures the draft
as the worker does (runner.scoring) and lets record_evaluation score it and apply the rules'
decision: no tool approves, reviews or decides (record_feedback keeps an agent's judgement of a draft,
deciding nothing). A refusal of the database comes back as a tool error naming its SQLSTATE, field
and hint."""

from __future__ import annotations

import os
import uuid
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from psycopg.types.json import Jsonb
from pydantic import Field

from runner.config import Settings
from runner.errors import AicrmError, InvalidInput, NotFound
from runner.mcp_agent_tools import add_agent_tools
from runner.mcp_gateway import Gateway, find_agent, refusals
from runner.mcp_http import auth_options

INSTRUCTIONS = (
    "aicrm writes marketing content for one tenant's customers. Claim a task (claim_task), read its "
    "brief (get_draft_brief), write the draft and hand it in (submit_draft): the tenant's decision "
    "rules score it and decide (approve, retry with fixes, review by a person, reject, escalate). "
    "No tool approves a draft. Errors name the field at fault and a hint."
)

# What submit_draft answers of record_evaluation's decision and scorecard.
DECISION_KEYS = ("decision_id", "action", "category", "rule", "explanation", "confidence")
QUALITY_KEYS = ("overall", "passed", "threshold", "failures", "fixes", "summary")


def build_server(
    settings: Settings, tenant_id: str, agent: str | None = None, *, http_token: str | None = None
) -> tuple[MCPServer[Any], Gateway]:
    """The MCP server of the tenant (and its gateway, for the caller to close). `agent`: the name of
    the tenant's ai_agents row that sends and reads messages; without it the message tools refuse.
    `http_token`: the bearer token its streamable HTTP app requires (runner/mcp_http.py)."""
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
    auth = auth_options(http_token) if http_token is not None else {}
    server: MCPServer[Any] = MCPServer(name="aicrm", instructions=INSTRUCTIONS, **auth)
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

    add_agent_tools(server, gateway, needs_agent, f"mcp:{agent}")
    return server, gateway
