"""Test harness: a real PostgreSQL (the embedded server, or AICRM_TEST_DATABASE_URL), a template
database built once from the real migrations by pytest-postgresql's no-process fixture, and a
fresh clone of it for every test (`db`); and the data most tests start from (`tenant`, `customer`,
`bakery`, `world`), made by tests/factories.py inside the test's transaction."""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict
from pytest_postgresql import factories

from runner import embedded
from runner.config import Settings
from runner.migrate import migrate
from tests.factories import World, make_customer, make_tenant, make_world
from tests.samples import BAKERY

ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = ROOT / "sql"


# One embedded server per checkout (two checkouts on one machine never share, or stop, each other's),
# in a short path: the server's Unix socket lives there. AICRM_TEST_PGDATA chooses another.
def pgdata_for(root: Path, env: Mapping[str, str]) -> Path:
    if env.get("AICRM_TEST_PGDATA"):
        return Path(env["AICRM_TEST_PGDATA"])
    checkout = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:10]
    return Path(tempfile.gettempdir()) / f"aicrm-test-pg-{os.getuid()}-{checkout}"


TEST_PGDATA = pgdata_for(ROOT, os.environ)
API_ROLES = ("anon", "authenticated", "service_role")  # Supabase's PostgREST roles; bootstrap maps the last two


def _server_params() -> dict[str, Any]:
    url = os.environ.get("AICRM_TEST_DATABASE_URL")
    if url:
        p = conninfo_to_dict(url)
        return {
            "host": p.get("host", "localhost"),
            "port": int(p.get("port", 5432)),
            "user": p.get("user", "postgres"),
            "password": p.get("password") or "",
        }
    return {"host": str(TEST_PGDATA), "port": 5432, "user": embedded.SUPERUSER, "password": ""}


def _admin_conninfo(dbname: str = "postgres") -> str:
    p = _server_params()
    return psycopg.conninfo.make_conninfo(
        "", host=p["host"], port=str(p["port"]), user=p["user"], password=p["password"], dbname=dbname
    )


def pytest_configure(config: pytest.Config) -> None:
    # Only the controlling process prepares the server; xdist workers find it running.
    if hasattr(config, "workerinput") or os.environ.get("AICRM_TEST_DATABASE_URL"):
        return
    st = embedded.start(
        TEST_PGDATA, "postgres", {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
    )
    assert st.socket_dir == TEST_PGDATA, f"socket in {st.socket_dir}, expected {TEST_PGDATA}"
    with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
        # Databases left behind by an interrupted run would make the template's CREATE fail.
        leftovers = conn.execute(
            "select datname from pg_database where datname like 'aicrm\\_test%' "
            "or datname like 'aicrm\\_empty\\_%' or datname like 'aicrm\\_bundle\\_%'"
        ).fetchall()
        for (name,) in leftovers:
            conn.execute(f'alter database "{name}" is_template false')
            conn.execute(f'drop database "{name}" with (force)')
        for role in API_ROLES:
            if not conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone():
                conn.execute(f"create role {role} nologin")


def pytest_unconfigure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or os.environ.get("AICRM_TEST_DATABASE_URL"):
        return
    if os.environ.get("AICRM_TEST_KEEP_SERVER") != "1":
        embedded.stop(TEST_PGDATA)


def load_aicrm(**kwargs: Any) -> None:
    """pytest-postgresql loader: fill the template database through the real migrate path."""
    kwargs["autocommit"] = True
    with psycopg.connect(**kwargs) as conn:
        migrate(conn, SQL_DIR)


_params = _server_params()
postgresql_noproc = factories.postgresql_noproc(
    host=_params["host"],
    port=_params["port"],
    user=_params["user"],
    password=_params["password"],
    dbname="aicrm_test",
    load=[load_aicrm],
)
postgresql = factories.postgresql("postgresql_noproc")


@pytest.fixture
def server_conninfo() -> Callable[[str], str]:
    """Administrator connection strings for any database on the test server."""
    return _admin_conninfo


@pytest.fixture
def empty_database(server_conninfo: Callable[[str], str]) -> Iterator[str]:
    """A brand-new database without aicrm; returns its administrator connection string."""
    name = f"aicrm_empty_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f"create database {name}")
    try:
        yield server_conninfo(name)
    finally:
        with psycopg.connect(server_conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f"drop database if exists {name} with (force)")


@pytest.fixture
def db(postgresql: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
    """A superuser connection to a fresh, fully migrated database (one transaction per test)."""
    return postgresql


@pytest.fixture
def db_url(postgresql: psycopg.Connection[Any]) -> str:
    """An administrator URL of the test's database, for code that opens its own connections."""
    return _admin_conninfo(postgresql.info.dbname)


@pytest.fixture
def settings(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Runner settings pointing at the test's database as an external server (DATABASE_URL)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("AICRM_SQL_DIR", str(SQL_DIR))
    return Settings.from_env()


# --- the data most tests start from (rolled back with the test) ------------------------------------


@pytest.fixture
def tenant(db: psycopg.Connection[Any]) -> str:
    """Agency A, a new tenant."""
    return make_tenant(db, "Agency A")


@pytest.fixture
def customer_profile() -> dict[str, Any]:
    """The business profile `customer` is made from: Sunrise Bakery's (samples.BAKERY). A test module
    that needs another business overrides this fixture."""
    return BAKERY


@pytest.fixture
def customer(db: psycopg.Connection[Any], tenant: str, customer_profile: dict[str, Any]) -> str:
    """The customer of `tenant` with `customer_profile`."""
    return make_customer(db, tenant, **customer_profile)


@pytest.fixture
def bakery(tenant: str, customer: str) -> tuple[str, str]:
    """(tenant, customer): Agency A and its customer Sunrise Bakery."""
    return tenant, customer


@pytest.fixture
def world(db: psycopg.Connection[Any]) -> World:
    """Tenants A and B with rows in every tenant-owned table (factories.make_world)."""
    return make_world(db)
