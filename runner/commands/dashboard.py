"""`aicrm dashboard`: the live terminal dashboard of one tenant (runner/dashboard_app.py;
docs/operations.md, "People's screens"). Textual is imported inside the command: the rest of the
command line does not pay for it."""

from __future__ import annotations

import getpass

import typer

from runner.commands.status import check_tenant
from runner.config import Settings
from runner.db import DEMO_TENANT_ID, connect, conninfo, ensure_server, set_tenant, translated_errors


def dashboard_command(
    tenant: str = typer.Option(
        DEMO_TENANT_ID, "--tenant", envvar="AICRM_TENANT_ID", help="The tenant (default: the demo tenant)."
    ),
    fallback: float = typer.Option(
        30.0,
        "--fallback",
        min=5.0,
        max=3600.0,
        help="Seconds between reads when no notification came (changes are read at once on NOTIFY).",
    ),
    reviewer: str = typer.Option(
        "", "--reviewer", envvar="AICRM_REVIEWER", help="Who acknowledges or resolves alerts (default: the login name)."
    ),
) -> None:
    """A live dashboard: pipeline, rates against targets, quality, alerts (a: acknowledge, r: resolve),
    the review and escalation queue and the scheduler's runs; refreshed on NOTIFY. q quits."""
    settings = Settings.from_env()
    ensure_server(settings)
    # An unreachable database or an unknown tenant is one line and an exit code, not a screen.
    with connect(settings, "app") as conn, translated_errors(), conn.transaction():
        set_tenant(conn, tenant)
        check_tenant(conn, tenant)
    from runner.dashboard_app import DashboardApp  # textual: only for this command

    app = DashboardApp(conninfo(settings, "app"), tenant, fallback_s=fallback, reviewer=reviewer or getpass.getuser())
    app.run()
