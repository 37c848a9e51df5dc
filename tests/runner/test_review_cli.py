"""`aicrm review`: every task waiting for a person walked in the terminal, escalated ones first;
each answer is one review_task, recorded with the reviewer's name; an edit (in $EDITOR) is scored
before it is approved and its critical or major findings are confirmed; --list prints the queue."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from runner.commands.review import REASON_PROMPTS
from tests.factories import committed, make_customer, make_tenant
from tests.helpers import act_as
from tests.processes import run_aicrm
from tests.samples import EMAIL, LONG_SMS, SMS, SMS_INSTRUCTIONS
from tests.tasks import create_task, walk_to_review


def drafted(conn: psycopg.Connection[Any], tenant: str, task: str, content: str, subject: str | None = None) -> None:
    """The task's first draft, written in (no worker), and the task moved to review."""
    with act_as(conn, tenant):
        conn.execute(
            "insert into aicrm.project_deliverables (task_id, subject, content) values (%s, %s, %s)",
            (task, subject, content),
        )
    walk_to_review(conn, tenant, task)


def two_in_review(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    tenant = make_tenant(conn, "Review Agency")
    customer = make_customer(conn, tenant)
    tasks = []
    for priority in (3, 1):
        tasks.append(task := create_task(conn, tenant, customer, priority))
        drafted(conn, tenant, task, EMAIL, "Autumn sourdough")
    return {"tenant": tenant, "low": tasks[0], "urgent": tasks[1]}


@pytest.fixture
def queue(db_url: str) -> dict[str, Any]:
    """A tenant with two drafts waiting for review, the urgent one first; committed."""
    return committed(db_url, two_in_review)


def states(db_url: str) -> dict[str, tuple[Any, ...]]:
    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute(
            "select t.task_id::text, t.execution_state, r.reviewer, r.reason from aicrm.project_tasks t"
            " left join aicrm.deliverable_reviews r using (tenant_id, task_id)"
        ).fetchall()
    return {str(r[0]): tuple(r[1:]) for r in rows}


def test_the_queue_is_listed_most_urgent_first(db_url: str, queue: dict[str, Any]) -> None:
    done = run_aicrm(db_url, "review", "--tenant", queue["tenant"], "--list")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["task_id"] for r in rows] == [queue["urgent"], queue["low"]]
    assert rows[0]["version"] == 1
    assert "content" not in rows[0]


def test_walking_the_queue_records_each_decision(db_url: str, queue: dict[str, Any]) -> None:
    done = run_aicrm(
        db_url, "review", "--tenant", queue["tenant"], "--reviewer", "ana@agency", stdin="a\nr\nToo salesy.\n"
    )
    assert done.returncode == 0, done.stderr
    assert "Recorded: approve -> approved." in done.stdout
    assert "2 decision(s) recorded." in done.stdout
    assert REASON_PROMPTS["reject"] in done.stdout
    got = states(db_url)
    assert got[queue["urgent"]] == ("approved", "ana@agency", None)
    assert got[queue["low"]] == ("rejected", "ana@agency", "Too salesy.")
    done = run_aicrm(db_url, "review", "--tenant", queue["tenant"])
    assert done.stdout.strip() == "Nothing waits for a person."


def test_skip_and_quit_decide_nothing(db_url: str, queue: dict[str, Any]) -> None:
    done = run_aicrm(db_url, "review", "--tenant", queue["tenant"], stdin="s\nq\n")
    assert done.returncode == 0, done.stderr
    assert "0 decision(s) recorded." in done.stdout
    assert {s[0] for s in states(db_url).values()} == {"awaiting_review"}


def test_a_rejection_does_not_promise_a_rewrite() -> None:
    """A rejected or cancelled task is not written again: only a requeue's note is for the writer."""
    assert "writer" not in REASON_PROMPTS["reject"]
    assert "writer" not in REASON_PROMPTS["cancel"]
    assert "writer" in REASON_PROMPTS["request_changes"]


def test_the_command_needs_no_click() -> None:
    """click is not a dependency (typer vendors its own): importing the command must not need it."""
    code = "import sys; sys.modules['click'] = None; import runner.commands.review; import runner.cli"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def in_review_and_escalated(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    tenant = make_tenant(conn, "Escalation Agency")
    customer = make_customer(conn, tenant)
    sms = create_task(conn, tenant, customer, channel="sms", instructions=SMS_INSTRUCTIONS)
    drafted(conn, tenant, sms, SMS)
    failed = create_task(conn, tenant, customer, instructions={"topic": "autumn menu", "purpose": "newsletter"})
    error = {"error": {"kind": "timeout", "message": "the model did not answer in 60 s"}}
    conn.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
    for to, via, details in (("gathering_context", "claim_next_task", {}), ("escalated", "fail_task", error)):
        conn.execute(
            "select aicrm_private.transition_task(%s, %s, 'worker-1', 'failed, not retryable', null, %s, %s)",
            (failed, to, Jsonb(details), via),
        )
    return {"tenant": tenant, "sms": sms, "failed": failed}


@pytest.fixture
def waiting(db_url: str) -> dict[str, Any]:
    """A tenant with an SMS draft in review (at most 160 characters) and, escalated after it, a task
    whose worker failed before writing a draft; committed."""
    return committed(db_url, in_review_and_escalated)


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$EDITOR: a script that replaces the file it is given with the text in `edited.txt`."""
    script = tmp_path / "editor.py"
    text = tmp_path / "edited.txt"
    script.write_text(
        f"import sys, pathlib\npathlib.Path(sys.argv[1]).write_text(pathlib.Path({str(text)!r}).read_text())\n"
    )
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}")
    return text


def test_escalated_tasks_are_listed_first_with_their_reason(db_url: str, waiting: dict[str, Any]) -> None:
    done = run_aicrm(db_url, "review", "--tenant", waiting["tenant"], "--list")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["task_id"], r["execution_state"]) for r in rows] == [
        (waiting["failed"], "escalated"),
        (waiting["sms"], "awaiting_review"),
    ]
    assert (rows[0]["version"], rows[0]["error"]["kind"]) == (None, "timeout")
    assert "the model did not answer in 60 s" in rows[0]["reason"]


def test_an_escalated_task_is_requeued_or_cancelled(db_url: str, waiting: dict[str, Any]) -> None:
    stdin = "c\nThe provider is back.\nx\nNot needed.\n"
    done = run_aicrm(db_url, "review", "--tenant", waiting["tenant"], "--reviewer", "ana@agency", stdin=stdin)
    assert done.returncode == 0, done.stderr
    assert "2 decision(s) recorded." in done.stdout
    got = states(db_url)
    assert got[waiting["failed"]] == ("queued", "ana@agency", "The provider is back.")
    assert got[waiting["sms"]] == ("cancelled", "ana@agency", "Not needed.")


def test_an_edit_is_scored_and_its_findings_confirmed(db_url: str, waiting: dict[str, Any], editor: Path) -> None:
    editor.write_text(LONG_SMS + "\n")
    # Skip the escalated task; edit the SMS to 200 characters; decline the findings: nothing recorded.
    done = run_aicrm(db_url, "review", "--tenant", waiting["tenant"], "--reviewer", "ana@agency", stdin="s\ne\nn\n")
    assert done.returncode == 0, done.stderr
    assert "sms_segments" in done.stdout
    assert "0 decision(s) recorded." in done.stdout
    assert states(db_url)[waiting["sms"]] == ("awaiting_review", None, None)
    done = run_aicrm(db_url, "review", "--tenant", waiting["tenant"], "--reviewer", "ana@agency", stdin="s\ne\ny\n")
    assert done.returncode == 0, done.stderr
    assert "1 decision(s) recorded." in done.stdout
    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute(
            "select d.version, d.content, d.content_quality, r.confirmed_findings from aicrm.project_deliverables d"
            " join aicrm.deliverable_reviews r on r.approved_deliverable_id = d.deliverable_id"
            " where d.task_id = %s",
            (waiting["sms"],),
        ).fetchone()
    assert row is not None
    version, content, card, confirmed = row
    assert (version, content) == (2, LONG_SMS)  # the newline the editor added is not part of it
    assert card["details"]["structure"]["character_count"] == 200
    assert card["readability"] is not None  # the runner measured the edit
    # (and whatever else the edit breaks: this customer's profile grounds none of its claims)
    assert {f["check"] for f in confirmed} >= {"length", "sms_segments"}
    assert {f["severity"] for f in confirmed} <= {"critical", "major"}
