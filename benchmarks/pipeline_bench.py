"""The content pipeline end to end with the offline providers, judged by ratios measured in the same
run: against a replay of the same writes as plain SQL statements (what a task's bookkeeping costs at
least), and its latency against one task's time.

The workload is the end-to-end tests' (tests/e2e/workload.py): the demo tenant as `aicrm seed --demo`
seeds it plus three positive examples per customer, and tasks of every channel (email 40 %, social
25 %, sms 20 %, blog 15 %) with a seeded mix of instructions, written by the template provider,
scored by text_metrics and the SQL scorecard and decided by the tenant's default rules. A throwaway
embedded server; `track_functions = pl`.

(1) One task at a time against the replay. First TASKS tasks run with every row they write recorded
(benchmarks/pipeline_replay.py: copies of the tables, a trigger logging each insert, update and
delete). Then ROUNDS rounds, each TASKS / ROUNDS new tasks through the real worker pool in this
process with one thread, then as many recorded tasks replayed from one client as plain INSERT /
UPDATE / DELETE statements into the copies (same indexes; no function, trigger, check or read), one
transaction per recorded transaction. The figure is the pipeline's CPU time per task over the
replay's: this process's and every server process's (/proc/<pid>/schedstat; the postmaster's cutime
for backends that exited). CPU time, unlike wall time, hardly moves when other work loads the
machine; the wall times are printed beside, medians of the rounds. Around each
call the provider, the metrics and the worker's SQL calls are timed (client side: BEGIN, the tenant,
the function, COMMIT), with the server's own time in each API function and the inner functions that
cost most (pg_stat_user_functions).

(2) Throughput on 2 cores, an indication: `aicrm worker --processes P --concurrency T` (the real CLI
and its supervisor) in a few shapes, warmed up, TASKS tasks queued in one transaction; tasks/s from
the first claim to the last decision (the transitions' clock_timestamp()s), and the CPU the workers
and the server used in that window (/proc/<pid>/schedstat) per task.

(3) Latency: `aicrm worker`'s default shape again, tasks created one by one at half the throughput
it reached in (2) for STEADY_SECONDS; p95 from queued to decided over one task's time in (1). At
half load a task rarely waits for another, so the p95 is the task's own time plus the wake-up.

Run: .venv/bin/python benchmarks/pipeline_bench.py   (about 60 s; exit 1 on FAIL)
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import Ratio, duration, on_throwaway_server, verdict  # noqa: E402
from pipeline_replay import Recording, by_task, replay  # noqa: E402

import runner.worker as worker_pool  # noqa: E402
import runner.worker_task as worker_task  # noqa: E402
from runner import embedded  # noqa: E402
from runner.commands.worker import default_threads  # noqa: E402
from runner.config import Settings  # noqa: E402
from runner.migrate import migrate  # noqa: E402
from runner.providers.template import TemplateProvider  # noqa: E402
from runner.scoring import text_metrics  # noqa: E402
from runner.supervisor import default_processes  # noqa: E402
from tests.e2e.workload import DECIDED, create_tasks, seed_demo, task_specs  # noqa: E402

DATABASE = "aicrm_bench"
SERVER_SETTINGS = {
    "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "autovacuum": "off",
    "track_functions": "pl",
}  # fmt: skip
CORES = 2
TASKS = 200
SHAPES = [(1, 2), (2, 1), (2, 2), (4, 1)]  # (processes, threads each); on 2 CPUs (2, 1) is `aicrm worker`'s default
WARMUP = 3  # tasks per worker thread before the measured batch
ROUNDS = 4  # (1): the pipeline and the replay take turns, TASKS / ROUNDS tasks each
STEADY_SECONDS = 6.0
STEADY_LOAD = 0.5  # (3): tasks arrive at this share of the default shape's throughput in (2)
# The pipeline's CPU time per task over the replay of its writes: 8.2-9.5x on 2026-12-07.
TARGET_OVER_REPLAY = 12.0
# p95 queued -> decided at half load over one task's time alone.
TARGET_P95_OVER_TASK = 4.0
AICRM = Path(sys.executable).parent / "aicrm"
API = ("claim_next_task", "get_customer_context_for_ai", "start_generating", "submit_draft", "record_evaluation",
       "heartbeat", "fail_task")  # fmt: skip
CLK_TCK = os.sysconf("SC_CLK_TCK")

Conn = psycopg.Connection[tuple[Any, ...]]


# --- measuring ----------------------------------------------------------------------------------------


def cpu_seconds(pids: list[int]) -> float:
    """CPU time of the live processes, to the nanosecond (/proc/<pid>/schedstat: time on a CPU);
    those that ended count nothing."""
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
    return total / 1e9


def server_pids(st: embedded.ServerStatus, but: int) -> list[int]:
    """The postmaster and every process it started, except one backend (the benchmark's own)."""
    assert st.pid is not None
    pids = [st.pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == st.pid and int(stat.parent.name) != but:
            pids.append(int(stat.parent.name))
    return pids


def server_cpu(st: embedded.ServerStatus) -> float:
    """CPU seconds the server has used: the postmaster's own, its live children's and those of the
    children it has reaped (cutime, cstime, in clock ticks), so a backend that has exited still counts."""
    assert st.pid is not None
    fields = Path(f"/proc/{st.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / CLK_TCK + cpu_seconds(server_pids(st, but=0))


def cpu_now(st: embedded.ServerStatus) -> tuple[float, float]:
    """CPU seconds used so far by this process (every thread) and by the server."""
    return time.process_time(), server_cpu(st)


def cpu_since(st: embedded.ServerStatus, before: tuple[float, float]) -> tuple[float, float]:
    now = cpu_now(st)
    return now[0] - before[0], now[1] - before[1]


def task_times(conn: Conn, tasks: list[str]) -> dict[str, list[float]]:
    """Per task, from its transitions: queued (the first), first claim, decided (epoch seconds)."""
    rows = conn.execute(
        "select task_id,"
        " extract(epoch from min(created_at) filter (where to_state = 'queued')),"
        " extract(epoch from min(created_at) filter (where to_state = 'gathering_context')),"
        " extract(epoch from max(created_at) filter (where to_state = any(%s)))"
        " from aicrm.task_state_transitions where task_id = any(%s::uuid[]) group by task_id",
        (list(DECIDED), tasks),
    ).fetchall()
    return {"queued": [float(r[1]) for r in rows], "claimed": [float(r[2]) for r in rows],
            "decided": [float(r[3]) for r in rows if r[3] is not None]}  # fmt: skip


def wait_decided(conn: Conn, tasks: list[str], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        [(left,)] = conn.execute(
            "select count(*) from aicrm.project_tasks where task_id = any(%s::uuid[]) and execution_state <> all(%s)",
            (tasks, list(DECIDED)),
        ).fetchall()
        if left == 0:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{left} of {len(tasks)} tasks not decided after {timeout:.0f} s")
        time.sleep(0.05)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def function_times(conn: Conn) -> dict[str, tuple[int, float, float]]:
    """pg_stat_user_functions: name -> (calls, total ms, self ms)."""
    conn.execute("select pg_stat_force_next_flush()")
    conn.commit()  # a transaction reads one snapshot of the statistics
    rows = conn.execute(
        "select funcname, calls, total_time, self_time from pg_stat_user_functions"
        " where schemaname in ('aicrm', 'aicrm_private')"
    ).fetchall()
    conn.commit()
    return {r[0]: (int(r[1]), float(r[2]), float(r[3])) for r in rows}


def settled_times(conn: Conn, before: dict[str, tuple[int, float, float]], claims: int) -> dict[str, Any]:
    """function_times once the worker's backends, which report their statistics as they exit, have
    reported at least `claims` calls of claim_next_task since `before`."""
    deadline = time.monotonic() + 10
    while True:
        after = function_times(conn)
        done = after.get("claim_next_task", (0, 0.0, 0.0))[0] - before.get("claim_next_task", (0, 0.0, 0.0))[0]
        if done >= claims or time.monotonic() > deadline:
            return after
        time.sleep(0.05)


def add_times(
    total: dict[str, tuple[int, float, float]],
    after: dict[str, tuple[int, float, float]],
    before: dict[str, tuple[int, float, float]],
) -> dict[str, tuple[int, float, float]]:
    """total plus (after - before), per function."""
    out = dict(total)
    for name, (calls, ms, own) in after.items():
        was, now = before.get(name, (0, 0.0, 0.0)), out.get(name, (0, 0.0, 0.0))
        out[name] = (now[0] + calls - was[0], now[1] + ms - was[1], now[2] + own - was[2])
    return out


# --- (1) one task at a time, in this process ------------------------------------------------------------


class Timers:
    """Wall time around calls, by name, from any thread."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def wrap(self, name: str | Callable[[tuple[Any, ...]], str], fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                took = time.perf_counter() - started
                key = name(args) if callable(name) else name
                with self._lock:
                    self.seconds[key] += took
                    self.calls[key] += 1

        return timed


def pool_run(
    st: embedded.ServerStatus, settings: Settings, provider: TemplateProvider
) -> tuple[float, tuple[float, float], int]:
    """One worker thread in this process over every queued task: wall seconds, CPU seconds (this
    process, the server), tasks done."""
    pool = worker_pool.WorkerPool(settings, provider, worker_pool.WorkerOptions(concurrency=1, once=True))
    processes = set(server_pids(st, but=0))
    cpu, started = cpu_now(st), time.perf_counter()
    pool.start().join()
    wall = time.perf_counter() - started
    # The pool's backends exit as it closes its connections: once the postmaster has reaped them,
    # their CPU is in its cutime and cstime, so none is missed or counted twice.
    deadline = time.monotonic() + 30
    while set(server_pids(st, but=0)) - processes and time.monotonic() < deadline:
        time.sleep(0.01)
    return wall, cpu_since(st, cpu), len(pool.outcomes)


def sequential(st: embedded.ServerStatus, url: str, conn: Conn, customers: dict[str, str]) -> dict[str, Any]:
    """Record what TASKS tasks write; then ROUNDS rounds, each TASKS / ROUNDS tasks through a
    one-thread WorkerPool here, every part timed, followed by the replay of as many recorded tasks."""
    timers = Timers()
    provider = TemplateProvider()
    os.environ.update(DATABASE_URL=url, AICRM_SQL_DIR=str(ROOT / "sql"))
    settings = Settings.from_env()
    per_round = TASKS // ROUNDS
    out: dict[str, Any] = {"wall": [], "replay": [], "states": defaultdict(int), "functions": {}}
    out.update(n=0, replayed=0, total=0.0, cpu=[0.0, 0.0], replay_cpu=[0.0, 0.0])
    sql_call = timers.wrap(lambda a: f"sql {a[2]}", worker_task.call)
    with (
        mock.patch.object(worker_task, "call", sql_call),
        mock.patch.object(worker_pool, "call", sql_call),
        mock.patch.object(worker_task, "text_metrics", timers.wrap("text_metrics", text_metrics)),
        mock.patch.object(provider, "generate", timers.wrap("provider.generate", provider.generate)),
    ):
        create_tasks(conn, customers, task_specs(5, seed_=99), key="warm-seq")
        pool_run(st, settings, provider)
        # The recorded tasks are the rounds' tasks again: round r replays tasks of the same specs.
        specs = [task_specs(per_round, seed_=30 + r) for r in range(ROUNDS)]
        create_tasks(conn, customers, [spec for chunk in specs for spec in chunk], key="recorded")
        with psycopg.connect(url, autocommit=True) as admin:
            recording = Recording(admin)
            recording.start()
            pool_run(st, settings, provider)
            recorded = by_task(recording.stop())
        out["statements"] = sum(len(tx.statements) for task in recorded for tx in task) / len(recorded)
        out["transactions"] = sum(len(task) for task in recorded) / len(recorded)
        timers.seconds.clear()
        timers.calls.clear()
        with psycopg.connect(url) as replaying:
            for r in range(ROUNDS):
                tasks = create_tasks(conn, customers, specs[r], key=f"seq-{r}")
                before = function_times(conn)
                wall, cpu, n = pool_run(st, settings, provider)
                out["functions"] = add_times(out["functions"], settled_times(conn, before, n), before)
                chunk = recorded[r * per_round : (r + 1) * per_round]
                replay_cpu = cpu_now(st)
                replay_wall = replay(replaying, chunk)
                replay_cpu = cpu_since(st, replay_cpu)
                out["wall"].append(wall / n)
                out["replay"].append(replay_wall / len(chunk))
                out["cpu"] = [a + b for a, b in zip(out["cpu"], cpu, strict=True)]
                out["replay_cpu"] = [a + b for a, b in zip(out["replay_cpu"], replay_cpu, strict=True)]
                out["n"] += n
                out["replayed"] += len(chunk)
                out["total"] += wall
                for state, count in conn.execute(
                    "select execution_state, count(*) from aicrm.project_tasks where task_id = any(%s::uuid[])"
                    " group by 1",
                    (tasks,),
                ).fetchall():
                    out["states"][state] += count
                conn.commit()
    out.update(seconds=dict(timers.seconds), calls=dict(timers.calls))
    return out


# --- (2) and (3): worker processes --------------------------------------------------------------------


class Workers:
    """`aicrm worker --processes P --concurrency T`: the real supervisor and its P children; stopped
    with SIGTERM (passed on to the children, which drain and exit)."""

    def __init__(self, url: str, processes: int, threads: int) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AICRM_", "OPENAI_"))}
        env.update(DATABASE_URL=url, AICRM_SQL_DIR=str(ROOT / "sql"), AICRM_LLM_PROVIDER="template")
        command = [
            str(AICRM), "worker", "--processes", str(processes), "--concurrency", str(threads),
            "--lease", "60", "--poll", "0.5",
        ]  # fmt: skip
        self.proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.processes = processes

    @property
    def pids(self) -> list[int]:
        """The supervisor (when there is one) and the processes that work."""
        if self.processes == 1:
            return [self.proc.pid]
        deadline = time.monotonic() + 30
        while len(children := children_of(self.proc.pid)) < self.processes:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.processes} worker processes expected, found {len(children)}")
            time.sleep(0.1)
        return [self.proc.pid, *children]

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def children_of(pid: int) -> list[int]:
    """The live child processes of `pid` (/proc/<n>/stat's fourth field is the parent)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(") ", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def shape_run(url: str, st: embedded.ServerStatus, conn: Conn, customers: dict[str, str], shape: tuple[int, int],
              n: int) -> dict[str, Any]:  # fmt: skip
    """Warm the shape's processes up, queue the batch in one transaction, time it to the last decision."""
    processes, threads = shape
    workers = Workers(url, processes, threads)
    try:
        warm = create_tasks(conn, customers, task_specs(WARMUP * processes * threads, seed_=5), key=f"warm-{n}")
        wait_decided(conn, warm)
        conn.commit()
        servers = server_pids(st, conn.info.backend_pid)
        cpu_before = (cpu_seconds(workers.pids), cpu_seconds(servers))
        tasks = create_tasks(conn, customers, task_specs(TASKS), key=f"batch-{n}")
        wait_decided(conn, tasks)
        cpu_after = (cpu_seconds(workers.pids), cpu_seconds(servers))
        conn.commit()
    finally:
        workers.stop()
    times = task_times(conn, tasks)
    conn.commit()
    window = max(times["decided"]) - min(times["claimed"])
    latency = [d - q for q, d in zip(times["queued"], times["decided"], strict=True)]
    return {
        "shape": shape, "n": len(tasks), "window": window, "per_s": len(tasks) / window,
        "p50": statistics.median(latency), "p95": p95(latency),
        "python_ms": 1e3 * (cpu_after[0] - cpu_before[0]) / len(tasks),
        "server_ms": 1e3 * (cpu_after[1] - cpu_before[1]) / len(tasks),
    }  # fmt: skip


def steady_run(url: str, conn: Conn, customers: dict[str, str], shape: tuple[int, int], rate: float) -> dict[str, Any]:
    """Tasks created one at a time at `rate` per second for STEADY_SECONDS; queued -> decided."""
    processes, threads = shape
    workers = Workers(url, processes, threads)
    try:
        warm = create_tasks(conn, customers, task_specs(WARMUP * processes * threads, seed_=5), key="warm-steady")
        wait_decided(conn, warm)
        conn.commit()
        specs = task_specs(int(rate * STEADY_SECONDS), seed_=21)
        tasks: list[str] = []
        started = time.perf_counter()
        for i, spec in enumerate(specs):
            time.sleep(max(0.0, started + i / rate - time.perf_counter()))
            tasks += create_tasks(conn, customers, [spec], key=f"steady-{i}")
        offered = len(specs) / (time.perf_counter() - started)
        wait_decided(conn, tasks)
        conn.commit()
    finally:
        workers.stop()
    times = task_times(conn, tasks)
    conn.commit()
    latency = sorted(d - q for q, d in zip(times["queued"], times["decided"], strict=True))
    return {"shape": shape, "rate": rate, "offered": offered, "n": len(tasks), "p50": statistics.median(latency),
            "p95": p95(latency), "max": latency[-1]}  # fmt: skip


# --- the report -----------------------------------------------------------------------------------------


def report_sequential(seq: dict[str, Any]) -> list[str]:
    n = seq["n"]
    per = {k: 1e3 * v / n for k, v in seq["seconds"].items()}
    task_ms = 1e3 * seq["total"] / n
    sql_ms = sum(v for k, v in per.items() if k.startswith("sql "))
    fn = seq["functions"]
    server_ms = sum(fn[f][1] for f in API if f in fn) / n
    rounds = ", ".join(f"{1e3 * w:.1f}/{1e3 * r:.1f}" for w, r in zip(seq["wall"], seq["replay"], strict=True))
    lines = [
        f"(1) one task at a time: {ROUNDS} rounds of {n // ROUNDS} tasks through one worker thread in this process,",
        "  each followed by the replay of as many recorded tasks from one client",
        f"  {'per task':30} {'CPU':>10} {'= Python':>10} {'+ server':>10} {'wall':>10}",
        f"  {'pipeline':30} {duration(sum(seq['cpu']) / n):>10} {duration(seq['cpu'][0] / n):>10} "
        f"{duration(seq['cpu'][1] / n):>10} {duration(statistics.median(seq['wall'])):>10}",
        f"  {'replay of its writes':30} {duration(sum(seq['replay_cpu']) / seq['replayed']):>10} "
        f"{duration(seq['replay_cpu'][0] / seq['replayed']):>10} {duration(seq['replay_cpu'][1] / seq['replayed']):>10}"
        f" {duration(statistics.median(seq['replay'])):>10}",
        f"  (the replay: {seq['statements']:.1f} statements in {seq['transactions']:.1f} transactions a task; CPU: "
        "this process and every server process)",
        f"  wall ms a task by round, pipeline/replay: {rounds} (medians above); outcomes "
        + ", ".join(f"{k} {v}" for k, v in sorted(seq["states"].items())),
        f"  {'part (means over the rounds)':44} {'ms/task':>8} {'calls':>6} {'ms/call':>8}",
    ]
    for k in sorted(per, key=lambda k: -per[k]):
        lines.append(f"  {k:44} {per[k]:8.2f} {seq['calls'][k]:6} {1e3 * seq['seconds'][k] / seq['calls'][k]:8.2f}")
    lines += [
        f"  {'the rest (the pool, logging, Python)':44} {task_ms - sum(per.values()):8.2f}",
        f"  the worker's SQL, client side (round trips included): {sql_ms:.2f} ms a task; the server's time inside",
        f"  the API functions (pg_stat_user_functions): {server_ms:.2f} ms a task; the difference, "
        f"{sql_ms - server_ms:.2f} ms, is",
        "  statement overhead, BEGIN/set_tenant/COMMIT and the round trips (4 a call, 3 for the claim)",
        "  server time by API function, and the inner functions with the most time of their own:",
    ]
    for f in API:
        if f in fn:
            calls, total, _ = fn[f]
            lines.append(f"    {f:42} {total / n:8.2f} ms/task ({calls} calls)")
    inner = sorted(((v[2], k, v[0]) for k, v in fn.items()), reverse=True)[:10]
    lines += [f"      self {k:37} {s / n:8.2f} ms/task ({c} calls)" for s, k, c in inner]
    return lines


def default_shape() -> tuple[int, int]:
    """`aicrm worker`'s processes x threads with no flags, for the template provider, in this process
    (pinned to CORES CPUs, as the workers inherit)."""
    return default_processes(), default_threads(TemplateProvider())


def report(
    seq: dict[str, Any], shapes: list[dict[str, Any]], steady: dict[str, Any], default: dict[str, Any]
) -> tuple[list[str], list[Ratio]]:
    task, replayed = statistics.median(seq["wall"]), statistics.median(seq["replay"])
    task_cpu, replay_cpu = sum(seq["cpu"]) / seq["n"], sum(seq["replay_cpu"]) / seq["replayed"]
    lines = report_sequential(seq)
    lines += [
        f"\n(2) throughput on {CORES} cores, an indication: {TASKS} tasks queued at once, first claim to last decision",
        f"  {'processes x threads':20} {'tasks/s':>8} {'p50 q->d':>9} {'p95 q->d':>9} {'CPU/task: Python':>17} "
        f"{'server':>7} {'= most on 2 cores':>18}",
    ]
    for r in shapes:
        cpu = r["python_ms"] + r["server_ms"]
        lines.append(
            f"  {r['shape'][0]} x {r['shape'][1]:<16} {r['per_s']:8.1f} {r['p50']:8.2f}s {r['p95']:8.2f}s "
            f"{r['python_ms']:14.2f} ms {r['server_ms']:5.2f} ms {1e3 * CORES / cpu:13.0f}/s"
        )
    lines += [
        "  (p50/p95 here include the wait in a queue of 200; CPU from /proc: the worker processes, and every",
        "   process of the server except the benchmark's own connection)",
        f"  `aicrm worker`'s default shape here, {default['shape'][0]} x {default['shape'][1]}: "
        f"{duration(1 / default['per_s'])} a task on {CORES} cores; the pipeline's wall time a task over the "
        f"replay's in (1): {task / replayed:.1f}x",
        f"\n(3) latency at a steady {steady['rate']:.0f} tasks/s ({STEADY_LOAD:.0%} of the default shape's "
        f"throughput; offered {steady['offered']:.0f}/s, {steady['n']} tasks), queued -> decided: "
        f"p50 {duration(steady['p50'])}, p95 {duration(steady['p95'])}, max {duration(steady['max'])}",
    ]
    ratios = [
        Ratio("pipeline / replay of the same writes, CPU per task", task_cpu, replay_cpu, TARGET_OVER_REPLAY,
              "pipeline", "replay"),
        Ratio(f"p95 queued -> decided at {STEADY_LOAD:.0%} load / one task alone", steady["p95"], task,
              TARGET_P95_OVER_TASK, "p95", "one task in (1)"),
    ]  # fmt: skip
    return lines, ratios


def pin() -> str:
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) > CORES:
        os.sched_setaffinity(0, cpus[:CORES])  # inherited by the server and the workers
        return f"pinned to {CORES} of {len(cpus)} CPUs"
    return f"{len(cpus)} CPUs"


def run(st: embedded.ServerStatus, pinned: str) -> bool:
    url = embedded.conninfo(st, embedded.SUPERUSER, DATABASE)
    with psycopg.connect(url, autocommit=True) as admin:
        migrate(admin, ROOT / "sql")
        version = admin.execute("show server_version").fetchone()
    with psycopg.connect(url) as conn:
        customers = seed_demo(conn)
        print(f"PostgreSQL {version[0] if version else '?'}; {pinned}; fsync and synchronous_commit off\n")
        seq = sequential(st, url, conn, customers)
        shapes = []
        for n, shape in enumerate(SHAPES):
            shapes.append(shape_run(url, st, conn, customers, shape, n))
        # What `aicrm worker` runs with no flags here (pinned: one process per CPU).
        default = next(r for r in shapes if r["shape"] == default_shape())
        steady = steady_run(url, conn, customers, default["shape"], STEADY_LOAD * default["per_s"])
    lines, ratios = report(seq, shapes, steady, default)
    print("\n".join(lines))
    return verdict(ratios)


def main() -> int:
    pinned = pin()
    return on_throwaway_server("pipeline", DATABASE, SERVER_SETTINGS, lambda pgdata, st: run(st, pinned))


if __name__ == "__main__":
    sys.exit(main())
