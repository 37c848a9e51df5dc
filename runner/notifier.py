"""Alert notices to webhooks (docs/operations.md, "Alerts"): claims each due notice with
aicrm.claim_alert_notification, POSTs its body as the database wrote and signed it (the headers
X-Aicrm-Timestamp and X-Aicrm-Signature come from SQL: the secret never leaves the database), and
records the outcome with aicrm.record_alert_notification, which decides the retries, the backoff
and when a webhook is disabled. `aicrm scheduler` (and so `aicrm up`) runs a pass after each of its
own; it decides nothing."""

from __future__ import annotations

import http.client
import logging
import urllib.error
import urllib.request
from typing import Any

import psycopg

from runner.db import queries, set_tenant
from runner.transports import EXCERPT, _NoRedirect, _read_quietly, network_failure, redact, shorten

log = logging.getLogger("aicrm.scheduler")
TIMEOUT = 10.0  # seconds a receiver has to answer
PASS_LIMIT = 100  # notices one pass delivers at most (the next pass takes the rest)


def post(url: str, body: str, timestamp: str, signature: str, timeout: float = TIMEOUT) -> tuple[bool, str]:
    """One POST: (delivered, what happened)."""
    request = urllib.request.Request(url, data=body.encode(), method="POST")
    for name, value in (
        ("Content-Type", "application/json"),
        ("User-Agent", "aicrm-alerts"),
        ("X-Aicrm-Timestamp", timestamp),
        ("X-Aicrm-Signature", signature),
    ):
        request.add_header(name, value)
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=timeout) as answer:
            code = answer.status
            answer.read(EXCERPT)
    except urllib.error.HTTPError as exc:
        code = exc.code
        _read_quietly(exc)
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        return False, shorten(f"{network_failure(reason)}: {type(reason).__name__}: {reason}")
    return 200 <= code < 300, f"HTTP {code}"


def deliver_due(conn: psycopg.Connection[Any], worker_id: str, limit: int = PASS_LIMIT) -> list[dict[str, Any]]:
    """Delivers the due notices, at most `limit`, one transaction each (autocommit connection):
    what record_alert_notification answered for each."""
    done: list[dict[str, Any]] = []
    for _ in range(limit):
        row = conn.execute(queries()["claim_alert_notification"], {"worker": worker_id}).fetchone()
        got: dict[str, Any] | None = row[0] if row else None
        if got is None:
            break
        delivered, outcome = post(str(got["url"]), str(got["body"]), str(got["timestamp"]), str(got["signature"]))
        with conn.transaction():
            set_tenant(conn, str(got["tenant_id"]))
            answer = conn.execute(
                queries()["record_alert_notification"],
                {
                    "notification": got["notification_id"],
                    "token": got["lease_token"],
                    "delivered": delivered,
                    "error": None if delivered else outcome,
                },
            ).fetchone()
        result: dict[str, Any] = answer[0] if answer else {}
        level = logging.INFO if delivered else logging.WARNING
        log.log(level, "alert notice to %s: %s (attempt %s)", redact(str(got["url"])), outcome, got["attempt"])
        done.append(result)
    return done
