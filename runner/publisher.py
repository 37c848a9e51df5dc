"""The publisher (docs/pipeline.md, "The publisher"): a pool of threads, each with its own connection
as aicrm_worker, claiming approved drafts of every tenant with aicrm.claim_next_delivery_v2, delivering
each through runner/transports.py (a signed webhook, or SMTP: runner/smtp.py, one message per recipient
as aicrm.email_messages prepares it, merge tags filled and unsubscribe links signed by the database),
and recording the outcome with
aicrm.record_delivery, fenced by the lease. The database decides what a failure means (back off, or
escalate); the transport only says whether the receiver took it and whether trying again can help.

Each thread claims only the channels the router has a transport for (SMTP alone: email; the other
drafts wait for a publisher with a webhook). Idle threads LISTEN on aicrm_delivery_queued (an approval,
a failure backing off, a release) and claim again as soon as it is notified, and every `poll` seconds
anyway (a backoff ending, or a lease running out, sends no notification). A lost connection is
reopened with a growing delay, for ever (runner/pool.py, shared with the content worker); an outcome
whose recording was cut off is recorded again on a fresh connection while the lease lasts, so a
database hiccup does not make the receiver get the draft twice. A stopping publisher gives back
(aicrm.release_delivery) the deliveries still in flight when its grace period ends."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from runner.config import Settings
from runner.db import connect
from runner.errors import AicrmError, DatabaseUnavailable
from runner.pool import RECONNECT_FIRST, RECONNECT_MAX, ClaimPool, Lease
from runner.transports import Attempt, Router
from runner.worker_task import Connection, LeaseLost, call

# A child of the worker's logger: runner.worker.log_to_stderr() gives both daemons one stderr format.
log = logging.getLogger("aicrm.worker.publisher")

# --- the pool -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublisherOptions:
    concurrency: int = 2
    lease_seconds: int = 120  # no heartbeat: a delivery must end well within it
    once: bool = False  # stop when nothing is claimable
    poll: float = 2.0  # an idle thread claims again after this long without a notification


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


class Publisher(ClaimPool):
    kind, item, items = "publisher", "delivery", "deliveries"
    listen_query = "listen_delivery_queued"
    release_query, release_key = "release_delivery", "outbox_id"

    def __init__(
        self, settings: Settings, router: Router, options: PublisherOptions, *, name: str | None = None
    ) -> None:
        super().__init__(settings, options, log, name)
        self.router, self.options = router, options
        self.channels = router.channels()  # what claim_next_delivery_v2 may hand this publisher
        self.deliveries: list[Delivery] = []

    def in_flight(self) -> int:
        return len(self.held())

    def _claim_call(self, conn: Connection, worker_id: str) -> Any:
        ask = {"worker_id": worker_id, "lease_seconds": self.options.lease_seconds, "channels": self.channels}
        return call(conn, None, "claim_next_delivery", ask)

    def _work(self, conn: Connection, worker_id: str, claim: Any) -> None:
        started = time.monotonic()
        tenant, outbox_id = str(claim["tenant_id"]), str(claim["outbox_id"])
        payload: dict[str, Any] = claim["payload"]
        self._hold(worker_id, Lease(tenant, outbox_id, str(claim["lease_token"])))
        attempt: Attempt | None = None
        try:
            try:
                attempt = self._attempt(conn, tenant, claim)
            except LeaseLost as exc:  # reclaimed before anything was sent: the new holder sends it
                status, detail = "dropped", f"lease lost: {exc}; nothing sent"
            if attempt is not None:
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
            self._unhold(worker_id)
        transport = attempt.transport if attempt is not None else "smtp"
        outcome = Delivery(
            outbox_id, tenant, str(payload.get("task_id")), status, int(claim["attempt"]), transport,
            time.monotonic() - started, detail,
        )  # fmt: skip
        with self._lock:
            self.deliveries.append(outcome)
        log.info("%s", describe(outcome, attempt.target if attempt is not None else None, worker_id))

    def _attempt(self, conn: Connection, tenant: str, claim: Any) -> Attempt:
        """Delivers a claim. An email going by SMTP is first prepared by the database
        (aicrm.email_messages: one message per recipient, merge tags filled, unsubscribe links signed,
        unsubscribed recipients left out with the reason); the transport sends only that."""
        outbox_id, channel = str(claim["outbox_id"]), str(claim["channel"])
        prepared: dict[str, Any] | None = None
        if self.router.prepares_email(channel):
            ask = {
                "outbox_id": outbox_id, "lease_token": str(claim["lease_token"]),
                "unsubscribe_url": self.router.unsubscribe_url, "default_to": list(self.router.default_to) or None,
            }  # fmt: skip
            try:
                prepared = call(conn, tenant, "email_messages", ask)
            except (LeaseLost, DatabaseUnavailable):
                raise
            except AicrmError as exc:  # refused (a setting it finds wrong): recorded, a person looks
                return self.router.refused(channel, exc.one_line())
        return self.router.deliver(outbox_id, channel, claim["payload"], prepared)

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
