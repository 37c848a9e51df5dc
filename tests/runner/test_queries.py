"""runner/queries.sql holds the SQL the runner sends, each block one named query: every block is
sent by some runner code (a dead query is deleted, not kept), and every name the code asks for
exists."""

from __future__ import annotations

import ast
from pathlib import Path

from runner.db import queries

RUNNER = Path(__file__).resolve().parents[2] / "runner"


def string_constants() -> set[str]:
    found: set[str] = set()
    for path in RUNNER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def test_every_named_query_is_used_by_the_runner() -> None:
    unused = sorted(set(queries()) - string_constants())
    assert unused == [], f"named queries no runner code sends: {unused} (delete them)"


def test_every_query_the_runner_names_directly_exists() -> None:
    names = set(queries())
    asked: set[str] = set()
    for path in RUNNER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            # queries()["name"]
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id == "queries"
                and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, str)
            ):
                asked.add(node.slice.value)
    assert asked, "the scan found no queries()[...] at all"
    assert sorted(asked - names) == []
