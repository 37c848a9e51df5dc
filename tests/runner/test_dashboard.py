"""`aicrm dashboard`, run headless with Textual's pilot against a real database: it shows the
pipeline's counts per customer and channel, the rates against the targets, the review and escalation
queue with its reasons and the scheduler's last runs; it reads again when the database NOTIFYs (a task
queued, or anyone's pg_notify('aicrm_dashboard', '')) and on `u`, not by polling; `a` and `r`
acknowledge and resolve the selected alert through the SQL functions; `q` quits.

With AICRM_DASHBOARD_SVG=docs/img/dashboard.svg, test_the_screenshot also writes the screenshot of
docs/operations.md there (the demo tenant, with tasks taken through the pipeline)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from runner.config import Settings
from runner.dashboard_app import NOT_INSTALLED, DashboardApp
from runner.db import DEMO_TENANT_ID, conninfo
from runner.migrate import seed
from tests.factories import committed
from tests.processes import execute, query, run_aicrm
from tests.runner.at_work import agency_at_work, escalate
from tests.samples import GOOD_EMAIL, SMS, SMS_INSTRUCTIONS, WEAK
from tests.tasks import (
    claim_delivery,
    claim_task,
    create_task,
    in_review,
    record_delivery,
    record_evaluation,
    review,
    start_generating,
    submit_draft,
    tamper,
)

ROOT = Path(__file__).resolve().parents[2]
SIZE = (200, 56)
TIMEOUT = 60.0  # generous: a loaded machine is slow, never wrong


async def until(pilot: Pilot[None], condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    """Let the app run until `condition` holds (checked between its steps); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def cells(app: DashboardApp, panel: str, key: str) -> list[str]:
    """The text of a row of a panel's table, by its key."""
    table = app.query_one(f"#{panel}-table", DataTable)
    return [str(c) for c in table.get_row(key)]


def has_row(app: DashboardApp, panel: str, key: str) -> bool:
    table = app.query_one(f"#{panel}-table", DataTable)
    return key in {k.value for k in table.rows}


def pipeline(app: DashboardApp, customer: str, channel: str | None = None) -> dict[str, str]:
    """The pipeline panel's counts of one customer and channel (or of the row "total"), by heading."""
    from runner.commands.status import STATE_COLUMNS

    row = cells(app, "pipeline", f"{customer}:{channel}" if channel else customer)
    return dict(zip([h for _, h in STATE_COLUMNS], row[2:], strict=False))


def run(scenario: Callable[[DashboardApp, Pilot[None]], Awaitable[None]], app: DashboardApp) -> None:
    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            # The read after the LISTEN is the last one asked for on start: from then on every change
            # a test makes is announced and read.
            def settled() -> bool:
                return app.listening and app.last_reason == "listening" and app.idle

            await until(pilot, settled, "the read after the LISTEN")
            await scenario(app, pilot)

    asyncio.run(main())


def dashboard(settings: Settings, tenant: str, fallback_s: float = 3600.0) -> DashboardApp:
    """The app on the test's database; the fallback read is an hour away, so every refresh a test sees
    came from a NOTIFY or a key."""
    return DashboardApp(conninfo(settings, "app"), tenant, fallback_s=fallback_s, reviewer="ana@agency")


def run_scheduler(db_url: str) -> None:
    """The scheduler's runs to show: one pass as if ten minutes had passed (every job has a tick due)."""
    at = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    done = run_aicrm(db_url, "scheduler", "--at", at)
    assert done.returncode == 0, done.stderr


def alerts_installed(db_url: str) -> bool:
    return bool(query(db_url, "select to_regclass('aicrm.ai_alerts') is not null")[0][0])


def test_the_dashboard_shows_the_pipeline_the_rates_the_queue_and_the_scheduler(
    db_url: str, settings: Settings
) -> None:
    work = committed(db_url, agency_at_work)
    run_scheduler(db_url)
    app = dashboard(settings, work["tenant"])

    async def scenario(app: DashboardApp, pilot: Pilot[None]) -> None:
        bakery = pipeline(app, work["bakery"], "email")
        assert {h: bakery[h] for h in ("queued", "in review", "escalated", "approved", "delivered")} == {
            "queued": "2", "in review": "1", "escalated": "1", "approved": "1", "delivered": "1",
        }  # fmt: skip
        assert pipeline(app, work["books"], "sms")["in review"] == "1"
        assert pipeline(app, "total")["queued"] == "3"  # both customers
        # The rates and the quality of each customer and channel, with their targets in the headings.
        rates = app.query_one("#rates-table", DataTable)
        assert [str(c.label) for c in rates.columns.values()][3:7] == [
            "auto ≥70%", "review ≈target", "escalated <5%", "retries <20%",
        ]  # fmt: skip
        assert has_row(app, "rates", f"{work['bakery']}:email")
        assert has_row(app, "rates", f"{work['books']}:sms")
        assert "review ≈15%" in str(app.query_one("#rates").border_subtitle)  # the tenant's default target
        # The queue: escalated first, each with why it waits.
        queue = app.query_one("#queue-table", DataTable)
        assert queue.row_count == 3
        first = [str(c) for c in queue.get_row_at(0)]
        assert first[0] == "ESCALATED"
        assert "the model did not answer" in first[4]
        assert "Sent to review by rules" in cells(app, "queue", work["sms"])[4]
        # The scheduler's last run of each job.
        last = "select distinct on (job_name) job_name, status from aicrm.job_runs order by job_name, tick desc"
        jobs = {str(r[0]): str(r[1]) for r in query(db_url, last)}
        assert jobs, "scheduler --once ran no job"
        for job, status in jobs.items():
            assert cells(app, "scheduler", job)[2] == status
        assert str(app.query_one("#alerts-note", Static).render()) == "no open alerts"
        await pilot.press("q")

    run(scenario, app)
    assert app.return_code == 0


def test_a_notify_refreshes_the_dashboard(db_url: str, settings: Settings) -> None:
    work = committed(db_url, agency_at_work)
    app = dashboard(settings, work["tenant"])

    async def scenario(app: DashboardApp, pilot: Pilot[None]) -> None:
        assert pipeline(app, work["bakery"], "email")["queued"] == "2"
        before = app.refreshes
        # A task queued: the pipeline says so on aicrm_task_queued.
        committed(db_url, lambda conn: create_task(conn, work["tenant"], work["bakery"]))
        await until(pilot, lambda: pipeline(app, work["bakery"], "email")["queued"] == "3", "the new task")
        assert app.last_reason == "aicrm_task_queued notified"
        assert app.refreshes > before
        # A change no channel announces shows on aicrm_dashboard.
        committed(db_url, lambda conn: escalate(conn, work["tenant"], work["queued"][0]))
        await pilot.pause(0.5)
        assert pipeline(app, work["bakery"], "email")["escalated"] == "1"  # not read again yet
        execute(db_url, "select pg_notify('aicrm_dashboard', '')")
        await until(pilot, lambda: pipeline(app, work["bakery"], "email")["escalated"] == "2", "the escalation")
        assert app.last_reason == "aicrm_dashboard notified"
        assert app.query_one("#queue-table", DataTable).row_count == 4
        # And `u` reads at once.
        committed(db_url, lambda conn: escalate(conn, work["tenant"], work["queued"][1]))
        await pilot.press("u")
        await until(pilot, lambda: pipeline(app, work["bakery"], "email")["escalated"] == "3", "the key u")
        assert app.last_reason == "key u"

    run(scenario, app)


def test_without_alerts_the_panel_and_the_keys_say_so(db_url: str, settings: Settings) -> None:
    """A database from before aicrm.ai_alerts (this test's own copy loses the view)."""
    if alerts_installed(db_url):
        execute(db_url, "drop view aicrm.ai_alerts")
    work = committed(db_url, agency_at_work)
    app = dashboard(settings, work["tenant"])

    async def scenario(app: DashboardApp, pilot: Pilot[None]) -> None:
        assert str(app.query_one("#alerts-note", Static).render()) == NOT_INSTALLED
        assert pipeline(app, work["bakery"], "email")["queued"] == "2"  # the rest reads on
        await pilot.press("a")
        await until(pilot, lambda: NOT_INSTALLED in str(app.query_one("#status", Static).render()), "the message")

    run(scenario, app)


def two_alerts(db_url: str, tenant: str) -> list[str]:
    """The tenant's rules escalation-sla and review-sla set to alert at once, evaluated (as the
    scheduler's job would): two open alerts; their ids."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("select set_config('aicrm.tenant_id', %s, false)", (tenant,))
        for rule in ("escalation-sla", "review-sla"):
            change = {"rule_key": rule, "warning_threshold": None, "alert_threshold": 0}
            conn.execute("select aicrm.set_alert_rule(%s)", (Jsonb(change),))
        conn.execute("select set_config('aicrm.tenant_id', '', false)")
        conn.execute("select aicrm.evaluate_alert_rules()")
        rows = conn.execute("select alert_id::text from aicrm.ai_alerts where tenant_id = %s", (tenant,)).fetchall()
    assert len(rows) == 2
    return [str(r[0]) for r in rows]


def alert_row(db_url: str, alert: str) -> tuple[Any, ...]:
    """(state, acknowledged_by, resolved_by) of an alert, open or closed."""
    rows = query(db_url, "select state, acknowledged_by, resolved_by from aicrm.alerts where alert_id = %s", (alert,))
    return tuple(rows[0])


def test_acknowledge_and_resolve_the_selected_alert(db_url: str, settings: Settings) -> None:
    if not alerts_installed(db_url):
        pytest.skip("aicrm.ai_alerts is not installed")
    work = committed(db_url, agency_at_work)
    alerts = two_alerts(db_url, work["tenant"])
    app = dashboard(settings, work["tenant"])

    async def scenario(app: DashboardApp, pilot: Pilot[None]) -> None:
        table = app.query_one("#alerts-table", DataTable)
        assert table.row_count == 2
        assert str(app.query_one("#alerts-note", Static).render()) == "2 open"
        first = app.selected_alert()
        assert first in alerts
        assert cells(app, "alerts", first)[0] == "alert"
        await pilot.press("a")
        await until(pilot, lambda: cells(app, "alerts", first)[0] == "acknowledged", "the acknowledgement")
        assert alert_row(db_url, first) == ("acknowledged", "ana@agency", None)
        assert cells(app, "alerts", first)[5] == "ana@agency"
        assert app.selected_alert() == first  # the selection follows the alert to its new row
        await pilot.press("r")
        await until(pilot, lambda: table.row_count == 1, "the resolution")
        assert alert_row(db_url, first) == ("resolved", "ana@agency", "ana@agency")
        (other,) = set(alerts) - {first}
        assert app.selected_alert() == other
        assert alert_row(db_url, other)[0] == "alert"  # untouched

    run(scenario, app)


def test_the_command_line_does_not_import_textual_until_the_dashboard_runs() -> None:
    code = "import sys, runner.cli; sys.exit('textual' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr or "runner.cli imported textual"


def test_an_unknown_tenant_is_one_line_not_a_screen(db_url: str) -> None:
    done = run_aicrm(db_url, "dashboard", "--tenant", "00000000-0000-4000-8000-000000000bad")
    assert done.returncode != 0
    assert done.stderr.startswith("error: tenant: "), done.stderr


# --- the screenshot of docs/operations.md ---------------------------------------------------------------


def demo_at_work(conn: psycopg.Connection[Any]) -> None:
    """The demo tenant's customers with a morning's work: drafts the rules approved (some delivered),
    retried or sent to review, a task a worker escalated, others queued; the review waiting 5 hours
    and the escalation 95 minutes (the alert rules review-sla and escalation-sla warn)."""
    tenant = DEMO_TENANT_ID
    customers = {
        str(r[1]): str(r[0])
        for r in conn.execute("select customer_id, name from aicrm.customers where tenant_id = %s", (tenant,))
    }
    bakery, dental = customers["Sunrise Bakery"], customers["Brightsmile Family Dental"]

    def evaluated(customer: str, content: str) -> str:
        task = create_task(conn, tenant, customer)
        got = claim_task(conn, tenant=tenant)
        start_generating(conn, tenant, task, got["lease_token"])
        draft = submit_draft(conn, tenant, task, got["lease_token"], content)["deliverable_id"]
        record_evaluation(conn, tenant, draft, content, got["lease_token"])
        return task

    for _ in range(5):
        evaluated(bakery, GOOD_EMAIL)
    for _ in range(2):
        evaluated(bakery, WEAK)
    _, draft = in_review(conn, tenant, bakery)
    review(conn, tenant, draft, 1, "approve")
    waiting, _ = in_review(conn, tenant, bakery, priority=2)
    tamper(conn, tenant, waiting, "state_changed_at = now() - interval '5 hours 10 minutes'")  # past review-sla
    in_review(conn, tenant, dental, channel="sms", instructions=SMS_INSTRUCTIONS, content=SMS, subject=None)
    for _ in range(3):
        got = claim_delivery(conn)
        if got is None:
            break
        record_delivery(conn, tenant, got, delivered=True)
    escalate(conn, tenant, escalated := create_task(conn, tenant, dental))
    tamper(conn, tenant, escalated, "state_changed_at = now() - interval '95 minutes'")  # past escalation-sla
    for customer in (bakery, bakery, dental):
        create_task(conn, tenant, customer)


def test_the_screenshot(db_url: str, settings: Settings, tmp_path: Path) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        seed(conn, settings.sql_dir, demo=True)
    committed(db_url, demo_at_work)
    run_scheduler(db_url)
    app = dashboard(settings, DEMO_TENANT_ID, fallback_s=30)
    shot = tmp_path / "dashboard.svg"

    async def scenario(app: DashboardApp, pilot: Pilot[None]) -> None:
        execute(db_url, "select pg_notify('aicrm_dashboard', '')")
        await until(pilot, lambda: app.last_reason == "aicrm_dashboard notified", "the notified read")
        await pilot.pause(0.2)
        app.save_screenshot(shot.name, str(tmp_path))

    run(scenario, app)
    svg = shot.read_text()
    assert "Sunrise" in svg
    assert "Brightsmile" in svg
    assert "Review" in svg
    target = os.environ.get("AICRM_DASHBOARD_SVG")
    if target:
        shutil.copyfile(shot, ROOT / target)
