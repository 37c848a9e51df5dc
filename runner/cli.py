"""The `aicrm` command. Errors print as one line on stderr with a non-zero exit, never a traceback.

Every command module keeps its top level light (typer, psycopg, runner.db): the openai SDK, textstat,
VADER, the worker and the providers are imported inside the command that uses them, so `aicrm db url`
and `aicrm --help` start in a fraction of a second (tests/runner/test_cli.py guards it)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import psycopg
import typer

from runner import embedded
from runner.commands.dashboard import dashboard_command
from runner.commands.embeddings import embeddings_app
from runner.commands.evaluate import evaluate_command
from runner.commands.events import events_command
from runner.commands.importing import import_app
from runner.commands.mcp import mcp_command
from runner.commands.plan import plan_command
from runner.commands.psql import psql_command
from runner.commands.publish import publish_command
from runner.commands.review import review_command
from runner.commands.scheduler import scheduler_command
from runner.commands.status import status_command
from runner.commands.tasks import task_app
from runner.commands.unsubscribe import unsubscribe_command
from runner.commands.up import up_command
from runner.commands.worker import worker_command
from runner.config import Settings
from runner.db import connect, ensure_server, parse_role, queries, session_conninfo
from runner.errors import AicrmError, ConfigurationError, InvalidInput, from_psycopg
from runner.migrate import bundle as build_bundle
from runner.migrate import migrate as apply_migrations
from runner.migrate import seed as apply_seeds
from runner.named_queries import admin_queries

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
app.command("scheduler")(scheduler_command)
app.command("psql")(psql_command)
app.command("unsubscribe")(unsubscribe_command)
app.command("status")(status_command)
app.command("dashboard")(dashboard_command)
app.command("events")(events_command)
app.command("mcp")(mcp_command)
app.command("plan")(plan_command)


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
            version = conn.execute(admin_queries()["server_version"]).fetchone()
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
    """Print a connection string: psql "$(aicrm db url)" opens the demo tenant (or: aicrm psql)."""
    echo(session_conninfo(Settings.from_env(), parse_role(role), tenant, no_tenant))


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


# Click's exception classes, reached through typer's public BadParameter: typer vendors click (its
# private typer._click) and older typer depends on click itself; either way these are the bases.
_CLICK_BASES = {cls.__name__: cls for cls in typer.BadParameter.__mro__}
ClickException: type[Exception] = _CLICK_BASES["ClickException"]
UsageError: type[Exception] = _CLICK_BASES["UsageError"]


def usage_error(exc: Exception) -> AicrmError:
    """A refused command line (unknown command or option, missing or bad value) as the one-line
    `error: <field>: <problem> | hint: ...` every other refusal prints; exit 2."""
    ctx = getattr(exc, "ctx", None)
    command = str(getattr(ctx, "command_path", "") or "aicrm")
    message = str(getattr(exc, "message", exc)).strip().rstrip(".")
    # Errors of the option parser carry no context: then the hint cannot name the command.
    hint = f"{command} --help lists the options." if ctx is not None else "--help after the command lists its options."
    param = getattr(exc, "param", None)
    kind = type(exc).__name__
    if kind == "NoSuchOption":
        field, problem = str(exc.option_name), "no such option"  # type: ignore[attr-defined]
        possible = sorted(getattr(exc, "possibilities", None) or [])
        if possible:
            hint = f"did you mean {' or '.join(possible)}?"
        elif field.startswith("-") and command.endswith(" psql"):
            hint = "psql's own options go after --: aicrm psql -- -c 'select 1'"
    elif kind == "BadOptionUsage":
        field = str(exc.option_name)  # type: ignore[attr-defined]
        problem = "needs a value" if message.endswith("requires an argument") else _lower_first(message)
    elif param is not None:
        field = _param_name(param)
        if kind == "MissingParameter":
            envvar = getattr(param, "envvar", None)
            problem = "missing" + (f" (or set {envvar})" if isinstance(envvar, str) else "")
        else:
            problem = _lower_first(message)
    elif message.startswith("No such command"):
        missing, _, suggestion = message.partition(". Did you mean ")
        field, problem = "command", _lower_first(missing)
        hint = f"did you mean {suggestion.rstrip('?')}?" if suggestion else f"{command} --help lists the commands."
    elif "extra argument" in message:
        field, problem = "arguments", _lower_first(message)
    else:
        field, problem = "usage", _lower_first(message)
    return InvalidInput(f"{field}: {problem}", field=field, hint=hint)


def _param_name(param: object) -> str:
    """An option by its long name (--priority), an argument by its name (name, file)."""
    opts = [str(o) for o in getattr(param, "opts", [])]
    if getattr(param, "param_type_name", "") == "option" and opts:
        return max(opts, key=len)
    return str(getattr(param, "human_readable_name", None) or (opts[0] if opts else "argument"))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _fail(err: AicrmError) -> NoReturn:
    typer.echo(f"error: {err.one_line()}", err=True)
    sys.exit(err.exit_code)


def main() -> None:
    """Console entry point: run the CLI and print every refusal as one clear line."""
    try:
        # Not standalone: click's own errors reach us instead of its boxed usage text.
        code = app(standalone_mode=False)
    except AicrmError as exc:
        _fail(exc)
    except psycopg.Error as exc:
        _fail(from_psycopg(exc))
    except UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # `aicrm db`: typer printed the help already
            sys.exit(2)
        _fail(usage_error(exc))
    except ClickException as exc:  # e.g. a file that cannot be opened
        _fail(InvalidInput(_lower_first(str(getattr(exc, "format_message", exc.__str__)()))))
    except typer.Abort:
        _fail(AicrmError("aborted"))
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
