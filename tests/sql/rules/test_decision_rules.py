"""The decision engine: rules humans set, evaluated by the database, explained and recorded."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import make_customer, make_tenant
from tests.helpers import act_as, sql_error

GOOD = {
    "quality": {"overall": 86, "confidence": 0.82, "violations": {"critical": 0, "major": 0, "minor": 1}},
    "task": {"attempts": 1, "failures": 0, "channel": "email", "task_type": "email"},
}


def ctx(**changes: Any) -> dict[str, Any]:
    """GOOD with nested changes: ctx(quality={"overall": 50}) keeps the other quality fields."""
    out = {k: dict(v) for k, v in GOOD.items()}
    for key, value in changes.items():
        if isinstance(value, dict) and key in out:
            out[key].update(value)
        else:
            out[key] = value
    return out


def decide(conn: psycopg.Connection[Any], context: dict[str, Any]) -> dict[str, Any]:
    row = conn.execute("select aicrm.evaluate_decision(%s)", (Jsonb(context),)).fetchone()
    assert row is not None
    return dict(row[0])


def test_a_new_tenant_starts_with_the_default_rules_and_settings(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        rules = db.execute("select category, priority, version from aicrm.get_decision_rules()").fetchall()
        settings = db.execute("select aicrm.get_decision_settings()").fetchone()
    assert [r[0] for r in rules] == [
        *["escalation"] * 5,
        "retry",
        "retry",
        "approval",
    ]
    assert {r[2] for r in rules} == {1}
    assert settings == (
        {
            "approve_min_quality": 75,
            "approve_min_confidence": 0.7,
            "max_attempts": 3,
            "escalate_after_failures": 3,
            "stuck_after_minutes": {"gathering_context": 15, "generating": 30, "evaluating": 15},
            "metrics_window_hours": {"email": 168, "social": 168, "sms": 48, "blog": 720, "web": 720},
            "target_review_rate": 0.15,
            "quality_weights": {
                "readability": 0.10,
                "sentiment": 0.10,
                "brand_alignment": 0.15,
                "compliance": 0.20,
                "structure": 0.15,
                "brief": 0.15,
                "accuracy": 0.10,
                "fluency": 0.05,
            },
            "selection": {
                "top_two_beta": 0.5,
                "floor": 0.01,
                "min_sends": 100,
                "prior_strength": 50,
                "prior_mean": 0.02,
                "min_reviews": 5,
                "max_rejection_rate": 0.5,
                "stop_confidence": 0.95,
                "stop_min_gain": 0.01,
                "simulations": 100,
                "srm_period_days": 7,
                "srm_p_value": 0.001,
                "srm_min_deliveries": 30,
                "seed": "",
            },
            # spot checks are off until a tenant turns them on (docs/learning.md, "Spot checks")
            "spot_check": {"share": 0, "by": "segment", "limit": 0.02},
        },
    )


@pytest.mark.parametrize(
    ("context", "action", "category"),
    [
        (GOOD, "approve", "approval"),
        (ctx(quality={"overall": 60}), "retry", "retry"),
        (ctx(quality={"violations": {"critical": 0, "major": 1}}), "retry", "retry"),
        (ctx(quality={"violations": {"critical": 1, "major": 0}}), "escalate", "escalation"),
        (ctx(task={"failures": 3}), "escalate", "escalation"),
        (ctx(quality={"overall": 60}, task={"attempts": 3}), "review", "review"),  # no attempts left
        (ctx(quality={"confidence": 0.5}), "review", "review"),  # good but not sure enough
        ({}, "review", "review"),  # nothing known: a human decides
    ],
)
def test_the_default_rules_decide(
    db: psycopg.Connection[Any], tenant: str, context: dict[str, Any], action: str, category: str
) -> None:
    with act_as(db, tenant):
        result = decide(db, context)
    assert result["action"]["type"] == action
    assert result["category"] == category
    # What happens first, in words ("Approved", "Sent back for a rewrite", ...), then why, then
    # the rule that decided (none: "none of N ... rules matched").
    opening = {
        "approve": "Approved",
        "retry": "Sent back for a rewrite",
        "escalate": "Escalated",
        "review": "Sent to review",
    }
    assert result["explanation"].startswith(opening[action])
    if result["rule"] is not None:
        assert result["explanation"].endswith(
            f"Rule '{result['rule']['name']}' (v1, {category}, priority {result['rule']['priority']})."
        )
    else:
        assert "rules matched, so a person decides" in result["explanation"]
    if category == "review":
        assert result["rule"] is None
    else:
        assert result["rule"]["version"] == 1
        assert result["trace"][0]["path"] == "condition"
        assert result["trace"][0]["value"] is True


def test_a_decision_is_recorded_with_its_inputs_rule_and_trace(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        result = decide(db, ctx(task={"task_id": "00000000-0000-4000-8000-000000000042"}))
        row = db.execute(
            "select action, rule_id, rule_version, context, trace, task_id::text, confidence "
            "from aicrm.ai_decisions where decision_id = %s",
            (result["decision_id"],),
        ).fetchone()
    assert row is not None
    assert row[0]["type"] == "approve"
    assert str(row[1]) == result["rule"]["rule_id"]
    assert row[2] == 1
    assert row[3]["quality"]["overall"] == 86
    assert row[4] == result["trace"]
    assert row[5] == "00000000-0000-4000-8000-000000000042"
    assert float(row[6]) == 0.82
    # Every traced operation has its value: the approval rule's four comparisons and their inputs.
    values = {t["path"]: t["value"] for t in result["trace"]}
    assert values["condition.and[0]"] is True
    assert values["condition.and[0].>=[0]"] == 86
    assert values["condition.and[0].>=[1]"] == 75


def test_the_caller_cannot_choose_its_own_thresholds(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        result = decide(
            db,
            ctx(
                quality={"overall": 40},
                task={"attempts": 3},
                settings={"approve_min_quality": 0, "approve_min_confidence": 0},
            ),
        )
    assert result["action"]["type"] == "review"
    assert result["inputs"]["settings"]["approve_min_quality"] == 75


def test_tenant_settings_move_the_thresholds(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        db.execute("select aicrm.set_decision_setting('approve_min_quality', '90')")
        assert decide(db, GOOD)["action"]["type"] == "retry"
        err = sql_error(db, "select aicrm.set_decision_setting('approve_min_quality', '150')")
        assert (err.sqlstate, err.diag.column_name) == ("AC001", "approve_min_quality")
        err = sql_error(db, "select aicrm.set_decision_setting('approve_min_qualty', '80')")
        assert (err.sqlstate, err.diag.column_name) == ("AC001", "approve_min_qualty")


def test_rules_are_checked_when_saved_naming_the_path(db: psycopg.Connection[Any], tenant: str) -> None:
    base = {"name": "Mine", "category": "approval", "action": {"type": "approve"}}
    cases = [
        ({"and": [True, {"eval": ["x"]}]}, "AC010", "condition.and[1]"),
        ({"map": [[1], {"map": [[1], {"map": [[1], 1]}]}]}, "AC011", "condition.map[1].map[1]"),
        ({"cat": ["x" * 17000]}, "AC011", "condition"),
    ]
    with act_as(db, tenant):
        for condition, sqlstate, path in cases:
            err = sql_error(db, "select aicrm.upsert_decision_rule(%s)", (Jsonb({**base, "condition": condition}),))
            assert (err.sqlstate, err.diag.column_name) == (sqlstate, path)
        err = sql_error(
            db,
            "select aicrm.upsert_decision_rule(%s)",
            (Jsonb({**base, "condition": True, "action": {"type": "publish"}}),),
        )
        assert (err.sqlstate, err.diag.column_name) == ("AC001", "action.type")
        err = sql_error(db, "select aicrm.upsert_decision_rule(%s)", (Jsonb({"name": "x", "condition": True}),))
        assert (err.sqlstate, err.diag.column_name) == ("AC001", "category")
        # Direct table writes get the same checks.
        err = sql_error(
            db,
            "insert into aicrm.ai_decision_rules (name, category, condition, action) values ('d', 'retry', %s, %s)",
            (Jsonb({"exec": 1}), Jsonb({"type": "retry"})),
        )
        assert err.sqlstate == "AC010"
        count = db.execute("select count(*) from aicrm.ai_decision_rules").fetchone()
    assert count == (8,)


def test_a_change_keeps_the_old_version_and_takes_effect_at_once(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        rule = db.execute("select rule_id from aicrm.ai_decision_rules where category = 'approval'").fetchone()
        assert rule is not None
        assert decide(db, GOOD)["action"]["type"] == "approve"  # prepares the statement in this session
        changed = db.execute(
            "select aicrm.upsert_decision_rule(%s, %s)",
            (Jsonb({"condition": {">=": [{"var": "quality.overall"}, 95]}}), rule[0]),
        ).fetchone()
        assert changed is not None
        assert (changed[0]["version"], changed[0]["changed"]) == (2, True)
        after = decide(db, GOOD)
        assert after["action"]["type"] == "review"
        history = db.execute(
            "select version, operation, rule -> 'condition' from aicrm.ai_decision_rule_versions "
            "where rule_id = %s order by version",
            (rule[0],),
        ).fetchall()
        audit = db.execute(
            "select count(*) from aicrm.audit_log where table_name = 'ai_decision_rules' and operation = 'update'"
        ).fetchone()
        same = db.execute(
            "select aicrm.upsert_decision_rule(%s, %s)",
            (Jsonb({"condition": {">=": [{"var": "quality.overall"}, 95]}}), rule[0]),
        ).fetchone()
    assert [(v, op) for v, op, _ in history] == [(1, "insert"), (2, "update")]
    assert history[0][2]["and"], "version 1 keeps the original condition"
    assert audit == (1,)
    assert same is not None
    assert (same[0]["version"], same[0]["changed"]) == (2, False)


def test_a_change_reaches_another_session_without_restart(db: psycopg.Connection[Any], db_url: str) -> None:
    tenant = make_tenant(db, "Agency")
    db.commit()
    with psycopg.connect(db_url) as other:
        with act_as(other, tenant):
            assert decide(other, GOOD)["action"]["type"] == "approve"
        other.commit()
        with act_as(db, tenant):
            db.execute(
                "select aicrm.upsert_decision_rule(%s)",
                (
                    Jsonb(
                        {
                            "name": "Escalate everything",
                            "category": "escalation",
                            "priority": 1,
                            "condition": True,
                            "action": {"type": "escalate"},
                        }
                    ),
                ),
            )
        db.commit()
        with act_as(other, tenant):
            assert decide(other, GOOD)["rule"]["name"] == "Escalate everything"


def test_scope_narrows_a_rule_to_a_channel_or_customer(db: psycopg.Connection[Any], tenant: str) -> None:
    customer = make_customer(db, tenant)
    with act_as(db, tenant):
        db.execute(
            "select aicrm.upsert_decision_rule(%s)",
            (
                Jsonb(
                    {
                        "name": "SMS always reviewed",
                        "category": "escalation",
                        "priority": 5,
                        "channel": "sms",
                        "condition": True,
                        "action": {"type": "review", "params": {"reason": "sms"}},
                    }
                ),
            ),
        )
        db.execute(
            "select aicrm.upsert_decision_rule(%s)",
            (
                Jsonb(
                    {
                        "name": "VIP customer",
                        "category": "escalation",
                        "priority": 6,
                        "customer_id": customer,
                        "condition": True,
                        "action": {"type": "escalate"},
                    }
                ),
            ),
        )
        assert decide(db, GOOD)["action"]["type"] == "approve"
        assert decide(db, ctx(task={"channel": "sms"}))["rule"]["name"] == "SMS always reviewed"
        assert decide(db, ctx(customer={"customer_id": customer}))["rule"]["name"] == "VIP customer"
        names = [
            r[0]
            for r in db.execute(
                "select name from aicrm.get_decision_rules(p_category => 'escalation', p_channel => 'sms')"
            ).fetchall()
        ]
        everywhere = [
            r[0] for r in db.execute("select name from aicrm.get_decision_rules(p_category => 'escalation')").fetchall()
        ]
    defaults = [
        "Send a profile gap to a person",
        "Send what no rewrite can fix to a person",
        "Escalate a critical compliance violation",
        "Escalate repeated failure",
        "Stop retrying when a rewrite changed nothing",
    ]
    assert names == ["SMS always reviewed", *defaults]
    assert everywhere == defaults


def test_one_tenants_rules_never_decide_for_another(db: psycopg.Connection[Any]) -> None:
    tenant_a, tenant_b = make_tenant(db, "A"), make_tenant(db, "B")
    with act_as(db, tenant_b):
        db.execute(
            "select aicrm.upsert_decision_rule(%s)",
            (
                Jsonb(
                    {
                        "name": "Reject all",
                        "category": "escalation",
                        "priority": 0,
                        "condition": True,
                        "action": {"type": "reject"},
                    }
                ),
            ),
        )
        assert decide(db, GOOD)["action"]["type"] == "reject"
    with act_as(db, tenant_a):
        assert decide(db, GOOD)["action"]["type"] == "approve"
        seen = db.execute("select count(*) from aicrm.ai_decisions").fetchone()
    assert seen == (1,)


def test_the_rule_tester_explains_and_stores_nothing(db: psycopg.Connection[Any], tenant: str) -> None:
    condition = {
        "and": [
            {">=": [{"var": "quality.overall"}, {"var": "settings.approve_min_quality"}]},
            {"in": [{"var": "task.channel"}, ["email", "sms"]]},
        ]
    }
    with act_as(db, tenant):
        before = db.execute("select count(*) from aicrm.ai_decisions").fetchone()
        row = db.execute("select aicrm.test_rule(%s, %s)", (Jsonb(condition), Jsonb(GOOD))).fetchone()
        after = db.execute("select count(*) from aicrm.ai_decisions").fetchone()
        err = sql_error(db, "select aicrm.test_rule(%s)", (Jsonb({"or": [{"sleep": 10}]}),))
    assert before == after
    assert row is not None
    result = row[0]
    assert (result["matches"], result["result"], result["compiled_result"], result["paths_agree"]) == (
        True,
        True,
        True,
        True,
    )
    assert [t["path"] for t in result["trace"]][:2] == ["condition", "condition.and[0]"]
    assert (err.sqlstate, err.diag.column_name) == ("AC010", "condition.or[0]")


def test_bad_context_is_refused_and_nothing_recorded(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        err = sql_error(db, "select aicrm.evaluate_decision('[1, 2]')")
        assert (err.sqlstate, err.diag.column_name) == ("AC001", "context")
        err = sql_error(db, "select aicrm.evaluate_decision(%s)", (Jsonb({"blob": "x" * 300_000}),))
        assert (err.sqlstate, err.diag.column_name) == ("AC001", "context")
        count = db.execute("select count(*) from aicrm.ai_decisions").fetchone()
    assert count == (0,)
    with act_as(db, None):
        assert sql_error(db, "select aicrm.evaluate_decision('{}')").sqlstate == "AC003"


def test_install_default_rules_adds_only_what_is_missing(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        db.execute("delete from aicrm.ai_decision_rules where category = 'retry'")
        added = db.execute("select aicrm.install_default_decision_rules()").fetchone()
        again = db.execute("select aicrm.install_default_decision_rules()").fetchone()
        deleted = db.execute(
            "select count(*) from aicrm.ai_decision_rule_versions where operation = 'delete'"
        ).fetchone()
    assert (added, again) == ((2,), (0,))
    assert deleted == (2,), "deleting a rule keeps its history"


def test_the_worker_may_decide_but_not_change_rules(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant, "aicrm_worker"):
        assert decide(db, GOOD)["action"]["type"] == "approve"
        err = sql_error(db, "update aicrm.ai_decision_rules set priority = 0")
        assert err.sqlstate == "42501"
        err = sql_error(db, "delete from aicrm.ai_decisions")
        assert err.sqlstate == "42501"
