"""The MCP client side of the `aicrm mcp` tests, as an outside agent has it: the mcp SDK's own stdio
client on the real console script (the HTTP tests use its streamable HTTP client), and what a tool's
answer or refusal looks like."""

from __future__ import annotations

import json
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.processes import AICRM, command_env

TOOLS = {
    "get_customer_context", "list_tasks", "claim_task", "extend_lease", "get_draft_brief", "submit_draft",
    "evaluate_content", "find_similar_content", "get_decision_rules", "test_rule", "send_message", "read_inbox",
    "ack_message", "respond_to_request", "record_feedback",
}  # fmt: skip
TIMEOUT = 120.0  # seconds for one request: the machine may be loaded; nothing here depends on speed


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
