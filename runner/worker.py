"""One content worker process (docs/pipeline.md, "The worker daemon"): a pool of threads, each with
its own connection as aicrm_worker, claiming tasks of every tenant with aicrm.claim_next_task and
working them through runner/worker_task.py. Several such processes run under runner/supervisor.py.

Threads within a process share the provider's client and its circuit breaker (one breaker per
process, as docs/llm-providers.md says), and a stopping pool releases the tasks its threads still
hold from the main thread. They help where the work waits (a model over HTTP); CPU (the offline
writer, the metrics) needs processes, since the threads share one interpreter lock.

Idle threads LISTEN on aicrm_task_queued and claim again as soon as a task is queued, and every
`poll` seconds anyway (a task backing off becomes claimable with no notification, an expired lease
too). A lost connection is reopened with a growing delay, for ever: the task that was in flight keeps
its lease until it runs out and the next claim, here or elsewhere, takes it over."""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg

from runner.config import Settings
from runner.db import connect, queries
from runner.errors import AicrmError, ConfigurationError, DatabaseUnavailable
from runner.providers.llm import LLMProvider, LLMSettings, llm_from_config
from runner.worker_task import Connection, LeaseLost, Outcome, TaskRun, call

log = logging.getLogger("aicrm.worker")
RECONNECT_FIRST, RECONNECT_MAX = 0.5, 30.0
WAKE_CHECK = 0.5  # seconds between looks at the stop flag while waiting for a notification


def provider_from_env() -> LLMProvider:
    """The configured provider (AICRM_LLM_*); `template` is built from runner/providers/template.py,
    imported only when it is the one configured."""

    def template() -> LLMProvider:
        # By name, at call time: the module is loaded only for the template provider.
        try:
            module = importlib.import_module("runner.providers.template")
        except ModuleNotFoundError as exc:
            raise ConfigurationError(
                "AICRM_LLM_PROVIDER: template: the template provider (runner/providers/template.py) is not installed",
                hint="Set AICRM_LLM_PROVIDER=openai and AICRM_LLM_MODEL (docs/llm-providers.md).",
            ) from exc
        provider: LLMProvider = module.TemplateProvider()
        return provider

    return llm_from_config(LLMSettings.from_env(), template_factory=template)


def log_to_stderr() -> None:
    """One line per event on stderr (the daemon's log), once per process."""
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


@dataclass(frozen=True)
class WorkerOptions:
    concurrency: int = 2
    lease_seconds: int = 300  # renewed every third of it while the provider writes
    once: bool = False  # stop when nothing is claimable
    max_tasks: int | None = None  # stop after claiming this many
    poll: float = 5.0  # an idle thread claims again after this long without a notification


@dataclass(frozen=True)
class Held:
    tenant_id: str
    task_id: str
    lease_token: str


class WorkerPool:
    def __init__(
        self,
        settings: Settings,
        provider: LLMProvider,
        options: WorkerOptions,
        *,
        name: str | None = None,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> None:
        self.settings, self.provider, self.options = settings, provider, options
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.on_outcome = on_outcome
        self.outcomes: list[Outcome] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._held: dict[str, Held] = {}
        self._claimed = 0
        self._threads: list[threading.Thread] = []

    # --- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> WorkerPool:
        for n in range(1, self.options.concurrency + 1):
            thread = threading.Thread(target=self._loop, args=(f"{self.name}/{n}",), name=f"aicrm-worker-{n}")
            thread.daemon = True  # a pool stopped past its grace period must not keep the process alive
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Claim nothing more; tasks in flight go on."""
        self.stopping.set()

    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def join(self, timeout: float | None = None, interrupt: threading.Event | None = None) -> bool:
        """Wait for every thread (at most `timeout` seconds, less if `interrupt` is set); whether all ended."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.running():
            if interrupt is not None and interrupt.is_set():
                return False
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            for t in self._threads:
                t.join(0.1 if left is None else min(left, 0.1))
        return True

    def held(self) -> list[Held]:
        with self._lock:
            return list(self._held.values())

    def release_held(self, reason: str = "worker stopping") -> int:
        """Give back every task a thread still holds (release_task, fenced by its lease: a task that
        finished meanwhile is refused and left alone). Own connection: the threads' are busy."""
        held = self.held()
        if not held:
            return 0
        released = 0
        with connect(self.settings, "worker", autocommit=True) as conn:
            for h in held:
                params = {"task_id": h.task_id, "lease_token": h.lease_token, "reason": reason}
                try:
                    call(conn, h.tenant_id, "release_task", params)
                except LeaseLost:
                    continue
                released += 1
                log.info("task %s: released (%s)", h.task_id, reason)
        return released

    def drain(self, grace: float, interrupt: threading.Event | None = None) -> None:
        """Graceful stop: no new claims, `grace` seconds for the tasks in flight (none once `interrupt`
        is set: a second signal), then release what is still held."""
        self.stop()
        if not self.join(grace, interrupt):
            try:
                self.release_held()
            except AicrmError as exc:
                log.warning("could not release the tasks in flight (their leases will expire): %s", exc.one_line())

    # --- one thread -----------------------------------------------------------------------------------

    def _reserve(self) -> bool:
        with self._lock:
            if self.options.max_tasks is not None and self._claimed >= self.options.max_tasks:
                return False
            self._claimed += 1
            return True

    def _unreserve(self) -> None:
        with self._lock:
            self._claimed -= 1

    def _loop(self, worker_id: str) -> None:
        conn: Connection | None = None
        delay = RECONNECT_FIRST
        try:
            while not self.stopping.is_set():
                try:
                    if conn is None:
                        conn = self._connect(worker_id)
                        delay = RECONNECT_FIRST
                    if not self._reserve():
                        return
                    try:
                        claim = self._claim(conn, worker_id)
                    except BaseException:
                        self._unreserve()
                        raise
                    if claim is None:
                        self._unreserve()
                        if self.options.once:
                            return
                        self._wait_for_work(conn)
                        continue
                    self._work(conn, worker_id, claim)
                except AicrmError as exc:  # the database went away (or refused the claim): reconnect, back off
                    log.warning("%s: %s; reconnecting in %.1f s", worker_id, exc.one_line(), delay)
                    if conn is not None:
                        conn.close()
                        conn = None
                    self.stopping.wait(delay)
                    delay = min(delay * 2, RECONNECT_MAX)
        except Exception:
            log.exception("%s: stopped by an unexpected error", worker_id)
        finally:
            if conn is not None:
                conn.close()

    def _connect(self, worker_id: str) -> Connection:
        conn = connect(self.settings, "worker", autocommit=True)
        with lost_connection(conn):
            # pg_stat_activity names the thread: "aicrm-worker host:pid/n"
            conn.execute(queries()["set_application_name"], {"name": f"aicrm-worker {worker_id}"[:63]})
            conn.execute(queries()["listen_task_queued"])
        return conn

    def _claim(self, conn: Connection, worker_id: str) -> Any:
        with lost_connection(conn):
            for _ in conn.notifies(timeout=0):  # drain: this claim answers every notification so far
                pass
        return call(
            conn, None, "claim_next_task", {"worker_id": worker_id, "lease_seconds": self.options.lease_seconds}
        )

    def _wait_for_work(self, conn: Connection) -> None:
        deadline = time.monotonic() + self.options.poll
        with lost_connection(conn):
            while not self.stopping.is_set() and (left := deadline - time.monotonic()) > 0:
                for _ in conn.notifies(timeout=min(left, WAKE_CHECK), stop_after=1):
                    return

    def _work(self, conn: Connection, worker_id: str, claim: Any) -> None:
        h = Held(str(claim["tenant_id"]), str(claim["task_id"]), str(claim["lease_token"]))
        with self._lock:
            self._held[worker_id] = h
        try:
            outcome = TaskRun(conn, self.provider, worker_id, self.options.lease_seconds, claim).run()
        except DatabaseUnavailable:
            log.warning("task %s: connection lost; its lease will expire and another claim takes it", h.task_id)
            raise
        finally:
            with self._lock:
                self._held.pop(worker_id, None)
        with self._lock:
            self.outcomes.append(outcome)
        log.info("%s", describe(outcome, worker_id))
        if self.on_outcome is not None:
            self.on_outcome(outcome)


@contextmanager
def lost_connection(conn: Connection) -> Iterator[None]:
    try:
        yield
    except psycopg.Error as exc:
        conn.close()
        raise DatabaseUnavailable(f"database connection lost: {str(exc).strip()}") from exc


def describe(outcome: Outcome, worker_id: str) -> str:
    """The one line logged per task."""
    failures = "" if outcome.failures is None else f", failures {outcome.failures}"
    detail = f" ({outcome.detail})" if outcome.detail else ""
    return (
        f"task {outcome.task_id}: {outcome.state} after {outcome.attempts} attempt"
        f"{'s' if outcome.attempts != 1 else ''}{failures} in {outcome.seconds:.1f} s{detail} "
        f"[tenant {outcome.tenant_id}, {worker_id}]"
    )
