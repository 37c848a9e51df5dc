"""The labelled judge set (tests/data/judge/, RUBRIC.md): drafts a careful account manager labelled
"approve" (sends it as is) or "flawed" (with the fault classes), judged by the real scorecard and the
default decision rules, as the pipeline judges a first draft: the system-owned parts assembled
(aicrm.assemble_content), the runner's text metrics, aicrm.evaluate_content, then aicrm.evaluate_decision
on the context record_evaluation builds (aicrm_private.quality_context).

Shared by the test that keeps the judge honest (tests/sql/quality/test_judge_set.py) and
benchmarks/judge_bench.py, which prints the whole agreement table."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from runner.scoring import text_metrics
from tests.factories import make_customer
from tests.helpers import act_as

DATA = Path(__file__).resolve().parent / "data" / "judge"

# The fault classes of RUBRIC.md and the scorecard part that should name each.
FAULT_DIMENSION = {
    "off_topic": "brief",
    "missing_key_point": "brief",
    "missing_purpose_part": "brief",
    "avoid_topic": "brief",
    "invented_fact": "accuracy",
    "contradiction": "accuracy",
    "invented_promise": "accuracy",
    "doubled_word": "fluency",
    "name_case": "fluency",
    "repeated_phrase": "fluency",
    "fragment": "fluency",
    "orphan_tagline": "fluency",
    "broken_hashtag": "fluency",
    "dangling_slot": "fluency",
    "filler": "fluency",
    "wrong_sentiment": "sentiment",
}


@dataclass
class Judged:
    """One draft of the set and what the judge made of it."""

    draft: dict[str, Any]
    action: str
    overall: float
    passed: bool
    dimensions: set[str] = field(default_factory=set)  # the parts with a finding (any severity)
    explanation: str = ""
    customer_id: str = ""
    content: str = ""  # as judged: the system-owned parts assembled
    reason: str = ""  # the decision's action.params.reason
    findings: list[dict[str, Any]] = field(default_factory=list)  # the scorecard's content findings

    @property
    def approved(self) -> bool:
        return self.action == "approve"

    @property
    def held_for_profile(self) -> bool:
        """Sent to a person because the customer's profile lacks what a system-owned part needs (an
        email's postal address): no draft of that customer and channel can be approved, however it
        reads, so it says nothing about the judge of the text (RUBRIC.md: those parts are aicrm's)."""
        return self.reason == "profile_gap"

    @property
    def good(self) -> bool:
        return bool(self.draft["label"] == "approve")


def load() -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """The customers and drafts of every part of the set (customers-*.json, drafts-*.jsonl)."""
    customers: dict[str, dict[str, Any]] = {}
    for path in sorted(DATA.glob("customers-*.json")):
        customers.update(json.loads(path.read_text(encoding="utf-8")))
    drafts: list[dict[str, Any]] = []
    for path in sorted(DATA.glob("drafts-*.jsonl")):
        drafts.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return customers, drafts


def judge_all(
    conn: psycopg.Connection[Any], tenant: str, customers: dict[str, dict[str, Any]], drafts: list[dict[str, Any]]
) -> list[Judged]:
    """Every draft judged in `tenant` (its customers created here), in the caller's transaction."""
    # (make_customer's default subcategory is a bakery's: a thin profile has none.)
    ids = {
        key: make_customer(conn, tenant, **{"industry_subcategory": None, **profile})
        for key, profile in customers.items()
    }
    judged = []
    with act_as(conn, tenant):
        for draft in drafts:
            judged.append(judge_one(conn, ids[draft["customer"]], draft))
    return judged


def judge_one(conn: psycopg.Connection[Any], customer_id: str, draft: dict[str, Any]) -> Judged:
    fmt = "markdown" if draft["channel"] in ("blog", "web") else "text"
    row = conn.execute(
        "select aicrm.assemble_content(%s, %s, %s, %s)", (customer_id, draft["channel"], draft["content"], fmt)
    ).fetchone()
    assert row is not None
    content = str(row[0]["content"])
    subject = draft.get("subject")
    metrics = text_metrics(content, subject=subject, content_format=fmt)
    row = conn.execute(
        "select aicrm.evaluate_content(%s, %s, %s, %s, %s, %s, %s)",
        (content, draft["channel"], subject, customer_id, Jsonb(draft["instructions"]), Jsonb(metrics), fmt),
    ).fetchone()
    assert row is not None
    card: dict[str, Any] = row[0]
    context = {
        "task": {"channel": draft["channel"], "task_type": draft["task_type"], "attempts": 1, "failures": 0},
        "customer": {"customer_id": customer_id},
    }
    row = conn.execute(
        "select aicrm.evaluate_decision(%s || jsonb_build_object('quality', aicrm_private.quality_context(%s, false)))",
        (Jsonb(context), Jsonb(card)),
    ).fetchone()
    assert row is not None
    decision: dict[str, Any] = row[0]
    dimensions = {str(f["dimension"]) for f in card.get("findings") or []}
    if card["details"]["compliance"]["violations"]:
        dimensions.add("compliance")
    if any(c.get("severity") == "major" for c in card["details"]["structure"].get("checks") or []):
        dimensions.add("structure")
    return Judged(
        draft=draft,
        action=str(decision["action"]["type"]),
        overall=float(card["overall"]),
        passed=bool(card["passed"]),
        dimensions=dimensions,
        explanation=str(decision["explanation"]),
        customer_id=customer_id,
        content=content,
        reason=str((decision["action"].get("params") or {}).get("reason") or ""),
        findings=list(card.get("findings") or []),
    )


@dataclass(frozen=True)
class Agreement:
    """The judge against the labels: false approval (flawed drafts approved), false review (good drafts
    not approved), Cohen's kappa on approve / not, and per fault class its recall (flawed drafts with
    the fault not approved) and how often the right part named it."""

    good: int
    flawed: int
    held_for_profile: int  # left out of every figure (Judged.held_for_profile)
    false_approval: float
    good_approved: float
    kappa: float
    recall: dict[str, tuple[int, float, float]]  # fault: (drafts, caught, named by its part)


def agreement(judged: list[Judged]) -> Agreement:
    held = sum(j.held_for_profile for j in judged)
    judged = [j for j in judged if not j.held_for_profile]
    good = [j for j in judged if j.good]
    flawed = [j for j in judged if not j.good]
    n = len(judged)
    both_approve = sum(j.approved for j in good)
    both_not = sum(not j.approved for j in flawed)
    observed = (both_approve + both_not) / n if n else 0.0
    judge_yes = sum(j.approved for j in judged) / n if n else 0.0
    label_yes = len(good) / n if n else 0.0
    expected = judge_yes * label_yes + (1 - judge_yes) * (1 - label_yes)
    kappa = (observed - expected) / (1 - expected) if expected < 1 else 1.0
    counts: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    named: Counter[str] = Counter()
    for j in flawed:
        for fault in j.draft["faults"]:
            counts[fault] += 1
            caught[fault] += not j.approved
            named[fault] += FAULT_DIMENSION.get(fault, "") in j.dimensions
    return Agreement(
        good=len(good),
        flawed=len(flawed),
        held_for_profile=held,
        false_approval=sum(j.approved for j in flawed) / len(flawed) if flawed else 0.0,
        good_approved=both_approve / len(good) if good else 0.0,
        kappa=kappa,
        recall={f: (counts[f], caught[f] / counts[f], named[f] / counts[f]) for f in sorted(counts)},
    )
