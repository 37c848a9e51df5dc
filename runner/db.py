"""Connections (per role, per tenant); the named queries of runner/queries.sql (runner.named_queries)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from runner import embedded
from runner.config import Settings
from runner.errors import ConfigurationError, DatabaseUnavailable, from_psycopg
from runner.named_queries import queries as queries  # re-exported: the runner's modules import it from here

Role = Literal["admin", "owner", "app", "worker", "readonly"]
ROLE_NAMES: dict[Role, str | None] = {
    "admin": None,  # the DATABASE_URL user, or the embedded superuser
    "owner": "aicrm_owner",
    "app": "aicrm_app",
    "worker": "aicrm_worker",
    "readonly": "aicrm_readonly",
}
SEARCH_PATH = "aicrm,extensions"
# The demo tenant seeded by sql/seeds/demo/ has a fixed id so `aicrm db url` can point at it.
DEMO_TENANT_ID = "00000000-0000-4000-8000-00000000de00"


def conninfo(settings: Settings, role: Role = "app", tenant_id: str | None = None) -> str:
    """A libpq connection string for the role; unqualified names resolve to schema aicrm."""
    options = [f"-c search_path={SEARCH_PATH}"] if role != "admin" else []
    if tenant_id:
        options.append(f"-c aicrm.tenant_id={tenant_id}")
    role_name = ROLE_NAMES[role]
    if settings.database_url is None:
        st = embedded.status(settings.pgdata)
        if not st.running:
            raise DatabaseUnavailable(
                f"the embedded PostgreSQL is not running (data directory {settings.data_dir}); "
                "start it with: aicrm db start"
            )
        return embedded.conninfo(st, role_name or embedded.SUPERUSER, settings.database_name, " ".join(options))
    # External server: log in as the DATABASE_URL user and take the aicrm role for the session.
    if role_name:
        options.insert(0, f"-c role={role_name}")
    existing = conninfo_to_dict(settings.database_url).get("options")
    merged = " ".join([str(existing), *options]) if existing else " ".join(options)
    return make_conninfo(settings.database_url, **({"options": merged} if merged else {}))


def parse_role(role: str) -> Role:
    """A role's short name (--role) checked."""
    if role not in ROLE_NAMES:
        raise ConfigurationError(
            f"--role: {role!r} is not one of {', '.join(ROLE_NAMES)}", field="role", hint="The default is app."
        )
    return role


def session_conninfo(settings: Settings, role: Role, tenant_id: str | None, no_tenant: bool) -> str:
    """The connection string `aicrm db url` prints and `aicrm psql` opens: the app, readonly and
    worker roles default to the demo tenant; no_tenant sets none."""
    if tenant_id is None and not no_tenant and role in ("app", "readonly", "worker"):
        tenant_id = DEMO_TENANT_ID
    return conninfo(settings, role, None if no_tenant else tenant_id)


def connect(
    settings: Settings, role: Role = "app", *, tenant_id: str | None = None, autocommit: bool = False
) -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(conninfo(settings, role, tenant_id), autocommit=autocommit)
    except psycopg.Error as exc:
        raise from_psycopg(exc) from exc


def ensure_server(settings: Settings) -> None:
    """Start the embedded server if it is the configured database and not running yet."""
    if settings.embedded and not embedded.status(settings.pgdata).running:
        embedded.start(settings.pgdata, settings.database_name)


@contextmanager
def translated_errors() -> Iterator[None]:
    """Re-raise psycopg errors as the runner's exception hierarchy."""
    try:
        yield
    except psycopg.Error as exc:
        raise from_psycopg(exc) from exc


def set_tenant(conn: psycopg.Connection[tuple[object, ...]], tenant_id: str) -> None:
    """Make the current transaction work inside one tenant (transaction-local)."""
    conn.execute(queries()["set_tenant"], {"tenant_id": tenant_id})
