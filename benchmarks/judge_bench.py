"""The judge against a person: the labelled set of tests/data/judge/ (RUBRIC.md) judged by the real
scorecard and the default rules, as the pipeline judges a first draft (tests/judge_set.py), on a
throwaway embedded server.

Prints, against the labels: the share of flawed drafts the judge would approve (false approval), the
share of good drafts it would not (false review), Cohen's kappa (approve / not), and per fault class
the drafts, the recall (flawed drafts not approved) and how often the right part of the scorecard named
the fault; then the good drafts held back and the flawed ones approved, with why. The targets are the
issue's: false approval <= 2%, good drafts approved >= 85%, every fault's recall >= 0.9. These are
agreement figures, not times: the machine does not move them.

With AICRM_JUDGE_MODEL (and AICRM_JUDGE_BASE_URL, ...: docs/llm-providers.md) set, the optional model
judge grades the same drafts and its verdicts are tabled the same way (not judged against targets).

Run: .venv/bin/python benchmarks/judge_bench.py   (about a minute; exit 1 on FAIL)
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from harness import on_throwaway_server, verdict  # noqa: E402

from runner import embedded  # noqa: E402
from runner.migrate import migrate  # noqa: E402
from runner.providers.judge import judge_from_config  # noqa: E402
from runner.providers.llm import DraftRequest  # noqa: E402
from tests.helpers import act_as  # noqa: E402
from tests.judge_set import Agreement, Judged, agreement, judge_all, load  # noqa: E402

DATABASE = "aicrm_bench"
SERVER_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "autovacuum": "off"}


def table(title: str, result: Agreement) -> list[str]:
    lines = [
        f"{title}: {result.good} good drafts, {result.flawed} flawed "
        f"({result.held_for_profile} more held for the customer's profile, left out: no draft of theirs can pass)",
        f"  false approval (flawed drafts approved)   {result.false_approval:6.1%}   (target <= 2%)",
        f"  good drafts approved                      {result.good_approved:6.1%}   (target >= 85%)",
        f"  false review (good drafts not approved)   {1 - result.good_approved:6.1%}",
        f"  Cohen's kappa (approve / not)             {result.kappa:6.2f}",
        "",
        f"  {'fault':<22} {'drafts':>6} {'recall':>7} {'named by its part':>18}",
    ]
    for fault, (n, caught, named) in result.recall.items():
        lines.append(f"  {fault:<22} {n:>6} {caught:>7.2f} {named:>18.2f}")
    return lines


def misjudged(judged: list[Judged]) -> list[str]:
    lines = []
    held = [j for j in judged if j.good and not j.approved and not j.held_for_profile]
    passed = [j for j in judged if not j.good and j.approved]
    if held:
        lines.append(f"\ngood drafts held back ({len(held)}), by action: {dict(Counter(j.action for j in held))}")
        lines += [f"  {j.draft['id']:<7} {j.action:<8} {j.explanation[:220]}" for j in held]
    lines.append("\nfindings by check (drafts with it, good / flawed; flawed: how many name that check's part):")
    checks: Counter[tuple[str, str, str]] = Counter()
    for j in judged:
        for key in {(f["dimension"], f["check"], f["severity"]) for f in j.findings}:
            checks[(*key[:2], key[2] + ("/good" if j.good else "/flawed"))] += 1
    for dim, check in sorted({(d, c) for d, c, _ in checks}):
        row = [f"{sev}: {checks[(dim, check, sev + '/good')]}/{checks[(dim, check, sev + '/flawed')]}"
               for sev in ("critical", "major", "minor")
               if checks[(dim, check, sev + "/good")] + checks[(dim, check, sev + "/flawed")]]  # fmt: skip
        lines.append(f"  {dim + '.' + check:<36} " + "  ".join(row))
    if passed:
        lines.append(f"\nflawed drafts approved ({len(passed)}):")
        lines += [f"  {j.draft['id']:<7} {','.join(j.draft['faults']):<28} {j.draft['note'][:160]}" for j in passed]
    return lines


def run(st: embedded.ServerStatus) -> bool:
    customers, drafts = load()
    with psycopg.connect(embedded.conninfo(st, embedded.SUPERUSER, DATABASE), autocommit=True) as conn:
        migrate(conn, ROOT / "sql")
    with psycopg.connect(embedded.conninfo(st, embedded.SUPERUSER, DATABASE)) as admin:
        tenant = str(admin.execute("select aicrm.create_tenant('judge bench')").fetchone()[0])  # type: ignore[index]
        judged = judge_all(admin, tenant, customers, drafts)
        result = agreement(judged)
        print("\n".join(table("the scorecard and the default rules", result) + misjudged(judged)))
        if os.environ.get("AICRM_JUDGE_MODEL"):
            print("\n".join(model_judge(admin, tenant, judged)))
        admin.rollback()
    missed = [f for f, (_, caught, _) in result.recall.items() if caught < 0.9]
    return verdict(
        [],
        [
            (f"false approval {result.false_approval:.1%} <= 2%", result.false_approval <= 0.02),
            (f"good drafts approved {result.good_approved:.1%} >= 85%", result.good_approved >= 0.85),
            (f"every fault's recall >= 0.9 (below: {', '.join(missed) or 'none'})", not missed),
        ],
    )


def model_judge(conn: psycopg.Connection[Any], tenant: str, judged: list[Judged]) -> list[str]:
    """The optional model judge (AICRM_JUDGE_*) on the same drafts, with the context the worker gives
    it: its verdict "approve" against the labels, and how often it answered at all."""
    judge = judge_from_config()
    assert judge is not None  # AICRM_JUDGE_MODEL is set
    verdicts: list[Judged] = []
    started = time.monotonic()
    with act_as(conn, tenant):
        for j in judged:
            d = j.draft
            row = conn.execute(
                "select aicrm.get_customer_context_for_ai(%s, null, %s, %s, %s)",
                (j.customer_id, d["channel"], d["instructions"].get("purpose"), d["instructions"].get("topic")),
            ).fetchone()
            assert row is not None
            request = DraftRequest(
                task_id=d["id"], channel=d["channel"], instructions=d["instructions"], context=row[0]
            )
            grade = judge.grade(request, d.get("subject"), j.content)
            if grade is not None:
                verdict_ = str(grade.metrics()["verdict"])
                verdicts.append(replace(j, action="approve" if verdict_ == "approve" else "review"))
    if not verdicts:
        return ["\nthe model judge: no answer for any draft (see the warnings)"]
    return [
        "",
        *table(
            f"the model judge {os.environ['AICRM_JUDGE_MODEL']} ({len(verdicts)} of {len(judged)} answered, "
            f"{time.monotonic() - started:.0f} s)",
            agreement(verdicts),
        ),
    ]


def main() -> int:
    return on_throwaway_server("judge", DATABASE, SERVER_SETTINGS, lambda pgdata, st: run(st))


if __name__ == "__main__":
    sys.exit(main())
