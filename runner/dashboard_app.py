"""`aicrm dashboard`'s screen (docs/operations.md, "People's screens"): a Textual app that shows one
tenant's pipeline (aicrm.ai_operations_dashboard: tasks in each state per customer and channel), its
rates against the targets of the success table, the quality trend and the time to content, the open
alerts (aicrm.ai_alerts; `a` acknowledges and `r` resolves the selected one through
aicrm.acknowledge_alert and aicrm.resolve_alert), the tasks waiting for a person and why
(aicrm.review_queue), and the scheduler's last run of each job (aicrm.job_runs).

It reads again when the database says something changed: it LISTENs on the pipeline's channels
(aicrm_task_queued, aicrm_delivery_queued) and on aicrm_dashboard, which the job rollup-task-stats
notifies when the summaries moved and every change of an alert notifies (`select
pg_notify('aicrm_dashboard', '')` from anywhere refreshes every open dashboard too), gathering the
notifications of a quarter of a second into one read; a slow fallback read (every 30 s by default)
catches the rest. `u` reads at once. It only reads views and calls SQL functions, on one connection for the
reads and one that listens, both as aicrm_app in the tenant."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import psycopg
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Static

from runner.commands.status import STATE_COLUMNS, STATE_LABELS, human_age
from runner.db import queries
from runner.errors import from_psycopg

AsyncConnection = psycopg.AsyncConnection[tuple[Any, ...]]

# The channels a change of the pipeline is announced on (their LISTEN statements in runner/queries.sql).
LISTENS = ("listen_task_queued", "listen_delivery_queued", "listen_dashboard")
DEBOUNCE_S = 0.25
QUEUE_LIMIT = 50
ALERT_LIMIT = 50
NOT_INSTALLED = "alerts: not installed"

# The success table's targets (docs/operations.md, "People's screens"): each rate of
# aicrm.ai_operations_dashboard with the test it passes when on target. The review rate's target is
# the tenant's decision setting target_review_rate (the view's column), met within 5 points.
AUTO_APPROVAL_MIN = Decimal("0.70")
ESCALATION_MAX = Decimal("0.05")
RETRY_MAX = Decimal("0.20")
REVIEW_TOLERANCE = Decimal("0.05")
QUALITY_MIN = Decimal("75")


@dataclass
class Snapshot:
    """What one read found."""

    pipeline: list[dict[str, Any]] = field(default_factory=list)
    waiting: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] | None = None  # None: aicrm.ai_alerts is not installed
    jobs: list[dict[str, Any]] = field(default_factory=list)
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


async def _dicts(conn: AsyncConnection, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    cur = await conn.execute(queries()[name], params or {})
    names = [c.name for c in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in await cur.fetchall()]


async def read_snapshot(conn: AsyncConnection, tenant: str) -> Snapshot:
    """Everything the screen shows, in one transaction of the tenant."""
    async with conn.transaction():
        await conn.execute(queries()["set_tenant"], {"tenant_id": tenant})
        snap = Snapshot(
            pipeline=await _dicts(conn, "operations_dashboard", {"customer_id": None}),
            waiting=await _dicts(
                conn, "waiting_tasks", {"customer_id": None, "limit": QUEUE_LIMIT, "escalated_first": True}
            ),
            jobs=await _dicts(conn, "scheduler_last_runs"),
        )
        installed = await _dicts(conn, "alerts_installed")
        if installed and installed[0]["installed"]:
            snap.alerts = await _dicts(conn, "ai_alerts", {"limit": ALERT_LIMIT})
    return snap


# --- cells --------------------------------------------------------------------------------------------


def _percent(value: Decimal | None, ok: bool | None) -> Text:
    """A rate as a percentage, green with a tick on target, red with a cross off it."""
    if value is None:
        return Text("no data", style="dim")
    shown = f"{value * 100:.1f}%"
    if ok is None:
        return Text(shown)
    return Text(f"{shown} ✓", style="green") if ok else Text(f"{shown} ✗", style="bold red")


def rate_cells(row: dict[str, Any]) -> list[Text]:
    """The rates of one customer and channel against the targets: auto-approved, review, escalated,
    retried, failed (no target)."""
    auto, review, esc, retry = (row[c] for c in ("auto_approval_rate", "review_rate", "escalation_rate", "retry_rate"))
    target = row["target_review_rate"]
    return [
        _percent(auto, None if auto is None else auto >= AUTO_APPROVAL_MIN),
        _percent(review, None if review is None or target is None else abs(review - target) <= REVIEW_TOLERANCE),
        _percent(esc, None if esc is None else esc < ESCALATION_MAX),
        _percent(retry, None if retry is None else retry < RETRY_MAX),
        _percent(row["failure_rate"], None),
    ]


def quality_cells(row: dict[str, Any]) -> list[Text | str]:
    """The quality of the last 7 days against its target, its trend against the 7 before, the time
    to content (median, 95th percentile) and the cost."""
    quality, trend = row["avg_quality_7d"], row["quality_trend"]
    if quality is None:
        shown = Text("no data", style="dim")
    else:
        shown = Text(f"{quality} ✓", style="green") if quality > QUALITY_MIN else Text(f"{quality} ✗", style="bold red")
    if trend is None:
        arrow = Text("")
    elif trend < 0:
        arrow = Text(f"▼ {trend}", style="red")
    else:
        arrow = Text(f"▲ +{trend}" if trend > 0 else "= 0.0", style="green" if trend > 0 else "")
    return [
        shown,
        arrow,
        _duration(row["time_to_content_p50"]),
        _duration(row["time_to_content_p95"]),
        f"${row['cost_usd_7d']:.2f}",
    ]


def _duration(value: timedelta | None) -> str:
    return "" if value is None else human_age(value)


def _clock(value: datetime | None) -> str:
    return "" if value is None else value.astimezone().strftime("%m-%d %H:%M")


def _short(text: str | None, size: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1] + "…"


STATE_STYLES = {"alert": "bold red", "warning": "yellow", "acknowledged": "dim", "no_data": "dim"}
JOB_STYLES = {"succeeded": "green", "failed": "bold red", "missed": "yellow", "busy": "yellow", "running": "cyan"}


# --- the app ------------------------------------------------------------------------------------------


class DashboardApp(App[None]):
    """The live dashboard of one tenant. `conninfo` is aicrm_app's connection string (runner.db.conninfo)."""

    TITLE = "aicrm dashboard"
    CSS = """
    Screen { layout: vertical; }
    .panel { border: round $primary; height: auto; }
    .panel:focus-within { border: round $accent; }
    .panel DataTable { height: auto; }
    #pipeline, #rates { max-height: 14; }
    #scheduler { max-height: 9; }
    .row { height: 1fr; min-height: 8; }
    .row .panel { width: 1fr; height: 1fr; }
    .row DataTable { height: 1fr; }
    .note { color: $text-muted; height: auto; padding: 0 1; }
    #status { height: 1; padding: 0 1; background: $boost; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("a", "acknowledge", "Acknowledge alert"),
        Binding("r", "resolve", "Resolve alert"),
        Binding("u", "refresh", "Refresh now"),
    ]

    def __init__(self, conninfo: str, tenant: str, *, fallback_s: float = 30.0, reviewer: str | None = None) -> None:
        super().__init__()
        self.conninfo = conninfo
        self.tenant = tenant
        self.fallback_s = fallback_s
        self.reviewer = reviewer
        self.sub_title = f"tenant {tenant}"
        self.snapshot: Snapshot | None = None
        self.refreshes = 0  # completed reads: tests wait on it
        self.notifications = 0  # NOTIFYs received
        self.listening = False
        self.last_reason = ""
        self.message = ""
        self._conn: AsyncConnection | None = None
        self._lock = asyncio.Lock()
        self._pending: str | None = None
        self._reading = False
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="pipeline", classes="panel"):
            yield DataTable(id="pipeline-table", cursor_type="none", zebra_stripes=True)
        with Vertical(id="rates", classes="panel"):
            yield DataTable(id="rates-table", cursor_type="none", zebra_stripes=True)
        with Horizontal(classes="row"):
            with Vertical(id="alerts", classes="panel"):
                yield Static("", id="alerts-note", classes="note")
                yield DataTable(id="alerts-table", cursor_type="row")
            with Vertical(id="queue", classes="panel"):
                yield DataTable(id="queue-table", cursor_type="row")
        with Vertical(id="scheduler", classes="panel"):
            yield DataTable(id="scheduler-table", cursor_type="none")
        yield Static("connecting…", id="status")
        yield Footer()

    def on_mount(self) -> None:
        titles = {
            "pipeline": "Pipeline: tasks in each state",
            "rates": "Rates, quality and time to content (7 days) against targets",
            "alerts": "Alerts (a: acknowledge, r: resolve the selected one)",
            "queue": "Review and escalation queue",
            "scheduler": "Scheduler: last run of each job",
        }
        for panel, title in titles.items():
            self.query_one(f"#{panel}").border_title = title
        self._table("pipeline").add_columns("customer", "channel", *(h for _, h in STATE_COLUMNS), "approved/day")
        self._table("rates").add_columns(
            "customer", "channel", "outcomes", "auto ≥70%", "review ≈target", "escalated <5%", "retries <20%",
            "failures", "quality >75", "trend", "ttc p50", "ttc p95", "cost 7d",
        )  # fmt: skip
        self._table("alerts").add_columns(
            "state", "severity", "rule", "value", "open for", "ack by", "where", "message"
        )
        self._table("queue").add_columns("state", "waiting", "customer", "channel", "why it waits")
        self._table("scheduler").add_columns("job", "schedule", "status", "tick", "took", "rows", "error")
        self.query_one("#alerts-table").focus()
        self.run_worker(self._listen(), name="listen", group="listen", exit_on_error=False)
        self.set_interval(self.fallback_s, lambda: self.request_refresh(f"every {self.fallback_s:g} s"))
        self.request_refresh("start")

    async def on_unmount(self) -> None:
        if self._conn is not None:
            await self._conn.close()

    def _table(self, panel: str) -> DataTable[Any]:
        return self.query_one(f"#{panel}-table", DataTable)

    # --- reading ------------------------------------------------------------------------------------------

    @property
    def idle(self) -> bool:
        """No read runs and none is asked for."""
        return not self._reading and self._pending is None

    def request_refresh(self, reason: str) -> None:
        """Read again (once, however many ask while a read runs)."""
        self._pending = reason
        if not self._reading:
            self._reading = True
            self.run_worker(self._read_loop(), group="read", exit_on_error=False)

    async def _read_loop(self) -> None:
        try:
            while self._pending is not None:
                reason, self._pending = self._pending, None
                try:
                    snap = await self._read()
                except psycopg.Error as exc:
                    self._drop_connection()
                    self._set_status(f"database: {from_psycopg(exc).one_line()}")
                    continue
                self._show(snap, reason)
        finally:
            self._reading = False

    async def _connection(self) -> AsyncConnection:
        if self._conn is None or self._conn.closed:
            self._conn = await psycopg.AsyncConnection.connect(self.conninfo)
        return self._conn

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.closed:
            self.run_worker(conn.close(), group="close", exit_on_error=False)

    async def _read(self) -> Snapshot:
        async with self._lock:
            return await read_snapshot(await self._connection(), self.tenant)

    async def _listen(self) -> None:
        """LISTEN on the pipeline's channels; each notification (gathered for DEBOUNCE_S) is one read.
        A lost connection is opened again after 5 s."""
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True) as conn:
                    for name in LISTENS:
                        await conn.execute(queries()[name])
                    self.listening = True
                    self.request_refresh("listening")  # whatever changed before the LISTEN
                    async for note in conn.notifies():
                        self.notifications += 1
                        self._notified(note.channel)
            except psycopg.Error as exc:
                self.listening = False
                self._set_status(f"not listening: {from_psycopg(exc).one_line()}; again in 5 s")
            await asyncio.sleep(5)

    def _notified(self, channel: str) -> None:
        if self._debounce is None:
            self._debounce = self.set_timer(DEBOUNCE_S, lambda: self._debounced(channel))

    def _debounced(self, channel: str) -> None:
        self._debounce = None
        self.request_refresh(f"{channel} notified")

    # --- showing ------------------------------------------------------------------------------------------

    def _show(self, snap: Snapshot, reason: str) -> None:
        self.snapshot = snap
        self._show_pipeline(snap)
        self._show_alerts(snap)
        self._show_queue(snap)
        self._show_jobs(snap)
        self.refreshes += 1
        self.last_reason = reason
        self._set_status()

    def _set_status(self, problem: str | None = None) -> None:
        at = self.snapshot.at.astimezone().strftime("%H:%M:%S") if self.snapshot else "never"
        listen = "listening for changes" if self.listening else "not listening"
        parts = [f"read {at} ({self.last_reason})", f"{listen}, fallback every {self.fallback_s:g} s"]
        if problem:
            parts.insert(0, problem)
        if self.message:
            parts.append(self.message)
        self.query_one("#status", Static).update(" · ".join(parts))

    def _show_pipeline(self, snap: Snapshot) -> None:
        pipe, rates = self._table("pipeline"), self._table("rates")
        pipe.clear()
        rates.clear()
        targets = {row["target_review_rate"] for row in snap.pipeline} - {None}
        review = "/".join(f"{float(t) * 100:g}%" for t in sorted(targets)) or "the tenant's target_review_rate"
        self.query_one(
            "#rates"
        ).border_subtitle = f"targets: auto-approved ≥70%, review ≈{review}, escalated <5%, retries <20%, quality >75"
        for row in snap.pipeline:
            key = f"{row['customer_id']}:{row['channel']}"
            where = (row["customer_name"] or "?", row["channel"])
            counts = [str(row[c]) if row[c] else "-" for c, _ in STATE_COLUMNS]
            pipe.add_row(*where, *counts, str(row["approved_per_day"]), key=key)
            rates.add_row(*where, str(row["outcomes_7d"]), *rate_cells(row), *quality_cells(row), key=key)
        if len(snap.pipeline) > 1:
            totals = [str(sum(int(r[c]) for r in snap.pipeline)) for c, _ in STATE_COLUMNS]
            pipe.add_row(Text("total", style="bold"), "", *totals, "", key="total")
        if not snap.pipeline:
            pipe.add_row("no tasks yet", "", *([""] * len(STATE_COLUMNS)), "", key="none")

    def _show_alerts(self, snap: Snapshot) -> None:
        table, note = self._table("alerts"), self.query_one("#alerts-note", Static)
        selected = self.selected_alert()
        table.clear()
        if snap.alerts is None:
            note.update(NOT_INSTALLED)
            return
        note.update(f"{len(snap.alerts)} open" if snap.alerts else "no open alerts")
        for alert in snap.alerts:
            where = " / ".join(str(x) for x in (alert["customer_name"], alert["channel"]) if x) or "tenant"
            value = "" if alert["value"] is None else f"{alert['value']} vs {alert['threshold']}"
            opened = human_age(snap.at - alert["opened_at"]) if alert["opened_at"] else ""
            table.add_row(
                Text(alert["state"], style=STATE_STYLES.get(alert["state"], "")),
                alert["severity"] or "",
                alert["rule_name"] or alert["rule_key"],
                value,
                opened,
                alert["acknowledged_by"] or "",
                where,
                _short(alert["message"], 90),
                key=str(alert["alert_id"]),
            )
        if selected is not None:
            keys = [str(a["alert_id"]) for a in snap.alerts]
            if selected in keys:
                table.move_cursor(row=keys.index(selected))

    def _show_queue(self, snap: Snapshot) -> None:
        table = self._table("queue")
        table.clear()
        total = int(snap.waiting[0]["total"]) if snap.waiting else 0
        queue = self.query_one("#queue")
        shown = f", first {len(snap.waiting)}" if total > len(snap.waiting) else ""
        queue.border_subtitle = f"{total} waiting{shown}"
        for row in snap.waiting:
            state = row["execution_state"]
            table.add_row(
                Text(STATE_LABELS.get(state, state), style="bold red" if state == "escalated" else ""),
                human_age(row["age"]),
                row["customer_name"],
                row["channel"],
                _short(row["reason"]),
                key=str(row["task_id"]),
            )

    def _show_jobs(self, snap: Snapshot) -> None:
        table = self._table("scheduler")
        table.clear()
        for job in snap.jobs:
            status = job["status"] or ("never run" if job["enabled"] else "disabled")
            took = ""
            if job["started_at"] and job["ended_at"]:
                took = f"{(job['ended_at'] - job['started_at']).total_seconds():.2f} s"
            table.add_row(
                job["job_name"],
                job["schedule"],
                Text(status, style=JOB_STYLES.get(status, "dim")),
                _clock(job["tick"]),
                took,
                "" if job["rows_affected"] is None else str(job["rows_affected"]),
                _short(job["error"], 60),
                key=job["job_name"],
            )

    # --- actions ------------------------------------------------------------------------------------------

    def selected_alert(self) -> str | None:
        """The alert_id of the alerts table's selected row, or None."""
        table = self._table("alerts")
        if table.row_count == 0:
            return None
        row = min(table.cursor_row, table.row_count - 1)
        key = table.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value
        return str(key) if key is not None else None

    def action_refresh(self) -> None:
        self.request_refresh("key u")

    async def action_acknowledge(self) -> None:
        await self._alert_action("acknowledge_alert", "acknowledged")

    async def action_resolve(self) -> None:
        await self._alert_action("resolve_alert", "resolved")

    async def _alert_action(self, query: str, done: str) -> None:
        if self.snapshot is None or self.snapshot.alerts is None:
            self.message = NOT_INSTALLED
            self._set_status()
            return
        alert = self.selected_alert()
        if alert is None:
            self.message = "no alert selected"
            self._set_status()
            return
        try:
            async with self._lock:
                conn = await self._connection()
                async with conn.transaction():
                    await conn.execute(queries()["set_tenant"], {"tenant_id": self.tenant})
                    params = {"alert_id": alert, "note": "from aicrm dashboard", "by": self.reviewer}
                    await conn.execute(queries()[query], params)
            self.message = f"{done} alert {alert[:8]}"
        except psycopg.Error as exc:
            self.message = f"not {done}: {from_psycopg(exc).one_line()}"
        self.request_refresh(f"{done} an alert")
