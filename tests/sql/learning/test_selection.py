"""Selection that learns (docs/learning.md, "Selection"): the template and variant a draft starts
from is chosen by a bandit, recorded once per task attempt and reproducible from its seed; cold
start follows the template's weights, the floor keeps every arm alive, after enough sends the
better arm gets most of the traffic, and the stop rule stops exploring when nothing is left to
gain."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import make_customer
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


def choice_rows(db: Conn, task: str) -> list[dict[str, Any]]:
    cur = db.execute("select * from aicrm.selection_choices where task_id = %s order by attempt", (task,))
    names = [c.name for c in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_a_brief_records_its_choice_once_per_attempt(db: Conn, tenant: str, customer: str) -> None:
    template = promo_template(db, tenant)
    settings(db, tenant, floor=0)  # (else the floor's 2% could take this one)
    task = create_task(db, tenant, customer, instructions=PROMO)
    first = brief_choice(db, tenant, task)
    assert first["template_id"] == template
    assert first["variant"] in ("a", "b")
    assert first["subject"].startswith(first["variant"].upper() + ": spring at Sunrise Bakery")
    assert first["selection"]["reason"] == "cold"
    assert first["selection"]["seed"] == f":{task}:1"
    # read again (by another role): the same choice, recorded once
    assert brief_choice(db, tenant, task, "aicrm_readonly") == first
    rows = choice_rows(db, task)
    assert len(rows) == 1
    row = rows[0]
    assert (row["attempt"], row["variant"], row["reason"]) == (1, first["variant"], "cold")
    assert {a["arm"] for a in row["arms"]} == {f"{template}:a", f"{template}:b"}
    assert all({"alpha", "beta", "sends", "probability", "paused"} <= a.keys() for a in row["arms"])
    assert sum(a["probability"] for a in row["arms"]) == pytest.approx(1)


def test_a_choice_is_reproducible_from_its_seed(db: Conn, tenant: str, customer: str) -> None:
    promo_template(db, tenant, {"a": 30, "b": 30, "c": 40})
    tasks = [create_task(db, tenant, customer, instructions=PROMO) for _ in range(6)]
    first = [brief_choice(db, tenant, t) for t in tasks]
    recorded = [choice_rows(db, t)[0] for t in tasks]
    # forget the choices: the same seeds draw the same arms with the same draws
    db.execute("delete from aicrm.selection_choices")
    again = [brief_choice(db, tenant, t) for t in tasks]
    assert [c["variant"] for c in again] == [c["variant"] for c in first]
    assert [choice_rows(db, t)[0]["draws"] for t in tasks] == [r["draws"] for r in recorded]
    assert len({c["selection"]["seed"] for c in first}) == 6  # each task and attempt its own seed
    # the tenant's seed setting changes every seed (and so the draws)
    db.execute("delete from aicrm.selection_choices")
    settings(db, tenant, seed="spring-2026")
    salted = [brief_choice(db, tenant, t) for t in tasks]
    assert [c["selection"]["seed"] for c in salted] == [f"spring-2026:{t}:1" for t in tasks]
    assert [choice_rows(db, t)[0]["draws"]["floor"] for t in tasks] != [r["draws"]["floor"] for r in recorded]


def test_beta_variates_are_exact_and_seeded(db: Conn) -> None:
    row = db.execute(
        "select avg(x), variance(x), min(x), max(x) from ("
        " select aicrm_private.seeded_beta(2, 5, 'check:' || n) as x from generate_series(1, 4000) as n) as d"
    ).fetchone()
    assert row is not None
    mean, var, low, high = (float(v) for v in row)
    assert mean == pytest.approx(2 / 7, abs=0.01)  # Beta(2, 5): mean 2/7
    assert var == pytest.approx(2 * 5 / (7 * 7 * 8), rel=0.1)  # variance ab / ((a+b)^2 (a+b+1))
    assert 0 < low < high < 1
    small = db.execute(
        "select avg(aicrm_private.seeded_beta(0.5, 0.5, 'small:' || n)) from generate_series(1, 4000) as n"
    ).fetchone()
    assert small is not None
    assert float(small[0]) == pytest.approx(0.5, abs=0.02)  # shapes below 1 (the boost)
    same = db.execute(
        "select aicrm_private.seeded_beta(3.5, 200, 's'), aicrm_private.seeded_beta(3.5, 200, 's'),"
        " aicrm_private.seeded_beta(3.5, 200, 't')"
    ).fetchone()
    assert same is not None
    assert same[0] == same[1] != same[2]


def test_cold_start_follows_the_template_weights(db: Conn, tenant: str, customer: str) -> None:
    promo_template(db, tenant, {"a": 80, "b": 20})
    settings(db, tenant, floor=0)
    seen = choices(db, tenant, customer, 300)
    assert seen["reason:cold"] == 300
    assert seen["a"] / 300 == pytest.approx(0.8, abs=0.09)  # 4 standard deviations


def test_the_floor_keeps_every_arm_alive(db: Conn, tenant: str, customer: str) -> None:
    template = promo_template(db, tenant, {"a": 50, "b": 50, "c": 0})
    settings(db, tenant, floor=0.05)
    seen = choices(db, tenant, customer, 300)
    assert 4 <= seen["c"] <= 32  # only the floor picks c: 5% of 300 is 15
    assert seen["reason:floor"] >= seen["c"]
    row = db.execute("select arms from aicrm.selection_choices where tenant_id = %s limit 1", (tenant,)).fetchone()
    assert row is not None
    share = {a["arm"]: a["probability"] for a in row[0]}
    assert share[f"{template}:c"] == pytest.approx(0.05)
    assert share[f"{template}:a"] == pytest.approx(0.05 + 0.85 * 0.5)


def measured(db: Conn, tenant: str, customer: str, clicks: dict[str, int], delivered: int) -> dict[str, int]:
    """Promotion tasks written from the arm their brief chose, delivered to `delivered` recipients
    and clicked by clicks[variant] of them (record_delivery_metrics), until each arm has two; how
    many each arm got."""
    sent = dict.fromkeys(clicks, 0)
    for _ in range(12):
        task = create_task(db, tenant, customer, instructions=PROMO)
        variant = brief_choice(db, tenant, task)["variant"]
        deliver(db, tenant, task, delivered=delivered, clicks=clicks[variant])
        sent[variant] += 1
        if min(sent.values()) >= 2:
            break
    assert min(sent.values()) >= 1, sent
    return sent


def test_after_enough_sends_the_better_arm_gets_most_of_the_traffic(db: Conn, tenant: str, customer: str) -> None:
    promo_template(db, tenant)
    settings(db, tenant, min_sends=500)
    sent = measured(db, tenant, customer, {"a": 60, "b": 15}, 1000)
    state = arms(db, tenant)
    assert state["a"]["sends"] == 1000 * sent["a"]
    assert state["a"]["reward"] == 60 * sent["a"]
    assert state["a"]["posterior_mean"] > state["b"]["posterior_mean"]
    seen = choices(db, tenant, customer, 100)
    assert seen["a"] >= 85, seen
    assert seen["reason:cold"] == 0
    assert seen["reason:stopped"] + seen["reason:bandit"] + seen["reason:floor"] == 100


def test_close_arms_are_explored_by_top_two_thompson_sampling(db: Conn, tenant: str, customer: str) -> None:
    promo_template(db, tenant)
    settings(db, tenant, min_sends=100)
    for _ in range(8):
        delivered_task(db, tenant, customer, delivered=1000, clicks=30)
        if len({r["variant"] for r in arms(db, tenant).values() if r["sends"]}) == 2:
            break
    seen = choices(db, tenant, customer, 60)
    assert seen["reason:bandit"] > 40, seen  # a tie: nothing to stop on
    assert min(seen["a"], seen["b"]) > 10  # and both explored
    row = db.execute(
        "select draws from aicrm.selection_choices where tenant_id = %s and reason = 'bandit' limit 1", (tenant,)
    ).fetchone()
    assert row is not None
    assert row[0]["rounds"]
    assert len(row[0]["rounds"][0]) == 2
    assert row[0]["value_remaining"] > 0.01


def test_the_stop_rule_takes_the_best_when_nothing_is_left_to_gain(db: Conn, tenant: str, customer: str) -> None:
    promo_template(db, tenant)
    settings(db, tenant, min_sends=100, floor=0)
    measured(db, tenant, customer, {"a": 400, "b": 100}, 5000)
    seen = choices(db, tenant, customer, 20)
    assert seen == {"a": 20, "reason:stopped": 20}
    row = db.execute(
        "select draws from aicrm.selection_choices where tenant_id = %s and reason = 'stopped' limit 1", (tenant,)
    ).fetchone()
    assert row is not None
    assert row[0]["value_remaining"] <= 0.01
    assert max(row[0]["best_share"]) > 0.95


def test_a_new_customer_starts_from_its_industrys_results(db: Conn, tenant: str, customer: str) -> None:
    template = promo_template(db, tenant)
    pin = {"name": "Pin a", "category": "selection", "condition": True,
           "action": {"type": "select", "params": {"pin": {"template_id": template, "variant": "a"}}}}  # fmt: skip
    rule = call(db, tenant, "select aicrm.upsert_decision_rule(%s)", (Jsonb(pin),), "aicrm_app")["rule_id"]
    for _ in range(2):  # the bakery: a clicked by 10% of 2,000
        delivered_task(db, tenant, customer, delivered=1000, clicks=100)
    call(db, tenant, "select aicrm.upsert_decision_rule(%s, %s)", (Jsonb({"active": False}), rule), "aicrm_app")
    other_bakery = make_customer(db, tenant, name="Moonrise Bakery")
    dentist = make_customer(
        db, tenant, name="Bright Smiles", industry_category="health_wellness", industry_subcategory="dental"
    )
    for who in (other_bakery, dentist):
        brief_choice(db, tenant, create_task(db, tenant, who, instructions=PROMO))
    with act_as(db, tenant, "aicrm_readonly"):
        rows = db.execute(
            "select customer_id::text, variant, prior_alpha / (prior_alpha + prior_beta), prior_alpha + prior_beta,"
            " sends from aicrm.selection_arms"
        ).fetchall()
    prior = {(r[0], r[1]): (float(r[2]), float(r[3]), r[4]) for r in rows}
    tenant_rate = (200 + 50 * 0.02) / (2000 + 50)  # all the tenant's other customers, shrunk to 2%
    industry_rate = (200 + 50 * tenant_rate) / (2000 + 50)  # the bakeries, shrunk to the tenant's
    assert prior[(other_bakery, "a")] == pytest.approx((industry_rate, 50, 0), abs=1e-5)
    assert prior[(dentist, "a")] == pytest.approx((tenant_rate, 50, 0), abs=1e-5)  # another industry: the tenant's
    assert prior[(dentist, "b")] == pytest.approx((0.02, 50, 0), abs=1e-5)  # no results anywhere: the base rate
    # the bakery's own results are not in its own prior (they are its posterior's)
    assert prior[(customer, "a")] == pytest.approx((0.02, 50, 2000), abs=1e-5)


def test_bad_input_is_refused_naming_the_field(db: Conn, tenant: str, customer: str) -> None:
    choose = "select aicrm_private.choose_template_arm(%s, %s, 'promotion', %s::jsonb)"
    task = create_task(db, tenant, customer, instructions=PROMO)
    assert refused(db, tenant, choose, (None, 1, "[]")) == ("AC001", "task_id")
    assert refused(db, tenant, choose, (task, 0, "[]")) == ("AC001", "attempt")
    assert refused(db, tenant, choose, (task, 1, "{}")) == ("AC001", "templates")
    assert refused(db, tenant, choose, ("00000000-0000-0000-0000-000000000000", 1, "[]")) == ("AC002", "task_id")
    assert refused(db, tenant, "select aicrm_private.seeded_beta(0, 1, 's')") == ("AC001", "alpha")
    assert refused(db, tenant, "select aicrm_private.seeded_beta(1, -1, 's')") == ("AC001", "beta")
    setting = "select aicrm.set_decision_setting('selection', %s::jsonb)"
    assert refused(db, tenant, setting, ('{"floor": 0.9}',), "aicrm_app") == ("AC001", "selection.floor")
    assert refused(db, tenant, setting, ('{"bogus": 1}',), "aicrm_app")[0] == "AC001"
    with act_as(db, tenant):
        assert db.execute("select count(*) from aicrm.selection_choices").fetchone() == (0,)
    # a choice of another tenant's task is not found
    assert call(db, tenant, "select count(*) from aicrm.selection_choices", None, "aicrm_readonly") == 0
