"""The SQL the runner sends, read from two named-query files beside this module (procrastinate's
queries.sql habit): queries.sql, the application's calls of the SQL API, and admin.sql, the
administrator's statements (the embedded server's settings, database and login roles; the migration
bookkeeping). Python writes no SQL of its own (tests/runner/test_queries.py checks): a statement that
needs an identifier, or a literal PostgreSQL takes no parameter for, has {placeholders} in admin.sql
that admin_statement() fills by psycopg.sql composition."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from psycopg import sql

_QUERY_NAME = re.compile(r"^-- name: (\w+)\s*$", re.MULTILINE)
_HERE = Path(__file__).parent


def named_blocks(text: str) -> dict[str, str]:
    """The `-- name: x` blocks of a named-query file; the text before the first name is its header."""
    parts = _QUERY_NAME.split(text)
    blocks: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        if name in blocks:
            raise ValueError(f"named query {name!r} is defined twice")
        blocks[name] = body.strip()
    return blocks


@cache
def queries() -> dict[str, str]:
    """The named blocks of runner/queries.sql."""
    return named_blocks((_HERE / "queries.sql").read_text())


@cache
def admin_queries() -> dict[str, str]:
    """The named blocks of runner/admin.sql."""
    return named_blocks((_HERE / "admin.sql").read_text())


def admin_statement(name: str, /, **parts: sql.Composable) -> sql.Composed:
    """admin.sql's block `name` with its {placeholders} filled (sql.Identifier, sql.Literal)."""
    return sql.SQL(admin_queries()[name]).format(**parts)
