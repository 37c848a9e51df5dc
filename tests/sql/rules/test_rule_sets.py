"""A tenant's rules compiled into one statement: the compiler's fast paths agree with the interpreter,
the compiled set is kept until a rule or setting changes, and a session that lost its prepared
statements (psycopg sends DEALLOCATE ALL after a ROLLBACK) still decides."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tests.factories import committed, make_tenant
from tests.helpers import act_as, sql_error

# The shapes the compiler writes without calling a function (a literal var path, equality with a
# string, membership with a literal side, between), each on data that takes the fast path and data
# that must fall back to JavaScript's conversions.
FAST_PATHS = [
    {"var": "a.b"},
    {"var": ["a.b", 7]},
    {"var": "list.1"},
    {"==": [{"var": "x"}, "1"]},
    {"==": ["sms", {"var": "x"}]},
    {"!=": [{"var": "x"}, "sms"]},
    {"===": [{"var": "x"}, "1"]},
    {"!==": [{"var": "x"}, "sms"]},
    {"in": [{"var": "x"}, ["sms", "email", "1"]]},
    {"in": ["ms", {"var": "x"}]},
    {"in": ["sms", {"var": "x"}]},
    {"<=": [1, {"var": "x"}, 3]},
    {"<": [{"var": "lo"}, {"var": "x"}, 3]},
    {"<": [{"var": "x"}, 2]},
]
DATA = [
    {},
    {"x": "sms"},
    {"x": "1"},
    {"x": 1},
    {"x": 1.0},
    {"x": 2},
    {"x": 3},
    {"x": "2"},
    {"x": True},
    {"x": None},
    {"x": ["sms"]},
    {"x": [["sms"]]},
    {"x": {"sms": 1}},
    {"x": "a sms b"},
    {"x": 123456789012345678901234567890},
    {"x": 1e300, "lo": -1e300},
    {"a": {"b": 0}, "list": [1, 2]},
    {"a": {"b": ""}, "list": ["x"]},
    {"a": [1], "list": {"1": 5}},
]


def test_the_compilers_fast_paths_agree_with_the_interpreter(db: psycopg.Connection[Any]) -> None:
    disagreements = []
    for rule in FAST_PATHS:
        for data in DATA:
            row = db.execute(
                "select aicrm_private.jl_truthy(aicrm.jsonlogic_apply(%(r)s, %(d)s)),"
                " aicrm_private.jl_condition_holds(%(r)s, %(d)s), aicrm.jsonlogic_apply(%(r)s, %(d)s),"
                " aicrm_private.jl_apply_compiled(%(r)s, %(d)s)",
                {"r": Jsonb(rule), "d": Jsonb(data)},
            ).fetchone()
            assert row is not None
            if row[0] != row[1] or row[2] != row[3]:
                disagreements.append(f"{rule} on {data}: interpreter {row[0]}/{row[2]!r}, compiled {row[1]}/{row[3]!r}")
    assert disagreements == []


def test_the_fast_paths_call_no_function_for_a_typical_rule(db: psycopg.Connection[Any]) -> None:
    """The point of the fast paths: a channel check, a membership test and a between compile to
    operators on the context, not to calls (each call was a few microseconds of every decision)."""
    rule = {
        "and": [
            {"==": [{"var": "task.channel"}, "sms"]},
            {"in": [{"var": "customer.industry"}, ["finance", "legal"]]},
            {"in": ["pricing", {"var": ["quality.topics", []]}]},
        ]
    }
    row = db.execute("select aicrm_private.jl_compile_condition(%s, '$1')", (Jsonb(rule),)).fetchone()
    assert row is not None
    fast_path = row[0].split(" else ")[0]
    assert "jl_in(" not in row[0]
    assert "jl_var(" not in row[0]
    assert "jl_loose_equal" not in fast_path


def rule_set(db: psycopg.Connection[Any]) -> tuple[str, int] | None:
    row = db.execute(
        "select statement_name, xmin::text::bigint from aicrm_private.decision_rule_sets where statement is not null"
    ).fetchone()
    return (row[0], row[1]) if row else None


def decide(db: psycopg.Connection[Any], context: dict[str, Any]) -> dict[str, Any]:
    row = db.execute("select aicrm.evaluate_decision(%s)", (Jsonb(context),)).fetchone()
    assert row is not None
    return dict(row[0])


SEED = Path(__file__).resolve().parents[3] / "sql" / "seeds" / "defaults" / "0011_decision_rule_sets.sql"
GOOD = {"quality": {"overall": 90, "confidence": 0.9, "violations": {"critical": 0, "major": 0, "minor": 0}},
        "task": {"attempts": 1, "failures": 0, "channel": "email"}}  # fmt: skip


ESCALATE_ALL = {"name": "Escalate everything", "category": "escalation", "priority": 1, "condition": True,
                "action": {"type": "escalate"}}  # fmt: skip


def test_the_compiled_set_is_kept_until_a_rule_or_setting_changes(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        assert rule_set(db) is None
        assert decide(db, GOOD)["action"]["type"] == "approve"
        first = rule_set(db)
        assert first is not None
        decide(db, GOOD)
        assert rule_set(db) == first  # not compiled again

        db.execute("select aicrm.set_decision_setting('approve_min_quality', '95')")
        assert rule_set(db) is None  # a setting changed: compiled again by the next decision
        assert decide(db, GOOD)["action"]["type"] != "approve"
        second = rule_set(db)
        assert second is not None
        assert second[0] == first[0]  # the same statement: the settings are in the context

        db.execute("select aicrm.upsert_decision_rule(%s)", (Jsonb(ESCALATE_ALL),))
        assert rule_set(db) is None
        assert decide(db, GOOD)["rule"]["name"] == "Escalate everything"


def test_a_session_that_lost_its_prepared_statements_still_decides(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        assert decide(db, GOOD)["action"]["type"] == "approve"
        prepared = db.execute("select count(*) from pg_prepared_statements where name like 'aicrm\\_%'").fetchone()
        assert prepared is not None
        assert prepared[0] >= 2  # the rule set and the deciding rule's trace
        db.execute("deallocate all")
        again = decide(db, GOOD)
    assert again["action"]["type"] == "approve"
    assert again["trace"] != []


def test_a_decision_replays_the_rules_before_the_one_that_decided(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        decision = decide(db, GOOD)
        db.execute("select aicrm.upsert_decision_rule(%s)", (Jsonb(ESCALATE_ALL),))
    with act_as(db, tenant, "aicrm_readonly"):
        row = db.execute("select aicrm.trace_decision(%s)", (decision["decision_id"],)).fetchone()
    assert row is not None
    replay = row[0]
    # The eight default rules as they were: the rule added afterwards is not among them.
    assert [r["category"] for r in replay["rules"]] == ["escalation"] * 5 + ["retry"] * 2 + ["approval"]
    assert [r["holds"] for r in replay["rules"]] == [False] * 7 + [True]
    assert replay["rules"][-1]["rule_id"] == decision["rule"]["rule_id"]
    assert replay["replay_agrees"] is True
    assert all(r["trace"] for r in replay["rules"])  # every rule in scope shows its values
    first = replay["rules"][0]["trace"]
    assert any(node["value"] == 0 for node in first)  # quality.violations.critical read from the context


def test_tracing_an_unknown_decision_names_the_field(db: psycopg.Connection[Any], tenant: str) -> None:
    """(Another tenant's decision is refused alike: tests/rls/test_isolation.py.)"""
    with act_as(db, tenant):
        error = sql_error(db, "select aicrm.trace_decision(%s)", (str(uuid.uuid4()),))
    assert error.sqlstate == "AC002"
    assert error.diag.column_name == "decision_id"


def test_a_compile_that_raced_a_rule_change_is_not_kept(db_url: str) -> None:
    """A decision compiles the set while a rule change is uncommitted: it decides by the rules it
    saw, but its compile is not stored (the change bumped the set's generation), so the next
    decision compiles again and sees the change. With a compile stored regardless, the stale set
    would decide until the next change."""
    tenant = committed(db_url, lambda conn: make_tenant(conn, "Racing"))
    with psycopg.connect(db_url, autocommit=True) as app, psycopg.connect(db_url) as editor:
        for conn in (app, editor):
            conn.execute("set role aicrm_app")
            conn.execute("select set_config('aicrm.tenant_id', %s, false)", (tenant,))
        app.execute("select aicrm.set_decision_setting('max_attempts', '4')")  # the set is to be compiled
        editor.execute("select aicrm.upsert_decision_rule(%s)", (Jsonb(ESCALATE_ALL),))  # not committed yet
        decided: list[dict[str, Any]] = []
        racer = threading.Thread(target=lambda: decided.append(decide(app, GOOD)))
        racer.start()
        # The racer compiles from the rules it sees, then waits on the row the change holds.
        with psycopg.connect(db_url, autocommit=True) as watch:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and watch.execute(
                "select wait_event_type is distinct from 'Lock' from pg_stat_activity where pid = %s",
                (app.info.backend_pid,),
            ).fetchone() == (True,):
                time.sleep(0.05)
        editor.commit()
        racer.join(timeout=60)
        assert not racer.is_alive()
        assert decided[0]["action"]["type"] == "approve"  # the rules as they were when it began
        assert decide(app, GOOD)["rule"]["name"] == "Escalate everything"


def test_every_migrate_empties_every_tenants_compiled_set(db: psycopg.Connection[Any]) -> None:
    """The compiler may have changed: the seed run by every migrate (as the owner, no tenant set)
    empties the sets of all tenants, and each tenant's next decision compiles its own again."""
    tenants = [make_tenant(db, name) for name in ("a", "b")]
    for tenant in tenants:
        with act_as(db, tenant):
            decide(db, GOOD)
    assert db.execute("select count(*) from aicrm_private.decision_rule_sets").fetchone() == (2,)
    db.execute("set local role aicrm_owner")
    db.execute(SEED.read_text())
    db.execute("reset role")
    assert db.execute("select count(*) from aicrm_private.decision_rule_sets").fetchone() == (0,)
