"""The `aicrm` command as a user runs it: a subprocess, its output and its exit code."""

from __future__ import annotations

import json
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
from tests.processes import run_module

ROOT = Path(__file__).resolve().parents[2]


def aicrm(*args: str, env: dict[str, str], check: bool = False) -> subprocess.CompletedProcess[str]:
    result = run_module(*args, env=env)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_tenant_create_prints_json(external_env: dict[str, str]) -> None:
    result = aicrm("tenant", "create", "Acme Agency", "--json", env=external_env, check=True)
    tenant_id = json.loads(result.stdout)["tenant_id"]
    assert uuid.UUID(tenant_id)
    with psycopg.connect(external_env["DATABASE_URL"]) as conn:
        row = conn.execute("select name from aicrm.tenants where tenant_id = %s", (tenant_id,)).fetchone()
    assert row == ("Acme Agency",)


def test_refusals_print_one_line_and_exit_non_zero(external_env: dict[str, str]) -> None:
    result = aicrm("tenant", "create", "", env=external_env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: name: ")
    assert "Traceback" not in result.stderr


def test_a_duplicate_tenant_name_is_a_conflict(external_env: dict[str, str]) -> None:
    first = json.loads(aicrm("tenant", "create", "Acme Agency", "--json", env=external_env, check=True).stdout)
    again = aicrm("tenant", "create", "  acme agency ", env=external_env)
    assert again.returncode == 4, again.stderr  # Conflict (AC005)
    lines = again.stderr.strip().splitlines()
    assert len(lines) == 1, again.stderr
    assert lines[0].startswith("error: name: ")
    assert first["tenant_id"] in lines[0]  # names the tenant that has the name
    with psycopg.connect(external_env["DATABASE_URL"]) as conn:
        row = conn.execute("select count(*) from aicrm.tenants where lower(name) like '%acme agency%'").fetchone()
    assert row == (1,)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("frob",), "command"),  # an unknown command
        (("evalute", "x"), "command"),
        (("db", "url", "--rol", "app"), "--rol"),  # an unknown option
        (("--bogus",), "--bogus"),
        (("db", "url", "--role"), "--role"),  # an option without its value
        (("tenant", "create"), "name"),  # a missing argument
        (("worker", "--processes", "0"), "--processes"),  # a value out of range
        (("worker", "--processes", "many"), "--processes"),  # a value of the wrong type
        (("tenant", "create", "a", "b"), "arguments"),  # one argument too many
        (("psql", "-c", "select 1"), "-c"),  # psql's own option before --
    ],
)
def test_usage_errors_are_one_line_naming_the_field(args: tuple[str, ...], field: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICRM_") and k != "DATABASE_URL"}
    result = aicrm(*args, env=env)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # no boxed usage text
    assert lines[0].startswith(f"error: {field}: "), lines[0]
    assert " | hint: " in lines[0]


# Modules a command line must not pay for unless its command uses them: the openai SDK (about 1.5 s)
# and its HTTP client, the NLP libraries, numpy, rich's progress bars, the runner's worker side and the
# mcp SDK and uvicorn (aicrm mcp's server). (pydantic is not on the list: typer 0.29 itself validates
# options with it.)
HEAVY = (
    "openai", "httpx", "httpx2", "textstat", "vaderSentiment", "numpy", "pgvector", "rich.progress",
    "runner.scoring", "runner.worker", "runner.worker_task", "runner.pool", "runner.publisher", "runner.transports",
    "runner.supervisor", "runner.providers.llm", "runner.providers.embeddings", "mcp", "runner.mcp_server",
    "runner.mcp_http", "runner.mcp_gateway", "runner.mcp_agent_tools", "uvicorn",
)  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [("--help",), ("db", "url"), ("psql", "--help"), ("worker", "--help"), ("scheduler", "--help"), ("mcp", "--help")],
)
def test_a_command_line_imports_no_heavy_module(args: tuple[str, ...]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICRM_")}
    env["DATABASE_URL"] = "postgresql://nobody@localhost/aicrm"  # db url only builds a string
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "runner", *args],
        env=env, capture_output=True, text=True, timeout=120, cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {
        line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")
    }
    assert "runner.cli" in imported  # the -X importtime output was read
    loaded = sorted(name for name in imported if name in HEAVY or name.split(".")[0] in HEAVY)
    assert loaded == [], f"aicrm {' '.join(args)} imports {loaded}: import them inside the command that uses them"


def test_unreachable_database_is_one_clear_line(external_env: dict[str, str]) -> None:
    env = dict(external_env, DATABASE_URL="postgresql://nobody@/aicrm?host=/nonexistent-socket-dir")
    result = aicrm("migrate", env=env)
    assert result.returncode == 6
    assert result.stderr.startswith("error: database unavailable")
    assert "Traceback" not in result.stderr


def test_db_url_roles_resolve_unqualified_names_and_tenant(external_env: dict[str, str]) -> None:
    tenant = json.loads(aicrm("tenant", "create", "T", "--json", env=external_env, check=True).stdout)["tenant_id"]
    url = aicrm("db", "url", "--role", "readonly", "--tenant", tenant, env=external_env, check=True).stdout.strip()
    with psycopg.connect(url) as conn:
        row = conn.execute("select current_user, (select count(*) from tenants)").fetchone()
    assert row == ("aicrm_readonly", 1)  # the unqualified name resolved to aicrm.tenants, RLS kept one
    bad = aicrm("db", "url", "--role", "root", env=external_env)
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: --role")


def test_embedded_lifecycle_start_status_url_stop(embedded_env: dict[str, str]) -> None:
    assert aicrm("db", "status", env=embedded_env).returncode == 1
    started = aicrm("db", "start", env=embedded_env, check=True)
    assert embedded_env["AICRM_DATA_DIR"] in started.stdout
    assert aicrm("db", "status", env=embedded_env).returncode == 0
    aicrm("migrate", env=embedded_env, check=True)
    again = aicrm("migrate", env=embedded_env, check=True)
    assert "none pending" in again.stdout
    aicrm("seed", "--demo", env=embedded_env, check=True)
    url = aicrm("db", "url", env=embedded_env, check=True).stdout.strip()
    psql = subprocess.run(
        [
            str(embedded.bin_dir() / "psql"), "-X", "-At", "-F", " ", url, "-c",
            "select (select count(*) from customers), (select count(*) from content_templates), "
            "(select count(*) from find_similar_content('fresh sourdough bread', 3))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    customers, templates, similar = map(int, psql.stdout.split())
    assert customers >= 3
    assert templates >= 144  # the demo tenant has the library
    assert similar == 3
    assert aicrm("db", "stop", env=embedded_env, check=True).stdout.strip() == "stopped"
    assert aicrm("db", "status", env=embedded_env).returncode == 1


def test_up_starts_seeds_serves_and_stops_on_sigterm(embedded_env: dict[str, str]) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "runner", "up"],
        env=embedded_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    output = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        output.append(line)
        if line.startswith("running") or not line:
            break
    assert any(line.startswith("aicrm ready") for line in output), "".join(output)
    assert any(embedded_env["AICRM_DATA_DIR"] in line for line in output)
    # The acceptance check: psql "$(aicrm db url)" shows the demo data with unqualified names.
    url = aicrm("db", "url", env=embedded_env, check=True).stdout.strip()
    with psycopg.connect(url) as conn:
        industries = {r[0] for r in conn.execute("select industry_category from customers").fetchall()}
        tasks = conn.execute("select count(*) from project_tasks").fetchone()
    assert len(industries) >= 3
    assert tasks is not None
    assert tasks[0] > 0
    # The content worker: its processes are children of `aicrm up` (one per CPU, at least one).
    started = [line for line in output if line.startswith("content worker: ")]
    assert started, "".join(output)
    workers = worker_children(proc.pid)
    assert len(workers) == int(started[0].split()[2]) >= 1, (started, workers)
    proc.send_signal(signal.SIGTERM)
    rest, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "stopped" in rest
    assert aicrm("db", "status", env=embedded_env).returncode == 1
    # None outlives it.
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists() and not zombie(pid)]


def worker_children(parent: int, timeout: float = 30.0) -> list[int]:
    """The `aicrm worker --supervised-by <parent>` processes, once their count stops changing."""
    deadline, last, found = time.monotonic() + timeout, -1, []
    while time.monotonic() < deadline:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0") if entry.name.isdigit() else []
            except OSError:
                continue
            if b"--supervised-by" in argv and argv[argv.index(b"--supervised-by") + 1] == str(parent).encode():
                found.append(int(entry.name))
        if found and len(found) == last:
            return found
        last = len(found)
        time.sleep(0.5)
    return found


def zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].startswith("Z")
    except (OSError, IndexError):
        return False
