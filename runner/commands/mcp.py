"""`aicrm mcp`: the tenant's SQL API to an outside agent (Claude Desktop, an IDE, any MCP client) over
the Model Context Protocol on stdio (docs/mcp.md). The server is runner/mcp_server.py; the mcp SDK is
imported only here, when the command runs, so other command lines do not pay for it."""

from __future__ import annotations

import typer

from runner.config import Settings
from runner.db import DEMO_TENANT_ID, ensure_server


def mcp_command(
    tenant: str = typer.Option(
        DEMO_TENANT_ID, "--tenant", envvar="AICRM_TENANT_ID", help="The tenant (default: the demo tenant)."
    ),
    agent: str | None = typer.Option(
        None,
        "--agent",
        envvar="AICRM_AGENT",
        help="The tenant's agent (a row of aicrm.ai_agents, by name) that sends and reads messages "
        "(default: none; the message tools then refuse).",
    ),
) -> None:
    """Serve the tenant's SQL API over MCP on stdio, with a worker's rights: read context, claim tasks,
    hand in drafts (the decision rules decide them), test rules, exchange messages."""
    from runner.mcp_server import build_server  # the mcp SDK, pydantic and starlette: only for this command

    settings = Settings.from_env()
    ensure_server(settings)
    server, gateway = build_server(settings, tenant, agent)
    try:
        server.run("stdio")
    finally:
        gateway.close()
