"""The `aicrm` command. Errors print as one line on stderr with a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import psycopg
import typer

from runner import embedded
from runner.commands.embeddings import embeddings_app
from runner.commands.evaluate import evaluate_command
from runner.commands.importing import import_app
from runner.commands.publish import publish_command
from runner.commands.review import review_command
from runner.commands.tasks import task_app
from runner.commands.up import up_command
from runner.commands.worker import worker_command
from runner.config import Settings
from runner.db import DEMO_TENANT_ID, ROLE_NAMES, Role, connect, conninfo, ensure_server, queries
from runner.errors import AicrmError, ConfigurationError, from_psycopg
from runner.migrate import bundle as build_bundle
from runner.migrate import migrate as apply_migrations
from runner.migrate import seed as apply_seeds

app = typer.Typer(
    help="aicrm: an AI-first CRM layer for PostgreSQL.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="The embedded PostgreSQL server (or DATABASE_URL).", no_args_is_help=True)
tenant_app = typer.Typer(help="Tenants.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(tenant_app, name="tenant")
app.add_typer(import_app, name="import")
app.add_typer(embeddings_app, name="embeddings")
app.add_typer(task_app, name="task")
app.command("up")(up_command)
app.command("evaluate")(evaluate_command)
app.command("review")(review_command)
app.command("worker")(worker_command)
app.command("publish")(publish_command)


def echo(message: str) -> None:
    typer.echo(message)


@db_app.command("start")
def db_start() -> None:
    """Start the embedded server in the background; returns once it accepts connections."""
    settings = Settings.from_env()
    if not settings.embedded:
        raise ConfigurationError("DATABASE_URL is set: aicrm uses that server and starts none of its own")
    st = embedded.start(settings.pgdata, settings.database_name)
    echo(f"PostgreSQL running (pid {st.pid}), data directory {settings.pgdata}")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded server."""
    settings = Settings.from_env()
    if not settings.embedded:
        raise ConfigurationError("DATABASE_URL is set: aicrm does not manage that server")
    echo("stopped" if embedded.stop(settings.pgdata) else "not running")


@db_app.command("status")
def db_status() -> None:
    """Say whether the database is reachable, and where it is."""
    settings = Settings.from_env()
    if settings.embedded:
        st = embedded.status(settings.pgdata)
        state = f"running (pid {st.pid}, socket {st.socket_dir})" if st.running else "stopped"
        echo(f"embedded PostgreSQL: {state}; data directory {settings.pgdata}")
        if not st.running:
            raise typer.Exit(1)
    else:
        with connect(settings, "admin") as conn:
            version = conn.execute("show server_version").fetchone()
        echo(f"external PostgreSQL {version[0] if version else '?'} at DATABASE_URL: reachable")


@db_app.command("url")
def db_url(
    role: str = typer.Option("app", help="owner | app | worker | readonly | admin"),
    tenant: str | None = typer.Option(
        None,
        envvar="AICRM_TENANT_ID",
        help="Tenant for the session (default: the demo tenant for the app and readonly roles).",
    ),
    no_tenant: bool = typer.Option(False, "--no-tenant", help="Set no tenant for the session."),
) -> None:
    """Print a connection string: psql "$(aicrm db url)" opens the demo tenant."""
    if role not in ROLE_NAMES:
        raise ConfigurationError(f"--role: {role!r} is not one of {', '.join(ROLE_NAMES)}")
    r: Role = role
    if tenant is None and not no_tenant and r in ("app", "readonly", "worker"):
        tenant = DEMO_TENANT_ID
    echo(conninfo(Settings.from_env(), r, None if no_tenant else tenant))


@app.command("migrate")
def migrate_command() -> None:
    """Apply pending migrations once each, then every function, view and default seed."""
    settings = Settings.from_env()
    ensure_server(settings)
    with connect(settings, "admin", autocommit=True) as conn:
        report = apply_migrations(conn, settings.sql_dir)
    applied = ", ".join(report.applied) if report.applied else "none pending"
    echo(f"migrations applied: {applied}; {report.repeatables} repeatable files re-applied")


@app.command("seed")
def seed_command(demo: bool = typer.Option(False, "--demo", help="Also seed the demo tenant.")) -> None:
    """Apply the default seeds (idempotent); --demo adds the demo tenant."""
    settings = Settings.from_env()
    ensure_server(settings)
    with connect(settings, "admin", autocommit=True) as conn:
        files = apply_seeds(conn, settings.sql_dir, demo=demo)
    echo(f"seeded: {', '.join(files)}")


@app.command("bundle")
def bundle_command(
    output: Path = typer.Option(Path("dist/aicrm.sql"), "--output", "-o", help="File to write ('-' for stdout)."),
) -> None:
    """Write one SQL file with every migration, function, view and default seed, in order."""
    text = build_bundle(Settings.from_env().sql_dir)
    if str(output) == "-":
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    echo(f"wrote {output} ({len(text.splitlines())} lines)")


@tenant_app.command("create")
def tenant_create(
    name: str = typer.Argument(..., help="The tenant's name (an agency, a team)."),
    as_json: bool = typer.Option(False, "--json", help='Print {"tenant_id": "..."}.'),
) -> None:
    """Create a tenant and print its id."""
    settings = Settings.from_env()
    ensure_server(settings)
    with connect(settings, "owner") as conn:
        row = conn.execute(queries()["create_tenant"], {"name": name}).fetchone()
    tenant_id = str(row[0]) if row else ""
    echo(json.dumps({"tenant_id": tenant_id}) if as_json else tenant_id)


def main() -> None:
    """Console entry point: run the CLI and print refusals as one clear line."""
    try:
        app()
    except AicrmError as exc:
        typer.echo(f"error: {exc.one_line()}", err=True)
        sys.exit(exc.exit_code)
    except psycopg.Error as exc:
        err = from_psycopg(exc)
        typer.echo(f"error: {err.one_line()}", err=True)
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
