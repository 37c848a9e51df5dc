"""The publisher (docs/pipeline.md, "The publisher"): a pool of threads, each with its own connection
as aicrm_worker, claiming approved drafts of every tenant with aicrm.claim_next_delivery, delivering
each through runner/transports.py (a signed webhook, or SMTP), and recording the outcome with
aicrm.record_delivery, fenced by the lease. The database decides what a failure means (back off, or
escalate); the transport only says whether the receiver took it and whether trying again can help.

The outbox sends no notification, so idle threads claim again every `poll` seconds. A lost connection
is reopened with a growing delay, for ever (the content worker's loop, runner/worker.py); an outcome
whose recording was cut off is recorded again on a fresh connection while the lease lasts, so a
database hiccup does not make the receiver get the draft twice."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from runner.config import Settings
from runner.db import connect, queries
from runner.errors import AicrmError, DatabaseUnavailable
from runner.transports import Router
from runner.worker import RECONNECT_FIRST, RECONNECT_MAX, lost_connection
from runner.worker_task import Connection, LeaseLost, call

# A child of the worker's logger: runner.worker.log_to_stderr() gives both daemons one stderr format.
log = logging.getLogger("aicrm.worker.publisher")

# --- the pool -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublisherOptions:
    concurrency: int = 2
    lease_seconds: int = 120  # no heartbeat: a delivery must end well within it
    once: bool = False  # stop when nothing is claimable
    poll: float = 2.0  # an idle thread claims again after this long (the outbox sends no notification)


@dataclass(frozen=True)
class Delivery:
    """One claim's outcome; `status` is record_delivery's (delivered, pending, failed) or dropped."""

    outbox_id: str
    tenant_id: str
    task_id: str
    status: str
    attempt: int
    transport: str
    seconds: float
    detail: str = ""


class Publisher:
    def __init__(
        self, settings: Settings, router: Router, options: PublisherOptions, *, name: str | None = None
    ) -> None:
        self.settings, self.router, self.options = settings, router, options
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.deliveries: list[Delivery] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._in_flight: set[str] = set()
        self._threads: list[threading.Thread] = []

    def start(self) -> Publisher:
        for n in range(1, self.options.concurrency + 1):
            thread = threading.Thread(target=self._loop, args=(f"{self.name}/{n}",), name=f"aicrm-publisher-{n}")
            thread.daemon = True  # a delivery still waiting past the grace must not keep the process alive
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Claim nothing more; deliveries in flight go on."""
        self.stopping.set()

    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def in_flight(self) -> int:
        with self._lock:
            return len(self._in_flight)

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

    def drain(self, grace: float, interrupt: threading.Event | None = None) -> None:
        """Graceful stop: no new claims, `grace` seconds for the deliveries in flight. There is no way
        to give a delivery back: one still running keeps its lease until it runs out, and the next
        claim delivers it again with the same Idempotency-Key."""
        self.stop()
        if not self.join(grace, interrupt) and (left := self.in_flight()):
            log.warning("%d deliveries still in flight: left to their leases (delivered again later)", left)

    def _loop(self, worker_id: str) -> None:
        conn: Connection | None = None
        delay = RECONNECT_FIRST
        try:
            while not self.stopping.is_set():
                try:
                    if conn is None or conn.closed or conn.broken:
                        conn = self._connect(worker_id)
                        delay = RECONNECT_FIRST
                    ask = {"worker_id": worker_id, "lease_seconds": self.options.lease_seconds}
                    claim = call(conn, None, "claim_next_delivery", ask)
                    if claim is None:
                        if self.options.once:
                            return
                        self.stopping.wait(self.options.poll)
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
        with lost_connection(conn):  # pg_stat_activity names the thread: "aicrm-publisher host:pid/n"
            conn.execute(queries()["set_application_name"], {"name": f"aicrm-publisher {worker_id}"[:63]})
        return conn

    def _work(self, conn: Connection, worker_id: str, claim: Any) -> None:
        started = time.monotonic()
        tenant, outbox_id = str(claim["tenant_id"]), str(claim["outbox_id"])
        payload: dict[str, Any] = claim["payload"]
        with self._lock:
            self._in_flight.add(outbox_id)
        try:
            attempt = self.router.deliver(outbox_id, str(claim["channel"]), payload)
            params = {
                "outbox_id": outbox_id, "lease_token": str(claim["lease_token"]), "delivered": attempt.delivered,
                "transport": attempt.transport, "target": attempt.target, "response": Jsonb(attempt.response),
                "retryable": attempt.retryable,
            }  # fmt: skip
            try:
                status = str(self._record(conn, tenant, params, started + self.options.lease_seconds)["status"])
                detail = attempt.summary
            except LeaseLost as exc:
                status, detail = "dropped", f"lease lost: {exc}; {attempt.summary}"
            except DatabaseUnavailable:
                log.warning(
                    "delivery %s: %s, not recorded: its lease will expire and it is delivered again",
                    outbox_id,
                    attempt.summary,
                )
                raise
        finally:
            with self._lock:
                self._in_flight.discard(outbox_id)
        outcome = Delivery(
            outbox_id, tenant, str(payload.get("task_id")), status, int(claim["attempt"]), attempt.transport,
            time.monotonic() - started, detail,
        )  # fmt: skip
        with self._lock:
            self.deliveries.append(outcome)
        log.info("%s", describe(outcome, attempt.target, worker_id))

    def _record(self, conn: Connection, tenant: str, params: dict[str, Any], deadline: float) -> Any:
        """record_delivery; when the connection drops, again on fresh connections until the lease ends.
        Safe: the fence refuses a second recording (the first committed after all) with AC005."""
        try:
            return call(conn, tenant, "record_delivery", params)
        except DatabaseUnavailable as exc:
            lost: AicrmError = exc
        delay = RECONNECT_FIRST
        while time.monotonic() + delay < deadline:
            log.warning("delivery %s: %s; recording again in %.1f s", params["outbox_id"], lost.one_line(), delay)
            time.sleep(delay)
            try:
                with connect(self.settings, "worker", autocommit=True) as fresh:
                    return call(fresh, tenant, "record_delivery", params)
            except LeaseLost as exc:
                raise LeaseLost(f"{exc} (the try cut off by the lost connection may have recorded it)") from exc
            except DatabaseUnavailable as exc:
                lost = exc
            delay = min(delay * 2, RECONNECT_MAX)
        raise lost


def describe(d: Delivery, target: str | None, worker_id: str) -> str:
    """The one line logged per delivery."""
    what = {
        "delivered": f"delivered by {d.transport}" + (f" to {target}" if target else ""),
        "pending": f"failed by {d.transport}, pending again with backoff",
        "failed": f"failed by {d.transport} for good, task escalated",
    }.get(d.status, d.status)
    return (
        f"delivery {d.outbox_id}: {what} (attempt {d.attempt}, {d.detail}) in {d.seconds * 1000:.0f} ms "
        f"[task {d.task_id}, tenant {d.tenant_id}, {worker_id}]"
    )
