"""`aicrm review`: the review queue walked in the terminal; each answer is one review_deliverable,
recorded with the reviewer's name; --list prints the queue."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.runner.test_evaluate_cli import EMAIL, aicrm

PATH = [
    ("gathering_context", "claim_next_task"),
    ("generating", "start_generating"),
    ("evaluating", "submit_draft"),
    ("awaiting_review", "record_evaluation"),
]


@pytest.fixture
def queue(db_url: str) -> dict[str, Any]:
    """A tenant with two drafts waiting for review, the urgent one first."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute("select aicrm.create_tenant('Review Agency')").fetchone()
        assert row is not None
        tenant = str(row[0])
        conn.execute("select set_config('aicrm.tenant_id', %s, false)", (tenant,))
        profile = {"name": "Sunrise Bakery", "industry_category": "food_beverage"}
        found = conn.execute("select aicrm.upsert_business_profile(p_profile => %s)", (Jsonb(profile),)).fetchone()
        assert found is not None
        tasks = []
        for priority in (3, 1):
            task = conn.execute(
                "select aicrm.create_content_task(%s, 'email', p_priority => %s) ->> 'task_id'",
                (found[0]["customer_id"], priority),
            ).fetchone()
            assert task is not None
            conn.execute(
                "insert into aicrm.project_deliverables (task_id, subject, content)"
                " values (%s, 'Autumn sourdough', %s)",
                (task[0], EMAIL),
            )
            for to, via in PATH:
                conn.execute(
                    "select aicrm_private.transition_task(%s, %s, 'tester', null, null, '{}', %s)", (task[0], to, via)
                )
            tasks.append(task[0])
    return {"tenant": tenant, "low": tasks[0], "urgent": tasks[1]}


def states(db_url: str) -> dict[str, tuple[Any, ...]]:
    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute(
            "select t.task_id::text, t.execution_state, r.reviewer, r.reason from aicrm.project_tasks t"
            " left join aicrm.deliverable_reviews r using (tenant_id, task_id)"
        ).fetchall()
    return {str(r[0]): tuple(r[1:]) for r in rows}


def test_the_queue_is_listed_most_urgent_first(db_url: str, queue: dict[str, Any]) -> None:
    done = aicrm(db_url, "review", "--tenant", queue["tenant"], "--list")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["task_id"] for r in rows] == [queue["urgent"], queue["low"]]
    assert rows[0]["version"] == 1
    assert "content" not in rows[0]


def test_walking_the_queue_records_each_decision(db_url: str, queue: dict[str, Any]) -> None:
    done = aicrm(db_url, "review", "--tenant", queue["tenant"], "--reviewer", "ana@agency", stdin="a\nr\nToo salesy.\n")
    assert done.returncode == 0, done.stderr
    assert "Recorded: approve -> approved." in done.stdout
    assert "2 decision(s) recorded." in done.stdout
    got = states(db_url)
    assert got[queue["urgent"]] == ("approved", "ana@agency", None)
    assert got[queue["low"]] == ("rejected", "ana@agency", "Too salesy.")
    done = aicrm(db_url, "review", "--tenant", queue["tenant"])
    assert done.stdout.strip() == "Nothing waits for review."


def test_skip_and_quit_decide_nothing(db_url: str, queue: dict[str, Any]) -> None:
    done = aicrm(db_url, "review", "--tenant", queue["tenant"], stdin="s\nq\n")
    assert done.returncode == 0, done.stderr
    assert "0 decision(s) recorded." in done.stdout
    assert {s[0] for s in states(db_url).values()} == {"awaiting_review"}
