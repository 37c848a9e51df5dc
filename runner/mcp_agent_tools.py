"""`aicrm mcp`'s tools that act as the server's agent (--agent, a row of aicrm.ai_agents): feedback on a
draft, and messages: send, read the inbox, acknowledge, answer a request (a request for a profile
field through aicrm.respond_to_request). Each refuses without an agent. See runner/mcp_server.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from mcp.server.mcpserver import MCPServer
from psycopg.types.json import Jsonb

from runner.errors import NotFound
from runner.mcp_gateway import Gateway, refusals


def add_agent_tools(server: MCPServer[Any], gateway: Gateway, needs_agent: Callable[[], str], by: str) -> None:
    """The agent's tools on `server`; `needs_agent()` is the agent's id (or refuses), `by` its name in
    the history (`mcp:<agent>`)."""
    tool = server.tool

    @tool()
    def record_feedback(
        deliverable_id: uuid.UUID,
        rating: int | None = None,
        comment: str | None = None,
        tags: list[str] | None = None,
        payload: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Record this agent's judgement of a draft (aicrm.record_content_feedback): a rating 1 (poor) to
        5 (excellent) and/or a comment, lower-case tags (off_brand, too-long), anything else measured in
        payload. Kept for the learning loop; it decides nothing: the draft's task stays as it is (no tool
        approves). Feedback on the same draft again replaces this agent's earlier feedback."""
        with refusals():
            given = {"rating": rating, "comment": comment, "tags": tags, "payload": payload}
            feedback = {"source": "agent", "agent_id": needs_agent()} | {
                k: v for k, v in given.items() if v is not None
            }
            params = {"deliverable_id": deliverable_id, "feedback": Jsonb(feedback), "by": by}
            return dict(gateway.value("mcp_record_feedback", **params))

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
        claim_token: uuid.UUID | None = None,
        value: Any = None,
        data: dict[str, Any] | None = None,
        text: str | None = None,
    ) -> dict[str, Any]:
        """Answer a request message read_inbox gave you (pass its claim_token). A
        request.missing_profile_field is answered with the field's `value` (an address object for
        address; website, email and/or phone for contact; else the profile field's value) by
        aicrm.respond_to_request: the customer's profile is updated, the response sent, the request
        acknowledged and the task waiting for the answer queued again; the answer is that result. Any
        other request: a response of its type (request.x -> response.x) with the data part `data` (and
        `text`), replying to it; acknowledged in the same transaction when the claim_token is given."""
        with refusals():
            sender = needs_agent()
            with gateway.transaction() as fetch:
                request_type = fetch("mcp_message_type", message_id=request_message_id)
                if request_type is None:
                    raise NotFound(
                        f"request_message_id: no message {request_message_id} in this tenant",
                        sqlstate="AC002",
                        field="request_message_id",
                    )
                if request_type == "request.missing_profile_field":
                    # respond_to_request answers as the agent holding the claim; acknowledging with the
                    # token in the same transaction proves that agent is this server's (else all rolls back)
                    answer = dict(
                        fetch(
                            "mcp_respond_to_request",
                            request_id=request_message_id,
                            value=None if value is None else Jsonb(value),
                            by=by,
                        )
                    )
                    answer["request_acknowledged"] = fetch(
                        "mcp_ack_message", message_id=request_message_id, claim_token=claim_token
                    )
                    return answer
                parts: list[dict[str, Any]] = []
                if data is not None:
                    parts.append({"type": "data", "data": data})
                if text:
                    parts.append({"type": "text", "text": text})
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
