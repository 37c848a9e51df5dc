"""`aicrm scheduler` delivers alert notices (runner/notifier.py) to a real local webhook receiver: signed as
docs/operations.md tells a receiver to check, recorded as delivered; a receiver that keeps failing is
retried, then its webhook is disabled and the alert webhook-failures opens."""

from __future__ import annotations

from typing import Any

import psycopg

from runner.config import Settings
from runner.scheduler import Scheduler, SchedulerOptions
from tests.factories import make_customer, make_tenant
from tests.fakes.receiver import WebhookReceiver, answer
from tests.helpers import act_as
from tests.tasks import in_review, tamper

SECRET = "alerts-secret-0123456789"


def waiting_review(db_url: str, hook_url: str) -> str:
    """A tenant with a webhook and a draft waiting 30 hours in review, its alert opened: the tenant."""
    with psycopg.connect(db_url) as conn:
        tenant = make_tenant(conn, "Notified Agency")
        customer = make_customer(conn, tenant)
        with act_as(conn, tenant):
            conn.execute("select aicrm.set_alert_webhook(%s, %s)", (hook_url, SECRET))
        task, _ = in_review(conn, tenant, customer)
        tamper(conn, tenant, task, "state_changed_at = now() - interval '30 hours'")
        conn.execute("select set_config('aicrm.tenant_id', '', true)")
        conn.execute("select aicrm.evaluate_alert_rules()")
        conn.commit()
    return tenant


def one_pass(settings: Settings) -> list[dict[str, Any]]:
    scheduler = Scheduler(settings, SchedulerOptions(once=True))
    scheduler.run_once()
    return list(scheduler.notices)


def test_the_scheduler_delivers_signed_notices(settings: Settings, db_url: str) -> None:
    with WebhookReceiver(SECRET) as hook:
        waiting_review(db_url, hook.url)
        done = one_pass(settings)
        assert [d["status"] for d in done] == ["delivered"]
        assert len(hook.requests) == 1
        got = hook.requests[0]
        assert got.verified  # the receiver checked the HMAC and the timestamp
        assert got.json["event"] == "opened"
        assert got.json["alert"]["rule_key"] == "review-sla"
        assert got.json["alert"]["severity"] == "alert"
        assert one_pass(settings) == []  # delivered once


def test_a_failing_receiver_is_retried_then_its_webhook_disabled_with_an_alert(settings: Settings, db_url: str) -> None:
    with WebhookReceiver(SECRET, [answer(503)]) as hook:
        tenant = waiting_review(db_url, hook.url)
        for attempt in range(1, 6):
            done = one_pass(settings)
            assert [d["attempts"] for d in done] == [attempt]
            assert done[0]["last_error"] == "HTTP 503"
            with psycopg.connect(db_url) as conn:  # the backoff, skipped
                conn.execute("select set_config('aicrm.tenant_id', %s, false)", (tenant,))
                conn.execute("update aicrm.alert_notifications set available_at = now() where status = 'pending'")
        assert len(hook.requests) == 5
        assert all(r.verified for r in hook.requests)
        with psycopg.connect(db_url) as conn:
            conn.execute("select set_config('aicrm.tenant_id', %s, false)", (tenant,))
            channel = conn.execute("select enabled, consecutive_failures from aicrm.alert_channels").fetchone()
            alerts = conn.execute("select rule_key, state from aicrm.ai_alerts order by rule_key").fetchall()
        assert channel == (False, 5)
        assert ("webhook-failures", "alert") in alerts
        assert one_pass(settings) == []  # nothing is sent to a disabled webhook
        assert len(hook.requests) == 5
