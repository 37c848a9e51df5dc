"""A pool of claiming threads, what the content worker (runner/worker.py) and the publisher
(runner/publisher.py) share: threads, each with its own connection as aicrm_worker, that claim a
leased item of any tenant, work it, and claim again; idle ones LISTEN and wait for a notification
(at most `poll` seconds: a backoff ending or a lease running out sends none); a lost connection is
reopened with a growing delay, for ever; a graceful stop gives the items in flight a grace period,
then gives back, fenced by their leases, those still held. A subclass says what to claim, how to
work it and how to give it back."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, Self

import psycopg

from runner.config import Settings
from runner.db import connect, queries
from runner.errors import AicrmError, DatabaseUnavailable
from runner.worker_task import Connection, LeaseLost, call

RECONNECT_FIRST, RECONNECT_MAX = 0.5, 30.0
WAKE_CHECK = 0.5  # seconds between looks at the stop flag while waiting for a notification


class PoolOptions(Protocol):
    @property
    def concurrency(self) -> int: ...
    @property
    def once(self) -> bool: ...
    @property
    def poll(self) -> float: ...


@dataclass(frozen=True)
class Lease:
    """What a thread holds: enough to give it back."""

    tenant_id: str
    item_id: str
    lease_token: str


@contextmanager
def lost_connection(conn: Connection) -> Iterator[None]:
    try:
        yield
    except psycopg.Error as exc:
        conn.close()
        raise DatabaseUnavailable(f"database connection lost: {str(exc).strip()}") from exc


class ClaimPool(ABC):
    # What a subclass names: its threads ("aicrm-<kind> host:pid/n" in pg_stat_activity), the named
    # query that LISTENs, and the function (with its id parameter) that gives an item back.
    kind: ClassVar[str]
    listen_query: ClassVar[str]
    release_query: ClassVar[str]
    release_key: ClassVar[str]
    item: ClassVar[str]  # "task", "delivery": in the log
    items: ClassVar[str]  # "tasks", "deliveries"

    def __init__(self, settings: Settings, options: PoolOptions, log: logging.Logger, name: str | None) -> None:
        self.settings, self.pool_options, self.log = settings, options, log
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._held: dict[str, Lease] = {}  # by thread (worker id)
        self._threads: list[threading.Thread] = []

    # --- what a subclass does -------------------------------------------------------------------------

    @abstractmethod
    def _claim_call(self, conn: Connection, worker_id: str) -> Any:
        """The claim: its result, or None when nothing is claimable."""

    @abstractmethod
    def _work(self, conn: Connection, worker_id: str, claim: Any) -> None:
        """Work one claim; hold its lease (self._hold) while it is in flight."""

    def _reserve(self) -> bool:
        """Whether this thread may claim once more (a limit on claims); undone by _unreserve."""
        return True

    def _unreserve(self) -> None:
        return None

    # --- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> Self:
        for n in range(1, self.pool_options.concurrency + 1):
            thread = threading.Thread(target=self._loop, args=(f"{self.name}/{n}",), name=f"aicrm-{self.kind}-{n}")
            thread.daemon = True  # a pool stopped past its grace period must not keep the process alive
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Claim nothing more; what is in flight goes on."""
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

    def held(self) -> list[Lease]:
        with self._lock:
            return list(self._held.values())

    def _hold(self, worker_id: str, lease: Lease) -> None:
        with self._lock:
            self._held[worker_id] = lease

    def _unhold(self, worker_id: str) -> None:
        with self._lock:
            self._held.pop(worker_id, None)

    def release_held(self, reason: str) -> int:
        """Give back everything a thread still holds, fenced by its lease: an item finished meanwhile
        is refused and left alone. Own connection: the threads' are busy."""
        held = self.held()
        if not held:
            return 0
        released = 0
        with connect(self.settings, "worker", autocommit=True) as conn:
            for h in held:
                params = {self.release_key: h.item_id, "lease_token": h.lease_token, "reason": reason}
                try:
                    call(conn, h.tenant_id, self.release_query, params)
                except LeaseLost:
                    continue
                released += 1
                self.log.info("%s %s: released (%s)", self.item, h.item_id, reason)
        return released

    def drain(self, grace: float, interrupt: threading.Event | None = None, reason: str | None = None) -> None:
        """Graceful stop: no new claims, `grace` seconds for what is in flight (none once `interrupt` is
        set: a second signal), then release what is still held."""
        self.stop()
        if not self.join(grace, interrupt) and (left := len(self.held())):
            self.log.warning("%d %s still in flight: giving them back", left, self.items)
            try:
                self.release_held(reason or f"{self.kind} stopping")
            except AicrmError as exc:
                self.log.warning("could not release what is in flight (its leases will expire): %s", exc.one_line())

    # --- one thread -----------------------------------------------------------------------------------

    def _loop(self, worker_id: str) -> None:
        conn: Connection | None = None
        delay = RECONNECT_FIRST
        try:
            while not self.stopping.is_set():
                try:
                    if conn is None or conn.closed or conn.broken:
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
                        if self.pool_options.once:
                            return
                        self._wait_for_work(conn)
                        continue
                    self._work(conn, worker_id, claim)
                except AicrmError as exc:  # the database went away (or refused the claim): reconnect, back off
                    self.log.warning("%s: %s; reconnecting in %.1f s", worker_id, exc.one_line(), delay)
                    if conn is not None:
                        conn.close()
                        conn = None
                    self.stopping.wait(delay)
                    delay = min(delay * 2, RECONNECT_MAX)
        except Exception:
            self.log.exception("%s: stopped by an unexpected error", worker_id)
        finally:
            if conn is not None:
                conn.close()

    def _connect(self, worker_id: str) -> Connection:
        conn = connect(self.settings, "worker", autocommit=True)
        with lost_connection(conn):
            conn.execute(queries()["set_application_name"], {"name": f"aicrm-{self.kind} {worker_id}"[:63]})
            conn.execute(queries()[self.listen_query])
        return conn

    def _claim(self, conn: Connection, worker_id: str) -> Any:
        with lost_connection(conn):
            for _ in conn.notifies(timeout=0):  # drain: this claim answers every notification so far
                pass
        return self._claim_call(conn, worker_id)

    def _wait_for_work(self, conn: Connection) -> None:
        deadline = time.monotonic() + self.pool_options.poll
        with lost_connection(conn):
            while not self.stopping.is_set() and (left := deadline - time.monotonic()) > 0:
                for _ in conn.notifies(timeout=min(left, WAKE_CHECK), stop_after=1):
                    return
