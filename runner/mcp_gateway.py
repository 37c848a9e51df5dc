"""`aicrm mcp`'s way to the database (runner/mcp_server.py): one connection as the worker role in the
tenant, one transaction at a time, and a refusal of the database as the tool error an agent reads
(its SQLSTATE, field, detail and hint)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from mcp.server.mcpserver.exceptions import ToolError

from runner.config import Settings
from runner.db import connect, queries, set_tenant
from runner.errors import AicrmError, NotFound, from_psycopg

Fetch = Callable[..., Any]


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
