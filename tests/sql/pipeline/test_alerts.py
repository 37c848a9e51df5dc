"""Alerts (docs/operations.md, "Alerts"): the job evaluate-alert-rules opens an alert when a rule's
metric crosses its threshold, raises, lowers and recovers it; people acknowledge, assign, snooze and
resolve it, recorded with who and when; notices go to the tenant's webhooks signed with HMAC-SHA256,
retried with backoff, and a webhook that fails 5 times in a row is disabled, which raises an alert."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tests.factories import make_tenant
from tests.helpers import act_as, call, refused, sql_error
from tests.tasks import create_task, in_review, tamper

Conn = psycopg.Connection[Any]


def evaluate(conn: Conn) -> int:
    """The job as the scheduler runs it: the owner, no tenant set."""
    conn.execute("select set_config('aicrm.tenant_id', '', true)")
    row = conn.execute("select aicrm.evaluate_alert_rules()").fetchone()
    assert row is not None
    return int(row[0])


def open_alerts(conn: Conn, tenant: str) -> dict[str, dict[str, Any]]:
    with act_as(conn, tenant):
        cur = conn.execute("select * from aicrm.ai_alerts")
        names = [c.name for c in cur.description or ()]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return {r["rule_key"]: r for r in rows}


def events(conn: Conn, tenant: str, alert: str) -> list[tuple[str, str]]:
    with act_as(conn, tenant):
        rows = conn.execute(
            "select action, actor from aicrm.alert_events where alert_id = %s order by event_id", (alert,)
        ).fetchall()
    return [(str(a), str(b)) for a, b in rows]


def app(conn: Conn, tenant: str, query: str, params: Any = None) -> Any:
    return call(conn, tenant, query, params, "aicrm_app")


def test_a_task_waiting_in_review_past_its_sla_raises_an_alert_that_recovers(
    db: Conn, tenant: str, customer: str
) -> None:
    task, _ = in_review(db, tenant, customer)
    assert evaluate(db) == 0
    assert "review-sla" not in open_alerts(db, tenant)
    tamper(db, tenant, task, "state_changed_at = now() - interval '5 hours'")  # over the warning's 4 hours
    assert evaluate(db) == 1
    alert = open_alerts(db, tenant)["review-sla"]
    assert (alert["state"], alert["severity"], float(alert["threshold"])) == ("warning", "warning", 240)
    assert 299 <= float(alert["value"]) <= 301
    assert alert["evidence"]["waiting"] == 1
    assert alert["evidence"]["oldest"][0]["task_id"] == task
    assert "Reviews waiting too long" in alert["message"]
    assert evaluate(db) == 0  # nothing changed: nothing to record
    tamper(db, tenant, task, "state_changed_at = now() - interval '25 hours'")  # over the alert's 24 hours
    assert evaluate(db) == 1
    raised = open_alerts(db, tenant)["review-sla"]
    assert (raised["alert_id"], raised["state"], raised["severity"]) == (alert["alert_id"], "alert", "alert")
    # the task is reviewed: the alert clears on its own
    tamper(db, tenant, task, "state_changed_at = now()")
    assert evaluate(db) == 1
    assert "review-sla" not in open_alerts(db, tenant)
    assert [a for a, _ in events(db, tenant, alert["alert_id"])] == ["opened", "raised", "recovered"]
    with act_as(db, tenant):
        state = db.execute(
            "select state, closed_at is not null from aicrm.alerts where alert_id = %s", (alert["alert_id"],)
        )
        assert state.fetchone() == ("recovered", True)


def test_acknowledging_assigning_snoozing_and_resolving_record_who_and_when(
    db: Conn, tenant: str, customer: str
) -> None:
    task, _ = in_review(db, tenant, customer)
    tamper(db, tenant, task, "state_changed_at = now() - interval '30 hours'")
    evaluate(db)
    alert = open_alerts(db, tenant)["review-sla"]["alert_id"]
    got = app(db, tenant, "select aicrm.acknowledge_alert(%s, 'looking', 'ana@agency')", (alert,))
    assert (got["state"], got["acknowledged_by"]) == ("acknowledged", "ana@agency")
    assert got["acknowledged_at"] is not None
    evaluate(db)  # still over the threshold: stays acknowledged
    assert open_alerts(db, tenant)["review-sla"]["state"] == "acknowledged"
    got = app(db, tenant, "select aicrm.assign_alert(%s, 'ben@agency', 'ana@agency')", (alert,))
    assert (got["assigned_to"], got["assigned_by"]) == ("ben@agency", "ana@agency")
    got = app(db, tenant, "select aicrm.snooze_alert(%s, now() + interval '1 hour')", (alert,))
    assert got["snoozed_by"] == "aicrm_app"  # no name given: the role
    got = app(db, tenant, "select aicrm.resolve_alert(%s, 'reviewed the backlog', 'ben@agency')", (alert,))
    assert (got["state"], got["resolved_by"], got["resolution_note"]) == (
        "resolved",
        "ben@agency",
        "reviewed the backlog",
    )
    assert got["resolved_at"] is not None
    assert events(db, tenant, alert) == [
        ("opened", "system"),
        ("acknowledged", "ana@agency"),
        ("assigned", "ana@agency"),
        ("snoozed", "aicrm_app"),
        ("resolved", "ben@agency"),
    ]
    # closed: no more changes; the condition still holds, so the next evaluation opens a new alert
    assert refused(db, tenant, "select aicrm.acknowledge_alert(%s)", (alert,), "aicrm_app") == ("AC005", "alert_id")
    evaluate(db)
    assert open_alerts(db, tenant)["review-sla"]["alert_id"] != alert
    # another tenant's alert is not there
    other = make_tenant(db, "Other Agency")
    assert refused(db, other, "select aicrm.resolve_alert(%s)", (alert,), "aicrm_app") == ("AC002", "alert_id")


def test_a_rate_rule_needs_its_minimum_volume_and_tenants_can_change_the_rules(
    db: Conn, tenant: str, customer: str
) -> None:
    # one failure among no decisions: 100% failures, but under the 10 events the rule needs
    task = create_task(db, tenant, customer)
    tamper(db, tenant, task, "failures = 1")
    evaluate(db)
    assert "high-failure-rate" not in open_alerts(db, tenant)
    rule = app(
        db, tenant, "select aicrm.set_alert_rule(%s)", (Jsonb({"rule_key": "high-failure-rate", "min_volume": 1}),)
    )
    assert (rule["metric"], float(rule["alert_threshold"]), rule["min_volume"]) == ("failure_rate", 0.25, 1)
    evaluate(db)
    alert = open_alerts(db, tenant)["high-failure-rate"]
    assert (alert["state"], float(alert["value"]), alert["volume"]) == ("alert", 1.0, 1)
    # disabled: it is no longer evaluated (the open alert stays for a person to close)
    app(db, tenant, "select aicrm.set_alert_rule(%s)", (Jsonb({"rule_key": "queue-age", "enabled": False}),))
    tamper(db, tenant, task, "state_changed_at = now() - interval '3 hours'")
    evaluate(db)
    assert "queue-age" not in open_alerts(db, tenant)
    # bad input names the field and writes nothing
    for bad, field in (
        ({"rule_key": "Bad Key"}, "rule_key"),
        ({"rule_key": "mine", "name": "Mine", "metric": "vibes", "alert_threshold": 1}, "metric"),
        ({"rule_key": "review-sla", "warning_threshold": 2000}, "warning_threshold"),
        ({"rule_key": "review-sla", "window_hours": 0}, "window_hours"),
        ({"rule_key": "review-sla", "colour": "red"}, "colour"),
    ):
        assert refused(db, tenant, "select aicrm.set_alert_rule(%s)", (Jsonb(bad),), "aicrm_app") == ("AC001", field)


def webhook(conn: Conn, tenant: str, url: str = "https://hooks.example.com/alerts") -> dict[str, Any]:
    return dict(app(conn, tenant, "select aicrm.set_alert_webhook(%s, %s)", (url, "s3cret-s3cret-s3cret")))


def claim(conn: Conn) -> Any:
    return call(conn, None, "select aicrm.claim_alert_notification('notifier-1', 60)")


def record(conn: Conn, got: dict[str, Any], delivered: bool, error: str | None = None) -> Any:
    return call(
        conn,
        str(got["tenant_id"]),
        "select aicrm.record_alert_notification(%s, %s, %s, %s)",
        (got["notification_id"], got["lease_token"], delivered, error),
    )


def test_notices_are_signed_and_delivered_once(db: Conn, tenant: str, customer: str) -> None:
    hook = webhook(db, tenant)
    assert hook["secret"] == "s3cret-s3cret-s3cret"
    with act_as(db, tenant):  # the secret is the owner's: no role reads it back
        assert db.execute(
            "select has_column_privilege('aicrm_app', 'aicrm.alert_channels', 'secret', 'select')"
        ).fetchone() == (False,)
    task, _ = in_review(db, tenant, customer)
    tamper(db, tenant, task, "state_changed_at = now() - interval '30 hours'")
    evaluate(db)
    got = claim(db)
    assert got["url"] == "https://hooks.example.com/alerts"
    body = json.loads(got["body"])
    assert (body["event"], body["alert"]["rule_key"], body["alert"]["severity"]) == ("opened", "review-sla", "alert")
    t = got["timestamp"]
    expected = hmac.new(b"s3cret-s3cret-s3cret", f"{t}.{got['body']}".encode(), hashlib.sha256).hexdigest()
    assert got["signature"] == f"sha256={expected}"
    assert claim(db) is None  # held under its lease
    assert record(db, got, True)["status"] == "delivered"
    assert refused(
        db, tenant, "select aicrm.record_alert_notification(%s, %s, true)", (got["notification_id"], got["lease_token"])
    ) == ("AC005", "lease_token")


def test_a_failing_webhook_is_retried_then_disabled_with_an_alert(db: Conn, tenant: str, customer: str) -> None:
    webhook(db, tenant)
    backup = webhook(db, tenant, "https://backup.example.com/alerts")
    task, _ = in_review(db, tenant, customer)
    tamper(db, tenant, task, "state_changed_at = now() - interval '30 hours'")
    evaluate(db)
    failures = 0
    while failures < 5:
        got = claim(db)
        assert got is not None
        if got["url"] == backup["url"]:
            record(db, got, True)
            continue
        row = record(db, got, False, "HTTP 500")
        failures += 1
        if failures < 5:
            assert row["status"] == "pending"
            # backoff: 30 s, 1, 2, 4 min
            with act_as(db, tenant):
                wait = db.execute(
                    "select round(extract(epoch from available_at - clock_timestamp())) from aicrm.alert_notifications"
                    " where notification_id = %s",
                    (got["notification_id"],),
                ).fetchone()
            assert wait is not None
            assert 30 * 2 ** (failures - 1) - 5 <= wait[0] <= 30 * 2 ** (failures - 1)
            tamper_notice(db, tenant, got["notification_id"])  # due again now
    with act_as(db, tenant):
        channel = db.execute(
            "select enabled, consecutive_failures, disabled_reason from aicrm.alert_channels where url = %s",
            ("https://hooks.example.com/alerts",),
        ).fetchone()
    assert channel is not None
    assert channel[:2] == (False, 5)
    assert "HTTP 500" in channel[2]
    alert = open_alerts(db, tenant)["webhook-failures"]
    assert (alert["state"], alert["evidence"]["disabled"][0]["url"]) == ("alert", "https://hooks.example.com/alerts")
    # the backup webhook is told; the disabled one is not
    told = []
    while (got := claim(db)) is not None:
        assert got["url"] == backup["url"]
        told.append(json.loads(got["body"])["alert"]["rule_key"])
        record(db, got, True)
    assert "webhook-failures" in told
    # set again: enabled, its failures forgotten, and the alert recovers
    webhook(db, tenant)
    evaluate(db)
    assert "webhook-failures" not in open_alerts(db, tenant)


def tamper_notice(conn: Conn, tenant: str, notification: str) -> None:
    conn.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
    conn.execute(
        "update aicrm.alert_notifications set available_at = now() where notification_id = %s", (notification,)
    )
    conn.execute("select set_config('aicrm.tenant_id', '', true)")


def test_only_the_deployment_evaluates_and_only_the_worker_delivers(db: Conn, tenant: str) -> None:
    for role in ("aicrm_app", "aicrm_worker", "aicrm_readonly"):
        assert refused(db, tenant, "select aicrm.evaluate_alert_rules()", None, role)[0] == "42501"
    assert refused(db, tenant, "select aicrm.claim_alert_notification('x')", None, "aicrm_app")[0] == "42501"
    assert (
        refused(db, tenant, "select aicrm.set_alert_webhook('https://x.example.com')", None, "aicrm_worker")[0]
        == "42501"
    )


def test_old_alert_history_is_pruned_and_open_alerts_kept(db: Conn, tenant: str, customer: str) -> None:
    webhook(db, tenant)
    task, _ = in_review(db, tenant, customer)
    tamper(db, tenant, task, "state_changed_at = now() - interval '30 hours'")
    evaluate(db)
    record(db, claim(db), True)
    open_alert = open_alerts(db, tenant)["review-sla"]["alert_id"]
    closed = app(db, tenant, "select aicrm.resolve_alert(%s)", (open_alert,))["alert_id"]
    evaluate(db)  # opens a new one: the task still waits
    db.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
    db.execute("update aicrm.alerts set closed_at = now() - interval '100 days' where alert_id = %s", (closed,))
    db.execute(
        "update aicrm.alert_notifications set created_at = now() - interval '100 days' where status = 'delivered'"
    )
    db.execute("select set_config('aicrm.tenant_id', '', true)")
    row = db.execute("select aicrm.prune_alert_history()").fetchone()
    assert row is not None
    assert row[0] == 2  # the delivered notice and the closed alert (its events with it)
    with act_as(db, tenant):
        left = db.execute("select count(*) from aicrm.alerts where alert_id = %s", (closed,)).fetchone()
        assert left == (0,)
    assert "review-sla" in open_alerts(db, tenant)
    db.execute("set local aicrm.alert_history_retention = '1 hour'")
    err = sql_error(db, "select aicrm.prune_alert_history()")
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", "aicrm.alert_history_retention")


def test_one_evaluation_at_a_time(db_url: str) -> None:
    with psycopg.connect(db_url) as first, psycopg.connect(db_url) as second:
        assert evaluate(first) >= 0  # holds the lock until it commits
        notices: list[str] = []
        second.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        assert evaluate(second) == 0
        assert notices == ["evaluate_alert_rules: another evaluation is running; this one does nothing"]
        first.commit()
        second.rollback()
