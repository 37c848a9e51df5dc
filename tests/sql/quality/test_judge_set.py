"""The judge agrees with a careful account manager (tests/data/judge/RUBRIC.md). The targets (issue 14):
at most 2% of the flawed drafts would go out unreviewed, at least 85% of the good ones would, and every
fault class is caught (not approved) in at least 90% of its drafts: TARGET, the issue's figures. The
judge meets them (benchmarks/judge_bench.py prints the whole table and which drafts it misjudges); this
test holds it to GUARD, what it measures today where that is better than TARGET, a floor no change may
fall below."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.judge_set import FAULT_DIMENSION, agreement, judge_all, load

CUSTOMERS, DRAFTS = load()
# (false approval at most, good drafts approved at least, every fault's recall at least)
TARGET = (0.02, 0.85, 0.9)
GUARD = (0.02, 0.92, 0.9)  # measured 2026-12-07: 1.9% (5 of 258), 92.9%, lowest recall 0.92 (fragment, invented_fact)


def test_the_set_is_what_its_rubric_says() -> None:
    """At least 300 drafts over the five channels, every purpose, 12 industries, good ones and every
    fault class, each label consistent with its faults."""
    assert len(DRAFTS) >= 300
    assert {d["channel"] for d in DRAFTS} == {"email", "sms", "social", "blog", "web"}
    assert {d["instructions"].get("purpose") for d in DRAFTS} >= {
        "welcome", "promotion", "newsletter", "re_engagement", "event", "review_request", "announcement", "other",
    }  # fmt: skip
    assert len({CUSTOMERS[d["customer"]]["industry_category"] for d in DRAFTS}) >= 12
    assert len({d["id"] for d in DRAFTS}) == len(DRAFTS)
    for d in DRAFTS:
        assert (d["label"] == "approve") == (not d["faults"]), d["id"]
        assert set(d["faults"]) <= set(FAULT_DIMENSION), d["id"]
    faults = [f for d in DRAFTS for f in d["faults"]]
    assert {f: faults.count(f) for f in FAULT_DIMENSION if faults.count(f) < 10} == {}


@pytest.mark.slow
def test_the_judge_agrees_with_the_labels(db: psycopg.Connection[Any], tenant: str) -> None:
    judged = judge_all(db, tenant, CUSTOMERS, DRAFTS)
    result = agreement(judged)
    wrongly_approved = [(j.draft["id"], j.draft["faults"]) for j in judged if not j.good and j.approved]
    wrongly_held = [
        (j.draft["id"], j.action, j.explanation[:200])
        for j in judged
        if j.good and not j.approved and not j.held_for_profile
    ]
    most_approved, least_good, least_recall = GUARD
    assert result.false_approval <= most_approved, wrongly_approved
    assert result.good_approved >= least_good, wrongly_held
    missed = {f: caught for f, (_, caught, _) in result.recall.items() if caught < least_recall}
    assert missed == {}, missed
    # Drafts held only because the customer's profile lacks a system-owned part's field are left out
    # of the figures; they are a few customers' emails, not a way around the judge.
    assert result.held_for_profile <= 0.06 * len(judged)
