"""The content worker against the real database and a local server speaking the OpenAI chat protocol
(tests/fakes/openai_chat.py): tasks of two tenants drafted, scored and decided end to end through
`aicrm worker --once`; a retry that sends the scorecard's fixes back to the model; provider failures
turned into fail_task (backing off, or escalating once the breaker is open); a slow model kept
leased by heartbeats; a lost lease dropped without a second draft; a dropped connection reopened;
SIGTERM draining or releasing the task in flight. The worker opens its own connections, so setup is
committed."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from runner.config import Settings
from runner.providers.llm import OpenAIChatProvider
from runner.scoring import text_metrics
from runner.worker import WorkerOptions, WorkerPool
from tests.fakes.openai_chat import FakeOpenAIChat, dead_endpoint, delay, ok, status
from tests.helpers import act_as
from tests.processes import AICRM, query, stop_with_sigterm, wait_for
from tests.runner.workers import (
    MODEL,
    create_tasks,
    learnt_structured,
    openai_provider,
    states,
    transitions,
    worker_env,
)
from tests.samples import FOOTER, GOOD_EMAIL, SUBJECT, WEAK


def provider(url: str, **options: Any) -> OpenAIChatProvider:
    """The worker's provider: a generous timeout, no SDK retries unless asked."""
    return openai_provider(url, **{"timeout": 20.0, "max_retries": 0, **options})


@pytest.fixture
def pools(started: Callable[[WorkerPool], WorkerPool]) -> Callable[..., WorkerPool]:
    """Start in-process pools; every one is stopped at the end of the test."""

    def start(settings: Settings, p: OpenAIChatProvider, **options: Any) -> WorkerPool:
        return started(WorkerPool(settings, p, WorkerOptions(**{"concurrency": 1, "lease_seconds": 30, **options})))

    return start


# --- end to end ---------------------------------------------------------------------------------------


def test_tasks_of_two_tenants_are_drafted_scored_and_approved(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat
) -> None:
    fake.set_script([ok(SUBJECT, GOOD_EMAIL, prompt_tokens=900, completion_tokens=150)])
    tasks = create_tasks(db_url, agencies, "a", 5) + create_tasks(db_url, agencies, "b", 5)
    result = subprocess.run(
        [str(AICRM), "worker", "--once", "--concurrency", "2", "--lease", "60"],
        env=worker_env(db_url, fake), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert states(db_url) == dict.fromkeys(tasks, ("approved", 1, 0, False))
    assert len(fake.requests) == 10
    outcome_lines = [line for line in result.stderr.splitlines() if " task " in line and ": approved after " in line]
    assert sorted(line.split(" task ")[1].split(":")[0] for line in outcome_lines) == sorted(tasks)
    assert "10 tasks (approved 10)" in result.stderr

    for task in tasks:
        steps = [(f, t, a) for f, t, a, _, _ in transitions(db_url, task)]
        worker = steps[1][2]
        assert worker.endswith(("/1", "/2"))
        assert steps == [
            ("draft", "queued", "aicrm_app"),
            ("queued", "gathering_context", worker),
            ("gathering_context", "generating", worker),
            ("generating", "evaluating", worker),
            ("evaluating", "approved", "rules"),
        ]
    rows = query(
        db_url,
        "select d.task_id::text, d.version, d.subject, d.content, d.provenance, d.quality_passed, t.tenant_id::text"
        " from aicrm.project_deliverables d join aicrm.project_tasks t using (tenant_id, task_id)",
    )
    assert sorted(r[0] for r in rows) == sorted(tasks)
    assert {r[6] for r in rows} == {agencies["tenant_a"], agencies["tenant_b"]}
    for _, version, subject, content, provenance, passed, _ in rows:
        assert (version, subject, content, passed) == (1, SUBJECT, GOOD_EMAIL, True)
        assert provenance["provider"] == "openai"
        assert provenance["model"] == MODEL
        assert (provenance["prompt_tokens"], provenance["completion_tokens"]) == (900, 150)
        assert provenance["cost_usd"] == pytest.approx(0.9 * 0.15 + 0.15 * 0.6)
        assert provenance["context_version"] == 1
        assert provenance["latency_ms"] > 0
        assert provenance["request_ids"]
        assert provenance["example_ids"] == []
        assert "template_id" in provenance


def test_a_retry_sends_the_fixes_back_and_the_second_draft_is_approved(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat, settings: Settings, pools: Callable[..., WorkerPool]
) -> None:
    fake.set_script([ok(SUBJECT, WEAK), ok(SUBJECT, GOOD_EMAIL)])
    [task] = create_tasks(db_url, agencies, "a", 1)
    pool = pools(settings, provider(fake.url), once=True)
    assert pool.join(30)
    assert states(db_url)[task] == ("approved", 2, 0, False)
    [outcome] = pool.outcomes
    assert (outcome.state, outcome.attempts) == ("approved", 2)
    assert [(f, t, a) for f, t, a, _, _ in transitions(db_url, task)][3:] == [
        ("generating", "evaluating", pool.name + "/1"),
        ("evaluating", "generating", "rules"),
        ("generating", "evaluating", pool.name + "/1"),
        ("evaluating", "approved", "rules"),
    ]
    drafts = query(
        db_url,
        "select version, content_quality -> 'fixes', idempotency_key from aicrm.project_deliverables"
        " where task_id = %s order by version",
        (task,),
    )
    assert [(v, k) for v, _, k in drafts] == [(1, f"{task}:1"), (2, f"{task}:2")]
    fixes = drafts[0][1]
    assert fixes
    first, second = ([m["content"] for m in r.body["messages"]] for r in fake.requests)
    assert "This is attempt" not in first[0]
    assert "This is attempt 2" in second[0]
    for fix in fixes:  # every fix the scorecard gave reached the model, in the user message's data blocks
        assert json.dumps(fix["code"]) in second[1]
        assert json.dumps(fix["message"], ensure_ascii=False)[1:-1] in second[1]
    assert "It is cheap" in second[1]  # the previous draft, to revise


def test_the_worker_stores_the_assembled_draft_and_measures_what_it_stored(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat, settings: Settings, pools: Callable[..., WorkerPool]
) -> None:
    """A model that writes no footer (as the prompt asks): submit_draft adds the postal address and the
    unsubscribe line, the worker's metrics are those of the stored text, and the draft is approved on
    the first attempt, not escalated for a footer the writer was told not to write."""
    body = GOOD_EMAIL.replace(FOOTER, "")
    fake.set_script([ok(SUBJECT, body)])
    [task] = create_tasks(db_url, agencies, "a", 1)
    pool = pools(settings, provider(fake.url), once=True)
    assert pool.join(30)
    assert states(db_url)[task] == ("approved", 1, 0, False)
    [(content, provenance, card)] = query(
        db_url,
        "select content, provenance, content_quality from aicrm.project_deliverables where task_id = %s",
        (task,),
    )
    assert content.startswith(body)
    assert "{{unsubscribe_url}}" in content[len(body) :]
    assert [p["part"] for p in provenance["system_parts"]] == ["postal_address", "unsubscribe"]
    stored = text_metrics(content, subject=SUBJECT)["readability"]
    assert card["details"]["readability"]["flesch_reading_ease"] == stored["flesch_reading_ease"]
    assert stored != text_metrics(body, subject=SUBJECT)["readability"]  # what it measured before submitting
    assert card["details"]["compliance"]["violations"] == []


def test_max_tasks_stops_after_that_many_claims(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat, settings: Settings, pools: Callable[..., WorkerPool]
) -> None:
    fake.set_script([ok(SUBJECT, GOOD_EMAIL)])
    create_tasks(db_url, agencies, "a", 3)
    pool = pools(settings, provider(fake.url), concurrency=2, max_tasks=2, poll=0.5)
    assert pool.join(30)
    assert sorted(s[0] for s in states(db_url).values()) == ["approved", "approved", "queued"]


def test_a_misconfigured_provider_or_database_stops_the_worker_before_it_claims(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat
) -> None:
    [task] = create_tasks(db_url, agencies, "a", 1)
    for extra, code, field in (
        ({"AICRM_LLM_PROVIDER": "gpt"}, 2, "AICRM_LLM_PROVIDER"),
        ({"AICRM_LLM_MODEL": ""}, 2, "AICRM_LLM_MODEL"),
        ({"DATABASE_URL": "postgresql://nobody@/aicrm?host=/nonexistent-socket-dir"}, 6, "database unavailable"),
    ):
        env = {**worker_env(db_url, fake), **extra}
        result = subprocess.run(
            [str(AICRM), "worker", "--once"], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert result.returncode == code, result.stderr
        assert result.stderr.startswith("error: ")
        assert field in result.stderr
    assert states(db_url)[task] == ("queued", 0, 0, False)
    assert fake.requests == []


# --- failures -----------------------------------------------------------------------------------------


def test_server_errors_until_the_sdk_gives_up_queue_the_task_with_a_backoff(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat, settings: Settings, pools: Callable[..., WorkerPool]
) -> None:
    fake.set_script([status(500)])
    learnt_structured(fake.url)
    [task] = create_tasks(db_url, agencies, "a", 1)
    pool = pools(settings, provider(fake.url, max_retries=1), once=True)
    assert pool.join(30)
    assert len(fake.requests) == 2  # the first attempt and the SDK's one retry
    assert states(db_url)[task] == ("queued", 1, 1, False)
    from_state, to_state, _, reason, details = transitions(db_url, task)[-1]
    assert (from_state, to_state) == ("generating", "queued")
    assert reason.startswith("failed (1 of 3)")
    assert details["error"]["kind"] == "server_error"
    assert details["retryable"] is True
    [wait] = query(db_url, "select extract(epoch from available_at - now()) from aicrm.project_tasks")[0]
    assert 5 < float(wait) <= 10  # not claimable before its backoff
    assert pool.outcomes[0].state == "queued"


def test_a_dead_endpoint_opens_the_breaker_and_the_next_task_escalates(
    db_url: str, agencies: dict[str, str], settings: Settings, pools: Callable[..., WorkerPool]
) -> None:
    first, second = create_tasks(db_url, agencies, "a", 1) + create_tasks(db_url, agencies, "b", 1)
    dead = provider(dead_endpoint(), breaker_failures=1, breaker_cooldown=60.0)
    pool = pools(settings, dead, once=True)
    assert pool.join(30)
    found = states(db_url)
    assert found[first] == ("queued", 1, 1, False)  # a connection failure may pass: retried later
    assert found[second] == ("escalated", 1, 1, False)  # the breaker is open: a person, not a loop
    details = transitions(db_url, second)[-1][4]
    assert (details["error"]["kind"], details["retryable"]) == ("connection", False)
    assert "unavailable" in details["error"]["message"]
    assert query(db_url, "select count(*) from aicrm.project_tasks where lease_token is not null") == [(0,)]


def test_a_slow_model_keeps_its_lease_by_heartbeats(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat, settings: Settings, pools: Callable[..., WorkerPool]
) -> None:
    fake.set_script([delay(6.5, ok(SUBJECT, GOOD_EMAIL))])
    [task] = create_tasks(db_url, agencies, "a", 1)
    pool = pools(settings, provider(fake.url), once=True, lease_seconds=5)
    wait_for(lambda: len(fake.requests) == 1)
    time.sleep(5.5)  # past the first lease: only the heartbeats keep it
    with psycopg.connect(db_url) as conn, act_as(conn, None, "aicrm_worker"):
        assert conn.execute("select aicrm.claim_next_task('thief', 30)").fetchone() == (None,)
    assert pool.join(30)
    assert states(db_url)[task] == ("approved", 1, 0, False)


def test_a_worker_that_lost_its_lease_drops_the_task_and_writes_nothing(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat, settings: Settings, pools: Callable[..., WorkerPool]
) -> None:
    fake.set_script([delay(2.0, ok(SUBJECT, GOOD_EMAIL)), ok(SUBJECT, GOOD_EMAIL)])
    [task] = create_tasks(db_url, agencies, "a", 1)
    pool = pools(settings, provider(fake.url), once=True)
    wait_for(lambda: len(fake.requests) == 1)
    with psycopg.connect(db_url) as conn:  # time passes under the slow worker; another worker takes the task
        conn.execute("select set_config('aicrm.tenant_id', %s, true)", (agencies["tenant_a"],))
        conn.execute(
            "update aicrm.project_tasks set lease_until = now() - interval '1 second' where task_id = %s", (task,)
        )
        conn.commit()
        with act_as(conn, None, "aicrm_worker"):
            row = conn.execute("select aicrm.claim_next_task('thief', 30)").fetchone()
        conn.commit()
    assert row is not None
    claim = row[0]
    assert claim["task_id"] == task
    assert pool.join(30)
    [outcome] = pool.outcomes
    assert outcome.state == "dropped"
    assert "lease_token" in outcome.detail
    assert query(db_url, "select count(*) from aicrm.project_deliverables") == [(0,)]
    # The thief's, untouched; the reclaim counted as a failure (the first worker seemed dead).
    assert states(db_url)[task] == ("gathering_context", 1, 1, True)

    with psycopg.connect(db_url) as conn, act_as(conn, agencies["tenant_a"], "aicrm_worker"):
        conn.execute("select aicrm.release_task(%s, %s, 'thief done')", (task, claim["lease_token"]))
        conn.commit()
    again = pools(settings, provider(fake.url), once=True)
    assert again.join(30)
    assert states(db_url)[task] == ("approved", 2, 1, False)
    assert query(db_url, "select count(*) from aicrm.project_deliverables") == [(1,)]
    reasons = [r[3] for r in transitions(db_url, task)]
    assert f"lease of {pool.name}/1 expired" in reasons


def test_a_dropped_connection_is_reopened_and_work_goes_on(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat, settings: Settings, pools: Callable[..., WorkerPool]
) -> None:
    fake.set_script([ok(SUBJECT, GOOD_EMAIL)])
    pool = pools(settings, provider(fake.url), concurrency=2, poll=0.5)
    killed = 0

    def idle_workers_killed() -> bool:
        nonlocal killed
        killed += len(
            query(
                db_url,
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database()"
                " and application_name like 'aicrm-worker %%' and state = 'idle'",
            )
        )
        return killed >= 2

    wait_for(idle_workers_killed)
    [task] = create_tasks(db_url, agencies, "b", 1)
    wait_for(lambda: states(db_url)[task][0] == "approved")
    assert pool.running()


# --- shutdown -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("grace", "answer_after", "final"), [(15.0, 1.5, "approved"), (0.5, 30.0, "queued")])
def test_sigterm_finishes_or_releases_the_task_in_flight(
    db_url: str, agencies: dict[str, str], fake: FakeOpenAIChat, grace: float, answer_after: float, final: str
) -> None:
    fake.set_script([delay(answer_after, ok(SUBJECT, GOOD_EMAIL))])
    [task] = create_tasks(db_url, agencies, "a", 1)
    args = ["worker", "--grace", str(grace), "--poll", "0.5"]
    stopped = stop_with_sigterm(args, worker_env(db_url, fake), lambda: len(fake.requests) == 1)
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.took < max(grace, answer_after if final == "approved" else 0) + 5
    assert states(db_url)[task] == (final, 1, 0, False)
    if final == "queued":
        assert stopped.took < answer_after
        assert transitions(db_url, task)[-1][3] == "worker stopping"
        assert f"task {task}: released (worker stopping)" in stopped.stderr
