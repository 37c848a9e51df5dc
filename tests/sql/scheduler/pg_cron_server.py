"""A throwaway PostgreSQL 15 with pg_cron, from Debian's packages, for testing the scheduler module
against the real extension (sql/README.md, "The scheduler module"). aicrm as a whole cannot be
installed there (Debian's PostgreSQL 15 has no pgvector); the module can, since it needs only the
roles and schemas of bootstrap.sql.

`missing_pg_cron()` says what is not installed, `install_pg_cron()` installs it with apt once per
test run (when this process may), and `PgCronServer` is a cluster of its own: initdb in a temporary
directory, reached only through a Unix socket there, with pg_cron preloaded for one database. As
root it runs as Debian's `postgres` system user (initdb refuses root), as runner/embedded.py's
wheel runs as a system user of its own. Debian's own cluster (postinst may make and start one) is
never used."""

from __future__ import annotations

import fcntl
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PACKAGES = ("postgresql-15", "postgresql-15-cron")
INSTALL_HINT = f"apt-get install -y --no-install-recommends {' '.join(PACKAGES)}"
# apt-get update and the install, each; the install itself takes seconds to a minute here.
APT_TIMEOUT = 900
SERVER_TIMEOUT = 60  # pg_ctl -t: starting and stopping a fresh cluster
ADMIN = "postgres"  # the cluster's superuser: the administrator who calls aicrm.schedule_jobs()


def _pg_config(option: str, default: Path) -> Path:
    pg_config = PG_BIN / "pg_config"
    if not pg_config.exists():
        return default
    out = subprocess.run([str(pg_config), option], capture_output=True, text=True, check=False)
    return Path(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else default


def missing_pg_cron() -> list[str]:
    """The files of PostgreSQL 15 and pg_cron that are not installed (empty: all there)."""
    lib = _pg_config("--pkglibdir", Path("/usr/lib/postgresql/15/lib"))
    share = _pg_config("--sharedir", Path("/usr/share/postgresql/15"))
    wanted = [PG_BIN / "postgres", PG_BIN / "initdb", PG_BIN / "pg_ctl", lib / "pg_cron.so"]
    wanted.append(share / "extension" / "pg_cron.control")
    return [str(p) for p in wanted if not p.exists()]


def _apt(args: list[str], log: Path) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with log.open("a") as out:
        out.write(f"$ apt-get {' '.join(args)}\n")
        out.flush()
        try:
            done = subprocess.run(
                ["apt-get", *args], stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                env=env, timeout=APT_TIMEOUT, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            out.write(f"timed out after {APT_TIMEOUT} s\n")
            return False
    return done.returncode == 0


def install_pg_cron() -> str | None:
    """Make PostgreSQL 15 and pg_cron present; None when they are, else why not (a skip message).
    Tried at most once per test run: the xdist workers of one run share a lock and a marker."""
    missing = missing_pg_cron()
    if not missing:
        return None
    why = f"Debian's PostgreSQL 15 with pg_cron is not installed (missing {', '.join(missing)})"
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        reason = "not root" if os.geteuid() != 0 else "no apt-get"
        return f"{why} and this process cannot install it ({reason}); install it with: sudo {INSTALL_HINT}"
    tmp = Path(tempfile.gettempdir())
    log = tmp / "aicrm-pg-cron-apt.log"
    failed = tmp / f"aicrm-pg-cron-apt-failed-{os.environ.get('PYTEST_XDIST_TESTRUNUID', os.getpid())}"
    with (tmp / "aicrm-pg-cron-apt.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one install at a time: dpkg has a lock of its own, which fails
        if not missing_pg_cron():
            return None
        if failed.exists():
            return failed.read_text()
        log.write_text("")
        # A machine whose package lists were cleared knows no candidate until apt-get update.
        policy = subprocess.run(["apt-cache", "policy", PACKAGES[1]], capture_output=True, text=True, check=False)
        known = "Candidate:" in policy.stdout and "Candidate: (none)" not in policy.stdout
        install = ["install", "-y", "-qq", "--no-install-recommends", *PACKAGES]
        ok = (known or _apt(["update", "-qq"], log)) and _apt(install, log)
        still = missing_pg_cron()
        if ok and not still:
            return None
        message = f"{why}; `{INSTALL_HINT}` did not install it (its output: {log}); still missing {', '.join(still)}"
        failed.write_text(message)
        return message


class PgCronServer:
    """A PostgreSQL 15 cluster in a temporary directory, pg_cron preloaded for `database`, listening
    on a Unix socket only; pg_cron's own connections (cron.host) use that socket too."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.root = Path(tempfile.mkdtemp(prefix="aicrm-pgcron-"))  # short: the socket's path lives in it
        self.pgdata = self.root / "data"
        self.log = self.root / "server.log"
        # initdb refuses root: run the cluster as Debian's postgres user (its package makes it).
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "postgres" if _user_exists("postgres") else "nobody"
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.root.chmod(0o755)

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            list(args), user=self.user, cwd=self.root, capture_output=True, text=True, timeout=SERVER_TIMEOUT + 30,
            check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}\n{self._log_tail()}")

    def _pg_ctl(self, *args: str) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.pgdata), "-w", *args)

    def _log_tail(self) -> str:
        return self.log.read_text()[-4000:] if self.log.exists() else ""

    def start(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.pgdata), "-U", ADMIN, "--auth=trust", "-E", "UTF8", "-N")
        settings = {
            "listen_addresses": "''",
            "unix_socket_directories": f"'{self.root}'",
            "port": "5432",
            "shared_preload_libraries": "'pg_cron'",
            "cron.database_name": f"'{self.database}'",
            "cron.host": f"'{self.root}'",  # pg_cron connects through libpq: to our socket, not localhost
            "timezone": "'UTC'",
            "fsync": "off",
            "synchronous_commit": "off",
        }
        with (self.pgdata / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{k} = {v}\n" for k, v in settings.items())
        self._pg_ctl("-l", str(self.log), "-t", str(SERVER_TIMEOUT), "start")
        with self.connect("postgres") as conn:
            conn.execute(f'create database "{self.database}"')

    def stop(self) -> None:
        try:
            if (self.pgdata / "postmaster.pid").exists():
                self._pg_ctl("-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def conninfo(self, database: str | None = None) -> str:
        return psycopg.conninfo.make_conninfo(
            "", host=str(self.root), port="5432", user=ADMIN, dbname=database or self.database
        )

    def connect(self, database: str | None = None) -> psycopg.Connection[Any]:
        return psycopg.connect(self.conninfo(database), autocommit=True)

    def wait_for_launcher(self, timeout: float = SERVER_TIMEOUT) -> None:
        """Wait until pg_cron's launcher runs in the database (it starts with the server and keeps
        retrying until the database exists)."""
        deadline = time.monotonic() + timeout
        with self.connect() as conn:
            while not conn.execute(
                "select 1 from pg_stat_activity where backend_type = 'pg_cron launcher' and datname = %s",
                (self.database,),
            ).fetchone():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"pg_cron's launcher did not start:\n{self._log_tail()}")
                time.sleep(0.1)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
