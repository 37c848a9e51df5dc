"""How tests talk to the database: as a role in a tenant (act_as), as PostgREST would (as_postgrest),
expecting a refusal (sql_error, refused), or for one value (call). Test data comes from
tests/factories.py and tests/tasks.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

Conn = psycopg.Connection[Any]


@contextmanager
def act_as(
    conn: psycopg.Connection[Any], tenant: str | None, role: str = "aicrm_app"
) -> Iterator[psycopg.Connection[Any]]:
    """Run as `role` inside `tenant` (or no tenant) until the block ends; the test's transaction
    is never committed, so nothing leaks into other tests."""
    conn.execute(f"set local role {role}")
    conn.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant or "",))
    try:
        yield conn
    finally:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.INERROR:
            conn.execute("reset role")
            conn.execute("select set_config('aicrm.tenant_id', '', true)")


@contextmanager
def as_postgrest(
    conn: psycopg.Connection[Any], claims: dict[str, Any], role: str = "authenticated"
) -> Iterator[psycopg.Connection[Any]]:
    """What PostgREST does per request: SET LOCAL ROLE and request.jwt.claims, no aicrm.tenant_id."""
    conn.execute(f"set local role {role}")
    conn.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))
    conn.execute("select set_config('aicrm.tenant_id', '', true)")
    try:
        yield conn
    finally:
        conn.execute("reset role")
        conn.execute("select set_config('request.jwt.claims', '', true)")


def sql_error(conn: psycopg.Connection[Any], query: str, params: Any = None) -> psycopg.Error:
    """Run a statement that must fail; return the error. A savepoint keeps the test's
    transaction usable afterwards."""
    with pytest.raises(psycopg.Error) as info, conn.transaction():
        conn.execute(query, params)
    return info.value


def call(conn: Conn, tenant: str | None, query: str, params: Any = None, role: str = "aicrm_worker") -> Any:
    """The one value a statement returns, run as `role` in `tenant` (by default the worker's role)."""
    with act_as(conn, tenant, role):
        row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def refused(
    conn: Conn, tenant: str | None, query: str, params: Any = None, role: str = "aicrm_worker"
) -> tuple[str | None, str | None]:
    """A statement that must fail, run as `role` in `tenant`: (SQLSTATE, the column it names)."""
    with act_as(conn, tenant, role):
        err = sql_error(conn, query, params)
    return err.diag.sqlstate, err.diag.column_name
