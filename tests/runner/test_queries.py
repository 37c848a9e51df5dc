"""The SQL the runner sends lives in two named-query files, runner/queries.sql (the application's
calls of the SQL API) and runner/admin.sql (the administrator's statements): every block is sent by
some runner code (a dead query is deleted, not kept), every name the code asks for exists, and no
runner module writes SQL of its own."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest
from sqlfluff.core import FluffConfig, Linter

from runner.named_queries import admin_queries, queries

RUNNER = Path(__file__).resolve().parents[2] / "runner"

# The first word of every statement PostgreSQL runs (a string must also parse, see looks_like_sql).
_STATEMENT_KEYWORDS = re.compile(
    r"\s*(abort|alter|analyze|begin|call|checkpoint|close|cluster|comment|commit|copy|create|deallocate|declare"
    r"|delete|discard|do|drop|end|execute|explain|fetch|grant|import|insert|listen|load|lock|merge|move|notify"
    r"|prepare|reassign|refresh|reindex|release|reset|revoke|rollback|savepoint|security|select|set|show|start"
    r"|table|truncate|unlisten|update|vacuum|values|with)\b",
    re.IGNORECASE,
)
# What psycopg fills in before PostgreSQL sees the text: %(name)s and %s parameters, sql.SQL's {} fields.
_PARAMETER = re.compile(r"%\(\w+\)s|%s")
_FIELD = re.compile(r"\{\w*\}")
# Calls whose first argument is SQL text whatever it says: execute (connection, cursor), sql.SQL ...
# (cursor.copy and .stream are left to looks_like_sql: shutil.copy takes a literal path).
_SQL_ARGUMENT_CALLS = {"execute", "executemany", "mogrify", "SQL"}


def runner_modules() -> list[Path]:
    return sorted(RUNNER.rglob("*.py"))


def string_constants() -> set[str]:
    found: set[str] = set()
    for path in runner_modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def asked_names() -> dict[str, set[str]]:
    """The names runner code asks for: queries()["x"], admin_queries()["x"], admin_statement("x", ...)."""
    asked: dict[str, set[str]] = {"queries": set(), "admin_queries": set()}
    for path in runner_modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id in asked
                and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, str)
            ):
                asked[node.value.func.id].add(node.slice.value)
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "admin_statement"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                asked["admin_queries"].add(node.args[0].value)
    return asked


@cache
def _linter() -> Linter:
    return Linter(config=FluffConfig(overrides={"dialect": "postgres"}))


def looks_like_sql(text: str) -> bool:
    """A statement PostgreSQL would run: it starts with a statement's first word and parses, whole,
    as SQL statements. A lone word ('start', 'create': command names) is not SQL by itself, nor is a
    sentence to a person ('Set it to 1 to 10.', 'Create a tenant and print its id.'): it does not parse."""
    if not _STATEMENT_KEYWORDS.match(text):
        return False
    filled = _FIELD.sub("x", _PARAMETER.sub("null", text)).strip()
    if len(filled.split()) < 2 and not filled.endswith(";"):
        return False
    tree = _linter().parse_string(filled).tree
    if tree is None or any(True for _ in tree.recursive_crawl("unparsable")):
        return False
    return any(True for _ in tree.recursive_crawl("statement"))


def _literal_text(node: ast.expr) -> str | None:
    """The text of a string written in the code: a constant, an f-string (each {value} as x) or a
    concatenation of those; None for anything computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
        return node.value if isinstance(node.value, str) else node.value.decode(errors="replace")
    if isinstance(node, ast.JoinedStr):
        return "".join(str(v.value) if isinstance(v, ast.Constant) else "x" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal_text(node.left), _literal_text(node.right)
        return left + right if left is not None and right is not None else None
    return None


def sql_written_in(source: str, filename: str = "<source>") -> list[str]:
    """Each SQL text written in Python source, as 'file:line: text'."""
    found: dict[tuple[int, str], None] = {}
    tree = ast.parse(source, filename)
    # Constants inside an f-string are its pieces; the f-string is judged whole.
    pieces = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in ast.walk(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            text = _literal_text(node.args[0])
            if name in _SQL_ARGUMENT_CALLS and text is not None:
                found[(node.lineno, text)] = None
        if isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in pieces
        ):
            text = _literal_text(node)
            if text is not None and looks_like_sql(text):
                found[(node.lineno, text)] = None
    return [f"{filename}:{line}: {text[:80]!r}" for line, text in sorted(found)]


def test_every_named_query_is_used_by_the_runner() -> None:
    constants = string_constants()
    unused = sorted(set(queries()) - constants) + sorted(set(admin_queries()) - constants)
    assert unused == [], f"named queries no runner code sends: {unused} (delete them)"


def test_every_query_the_runner_names_directly_exists() -> None:
    asked = asked_names()
    assert asked["queries"], "the scan found no queries()[...] at all"
    assert asked["admin_queries"], "the scan found no admin_queries()[...] or admin_statement(...) at all"
    assert sorted(asked["queries"] - set(queries())) == []
    assert sorted(asked["admin_queries"] - set(admin_queries())) == []


def test_no_name_is_in_both_files() -> None:
    assert sorted(set(queries()) & set(admin_queries())) == []


def test_the_runner_writes_no_sql_of_its_own() -> None:
    found = [
        hit for path in runner_modules() for hit in sql_written_in(path.read_text(), str(path.relative_to(RUNNER)))
    ]
    assert found == [], "SQL written in Python; move it to runner/queries.sql or runner/admin.sql:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "planted",
    [
        'cur.execute("select 1")',
        'conn.execute("SHOW server_version")',
        'conn.execute(f"set local role {role}")',
        'conn.execute("commit")',
        'cur.executemany("INSERT INTO t VALUES (%s)", rows)',
        'with cur.copy("copy aicrm.customers (name) from stdin") as copy: pass',
        'sql.SQL("create database {}").format(sql.Identifier(name))',
        'STATEMENT = "select pg_advisory_lock(hashtext(%s))"',
        'lines = ["begin;", "insert into t (a) values (1);"]',
        'q = f"alter role {role} login"',
        'q = "with t as (select 1) select * from t"',
    ],
)
def test_the_scan_finds_planted_sql(planted: str) -> None:
    assert sql_written_in(planted) != []


@pytest.mark.parametrize(
    "innocent",
    [
        'def f():\n    """Start the embedded server; returns once it accepts connections."""',
        'raise ConfigurationError("x", hint="Set it to 1 to 10.")',
        'raise ConfigurationError("x", hint=f"Set {name} to a long random string.")',
        'app.command("create")(create)',
        'WORDS = ["start", "call", "drop by"]',
        'typer.Option(False, help="Set no tenant for the session.")',
        "conn.execute(queries()['claim_next_task'], params)",
        'out = f" Call us at {phone}."',
        'shutil.copy("select.txt", target)',
    ],
)
def test_the_scan_leaves_words_to_people_alone(innocent: str) -> None:
    assert sql_written_in(innocent) == []
