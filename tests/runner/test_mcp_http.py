"""`aicrm mcp --http` driven by the mcp SDK's own streamable HTTP client: the real console script in a
subprocess on 127.0.0.1 (any free port), its token generated and printed once. The right bearer token
lists the tools and calls one; a wrong token, or none, is answered 401 before any tool runs."""

from __future__ import annotations

import json
import queue
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from typing import Any

import anyio
import httpx2
import psycopg
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from runner.errors import InvalidInput
from runner.mcp_http import resolve_token
from tests.factories import committed, make_bakery
from tests.helpers import act_as
from tests.processes import AICRM, command_env, run_aicrm
from tests.runner.mcp_client import TIMEOUT, TOOLS, ok

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture
def shop(db_url: str) -> dict[str, str]:
    """The bakery's agency with its outside agent Claude (role external); committed."""

    def build(conn: psycopg.Connection[Any]) -> dict[str, str]:
        tenant, customer = make_bakery(conn)
        with act_as(conn, tenant):
            conn.execute("insert into aicrm.ai_agents (name, agent_role) values ('Claude', 'external')")
        return {"tenant": tenant, "customer": customer}

    return committed(db_url, build)


@pytest.fixture
def http_server(db_url: str, shop: dict[str, str]) -> Iterator[dict[str, str]]:
    """`aicrm mcp --http --port 0` for the shop's tenant as Claude: {url, token} from what it printed.
    Stopped with SIGTERM at the end; its stderr is shown when the test fails."""
    args = [str(AICRM), "mcp", "--tenant", shop["tenant"], "--agent", "Claude", "--http", "--port", "0"]
    with tempfile.TemporaryFile("w+") as errlog:
        proc = subprocess.Popen(args, env=command_env(db_url), stdout=subprocess.PIPE, stderr=errlog, text=True)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout or ()], daemon=True).start()
        try:
            printed: dict[str, str] = {}
            while not {"url", "token"} <= printed.keys():
                try:
                    key, _, value = lines.get(timeout=TIMEOUT).partition(": ")
                except queue.Empty:
                    pytest.fail("aicrm mcp --http printed no url and token")
                printed[key] = value.strip()
            yield printed | {"tenant": shop["tenant"], "customer": shop["customer"]}
        except BaseException:
            errlog.seek(0)
            print("aicrm mcp --http stderr:\n" + errlog.read()[-4000:])
            raise
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_the_right_token_lists_the_tools_and_calls_one(http_server: dict[str, str]) -> None:
    url, token = http_server["url"], http_server["token"]
    assert url.startswith("http://127.0.0.1:")
    assert url.endswith("/mcp")
    assert len(token) >= 32

    async def main() -> None:
        async with (
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT) as client,
            streamable_http_client(url, http_client=client) as (read, write),
            ClientSession(read, write, read_timeout_seconds=TIMEOUT) as session,
        ):
            await session.initialize()
            assert {t.name for t in (await session.list_tools()).tools} == TOOLS
            context = ok(await session.call_tool("get_customer_context", {"customer_id": http_server["customer"]}))
            assert context["customer"]["customer_id"] == http_server["customer"]

    anyio.run(main)


@pytest.mark.parametrize("authorization", [None, "Bearer not-the-token", "Basic Y2xhdWRlOnNlY3JldA=="])
def test_a_wrong_or_missing_token_gets_401(http_server: dict[str, str], authorization: str | None) -> None:
    url = http_server["url"]

    async def main() -> None:
        headers = {} if authorization is None else {"Authorization": authorization}
        # On the wire: 401 with the bearer challenge, and no MCP session.
        async with httpx2.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.post(url, content=json.dumps(INITIALIZE), headers=HEADERS | headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer ")
        assert "mcp-session-id" not in response.headers
        # The SDK's client gets no further than initialize.
        statuses: list[int] = []

        async def seen(response: httpx2.Response) -> None:
            statuses.append(response.status_code)

        async with httpx2.AsyncClient(headers=headers, timeout=TIMEOUT, event_hooks={"response": [seen]}) as client:
            with pytest.raises((MCPError, ExceptionGroup)) as failed:
                async with (
                    streamable_http_client(url, http_client=client) as (read, write),
                    ClientSession(read, write, read_timeout_seconds=TIMEOUT) as session,
                ):
                    await session.initialize()
        # (the SDK's task groups wrap the MCPError initialize raised)
        assert isinstance(failed.value, MCPError) or failed.group_contains(MCPError), failed.value
        assert statuses
        assert set(statuses) == {401}

    anyio.run(main)


def test_the_token_is_the_environments_or_a_generated_one() -> None:
    assert resolve_token({"AICRM_MCP_TOKEN": "  a-token-of-twenty-chars "}) == ("a-token-of-twenty-chars", False)
    token, generated = resolve_token({})
    assert generated
    assert len(token) >= 40
    assert token != resolve_token({})[0]
    with pytest.raises(InvalidInput) as refused:
        resolve_token({"AICRM_MCP_TOKEN": "short"})
    assert refused.value.field == "AICRM_MCP_TOKEN"


def test_bad_options_are_refused_before_the_server_starts(db_url: str, shop: dict[str, str]) -> None:
    done = run_aicrm(db_url, "mcp", "--tenant", shop["tenant"], "--http", stdin="", AICRM_MCP_TOKEN="short")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: AICRM_MCP_TOKEN: "), done.stderr
    done = run_aicrm(db_url, "mcp", "--tenant", shop["tenant"], "--port", "9000", stdin="")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: port: "), done.stderr
