"""The migrations reproduce the committed sql/schema.sql (tests/migrations/schema_dump.py writes it):
a schema change made without regenerating the dump fails here, so every change shows up in review."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

import psycopg
import pytest

from tests.migrations.schema_dump import HEADER, SCHEMA_FILE, SERVER_MAJOR, dump, normalise, pg_dump_path

MAX_DIFF_LINES = 40
_HUNK = re.compile(r"^@@ -(\d+)")
_STATEMENT = re.compile(r"^[A-Z]+ ")


def labelled(committed: list[str], diff: Iterable[str]) -> list[str]:
    """The diff with each hunk header naming the statement it falls in, as git does for functions."""
    out = []
    for line in diff:
        hunk = _HUNK.match(line)
        if hunk:
            start = int(hunk.group(1))
            above = (s for s in reversed(committed[: max(start, 1)]) if _STATEMENT.match(s))
            line = line.rstrip("\n") + " " + next(above, "").strip() + "\n"
        out.append(line)
    return out


def test_the_migrations_reproduce_sql_schema(db: psycopg.Connection[Any], db_url: str) -> None:
    # The test database is a clone of the template the real migrations filled: nothing to migrate here.
    if db.info.server_version // 10000 != SERVER_MAJOR:
        pytest.skip(f"sql/schema.sql is PostgreSQL {SERVER_MAJOR}'s dump; this server is {db.info.server_version}")
    actual = dump(db_url, pg_dump_path())
    committed = SCHEMA_FILE.read_text() if SCHEMA_FILE.exists() else ""
    if actual == committed:
        return
    diff = labelled(
        committed.splitlines(keepends=True),
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            "sql/schema.sql (committed)",
            "sql/schema.sql (from the migrations)",
            n=1,
        ),
    )
    more = [f"... and {len(diff) - MAX_DIFF_LINES} more diff lines\n"] if len(diff) > MAX_DIFF_LINES else []
    pytest.fail(
        "the migrations no longer reproduce sql/schema.sql: run make schema and commit sql/schema.sql\n"
        + "".join(diff[:MAX_DIFF_LINES] + more),
        pytrace=False,
    )


def test_normalising_drops_only_what_changes_between_runs() -> None:
    def raw(key: str, version: str, column: str) -> str:
        return (
            f"--\n-- PostgreSQL database dump\n--\n\n\\restrict {key}\n\n"
            f"-- Dumped from database version {version}\n-- Dumped by pg_dump version {version}\n\n"
            "SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n\n"
            "--\n-- Name: t; Type: TABLE; Schema: aicrm; Owner: aicrm_owner\n--\n\n"
            f"CREATE TABLE aicrm.t (\n    {column} integer\n);\n\n\n\\unrestrict {key}\n"
        )

    first = normalise(raw("AbC123", "18.6", "x"))
    assert first == normalise(raw("zYx987", "18.7", "x"))
    assert first.startswith(HEADER)
    assert "CREATE TABLE aicrm.t (\n    x integer\n);" in first
    assert normalise(raw("AbC123", "18.6", "y")) != first
