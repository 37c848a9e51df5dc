"""Worker processes (docs/pipeline.md, "Processes and threads"): `aicrm worker --processes N` and
`aicrm up` run N child processes of `aicrm worker --processes 1`, each a thread pool
(runner/worker.py) with its own provider and circuit breaker, and supervise them.

Why processes: the offline writer, the text metrics and the worker's Python are CPU, and Python's
threads share one interpreter lock, so one process tops out near 90 tasks/s on 2 cores while two
reach about 125 (benchmarks/pipeline_bench.py). Threads stay for what waits (a model over HTTP).

The supervisor decides nothing about tasks. It starts the children, starts another in place of one
that died (a crash, an OOM kill) after a growing delay, and on SIGTERM/SIGINT passes SIGTERM on (on
a second one, SIGUSR1: the children then release their tasks at once), gives them the grace period
plus a margin, and kills what is left (their leases run out and other workers take the tasks over).
A supervised child takes SIGTERM or SIGINT, however many, as one graceful stop: a service manager
that signals every process of the service (systemd's default KillMode) does not cut the grace short.

The children run in their own session, so a Ctrl-C in a terminal reaches the supervisor alone and
is passed on once; each child also stops, gracefully, when its supervisor is gone (its parent pid
changes). A child's last line on stdout is its tally as JSON, added up in the supervisor's summary."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from runner.worker import WorkerOptions

log = logging.getLogger("aicrm.worker.supervisor")
RESPAWN_FIRST, RESPAWN_MAX = 1.0, 30.0
HEALTHY_AFTER = 60.0  # a child that lived this long resets the respawn delay
KILL_MARGIN = 10.0  # seconds past the grace period before the children still running are killed
FORCE = signal.SIGUSR1  # to a child: release the tasks in flight now (a second stop signal)


def default_processes() -> int:
    """One worker process per CPU this process may use, at most 8."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


def shares(total: int | None, parts: int) -> list[int | None]:
    """--max-tasks split over the processes so that together they claim exactly `total`."""
    if total is None:
        return [None] * parts
    return [total // parts + (1 if n < total % parts else 0) for n in range(parts)]


def child_argv(options: WorkerOptions, grace: float, max_tasks: int | None, parent: int) -> list[str]:
    argv = [
        sys.executable, "-m", "runner", "worker", "--processes", "1",
        "--concurrency", str(options.concurrency), "--lease", str(options.lease_seconds),
        "--poll", str(options.poll), "--grace", str(grace), "--supervised-by", str(parent),
    ]  # fmt: skip
    if options.once:
        argv.append("--once")
    if max_tasks is not None:
        argv += ["--max-tasks", str(max_tasks)]
    return argv


@dataclass
class Child:
    number: int
    argv: list[str]
    proc: subprocess.Popen[str] | None = None
    started: float = 0.0
    delay: float = RESPAWN_FIRST
    restart_at: float | None = None  # set while waiting to start again after a crash
    done: bool = False  # ended by itself (--once, --max-tasks) or stopped: not started again


@dataclass
class Tally:
    tasks: int = 0
    states: Counter[str] = field(default_factory=Counter)
    crashes: int = 0
    killed: int = 0


class ProcessGroup:
    """N supervised `aicrm worker` children; see the module docstring."""

    def __init__(self, processes: int, options: WorkerOptions, grace: float, name: str | None = None) -> None:
        self.options, self.grace = options, grace
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        parent = os.getpid()
        self.children = [
            Child(n, child_argv(options, grace, share, parent))
            for n, share in enumerate(shares(options.max_tasks, processes), start=1)
            if share is None or share > 0
        ]
        self.tally = Tally()
        self.stopping = False

    def start(self) -> ProcessGroup:
        for child in self.children:
            self._spawn(child)
        return self

    def _spawn(self, child: Child) -> None:
        child.proc = subprocess.Popen(
            child.argv, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, start_new_session=True
        )
        child.started, child.restart_at = time.monotonic(), None
        log.info("worker process %d started (pid %d)", child.number, child.proc.pid)

    def running(self) -> bool:
        """Whether a child runs or waits to be started again."""
        return any(not c.done for c in self.children)

    def pids(self) -> list[int]:
        return [c.proc.pid for c in self.children if c.proc is not None and c.proc.poll() is None]

    def check(self) -> None:
        """Collect the children that ended; start again, after a growing delay, the ones that died."""
        now = time.monotonic()
        for child in self.children:
            if child.done:
                continue
            if child.proc is None:
                if child.restart_at is not None and now >= child.restart_at and not self.stopping:
                    self._spawn(child)
                continue
            code = child.proc.poll()
            if code is None:
                continue
            self._collect(child)
            lived = now - child.started
            child.proc = None
            if code == 0 or self.stopping:
                child.done = True
                continue
            self.tally.crashes += 1
            if lived >= HEALTHY_AFTER:
                child.delay = RESPAWN_FIRST
            why = f"signal {-code}" if code < 0 else f"exit code {code}"
            log.warning(
                "worker process %d ended with %s after %.1f s; starting another in %.1f s",
                child.number, why, lived, child.delay,
            )  # fmt: skip
            child.restart_at = now + child.delay
            child.delay = min(child.delay * 2, RESPAWN_MAX)

    def _collect(self, child: Child) -> None:
        """The child's tally: its last stdout line (none when it was killed)."""
        if child.proc is None or child.proc.stdout is None:
            return
        lines = child.proc.stdout.read().strip().splitlines()
        child.proc.stdout.close()
        try:
            report = json.loads(lines[-1]) if lines else {}
        except ValueError:
            report = {}
        self.tally.tasks += int(report.get("tasks", 0))
        self.tally.states.update({str(k): int(v) for k, v in dict(report.get("states", {})).items()})

    def signal(self) -> None:
        """Pass a stop signal on: the first (SIGTERM) stops claiming, a second (FORCE) releases the
        tasks in flight. A supervised child takes any number of SIGTERMs as one graceful stop, so a
        service manager that signals the whole group (systemd's default) cuts no grace short."""
        force = self.stopping
        self.stopping = True
        for child in self.children:
            if child.proc is not None and child.proc.poll() is None:
                child.proc.send_signal(FORCE if force else signal.SIGTERM)
            elif child.proc is None:
                child.done = True  # waiting to be started again: not any more

    def wait(self, timeout: float) -> bool:
        """Collect children until none runs (True) or `timeout` passes (False)."""
        deadline = time.monotonic() + timeout
        while True:
            self.check()
            if not self.running():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL what still runs after the grace period and the margin: their leases run out."""
        for child in self.children:
            if child.proc is not None and child.proc.poll() is None:
                log.warning("worker process %d (pid %d) did not stop: killed", child.number, child.proc.pid)
                child.proc.kill()
                child.proc.wait()
                self.tally.killed += 1
            if child.proc is not None:
                self._collect(child)
                child.proc = None
            child.done = True

    def summary(self) -> str:
        states = ", ".join(f"{state} {n}" for state, n in sorted(self.tally.states.items())) or "nothing to do"
        extra = "".join(
            f", {n} {what}" for n, what in ((self.tally.crashes, "crashed"), (self.tally.killed, "killed")) if n
        )
        return f"{self.tally.tasks} tasks ({states}) in {len(self.children)} processes{extra}"
