"""What overrides the bandit's rewards (docs/learning.md, "Selection"): selection rules pin or exclude
arms (their action checked when saved, naming the field); people's reviews pause an arm they keep
rejecting although its clicks are high; the sample-ratio check flags arms delivered out of the
shares the chooser intended."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tests.helpers import act_as, call, refused
from tests.sql.learning.selection import (
    PROMO,
    arms,
    brief_choice,
    choices,
    deliver,
    delivered_task,
    promo_template,
    settings,
)
from tests.tasks import create_task

Conn = psycopg.Connection[Any]
UPSERT = "select aicrm.upsert_decision_rule(%s)"


def selection_rule(db: Conn, tenant: str, name: str, params: dict[str, Any], condition: Any = True) -> str:
    rule = {"name": name, "category": "selection", "priority": 10, "condition": condition,
            "action": {"type": "select", "params": params}}  # fmt: skip
    return str(call(db, tenant, UPSERT, (Jsonb(rule),), "aicrm_app")["rule_id"])


def test_a_pin_rule_takes_its_arm(db: Conn, tenant: str, customer: str) -> None:
    template = promo_template(db, tenant, {"a": 50, "b": 50, "c": 0})
    selection_rule(db, tenant, "Pin c for promotions", {"pin": {"template_id": template, "variant": "c"}},
                   {"==": [{"var": "task.purpose"}, "promotion"]})  # fmt: skip
    seen = choices(db, tenant, customer, 15)
    assert seen == {"c": 15, "reason:pinned": 15}
    task = create_task(db, tenant, customer, instructions=PROMO)
    chosen = brief_choice(db, tenant, task)
    assert chosen["variant"] == "c"
    assert chosen["chosen"].startswith("pinned: pinned by the selection rule Pin c for promotions")
    row = db.execute("select rules from aicrm.selection_choices where task_id = %s", (task,)).fetchone()
    assert row is not None
    assert row[0][0]["pin"] == {"template_id": template, "variant": "c"}


def test_a_rule_whose_condition_fails_changes_nothing(db: Conn, tenant: str, customer: str) -> None:
    template = promo_template(db, tenant, {"a": 50, "b": 50})
    selection_rule(db, tenant, "Pin b for SMS", {"pin": {"template_id": template, "variant": "b"}},
                   {"==": [{"var": "task.channel"}, "sms"]})  # fmt: skip
    seen = choices(db, tenant, customer, 40)
    assert seen["reason:pinned"] == 0
    assert seen["a"] > 5
    assert seen["b"] > 5


def test_an_exclude_rule_keeps_its_arms_out(db: Conn, tenant: str, customer: str) -> None:
    template = promo_template(db, tenant, {"a": 50, "b": 25, "c": 25})
    selection_rule(db, tenant, "Never c", {"exclude": [{"template_id": template, "variant": "c"}]})
    seen = choices(db, tenant, customer, 60)
    assert seen["c"] == 0  # not even the floor takes it
    assert seen["a"] > 0
    assert seen["b"] > 0
    # excluding b too leaves one arm: it, because of the rules
    selection_rule(db, tenant, "Never b", {"exclude": [{"template_id": template, "variant": "b"}]})
    assert choices(db, tenant, customer, 3) == {"a": 3, "reason:excluded": 3}
    # excluding the whole template leaves none: no template in the brief, and the choice says why
    selection_rule(db, tenant, "Not this template", {"exclude": [{"template_id": template}]})
    task = create_task(db, tenant, customer, instructions=PROMO)
    brief = call(db, tenant, "select aicrm.get_draft_brief(%s)", (task,))
    assert "template" not in brief
    row = db.execute("select arm, reason from aicrm.selection_choices where task_id = %s", (task,)).fetchone()
    assert row == (None, "excluded")


def test_a_selection_rule_is_checked_when_saved(db: Conn, tenant: str) -> None:
    def rule(params: Any, action_type: str = "select") -> dict[str, Any]:
        return {"name": "Bad", "category": "selection", "condition": True,
                "action": {"type": action_type, "params": params}}  # fmt: skip

    tid = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
    bad = [
        (rule({"pin": {"variant": "a"}}), "action.params.pin.template_id"),
        (rule({"pin": {"template_id": "not-a-uuid"}}), "action.params.pin.template_id"),
        (rule({"exclude": []}), "action.params.exclude"),
        (rule({"pin": {"template_id": tid}, "exclude": [{"template_id": tid}]}), "action.params"),
        (rule({}), "action.params"),
        (rule({"pin": {"template_id": tid}}, "approve"), "action.type"),
        (rule({"pin": {"template_id": tid}, "boost": 2}), "action.params.boost"),
    ]
    for body, field in bad:
        assert refused(db, tenant, UPSERT, (Jsonb(body),), "aicrm_app") == ("AC001", field), body
    with act_as(db, tenant):
        assert db.execute("select count(*) from aicrm.ai_decision_rules where name = 'Bad'").fetchone() == (0,)
    assert call(db, tenant, UPSERT, (Jsonb(rule({"pin": {"template_id": tid, "variant": None}})),), "aicrm_app")


def test_an_arm_people_reject_is_paused_although_its_clicks_are_high(db: Conn, tenant: str, customer: str) -> None:
    template = promo_template(db, tenant)
    settings(db, tenant, min_sends=100, min_reviews=3, max_rejection_rate=0.5)
    pin_a = selection_rule(db, tenant, "Pin a", {"pin": {"template_id": template, "variant": "a"}})
    # a: sent and clicked five times more than b, but people reject most of its drafts
    for _ in range(2):
        delivered_task(db, tenant, customer, delivered=1000, clicks=150)
    for _ in range(3):
        delivered_task(db, tenant, customer, delivered=0, clicks=0, decision="reject")
    call(db, tenant, "select aicrm.upsert_decision_rule(%s, %s)", (Jsonb({"active": False}), pin_a), "aicrm_app")
    pin_b = selection_rule(db, tenant, "Pin b", {"pin": {"template_id": template, "variant": "b"}})
    for _ in range(2):
        delivered_task(db, tenant, customer, delivered=1000, clicks=30)
    call(db, tenant, "select aicrm.upsert_decision_rule(%s, %s)", (Jsonb({"active": False}), pin_b), "aicrm_app")
    state = arms(db, tenant)
    assert state["a"]["reward_rate"] > 4 * state["b"]["reward_rate"]
    assert (state["a"]["reviews"], state["a"]["rejections"]) == (5, 3)
    assert state["a"]["paused"]
    assert "3 of 5" in state["a"]["paused_why"]
    assert not state["b"]["paused"]
    seen = choices(db, tenant, customer, 30)
    assert seen["a"] == 0  # paused: neither the rewards nor the floor bring it back
    assert seen["b"] == 30
    row = db.execute(
        "select arms from aicrm.selection_choices where tenant_id = %s order by created_at desc limit 1", (tenant,)
    ).fetchone()
    assert row is not None
    paused = {x["variant"]: x for x in row[0]}["a"]
    assert paused["paused"]
    assert paused["probability"] == 0
    assert not paused["eligible"]


def test_the_sample_ratio_check_flags_arms_delivered_out_of_their_shares(db: Conn, tenant: str, customer: str) -> None:
    promo_template(db, tenant)
    settings(db, tenant, floor=0, srm_min_deliveries=4, srm_p_value=0.05)
    chosen = {}
    for _ in range(24):
        task = create_task(db, tenant, customer, instructions=PROMO)
        chosen[task] = brief_choice(db, tenant, task)["variant"]
    assert 4 <= list(chosen.values()).count("a") <= 20  # the weights: half and half
    # b's tasks are all cancelled: only a's drafts get out
    for task, variant in chosen.items():
        if variant == "b":
            call(db, tenant, "select aicrm.transition_task_state(%s, 'cancelled', 'ana@agency')", (task,), "aicrm_app")
    before = arms(db, tenant)
    assert not before["a"]["srm_flag"]  # nothing delivered yet
    for task, variant in chosen.items():
        if variant == "a":
            deliver(db, tenant, task, delivered=100, clicks=5)
    state = arms(db, tenant)
    assert state["a"]["srm_counts"]["observed"] == list(chosen.values()).count("a")
    assert state["b"]["srm_counts"]["observed"] == 0
    assert state["b"]["srm_counts"]["expected"] >= 2
    assert state["a"]["srm_flag"]
    assert state["b"]["srm_flag"]
    assert state["a"]["srm_p_value"] < 0.05
