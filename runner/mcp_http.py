"""`aicrm mcp --http` (docs/mcp.md, "Streamable HTTP"): the MCP server over the protocol's streamable
HTTP transport, on 127.0.0.1 only, behind one bearer token. The SDK's own bearer middleware checks
it (MCPServer's token_verifier): a request without `Authorization: Bearer <token>`, or with another
token, is answered 401 before it reaches a tool. The token is AICRM_MCP_TOKEN, or one generated at
start and printed once."""

from __future__ import annotations

import hmac
import os
import secrets
import socket
from collections.abc import Callable
from typing import Any

from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from pydantic import AnyHttpUrl

from runner.errors import Conflict, InvalidInput

HOST = "127.0.0.1"  # never another interface: the token is the only lock, and travels in clear text
PATH = "/mcp"
TOKEN_ENV = "AICRM_MCP_TOKEN"
MIN_TOKEN_LENGTH = 16


class StaticToken:
    """The SDK's TokenVerifier for the server's one token, compared in constant time."""

    def __init__(self, token: str) -> None:
        self._token = token.encode()

    async def verify_token(self, token: str) -> AccessToken | None:
        if hmac.compare_digest(token.encode(), self._token):
            return AccessToken(token=token, client_id="aicrm-mcp", scopes=[])
        return None


def resolve_token(environ: dict[str, str] | None = None) -> tuple[str, bool]:
    """(the token, whether it was generated): AICRM_MCP_TOKEN when set (refused when shorter than 16
    characters), else 32 random bytes, URL-safe."""
    given = (os.environ if environ is None else environ).get(TOKEN_ENV, "").strip()
    if not given:
        return secrets.token_urlsafe(32), True
    if len(given) < MIN_TOKEN_LENGTH:
        raise InvalidInput(
            f"{TOKEN_ENV}: shorter than {MIN_TOKEN_LENGTH} characters",
            field=TOKEN_ENV,
            hint="Leave it unset to have one generated, or use e.g. `python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'`.",
        )
    return given, False


def auth_options(token: str) -> dict[str, Any]:
    """MCPServer's keyword arguments that put every request of its HTTP app behind the token. The SDK
    asks for an issuer; with no authorization server of its own the server never publishes it."""
    return {
        "token_verifier": StaticToken(token),
        "auth": AuthSettings(issuer_url=AnyHttpUrl(f"http://{HOST}"), resource_server_url=None),
    }


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:port (0: any free port), bound before the server starts so the
    address printed is the one served."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise Conflict(
            f"port: cannot listen on {HOST}:{port}: {exc.strerror}", field="port", hint="--port 0 takes any free port."
        ) from exc
    return sock


def serve(server: MCPServer[Any], port: int, announce: Callable[[str], None]) -> None:
    """Serve `server` (built with auth_options) over streamable HTTP on 127.0.0.1:port until stopped
    (Ctrl-C, SIGTERM). `announce` gets the endpoint's URL once the socket listens."""
    import uvicorn

    sock = bind(port)
    app = server.streamable_http_app(streamable_http_path=PATH, host=HOST)  # DNS-rebinding checks on
    announce(f"http://{HOST}:{sock.getsockname()[1]}{PATH}")
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
