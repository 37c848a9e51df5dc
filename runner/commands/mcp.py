"""`aicrm mcp`: the tenant's SQL API to an outside agent (Claude Desktop, an IDE, any MCP client) over
the Model Context Protocol, on stdio or, with --http, over streamable HTTP on 127.0.0.1 behind a bearer
token (docs/mcp.md). The server is runner/mcp_server.py (HTTP: runner/mcp_http.py); the mcp SDK is
imported only here, when the command runs, so other command lines do not pay for it."""

from __future__ import annotations

import typer

from runner.config import Settings
from runner.db import DEMO_TENANT_ID, ensure_server
from runner.errors import InvalidInput

DEFAULT_PORT = 8765


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
    http: bool = typer.Option(
        False,
        "--http",
        help="Serve MCP's streamable HTTP transport on 127.0.0.1 instead of stdio; every request needs "
        "`Authorization: Bearer <token>` (AICRM_MCP_TOKEN, or one generated and printed at start).",
    ),
    port: int | None = typer.Option(
        None, "--port", min=0, max=65535, help=f"The HTTP port (default {DEFAULT_PORT}; 0: any free port)."
    ),
) -> None:
    """Serve the tenant's SQL API over MCP, with a worker's rights: read context, claim tasks, hand in
    drafts (the decision rules decide them), test rules, exchange messages, record feedback."""
    # the mcp SDK, pydantic, starlette and uvicorn: only for this command
    from runner.mcp_http import resolve_token, serve
    from runner.mcp_server import build_server

    if port is not None and not http:
        raise InvalidInput("port: only with --http", field="port", hint="aicrm mcp --http --port N")
    token, generated = resolve_token() if http else (None, False)
    settings = Settings.from_env()
    ensure_server(settings)
    server, gateway = build_server(settings, tenant, agent, http_token=token)
    try:
        if not http:
            server.run("stdio")
            return

        def announce(url: str) -> None:
            typer.echo(f"url: {url}")
            if generated:  # shown this once: it is nowhere else
                typer.echo(f"token: {token}")
            typer.echo(f"Send `Authorization: Bearer <token>` with every request (tenant {tenant}).", err=True)

        serve(server, DEFAULT_PORT if port is None else port, announce)
    finally:
        gateway.close()
