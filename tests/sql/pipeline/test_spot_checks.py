"""Spot checks (docs/learning.md, "Spot checks"; ADR 0021): a share of the drafts the rules approve
is held for a person before it is sent, chosen by a deterministic draw from the deliverable's id;
the person's review is the spot check's verdict; aicrm.autonomy_evidence bounds each segment's
false-approval rate (one-sided 95% Clopper-Pearson)."""

from __future__ import annotations

import math
import uuid
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.helpers import act_as, call, sql_error
from tests.samples import GOOD_EMAIL
from tests.tasks import always_decide, record_evaluation, review, to_evaluating

Conn = psycopg.Connection[Any]
HELD = "Spot check: the rules approved it; a person confirms before it is sent."


def set_spot_check(conn: Conn, tenant: str, value: dict[str, Any]) -> None:
    call(conn, tenant, "select aicrm.set_decision_setting('spot_check', %s)", (Jsonb(value),), "aicrm_app")


def approved_by_rules(conn: Conn, tenant: str, customer: str) -> tuple[str, str, dict[str, Any]]:
    """A task whose draft the rules approve (a rule that always approves): (task, draft, evaluation)."""
    task, token, draft = to_evaluating(conn, tenant, customer, GOOD_EMAIL)
    got = record_evaluation(conn, tenant, draft, GOOD_EMAIL, token)
    assert got["decision"]["action"]["type"] == "approve"
    return task, str(draft), dict(got)


def outbox_rows(conn: Conn, task: str) -> int:
    row = conn.execute("select count(*) from aicrm.outbox where task_id = %s", (task,)).fetchone()
    assert row is not None
    return int(row[0])


def spot_check(conn: Conn, draft: str) -> dict[str, Any] | None:
    row = conn.execute("select to_jsonb(s) from aicrm.spot_checks s where deliverable_id = %s", (draft,)).fetchone()
    return None if row is None else dict(row[0])


def evidence(conn: Conn, tenant: str) -> list[dict[str, Any]]:
    with act_as(conn, tenant, "aicrm_readonly"):
        rows = conn.execute("select to_jsonb(e) from aicrm.autonomy_evidence e").fetchall()
    return [dict(r[0]) for r in rows]


def test_the_default_share_is_zero_and_changes_nothing(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    settings = call(db, tenant, "select aicrm.get_decision_settings()", None, "aicrm_app")
    assert settings["spot_check"] == {"share": 0, "by": "segment", "limit": 0.02}
    always_decide(db, tenant, "approve")
    task, draft, got = approved_by_rules(db, tenant, customer)
    assert got["task"]["execution_state"] == "approved"
    assert "spot_check" not in got["decision"]
    assert spot_check(db, draft) is None
    assert outbox_rows(db, task) == 1


def test_a_share_of_one_holds_every_approval_until_a_person_approves(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    always_decide(db, tenant, "approve")
    set_spot_check(db, tenant, {"share": 1, "by": "segment"})
    task, draft, got = approved_by_rules(db, tenant, customer)
    # held: in review, the decision still the rules' approve, and it says it was held
    assert got["task"]["execution_state"] == "awaiting_review"
    decision = got["decision"]
    assert decision["action"]["type"] == "approve"
    assert decision["spot_check"]["share"] == 1
    assert "Held for a spot check" in decision["explanation"]
    recorded = db.execute(
        "select action ->> 'type', explanation from aicrm.ai_decisions where decision_id = %s",
        (decision["decision_id"],),
    ).fetchone()
    assert recorded is not None
    assert recorded[0] == "approve"
    assert outbox_rows(db, task) == 0
    # the review queue says why, in plain words and as a flag
    with act_as(db, tenant, "aicrm_app"):
        queued = db.execute(
            "select spot_check, reason, rule_name from aicrm.review_queue where task_id = %s", (task,)
        ).fetchone()
    assert queued is not None
    assert queued[0] is True
    assert queued[1].startswith(HELD)
    assert queued[2] == "Always approve"
    # the task's thread: the reviewer's handoff says it is a spot check
    with act_as(db, tenant):
        got_thread = db.execute("select aicrm.get_thread(%s)", (task,)).fetchone()
    assert got_thread is not None
    [handoff] = [m for m in got_thread[0]["messages"] if m["message_type"] == "handoff.review_requested"]
    summary = next(p["data"] for p in handoff["parts"] if p["type"] == "data")["summary"]
    assert "Held for a spot check" in summary
    row = spot_check(db, draft)
    assert row is not None
    assert (row["task_id"], row["customer_id"], row["channel"], row["task_type"]) == (task, customer, "email", "email")
    assert row["decision_id"] == decision["decision_id"]
    assert row["verdict"] is None
    assert 0 <= row["drawn"] < 1
    # nothing is sent until a person decides; then it is, and the verdict is agreement
    assert call(db, None, "select aicrm.claim_next_delivery_v2('publisher-1')") is None
    answer = review(db, tenant, draft, 1, "approve")
    assert answer["spot_check_verdict"] == "agreement"
    assert outbox_rows(db, task) == 1
    row = spot_check(db, draft)
    assert row is not None
    assert (row["verdict"], row["review_decision"], row["reviewer"]) == ("agreement", "approve", "ana@agency")
    assert row["review_id"] == answer["review_id"]
    assert row["verdict_at"] is not None


@pytest.mark.parametrize(
    ("decision", "edited", "reason", "verdict", "review_decision"),
    [
        ("approve", None, None, "agreement", "approve"),
        ("approve", GOOD_EMAIL.replace("Hi", "Hello", 1), None, "false_approval", "approve_edited"),
        ("request_changes", None, "Name the opening hours.", "false_approval", "request_changes"),
        ("reject", None, "Wrong offer.", "false_approval", "reject"),
        ("cancel", None, "Campaign dropped.", "no_verdict", "cancel"),
    ],
)
def test_each_review_outcome_is_a_verdict(
    db: Conn,
    bakery: tuple[str, str],
    decision: str,
    edited: str | None,
    reason: str | None,
    verdict: str,
    review_decision: str,
) -> None:
    tenant, customer = bakery
    always_decide(db, tenant, "approve")
    set_spot_check(db, tenant, {"share": 1})
    _, draft, _ = approved_by_rules(db, tenant, customer)
    answer = review(db, tenant, draft, 1, decision, edited=edited, reason=reason)
    assert answer["spot_check_verdict"] == verdict
    row = spot_check(db, draft)
    assert row is not None
    assert (row["verdict"], row["review_decision"]) == (verdict, review_decision)
    [segment] = evidence(db, tenant)
    judged = verdict != "no_verdict"
    assert (segment["held"], segment["pending"], segment["n"]) == (1, 0, int(judged))
    assert segment["x"] == int(verdict == "false_approval")


def test_a_review_of_a_draft_not_held_is_no_verdict(db: Conn, bakery: tuple[str, str]) -> None:
    """A draft the rules sent to review (not an approval) is no spot check: its review records none."""
    tenant, customer = bakery
    always_decide(db, tenant, "review")
    set_spot_check(db, tenant, {"share": 1})
    task, token, draft = to_evaluating(db, tenant, customer, GOOD_EMAIL)
    got = record_evaluation(db, tenant, draft, GOOD_EMAIL, token)
    assert got["task"]["execution_state"] == "awaiting_review"
    assert spot_check(db, str(draft)) is None
    with act_as(db, tenant, "aicrm_app"):
        queued = db.execute("select spot_check, reason from aicrm.review_queue where task_id = %s", (task,)).fetchone()
    assert queued is not None
    assert queued[0] is False
    assert not queued[1].startswith(HELD)
    assert review(db, tenant, str(draft), 1, "approve")["spot_check_verdict"] is None


def test_a_share_of_half_is_deterministic_per_deliverable(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    always_decide(db, tenant, "approve")
    set_spot_check(db, tenant, {"share": 0.5, "by": "segment"})
    held = 0
    for _ in range(8):
        task, draft, got = approved_by_rules(db, tenant, customer)
        row = db.execute("select aicrm_private.spot_check_draw(%s)", (draft,)).fetchone()
        assert row is not None
        drawn = float(row[0])
        expected = "awaiting_review" if drawn < 0.5 else "approved"
        assert got["task"]["execution_state"] == expected, drawn
        assert (spot_check(db, draft) is not None) == (drawn < 0.5)
        assert outbox_rows(db, task) == int(drawn >= 0.5)
        held += drawn < 0.5
    assert db.execute("select count(*) from aicrm.spot_checks").fetchone() == (held,)
    # the same deliverable always draws the same value; the draws spread over [0, 1)
    ids = [str(uuid.UUID(int=i * 7919 + 1)) for i in range(400)]
    first = db.execute("select array_agg(aicrm_private.spot_check_draw(u::uuid)) from unnest(%s::text[]) u", (ids,))
    again = db.execute("select array_agg(aicrm_private.spot_check_draw(u::uuid)) from unnest(%s::text[]) u", (ids,))
    draws = [float(d) for d in first.fetchone()[0]]  # type: ignore[index]
    assert draws == [float(d) for d in again.fetchone()[0]]  # type: ignore[index]
    assert all(0 <= d < 1 for d in draws)
    assert 0.4 < sum(d < 0.5 for d in draws) / len(draws) < 0.6
    assert 0.05 < sum(d < 0.1 for d in draws) / len(draws) < 0.15


def binomial_cdf(x: int, n: int, p: float) -> float:
    return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(x + 1))


@pytest.mark.parametrize(
    ("x", "n", "expected"),
    [(0, 149, 0.0199), (1, 100, 0.0466), (5, 50, 0.1988), (0, 1, 0.95), (3, 3, 1.0), (0, 0, 1.0), (2, 1000, 0.0063)],
)
def test_the_clopper_pearson_upper_bound(db: Conn, x: int, n: int, expected: float) -> None:
    row = db.execute("select aicrm_private.clopper_pearson_upper(%s, %s, 0.05)", (x, n)).fetchone()
    assert row is not None
    bound = float(row[0])
    assert bound == pytest.approx(expected, abs=1e-4)
    if 0 < x < n:  # exact: the binomial tail at the bound is alpha
        assert binomial_cdf(x, n, bound) == pytest.approx(0.05, abs=1e-9)


def test_the_bound_holds_for_a_large_sample(db: Conn) -> None:
    row = db.execute("select aicrm_private.clopper_pearson_upper(40, 20000, 0.05)").fetchone()
    assert row is not None
    assert 40 / 20000 < float(row[0]) < 0.0028


@pytest.mark.parametrize(
    ("x", "n", "alpha", "field"),
    [
        (1, None, 0.05, "n"),
        (1, -1, 0.05, "n"),
        (-1, 5, 0.05, "x"),
        (6, 5, 0.05, "x"),
        (None, 5, 0.05, "x"),
        (1, 5, 0, "alpha"),
        (1, 5, 1, "alpha"),
        (1, 5, None, "alpha"),
    ],
)
def test_the_bound_refuses_bad_input_naming_the_field(
    db: Conn, x: int | None, n: int | None, alpha: float | None, field: str
) -> None:
    err = sql_error(
        db, "select aicrm_private.clopper_pearson_upper(%s::integer, %s::integer, %s::float8)", (x, n, alpha)
    )
    assert (err.sqlstate, err.diag.column_name) == ("AC001", field)


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"share": 1.5}, "share"),
        ({"share": -0.1}, "share"),
        ({"share": "half"}, "share"),
        ({"by": "customer"}, "by"),
        ({"limit": 2}, "limit"),
        ({"shares": 0.1}, "shares"),
    ],
)
def test_a_bad_setting_is_refused_naming_the_field(
    db: Conn, bakery: tuple[str, str], value: dict[str, Any], field: str
) -> None:
    tenant, _ = bakery
    with act_as(db, tenant, "aicrm_app"):
        err = sql_error(db, "select aicrm.set_decision_setting('spot_check', %s)", (Jsonb(value),))
    assert err.sqlstate == "AC001"
    assert field in f"{err.diag.column_name} {err.diag.message_primary}"
    assert "spot_check" in f"{err.diag.column_name} {err.diag.message_primary}"
    assert db.execute("select count(*) from aicrm.ai_decision_settings where tenant_id = %s", (tenant,)).fetchone() == (
        0,
    )


def test_the_evidence_bounds_each_segment_against_the_limit(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    always_decide(db, tenant, "approve")
    set_spot_check(db, tenant, {"share": 1})
    drafts = [approved_by_rules(db, tenant, customer)[1] for _ in range(3)]
    review(db, tenant, drafts[0], 1, "approve")
    review(db, tenant, drafts[1], 1, "reject", reason="Off brand.")
    [segment] = evidence(db, tenant)
    assert (segment["customer_id"], segment["channel"], segment["task_type"]) == (customer, "email", "email")
    assert (segment["held"], segment["pending"], segment["n"], segment["x"]) == (3, 1, 2, 1)
    assert segment["observed_rate"] == 0.5
    assert segment["upper_bound"] == pytest.approx(0.9747, abs=1e-4)
    assert (segment["false_approval_limit"], segment["within_limit"]) == (0.02, False)
    # the tenant's limit, when it sets one
    set_spot_check(db, tenant, {"share": 1, "limit": 0.99})
    [segment] = evidence(db, tenant)
    assert (segment["false_approval_limit"], segment["within_limit"]) == (0.99, True)
