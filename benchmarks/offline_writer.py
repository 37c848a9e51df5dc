"""The offline template writer on the varied demo batch (issue 15, docs/adr/0017-an-offline-writer.md):
200 tasks of every channel and purpose (tests/e2e/workload.py `varied_specs`: the demo tenant, each
task with the brief an account manager writes) through the real `aicrm worker` with the template
provider, on a throwaway embedded server. Prints the decision split (the target: at least 85%
auto-approved) and the findings that sent drafts anywhere else, and writes every draft in full
(each version, its scorecard's failing findings and the decision) to a file for reading against
tests/data/judge/RUBRIC.md.

    .venv/bin/python benchmarks/offline_writer.py [--tasks 200] [--out /tmp/offline-writer-drafts.txt]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, Ratio, on_throwaway_server, verdict

from runner import embedded
from runner.db import DEMO_TENANT_ID
from runner.migrate import migrate
from tests.e2e.workload import create_tasks, distribution, run_worker, seed_demo, varied_specs
from tests.helpers import act_as

DATABASE = "aicrm_bench"
SERVER_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
TARGET_APPROVED = 0.85

DRAFTS = """
select t.task_id::text, t.channel, t.ai_instructions, t.execution_state, d.version, d.subject, d.content,
       d.quality_score, d.content_quality -> 'fixes', d.success_evaluation -> 'action' ->> 'type'
from aicrm.project_tasks t join aicrm.project_deliverables d using (tenant_id, task_id)
where t.task_id = any(%s::uuid[])
order by t.created_at, t.task_id, d.version
"""


def write_drafts(rows: list[tuple[Any, ...]], path: Path) -> None:
    with path.open("w") as out:
        for task, channel, ins, state, version, subject, content, score, fixes, action in rows:
            out.write(f"===== task {task} · {channel} · {ins.get('purpose')} · v{version} · score {score} · "
                      f"{action} -> task {state}\n")  # fmt: skip
            out.write(f"brief: {json.dumps(ins, ensure_ascii=False)}\n")
            if subject:
                out.write(f"subject: {subject}\n")
            out.write(f"{content}\n")
            failing = [f for f in fixes or [] if f.get("severity") in ("critical", "major")]
            for f in failing:
                out.write(f"  ! {f.get('code')} ({f.get('severity')}): {f.get('message')}\n")
            out.write("\n")


def run(st: embedded.ServerStatus, n: int, out: Path) -> bool:
    url = embedded.conninfo(st, embedded.SUPERUSER, DATABASE)
    with psycopg.connect(url, autocommit=True) as admin:
        migrate(admin, ROOT / "sql")
    with psycopg.connect(url) as conn:
        customers = seed_demo(conn)
        tasks = create_tasks(conn, customers, varied_specs(n), key="offline-writer")
        started = time.monotonic()
        run_worker(url, "--once", "--concurrency", "2", "--lease", "120", timeout=1800)
        took = time.monotonic() - started
        with act_as(conn, DEMO_TENANT_ID, "aicrm_app"):
            rows = conn.execute(DRAFTS, (tasks,)).fetchall()
        conn.rollback()
    last = {r[0]: r for r in rows}
    states = Counter(r[3] for r in last.values())
    first_try = sum(1 for r in last.values() if r[3] == "approved" and r[4] == 1)
    print(f"{n} tasks in {took:.0f}s; decisions: {distribution(r[3] for r in last.values())}")
    print(f"approved on the first draft: {first_try}; drafts written: {len(rows)}")
    by_channel: dict[str, Counter[str]] = {}
    for r in last.values():
        by_channel.setdefault(r[1], Counter())[r[3]] += 1
    for channel, counts in sorted(by_channel.items()):
        print(f"  {channel:7} {dict(counts)}")
    sent_elsewhere = Counter(
        str(f.get("code"))
        for r in last.values()
        if r[3] != "approved"
        for f in r[8] or []
        if f.get("severity") in ("critical", "major")
    )
    print("major or critical findings of the drafts not approved:", dict(sent_elsewhere.most_common()))
    minor = Counter(str(f.get("code")) for r in rows for f in r[8] or [] if f.get("severity") == "minor")
    print("minor findings over every draft:", dict(minor.most_common(12)))
    write_drafts(rows, out)
    print(f"every draft in full: {out}")
    approved = states["approved"] / max(len(last), 1)
    return verdict([Ratio("auto-approved share", approved, 1.0, TARGET_APPROVED, "approved", "tasks",
                          seconds=False, at_least=True)])  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("/tmp/offline-writer-drafts.txt"))
    args = parser.parse_args()
    return on_throwaway_server("offline-writer", DATABASE, SERVER_SETTINGS, lambda _, st: run(st, args.tasks, args.out))


if __name__ == "__main__":
    sys.exit(main())
