"""JSON Logic in SQL: the official suite through the interpreter and the compiled path, and the
limits that keep a hostile rule from hanging a backend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.helpers import sql_error

SUITE = Path(__file__).resolve().parents[4] / "shared" / "conformance" / "jsonlogic-official-tests.json"


def official_cases() -> list[tuple[Any, Any, Any]]:
    if not SUITE.exists():
        pytest.skip(f"the official JSON Logic suite is not at {SUITE} (it lives in ../shared/conformance/)")
    return [tuple(case) for case in json.loads(SUITE.read_text()) if isinstance(case, list)]  # type: ignore[misc]


def run_suite(db: psycopg.Connection[Any], function: str) -> list[str]:
    failures = []
    for rule, data, expected in official_cases():
        try:
            with db.transaction():
                row = db.execute(f"select {function}(%s, %s)", (Jsonb(rule), Jsonb(data))).fetchone()
            got = row[0] if row else None
        except psycopg.Error as exc:
            got = f"error {exc.sqlstate}: {exc.diag.message_primary}"
        # JSON Logic compares JSON values: 1 and 1.0 are the same number, true is not 1.
        same = (got == expected and type(got) is type(expected)) or (
            isinstance(got, int | float)
            and not isinstance(got, bool)
            and isinstance(expected, int | float)
            and not isinstance(expected, bool)
            and got == expected
        )
        if not same:
            failures.append(f"{json.dumps(rule)} with {json.dumps(data)}: expected {expected!r}, got {got!r}")
    return failures


def test_the_official_suite_passes_through_the_interpreter(db: psycopg.Connection[Any]) -> None:
    assert len(official_cases()) == 290
    assert run_suite(db, "aicrm.jsonlogic_apply") == []


def test_the_official_suite_passes_through_the_compiled_path(db: psycopg.Connection[Any]) -> None:
    assert run_suite(db, "aicrm_private.jl_apply_compiled") == []


def test_conditions_compiled_to_booleans_agree_with_the_interpreters_truthiness(db: psycopg.Connection[Any]) -> None:
    disagreements = []
    for rule, data, _ in official_cases():
        row = db.execute(
            "select aicrm_private.jl_truthy(aicrm.jsonlogic_apply(%s, %s)), aicrm_private.jl_condition_holds(%s, %s)",
            (Jsonb(rule), Jsonb(data), Jsonb(rule), Jsonb(data)),
        ).fetchone()
        assert row is not None
        if row[0] is not row[1]:
            disagreements.append(f"{json.dumps(rule)} with {json.dumps(data)}: {row}")
    assert disagreements == []


@pytest.mark.parametrize(
    ("rule", "data", "expected"),
    [
        ({"==": [{"var": "a"}, 0]}, {"a": False}, True),  # JavaScript's loose equality
        ({"==": [[], 0]}, {}, True),
        ({"===": [1, 1.0]}, {}, True),
        ({"<": ["a", "b"]}, {}, True),  # two strings compare as text, by code point
        ({"<": ["B", "a"]}, {}, True),
        ({"<": ["abc", 1]}, {}, False),  # NaN compares false
        ({"/": [1, 0]}, {}, None),  # Infinity has no JSON form
        ({"+": ["3.5kg", 1]}, {}, 4.5),  # parseFloat reads a numeric prefix
        ({"cat": [1.5, None, True, [1, [2, None]]]}, {}, "1.5nulltrue1,2,"),
        ({"var": "a.1.b"}, {"a": [{}, {"b": 7}]}, 7),
        ({"var": ["a.b", "fallback"]}, {"a": {"b": None}}, None),  # found null is not missing
        ({"in": [1, [1.0, 2]]}, {}, True),
        ({"substr": ["héllo wörld", -5, 3]}, {}, "wör"),
        ({"reduce": [[1, 2, 3], {"+": [{"var": "accumulator"}, {"var": "current"}]}, 10]}, {}, 16),
        ({"some": [{"var": "xs"}, {"all": [{"var": "ys"}, {">": [{"var": ""}, 0]}]}]}, {"xs": [{"ys": [1, 2]}]}, True),
    ],
)
def test_javascript_semantics_agree_on_both_paths(
    db: psycopg.Connection[Any], rule: Any, data: Any, expected: Any
) -> None:
    for function in ("aicrm.jsonlogic_apply", "aicrm_private.jl_apply_compiled"):
        row = db.execute(f"select {function}(%s, %s)", (Jsonb(rule), Jsonb(data))).fetchone()
        assert row is not None
        assert row[0] == expected, function


def test_an_unknown_operator_is_refused(db: psycopg.Connection[Any]) -> None:
    for function in ("aicrm.jsonlogic_apply", "aicrm_private.jl_apply_compiled"):
        err = sql_error(db, f"select {function}(%s, '{{}}')", (Jsonb({"and": [True, {"eval": ["drop table x"]}]}),))
        assert err.sqlstate == "AC010"
        assert "eval" in (err.diag.message_primary or "")


def test_limits_stop_deep_rules_and_runaway_loops(db: psycopg.Connection[Any]) -> None:
    deep: Any = True
    for _ in range(70):
        deep = {"!": [deep]}
    assert sql_error(db, "select aicrm.jsonlogic_apply(%s)", (Jsonb(deep),)).sqlstate == "AC011"
    assert sql_error(db, "select aicrm_private.jl_apply_compiled(%s)", (Jsonb(deep),)).sqlstate == "AC011"
    # map within map within map: 50 x 50 x 50 = 125,000 iterations, past the 100,000 budget.
    runaway = {"map": [{"var": "xs"}, {"map": [{"var": "xs"}, {"map": [{"var": "xs"}, 1]}]}]}
    inner = {"xs": list(range(50))}
    data = {"xs": [{"xs": [inner] * 50}] * 50}
    for function in ("aicrm.jsonlogic_apply", "aicrm_private.jl_apply_compiled"):
        err = sql_error(db, f"select {function}(%s, %s)", (Jsonb(runaway), Jsonb(data)))
        assert err.sqlstate == "AC011", function
    # Within the budget the same rule works.
    small = {"xs": [{"xs": [{"xs": [1, 2]}] * 3}] * 3}
    row = db.execute("select aicrm.jsonlogic_apply(%s, %s)", (Jsonb(runaway), Jsonb(small))).fetchone()
    assert row == ([[[1, 1]] * 3] * 3,)
    too_big = {"cat": ["x" * 70000]}
    assert sql_error(db, "select aicrm.jsonlogic_apply(%s)", (Jsonb(too_big),)).sqlstate == "AC011"


def test_rule_text_cannot_inject_sql(db: psycopg.Connection[Any]) -> None:
    hostile = {"var": "'); drop table aicrm.tenants; --"}
    for function in ("aicrm.jsonlogic_apply", "aicrm_private.jl_apply_compiled"):
        row = db.execute(f"select {function}(%s, '{{}}')", (Jsonb(hostile),)).fetchone()
        assert row == (None,)
    assert db.execute("select to_regclass('aicrm.tenants')").fetchone() == ("aicrm.tenants",)


@pytest.mark.parametrize("value", [2, 1, 0.5, "2", "abc", None, True, [2], {"x": 1}, ""])
@pytest.mark.parametrize("op", [">", ">=", "<", "<=", "==", "!=", "===", "!=="])
def test_the_fast_numeric_comparison_keeps_javascript_semantics(
    db: psycopg.Connection[Any], op: str, value: Any
) -> None:
    # Compiled conditions compare two numbers as SQL doubles and fall back to the JavaScript rules
    # otherwise; the interpreter is the reference.
    for rule in ({op: [{"var": "a"}, 1]}, {op: [1, {"var": ["a", 3]}]}, {op: [{"var": "a"}, {"var": "b"}]}):
        data = {"a": value, "b": 1}
        row = db.execute(
            "select aicrm_private.jl_truthy(aicrm.jsonlogic_apply(%s, %s)), aicrm_private.jl_condition_holds(%s, %s)",
            (Jsonb(rule), Jsonb(data), Jsonb(rule), Jsonb(data)),
        ).fetchone()
        assert row is not None
        assert row[0] is row[1], (rule, data)
