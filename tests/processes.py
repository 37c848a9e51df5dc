"""Running aicrm's own processes in tests: the installed console script with a clean environment,
waiting for a condition (polled, with a generous timeout: never a fixed sleep standing in for one),
stopping a process with SIGTERM and timing its exit, and a fleet of processes to SIGKILL at random.
The processes open their own connections, so what they must see is committed first
(tests/factories.py: committed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = ROOT / "sql"
AICRM = Path(sys.executable).parent / "aicrm"


def command_env(db_url: str, **extra: str) -> dict[str, str]:
    """The environment for `aicrm`: this one without the machine's AICRM_*, OPENAI_* and DATABASE_URL
    settings, then the test's database, the checkout's SQL and `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AICRM_", "OPENAI_")) and k != "DATABASE_URL"}
    env.update(DATABASE_URL=db_url, AICRM_SQL_DIR=str(SQL_DIR), **extra)
    return env


def run_aicrm(
    db_url: str, *args: str | Path, stdin: str | None = None, timeout: float = 120, **extra: str
) -> subprocess.CompletedProcess[str]:
    """`aicrm *args` to the end, against the test's database (`extra`: more environment)."""
    return subprocess.run(
        [str(AICRM), *map(str, args)], env=command_env(db_url, **extra), input=stdin,
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


def run_module(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m runner *args` from the checkout, in `env`, to the end."""
    return subprocess.run(
        [sys.executable, "-m", "runner", *args],
        env=env, input=stdin, capture_output=True, text=True, timeout=120, cwd=ROOT, check=False,
    )  # fmt: skip


def query(db_url: str, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    """The rows of one statement on a connection of its own (what the processes have committed)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def execute(db_url: str, sql: str, params: Any = None) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(sql, params)


def wait_for(check: Callable[[], bool], timeout: float = 15.0) -> None:
    """Poll `check` until it holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@dataclass
class Stopped:
    returncode: int
    stderr: str
    took: float  # seconds from the SIGTERM to the exit


def stop_with_sigterm(args: Sequence[str], env: dict[str, str], ready: Callable[[], bool]) -> Stopped:
    """Start `aicrm *args`, wait until `ready()` holds (the work to interrupt is in flight), send
    SIGTERM, and wait for the process to exit by itself; it is killed if anything fails first."""
    proc = subprocess.Popen([str(AICRM), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(ready, timeout=30)
        signalled = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    return Stopped(proc.returncode, err, time.monotonic() - signalled)


def pid_of(holder: str) -> int:
    """A worker's or publisher's id (host:pid/thread) -> pid."""
    return int(holder.rsplit(":", 1)[1].split("/")[0])


class Fleet:
    """Processes of one aicrm command, each logging to its own file in `logs`; each SIGKILL recorded
    with its time."""

    def __init__(self, args: Sequence[str], env: dict[str, str], logs: Path) -> None:
        self.args, self.env, self.logs = list(args), env, logs
        self.procs: dict[int, subprocess.Popen[bytes]] = {}
        self.kills: dict[int, datetime] = {}

    def start(self) -> None:
        log = (self.logs / f"{self.args[0]}-{len(self.procs) + len(self.kills)}.log").open("wb")
        proc = subprocess.Popen([str(AICRM), *self.args], env=self.env, stdout=subprocess.DEVNULL, stderr=log)
        self.procs[proc.pid] = proc

    def kill(self, pid: int) -> None:
        proc = self.procs.pop(pid)
        self.kills[pid] = datetime.now(UTC)
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    def kill_all(self) -> None:
        for pid in list(self.procs):
            self.kill(pid)

    def log_text(self) -> str:
        return "".join(f.read_text() for f in sorted(self.logs.glob(f"{self.args[0]}-*.log")))
