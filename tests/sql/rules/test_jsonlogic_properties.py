"""JSON Logic under random and hostile rules (hypothesis): every rule is evaluated or refused with
an aicrm error (SQLSTATE AC...); never a raw PostgreSQL error, a crashed backend, a statement
past its time limit, or a string of the rule run as SQL. Where they return, the interpreter and
the compiled SQL agree, and the condition compiled for decisions is the value's truthiness."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb, set_json_loads

from tests.helpers import act_as

PATHS = ("aicrm.jsonlogic_apply", "aicrm_private.jl_apply_compiled")
CONDITION = "aicrm_private.jl_condition_holds"  # a rule compiled to a SQL boolean, as decisions run it
# fmt: off
KNOWN = ("var", "missing", "missing_some", "if", "?:", "==", "===", "!=", "!==", "!", "!!", "or", "and", ">", ">=",
         "<", "<=", "max", "min", "+", "-", "*", "/", "%", "map", "filter", "reduce", "all", "none", "some", "merge",
         "in", "cat", "substr", "log")
LOOPS = ("map", "filter", "all", "some", "none")
# Where the compiled SQL reads an operation's argument more than once, and where only once.
REPEATERS = {"and": 0, "or": 0, "missing": 0, "<": 1, "<=": 1}
ONCE = {"and": 2, "or": 2, "missing": 1, "<": 2, "<=": 2}
HOSTILE_OPS = ("eval", "", "__proto__", "constructor", "toString", "Var", " var", "exec", "pg_sleep", "jl_eval", "$1",
               "%s", "'", '"', "\\", "null", "0", "ünïcödé", "🙂", "\u202eavr", "var\u200b")
INJECTIONS = ("'); drop table aicrm.tenants; --", "'; drop table aicrm.tenants; --",
              "$$; drop table aicrm.tenants; $$", "$1); drop table aicrm.tenants; --",
              "\\'); drop table aicrm.tenants; --", "%L'); drop table aicrm.tenants; --", "%s %I %L %1$s",
              '"; drop table aicrm.tenants; --', "*/ drop table aicrm.tenants; /*",
              "jl0.item) from aicrm.tenants; drop table aicrm.tenants; --",
              "'::jsonb); select set_config('aicrm.pwned', 'yes', false); --",
              "$q$ || (select set_config('aicrm.pwned', 'yes', false)) || $q$", "a.b'); select pg_sleep(30); --")
# fmt: on
AC_SAVE = ("AC001", "AC010", "AC011")  # what saving a rule may refuse it with

# Data: small objects whose keys the rules' var paths name, so paths hit as often as they miss.
KEYS = ("a", "b", "0", "1", "", "current", "accumulator")
EDGE_NUMBERS = (0, -0.0, 1e308, -1e308, 5e-324, 2**53 + 1, 10**400, -(10**400))
NUMERIC_TEXT = ("", " ", "0", "-1.5", "1e3", " 7 ", "0x1F", "3.5kg", "1e400", "-1e-400", "Infinity", "NaN", "abc")
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6)  # jsonb has no \u0000
numbers = st.integers(-1000, 1000) | st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(EDGE_NUMBERS)
scalars = st.none() | st.booleans() | numbers | texts | st.sampled_from(NUMERIC_TEXT)
json_data = st.recursive(
    scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.sampled_from(KEYS), c, max_size=4), max_leaves=12
)
contexts = st.dictionaries(st.sampled_from(KEYS), json_data, max_size=5) | json_data
var_paths = st.lists(st.sampled_from(KEYS), max_size=3).map(".".join) | st.integers(-1, 3)
var_nodes = st.builds(lambda p: {"var": p}, var_paths) | st.builds(lambda p, d: {"var": [p, d]}, var_paths, scalars)


def rules(
    op_names: st.SearchStrategy[str], leaves: st.SearchStrategy[Any], max_leaves: int = 20
) -> st.SearchStrategy[Any]:
    """Rules over the given operator names: each node takes 0-4 arguments (or one bare argument),
    and the operators with a shape of their own (missing, loops, reduce) often get that shape."""

    def nodes(c: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        lists = st.lists(c, max_size=4) | var_nodes | c
        return st.one_of(
            st.builds(lambda op, a: {op: a}, op_names, st.lists(c, max_size=4) | c),
            st.builds(lambda keys: {"missing": keys}, st.lists(var_paths, max_size=3) | var_paths),
            st.builds(lambda n, keys: {"missing_some": [n, keys]}, c, st.lists(var_paths, max_size=3)),
            st.builds(lambda op, xs, body: {op: [xs, body]}, st.sampled_from(LOOPS), lists, c),
            st.builds(lambda xs, body, init: {"reduce": [xs, body, init]}, lists, c, c),
        )

    return st.recursive(leaves, nodes, max_leaves=max_leaves)


well_formed = rules(st.sampled_from(KNOWN), scalars | var_nodes | st.lists(scalars, max_size=3))


class Raw(str):
    """Data as JSON text, for nesting deeper than Python's json module writes."""


def as_jsonb(value: Any) -> Jsonb:
    return Jsonb(str(value), dumps=str) if isinstance(value, Raw) else Jsonb(value)


def loads(text: str | bytes) -> Any:
    """psycopg's JSON loader for the tests' connections: too deep for Python is kept as text."""
    try:
        return json.loads(text)
    except RecursionError:
        return Raw(text.decode() if isinstance(text, bytes) else text)


def deep(depth: int) -> Raw:
    """{"a": [[[...1...]]]}, `depth` arrays deep."""
    return Raw(f'{{"a": {"[" * depth}1{"]" * depth}}}')


def chain(ops: list[str], leaf: Any, repeat: bool = False) -> Any:
    """A rule nested len(ops) deep: each operation holds the previous rule (a loop as its body)
    beside two constants, where the compiled SQL reads it once, or with `repeat` where it reads
    it more than once (see REPEATERS)."""
    rule = leaf
    for op in ops:
        if op == "[]":
            rule = [rule]
        elif op in (*LOOPS, "reduce"):
            rule = {op: [[1, 2], rule, 0]}
        else:
            args: list[Any] = [1, 2]
            args.insert(REPEATERS.get(op, 0) if repeat else ONCE.get(op, 0), rule)
            rule = {op: args}
    return rule


def nested_loops(ops: list[str], size: int, body: Any) -> tuple[Any, Any]:
    """Loops len(ops) deep over xs arrays of `size` items each, and data of that shape."""
    rule = body
    data: dict[str, Any] = {"xs": list(range(size))}
    for op in reversed(ops):
        rule = loop(op, {"var": "xs"}, rule)
    for _ in ops[1:]:
        data = {"xs": [data] * size}
    return rule, data


def loop(op: str, items: Any, body: Any, init: Any = 0) -> Any:
    return {op: [items, body, init]} if op == "reduce" else {op: [items, body]}


names = st.sampled_from(KNOWN)
loop_names = st.sampled_from((*LOOPS, "reduce"))
hostile_names = st.sampled_from(HOSTILE_OPS) | texts
odd_paths = st.one_of(
    numbers,
    st.none(),
    st.booleans(),
    st.lists(scalars, max_size=3),
    st.just({}),
    st.dictionaries(texts, scalars, min_size=2, max_size=3),
    st.lists(st.lists(scalars, max_size=2)),
)
data_objects: st.SearchStrategy[dict[str, Any]] = st.just({}) | st.dictionaries(
    st.sampled_from(KEYS), json_data, min_size=2, max_size=4
)
adversarial: st.SearchStrategy[tuple[Any, Any]] = st.one_of(
    # unknown operators anywhere in an otherwise well-formed rule
    st.tuples(rules(names | hostile_names, scalars | var_nodes), contexts),
    # deep: one operation repeated, or a random mix, up to 200 levels
    st.tuples(st.builds(lambda op, n: chain([op] * n, True), names | st.just("[]"), st.integers(1, 200)), contexts),
    st.tuples(st.builds(chain, st.lists(names | st.just("[]"), min_size=1, max_size=200), var_nodes), contexts),
    # an operation whose compiled SQL reads an argument more than once, nested: 10 deep shows any
    # growth faster than linear, while deeper ones, if it copies, would take gigabytes to plan
    st.tuples(
        st.builds(
            lambda op, n: chain([op] * n, {"var": "a"}, True), st.sampled_from(list(REPEATERS)), st.integers(4, 10)
        ),
        contexts,
    ),
    # objects with 0 or 2+ keys are data, not operations
    st.tuples(rules(names, data_objects | scalars, max_leaves=8), contexts),
    # var (and missing) paths that are not strings
    st.tuples(
        st.builds(lambda p: {"var": p}, odd_paths)
        | st.builds(lambda p, d: {"var": [p, d]}, odd_paths, scalars)
        | st.builds(lambda p: {"missing": p}, odd_paths)
        | st.builds(lambda n, p: {"missing_some": [n, p]}, odd_paths, odd_paths),
        contexts,
    ),
    # a reduce whose accumulator grows with every item (merge or cat of itself)
    st.builds(
        lambda op, k, n, init: (
            loop("reduce", {"var": "xs"}, {op: [{"var": "accumulator"}] * k}, init),
            {"xs": [1] * n},
        ),
        st.sampled_from(("merge", "cat")) | names,
        st.integers(1, 3),
        st.integers(0, 64),
        scalars | st.lists(scalars, min_size=1, max_size=3),
    ),
)
# Large rules and data, each example seconds of work at worst, so fewer of them: sizes are drawn
# from 1,024 up (hypothesis draws small integers far more often than large ones).
large_sizes = st.sampled_from([2**k for k in range(10, 18)])
large: st.SearchStrategy[tuple[Any, Any]] = st.one_of(
    # huge strings and arrays, in the rule and in the data
    st.tuples(st.builds(lambda n: {"cat": ["x" * n, {"var": "a"}]}, large_sizes), contexts),
    st.tuples(st.builds(lambda n, op: {op: list(range(n // 16))}, large_sizes, names), contexts),
    st.builds(lambda n, op: ({op: [{"var": "a"}, {"var": "a"}]}, {"a": ["y" * 10] * n}), large_sizes, names),
    # data nested deeper than any rule may be (PostgreSQL itself reads JSON up to about 30,000 deep)
    st.builds(lambda n, rule: (rule, deep(n // 16)), large_sizes, rules(names, scalars | st.just({"var": "a"}), 6)),
    # one loop over up to 131,072 items, with a body of a dozen operations
    st.builds(
        lambda op, n, body: (loop(op, {"var": "xs"}, body), {"xs": list(range(n))}),
        loop_names,
        large_sizes,
        rules(names, scalars | var_nodes, max_leaves=12),
    ),
    # loops nested 3-5 deep over data that nears or passes the loop budget
    st.integers(3, 5).flatmap(
        lambda depth: st.builds(
            nested_loops,
            st.lists(loop_names, min_size=depth, max_size=depth),
            st.integers(int(50_000 ** (1 / depth)), int(150_000 ** (1 / depth))),
            rules(names, scalars | var_nodes, max_leaves=4),
        )
    ),
)
injections = st.sampled_from(INJECTIONS)
injected: st.SearchStrategy[Any] = rules(
    names | injections,
    injections
    | st.builds(lambda p: {"var": p}, injections)
    | st.builds(lambda p, d: {"var": [p, d]}, injections, injections)
    | st.dictionaries(injections, injections, min_size=2, max_size=3)
    | st.lists(injections, max_size=3),
    max_leaves=10,
)
FUZZ = settings(
    derandomize=True,  # the same examples on every run: CI is reproducible
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
Outcome = tuple[str, Any]  # ("ok", value) or (SQLSTATE, the psycopg error)
Check = Callable[[psycopg.Connection[Any]], None]  # run after every statement


def outcome(conn: psycopg.Connection[Any], query: str, params: tuple[Any, ...]) -> Outcome:
    try:
        with conn.transaction():  # a savepoint: an error leaves the test's transaction usable
            row = conn.execute(query, params).fetchone()
    except psycopg.Error as exc:
        if conn.closed or conn.broken:
            pytest.fail(f"the backend is gone after {query} with {short(params)}: {exc}")
        return str(exc.sqlstate), exc
    assert row is not None
    return "ok", row[0]


def short(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, default=lambda v: v.obj if isinstance(v, Jsonb) else str(v))
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


def describe(result: Outcome) -> str:
    state, value = result
    if isinstance(value, psycopg.Error):
        return f"{state} {value.diag.message_primary!r} (column {value.diag.column_name!r})"
    return f"{state} {short(value, 100)}"


def clear(result: Outcome, codes: tuple[str, ...] = ()) -> bool:
    """Evaluated, or refused with an aicrm error (one of `codes` when given)."""
    state = result[0]
    return state == "ok" or (state in codes if codes else state.startswith("AC"))


def same_json(a: Any, b: Any) -> bool:
    """JSON equality with numbers compared as numbers (1 == 1.0), booleans never as numbers."""
    if isinstance(a, Raw) or isinstance(b, Raw):
        return str(a) == str(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        try:
            return float(a) == float(b)
        except OverflowError:
            return Decimal(str(a)) == Decimal(str(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(same_json, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def compiles_linearly(conn: psycopg.Connection[Any], rule: Any) -> None:
    """The compiled SQL grows in proportion to the rule (this bound is 3x the largest ratio seen
    on well-formed rules, plus 64 KiB), so planning and running it stay in proportion too."""
    compiled = outcome(conn, "select length(aicrm_private.jl_compile(%s, '$1'))", (Jsonb(rule),))
    if compiled[0] == "ok":
        size = len(json.dumps(rule))
        assert compiled[1] <= 100 * size + 65536, f"{size} bytes of rule compile to {compiled[1]} of SQL: {short(rule)}"
    else:
        assert clear(compiled), f"compiling: {describe(compiled)} for {short(rule)}"


def truthy(value: Any) -> bool:
    """JSON Logic's truthiness: false, null, 0, "" and [] are falsy."""
    if isinstance(value, bool | int | float):
        return bool(value)
    return value not in (None, "", [])


def evaluate(conn: psycopg.Connection[Any], rule: Any, data: Any, after: Check = lambda conn: None) -> None:
    """The interpreter, the compiled value and the compiled condition (what decisions run) each
    return or raise an aicrm error; the values agree, and the condition is the value's truthiness."""
    compiles_linearly(conn, rule)  # first: SQL that grew exponentially could take gigabytes to plan
    results = []
    for path in (*PATHS, CONDITION):
        results.append(outcome(conn, f"select {path}(%s, %s)", (Jsonb(rule), as_jsonb(data))))
        after(conn)
        assert clear(results[-1]), f"{path}: {describe(results[-1])} for {short(rule)} on {short(data)}"
    (interpreted, a), (compiled, b), (condition, holds) = results
    if interpreted == compiled == "ok":
        assert same_json(a, b), f"paths disagree: {short(a)} and {short(b)} for {short(rule)} on {short(data)}"
    if interpreted == condition == "ok":
        assert holds is truthy(a), (
            f"the condition is {holds} but the value {short(a)}, for {short(rule)} on {short(data)}"
        )


def save_and_decide(conn: psycopg.Connection[Any], rule: Any, data: Any, after: Check = lambda conn: None) -> None:
    """Saving refuses a rule with an aicrm error naming the JSON path of the problem, or saves it;
    a saved rule then takes part in a decision, which is made or refused with an aicrm error."""
    # The first rule a decision evaluates: escalation, priority 0 (the default rules' are 10 and up).
    doc = {"name": "fuzzed", "category": "escalation", "priority": 0, "condition": rule, "action": {"type": "escalate"}}
    context = data if isinstance(data, dict | Raw) else {"data": data}
    with conn.transaction(force_rollback=True):
        saved = outcome(conn, "select aicrm.upsert_decision_rule(%s)", (Jsonb(doc),))
        after(conn)
        assert clear(saved, AC_SAVE), f"save: {describe(saved)} for {short(rule)}"
        if saved[0] != "ok":
            assert saved[1].diag.column_name, f"save: {describe(saved)} names no path, for {short(rule)}"
            return
        decided = outcome(conn, "select aicrm.evaluate_decision(%s)", (as_jsonb(context),))
        after(conn)
        assert clear(decided), f"decision: {describe(decided)} with saved rule {short(rule)} on {short(context)}"


def assert_alive(conn: psycopg.Connection[Any], pid: int) -> None:
    """No backend crashed: the connection answers, from the same server process."""
    assert conn.execute("select 1").fetchone() == (1,)
    assert conn.info.backend_pid == pid


@pytest.fixture
def tenant(db: psycopg.Connection[Any], tenant: str) -> str:
    """The shared tenant, in a session set for fuzzing. The engine's own budgets (they count work:
    nodes, items, sizes) must refuse hostile input with an AC error; the statement timeout is only a
    backstop that stops a runaway test, generous enough that a busy machine never reaches it."""
    db.execute("set local statement_timeout = '120s'")
    set_json_loads(loads, db)
    return tenant


@pytest.fixture
def app(db: psycopg.Connection[Any], tenant: str) -> Iterator[psycopg.Connection[Any]]:
    with act_as(db, tenant):
        yield db


def test_well_formed_rules_agree_on_every_path_or_fail_clearly(app: psycopg.Connection[Any]) -> None:
    pid = app.info.backend_pid

    @settings(FUZZ, max_examples=300)
    @given(rule=well_formed, data=contexts)
    def check(rule: Any, data: Any) -> None:
        evaluate(app, rule, data)

    check()
    assert_alive(app, pid)


def evaluated_or_refused(conn: psycopg.Connection[Any], cases: st.SearchStrategy[tuple[Any, Any]], n: int) -> None:
    """Each (rule, data) evaluates or fails clearly on every path, and saves and decides the same."""
    pid = conn.info.backend_pid

    @settings(FUZZ, max_examples=n)
    @given(case=cases)
    def check(case: tuple[Any, Any]) -> None:
        rule, data = case
        evaluate(conn, rule, data)
        save_and_decide(conn, rule, data)

    check()
    assert_alive(conn, pid)


def test_hostile_rules_are_evaluated_or_refused_by_the_engines_budgets(app: psycopg.Connection[Any]) -> None:
    evaluated_or_refused(app, adversarial, 200)


def test_large_rules_and_data_are_evaluated_or_refused_by_the_engines_budgets(app: psycopg.Connection[Any]) -> None:
    evaluated_or_refused(app, large, 8)


# What the properties found, each kept by name (the properties stop at their first failure).
FOUND = [
    pytest.param({"var": 10**400}, {}, id="json-number-beyond-a-double"),
    pytest.param({">": [{"var": "a"}, 1]}, {"a": 10**400}, id="data-number-beyond-a-double"),
    pytest.param({"==": ["1e400", 1]}, {}, id="numeric-string-beyond-a-double"),
    pytest.param({"+": [1e308, 1e308]}, {}, id="overflow"),
    pytest.param({"*": [1e-200, 1e-200]}, {}, id="underflow"),
    pytest.param({">": [1e308, -1e308]}, {}, id="comparison-of-far-apart-numbers"),
    pytest.param({"substr": ["abc", 1e20]}, {}, id="substr-beyond-an-integer"),
    pytest.param({"if": [{"var": "a"}, {"*": [1e300, 1e300]}, False]}, {}, id="error-in-a-branch-not-taken"),
    pytest.param({"cat": [{"var": "a"}]}, deep(1000), id="data-nested-1000-deep"),
    pytest.param(chain(["and"] * 10, {"var": "a"}, True), {}, id="compiled-sql-doubles-per-and"),
    pytest.param(chain(["<="] * 10, {"var": "a"}, True), {}, id="compiled-sql-doubles-per-between"),
    pytest.param(chain(["missing"] * 8, {"var": "a"}, True), {}, id="compiled-sql-triples-per-missing"),
    pytest.param({"map": [{"var": "xs"}, {"var": ""}]}, {"xs": list(range(40_000))}, id="interpreted-map-40k-items"),
    pytest.param(
        loop("reduce", {"var": "xs"}, {"+": [{"var": "accumulator"}, {"*": [{"var": "current"}, 2]}, {"-": [1, 2]}]}),
        {"xs": list(range(40_000))},
        id="loop-budget-counts-items-not-work",
    ),
    pytest.param(
        loop("reduce", {"var": "xs"}, {"merge": [{"var": "accumulator"}] * 2}, [1]),
        {"xs": [1] * 30},
        id="doubling-value",
    ),
    pytest.param(None, {}, id="null-condition"),
]


@pytest.mark.parametrize(("rule", "data"), FOUND)
def test_rules_the_properties_found(app: psycopg.Connection[Any], rule: Any, data: Any) -> None:
    evaluate(app, rule, data)
    save_and_decide(app, rule, data)


def untouched(conn: psycopg.Connection[Any]) -> None:
    """Nothing a rule's strings say was run: the table is there and the canary setting unset."""
    row = conn.execute("select to_regclass('aicrm.tenants')::text, current_setting('aicrm.pwned', true)").fetchone()
    assert row is not None
    assert row[0] == "aicrm.tenants"
    assert row[1] in (None, "")


def test_strings_in_a_rule_never_run_as_sql(db: psycopg.Connection[Any], tenant: str) -> None:
    # As the superuser, not the application role, so an injected DROP would succeed.
    db.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
    pid = db.info.backend_pid

    @settings(FUZZ, max_examples=150)
    @given(rule=injected, data=st.dictionaries(injections | st.sampled_from(KEYS), injections | json_data, max_size=4))
    def check(rule: Any, data: Any) -> None:
        evaluate(db, rule, data, untouched)
        tested = outcome(db, "select aicrm.test_rule(%s, %s)", (Jsonb(rule), as_jsonb(data)))
        untouched(db)
        assert clear(tested), f"test_rule: {describe(tested)} for {short(rule)} on {short(data)}"
        save_and_decide(db, rule, data, untouched)

    check()
    untouched(db)
    assert_alive(db, pid)
