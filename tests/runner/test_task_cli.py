"""`aicrm task create` through the installed console script: one task from flags, many from JSON
Lines (all or nothing, bad lines reported by number, a re-run creating nothing), refusals as one
line and the CLI's exit codes, warnings on stderr, as aicrm_app in the chosen tenant (by default
the demo tenant), the customer by id or external id. The CLI opens its own connections, so setup
is committed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest

from runner.db import DEMO_TENANT_ID
from runner.migrate import seed
from tests.factories import committed, two_agencies
from tests.processes import SQL_DIR, run_aicrm

INSTRUCTIONS = {"topic": "autumn sourdough", "cta": "Order online", "output_length": {"max_words": 200}}
CRM_PROFILES = (
    {"name": "Sunrise Bakery", "industry_category": "food_beverage", "external_id": "crm-a"},
    {"name": "Harbor Dental", "industry_category": "food_beverage", "external_id": "crm-b"},
)


def aicrm(db_url: str, *args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_aicrm(db_url, *args, stdin=stdin, COLUMNS="200")


@pytest.fixture
def crm_agencies(db_url: str) -> dict[str, str]:
    """Two tenants with a customer each, known to their CRMs as crm-a and crm-b; committed."""
    return committed(db_url, lambda conn: two_agencies(conn, CRM_PROFILES))


def tasks(db_url: str, tenant: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(db_url, autocommit=True) as conn:
        return conn.execute(
            "select t.task_id::text, t.channel, t.title, t.priority, t.execution_state, t.idempotency_key,"
            " t.ai_instructions, (select s.actor from aicrm.task_state_transitions s where s.task_id = t.task_id"
            "  order by s.transition_id limit 1)"
            " from aicrm.project_tasks t where t.tenant_id = %s order by t.created_at, t.idempotency_key",
            (tenant,),
        ).fetchall()


def test_one_task_from_flags_is_queued_as_the_app_role(
    db_url: str, crm_agencies: dict[str, str], tmp_path: Path
) -> None:
    spec = tmp_path / "instructions.json"
    spec.write_text(json.dumps(INSTRUCTIONS))
    result = aicrm(
        db_url, "task", "create", "--tenant", crm_agencies["tenant_a"], "--customer", crm_agencies["customer_a"],
        "--channel", "email", "--instructions", f"@{spec}", "--title", "Autumn menu", "--priority", "2",
        "--due", "2036-12-01T09:00:00+00:00", "--thresholds", '{"overall_min": 75}', "--key", "crm-event-17",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # nothing to warn about
    task_id = result.stdout.strip()
    [row] = tasks(db_url, crm_agencies["tenant_a"])
    assert row[:7] == (task_id, "email", "Autumn menu", 2, "queued", "crm-event-17", INSTRUCTIONS)
    assert row[7] == "aicrm_app"  # created through the app role, in the chosen tenant
    assert tasks(db_url, crm_agencies["tenant_b"]) == []

    again = aicrm(
        db_url, "task", "create", "--tenant", crm_agencies["tenant_a"], "--customer", crm_agencies["customer_a"],
        "--channel", "email", "--instructions", json.dumps(INSTRUCTIONS), "--title", "Autumn menu",
        "--priority", "2", "--due", "2036-12-01T09:00:00+00:00", "--thresholds", '{"overall_min": 75}',
        "--key", "crm-event-17", "--json",
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {"task_id": task_id, "created": False, "execution_state": "queued"}
    reused = aicrm(
        db_url, "task", "create", "--tenant", crm_agencies["tenant_a"], "--customer", crm_agencies["customer_a"],
        "--channel", "sms", "--key", "crm-event-17",
    )  # fmt: skip
    assert reused.returncode == 4
    assert reused.stderr.startswith("error: idempotency_key:")
    assert len(tasks(db_url, crm_agencies["tenant_a"])) == 1


@pytest.mark.parametrize(
    ("args", "code", "field"),
    [
        (["--channel", "email", "--instructions", '{"output_length": {"max_words": 0}}'], 2,
         "ai_instructions.output_length.max_words"),
        (["--channel", "fax"], 2, "channel"),
        (["--channel", "email", "--priority", "9"], 2, "priority"),
        (["--channel", "email", "--instructions", "{not json"], 2, "--instructions"),
        (["--channel", "email", "--due", "next tuesday"], 2, "due_at"),
        (["--channel", "email", "--due", "2020-01-01"], 2, "due_at"),
        (["--channel", "email", "--instructions", '{"topic": "hours", "purpose": "reminder"}'], 2,
         "ai_instructions.purpose"),
        (["--channel", "email", "--instructions", '{"topic": "hours", "purpose": "educational"}'], 2,
         "ai_instructions.purpose"),
        (["--channel", "sms", "--instructions", '{"topic": "hours", "tone_override": ["cheerful"]}'], 2,
         "ai_instructions.tone_override[0]"),
    ],
)  # fmt: skip
def test_bad_flags_are_one_line_naming_the_field(
    db_url: str, crm_agencies: dict[str, str], args: list[str], code: int, field: str
) -> None:
    result = aicrm(
        db_url, "task", "create", "--tenant", crm_agencies["tenant_a"], "--customer", crm_agencies["customer_a"], *args
    )
    assert result.returncode == code, result.stderr
    assert field in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert tasks(db_url, crm_agencies["tenant_a"]) == []


def test_an_unknown_customer_and_another_tenants_customer_are_not_found(
    db_url: str, crm_agencies: dict[str, str]
) -> None:
    for customer in ("00000000-0000-4000-8000-000000000001", crm_agencies["customer_b"]):
        result = aicrm(
            db_url, "task", "create", "--tenant", crm_agencies["tenant_a"], "--customer", customer, "--channel", "email"
        )
        assert result.returncode == 3, result.stderr
        assert result.stderr.startswith("error: customer_id:")
    assert tasks(db_url, crm_agencies["tenant_a"]) == tasks(db_url, crm_agencies["tenant_b"]) == []


def lines(crm_agencies: dict[str, str], bad: bool) -> str:
    rows: list[Any] = [
        {
            "customer": crm_agencies["customer_a"],
            "channel": "email",
            "instructions": INSTRUCTIONS,
            "title": "Autumn menu",
        },
        {"customer_id": crm_agencies["customer_a"], "channel": "sms", "priority": 1, "due": "2036-12-01"},
        {"customer": crm_agencies["customer_a"], "channel": "social", "ai_instructions": {"topic": "new croissant"}},
        {"customer": crm_agencies["customer_a"], "channel": "blog", "thresholds": {"overall_min": 80}, "key": "blog-1"},
    ]
    text = [json.dumps(r) for r in rows]
    if bad:
        text[1] = json.dumps({**rows[1], "instructions": {"output_length": {"max_words": 0}}})
        text.insert(3, "{not json")
        text.append(json.dumps({"customer": crm_agencies["customer_b"], "channel": "email"}))  # another tenant's
    return "\n".join([*text[:2], "", *text[2:]]) + "\n"  # a blank line is skipped, but counted


def test_a_file_with_bad_lines_creates_nothing_and_names_each_line(
    db_url: str, crm_agencies: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "tasks.jsonl"
    path.write_text(lines(crm_agencies, bad=True))
    result = aicrm(db_url, "task", "create", "--tenant", crm_agencies["tenant_a"], "--file", path)
    assert result.returncode == 2, result.stderr  # the first bad line's kind: invalid input
    errors = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert [e.split(":")[0] for e in errors] == ["line 2", "line 5", "line 7"]
    assert "ai_instructions.output_length.max_words" in errors[0]
    assert "not JSON" in errors[1]
    assert "customer_id" in errors[2]
    assert "3 bad lines in tasks.jsonl: nothing was created" in result.stderr
    assert tasks(db_url, crm_agencies["tenant_a"]) == []

    as_json = aicrm(db_url, "task", "create", "--tenant", crm_agencies["tenant_a"], "--file", path, "--json")
    report = json.loads(as_json.stdout)
    assert (report["applied"], report["created"], report["tasks"]) == (False, 0, [])
    assert [(e["line"], e["field"], e["sqlstate"]) for e in report["errors"]] == [
        (2, "ai_instructions.output_length.max_words", "AC001"),
        (5, None, None),
        (7, "customer_id", "AC002"),
    ]


def test_a_good_file_creates_each_task_once_even_when_run_again(
    db_url: str, crm_agencies: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "tasks.jsonl"
    path.write_text(lines(crm_agencies, bad=False))
    first = aicrm(db_url, "task", "create", "--tenant", crm_agencies["tenant_a"], "--file", path, "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert (report["applied"], report["lines"], report["created"], report["existing"]) == (True, 4, 4, 0)
    assert [t["line"] for t in report["tasks"]] == [1, 2, 4, 5]
    created = tasks(db_url, crm_agencies["tenant_a"])
    assert sorted(r[5] for r in created) == ["blog-1", "tasks.jsonl:1", "tasks.jsonl:2", "tasks.jsonl:4"]
    assert {r[4] for r in created} == {"queued"}
    assert {r[7] for r in created} == {"aicrm_app"}

    again = aicrm(db_url, "task", "create", "--tenant", crm_agencies["tenant_a"], "--file", path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "tasks.jsonl: 4 tasks; created 0, already created 4"
    assert tasks(db_url, crm_agencies["tenant_a"]) == created

    # Standard input has no file name: its keys come from --key-prefix.
    piped = aicrm(
        db_url, "task", "create", "--tenant", crm_agencies["tenant_a"], "--file", "-", "--key-prefix", "tasks.jsonl",
        stdin=path.read_text(),
    )  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    assert "created 0, already created 4" in piped.stdout
    assert len(tasks(db_url, crm_agencies["tenant_a"])) == 4


def test_file_and_flags_do_not_mix(db_url: str, crm_agencies: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "tasks.jsonl"
    path.write_text("")
    result = aicrm(db_url, "task", "create", "--tenant", crm_agencies["tenant_a"], "--file", path, "--channel", "email")
    assert result.returncode == 2
    assert result.stderr.startswith("error: --file:")
    missing = aicrm(db_url, "task", "create", "--tenant", crm_agencies["tenant_a"], "--channel", "email")
    assert missing.returncode == 2
    assert "--customer" in missing.stderr


def test_the_demo_tenant_is_the_default_and_a_customer_is_found_by_external_id(db_url: str) -> None:
    ins = json.dumps(INSTRUCTIONS)
    args = ("task", "create", "--customer", "demo-bakery", "--channel", "sms", "--instructions", ins)
    missing = aicrm(db_url, *args)  # no --tenant and no demo tenant yet: the tenant is what is missing
    assert missing.returncode == 3, missing.stderr
    assert missing.stderr.startswith("error: tenant_id:")
    with psycopg.connect(db_url, autocommit=True) as conn:
        seed(conn, SQL_DIR, demo=True)
    result = aicrm(db_url, *args)
    assert result.returncode == 0, result.stderr
    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute(
            "select c.external_id from aicrm.project_tasks t join aicrm.customers c using (tenant_id, customer_id)"
            " where t.task_id = %s and t.tenant_id = %s",
            (result.stdout.strip(), DEMO_TENANT_ID),
        ).fetchone()
    assert row == ("demo-bakery",)


def test_a_tenant_that_does_not_exist_says_so(db_url: str, crm_agencies: dict[str, str]) -> None:
    result = aicrm(
        db_url, "task", "create", "--tenant", "00000000-0000-4000-8000-0000000000aa", "--customer", "crm-a",
        "--channel", "email",
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith("error: tenant_id:")


def test_the_customer_by_external_id_in_this_tenant_only(
    db_url: str, crm_agencies: dict[str, str], tmp_path: Path
) -> None:
    flags = ("task", "create", "--tenant", crm_agencies["tenant_a"], "--channel", "email")
    ours = aicrm(db_url, *flags, "--customer", "crm-a", "--instructions", json.dumps(INSTRUCTIONS))
    assert ours.returncode == 0, ours.stderr
    theirs = aicrm(db_url, *flags, "--customer", "crm-b")
    assert theirs.returncode == 3, theirs.stderr
    assert theirs.stderr.startswith("error: customer_id:")
    path = tmp_path / "tasks.jsonl"
    path.write_text(json.dumps({"customer": "crm-a", "channel": "sms", "instructions": INSTRUCTIONS}) + "\n")
    lines_ = aicrm(db_url, "task", "create", "--tenant", crm_agencies["tenant_a"], "--file", path)
    assert lines_.returncode == 0, lines_.stderr
    assert {r[1] for r in tasks(db_url, crm_agencies["tenant_a"])} == {"email", "sms"}


def test_warnings_go_to_stderr_and_the_task_is_created(
    db_url: str, crm_agencies: dict[str, str], tmp_path: Path
) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("select set_config('aicrm.tenant_id', %s, false)", (crm_agencies["tenant_a"],))
        conn.execute(
            "update aicrm.customers set status = 'churned' where customer_id = %s", (crm_agencies["customer_a"],)
        )
    result = aicrm(
        db_url, "task", "create", "--tenant", crm_agencies["tenant_a"], "--customer", "crm-a", "--channel", "email",
        "--instructions", json.dumps(INSTRUCTIONS),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert [line.split(":")[:2] for line in result.stderr.splitlines()] == [["warning", " customer_id"]]
    path = tmp_path / "tasks.jsonl"
    path.write_text(json.dumps({"customer": "crm-a", "channel": "sms"}) + "\n")  # and no topic
    lines_ = aicrm(db_url, "task", "create", "--tenant", crm_agencies["tenant_a"], "--file", path)
    assert lines_.returncode == 0, lines_.stderr
    warned = [line.split(":")[:3] for line in lines_.stderr.splitlines()]
    assert warned == [["warning", " line 1", " customer_id"], ["warning", " line 1", " ai_instructions.topic"]]
    assert len(tasks(db_url, crm_agencies["tenant_a"])) == 2


def test_the_instructions_help_points_at_their_guide(db_url: str) -> None:
    result = aicrm(db_url, "task", "create", "--help")
    assert result.returncode == 0, result.stderr
    assert "docs/ai-instructions.md" in result.stdout
    assert "docs/quality.md" not in result.stdout
