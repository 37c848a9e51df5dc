"""The content worker in the runner's tests: the model it talks to (a local server speaking OpenAI's
chat protocol, tests/fakes/openai_chat.py, started by the `fake` fixture), the environment of
`aicrm worker`, tasks for it to work, and what it did, read back. The worker opens its own
connections, so all of it is committed."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from runner.providers import llm_formats
from runner.providers.llm import OpenAIChatProvider
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.helpers import act_as
from tests.processes import command_env, query

MODEL = "gpt-test-mini"
API_KEY = "sk-test-worker"
INSTRUCTIONS = {"topic": "the autumn menu", "output_length": {"max_words": 250}}


def openai_provider(url: str, **options: Any) -> OpenAIChatProvider:
    """The OpenAI chat provider pointed at `url` with the fake's model and key (`options`: timeout,
    max_retries, the breaker's, another api_key)."""
    return OpenAIChatProvider(MODEL, base_url=url, api_key=options.pop("api_key", API_KEY), **options)


def learnt_structured(url: str, model: str = MODEL) -> None:
    """The process has learnt that `url` takes response_format json_schema for `model`, as it has after
    the endpoint's first answer: a 5xx is then an outage, never a refusal of the format to fall back from."""
    llm_formats.record(url, model, "json_schema", "")


def worker_env(db_url: str, fake: FakeOpenAIChat) -> dict[str, str]:
    """`aicrm worker`'s environment: the test's database, the fake model, no SDK retries, prices."""
    return command_env(
        db_url, AICRM_LLM_PROVIDER="openai", AICRM_LLM_MODEL=MODEL, AICRM_LLM_BASE_URL=fake.url,
        AICRM_LLM_API_KEY=API_KEY, AICRM_LLM_MAX_RETRIES="0", AICRM_LLM_PRICE_PER_1K_PROMPT="0.15",
        AICRM_LLM_PRICE_PER_1K_COMPLETION="0.6",
    )  # fmt: skip


def create_tasks(db_url: str, agencies: dict[str, str], side: str, n: int, **instructions: Any) -> list[str]:
    """n email tasks for the customer of agency `side` (the `agencies` fixture); committed."""
    with psycopg.connect(db_url) as conn:
        with act_as(conn, agencies[f"tenant_{side}"]):
            ids = []
            for _ in range(n):
                row = conn.execute(
                    "select aicrm.create_content_task(p_customer_id => %s, p_channel => 'email',"
                    " p_ai_instructions => %s)",
                    (agencies[f"customer_{side}"], Jsonb({**INSTRUCTIONS, **instructions})),
                ).fetchone()
                assert row is not None
                ids.append(str(row[0]["task_id"]))
        conn.commit()
    return ids


def states(db_url: str) -> dict[str, tuple[Any, ...]]:
    """Every task: (state, attempts, failures, leased)."""
    rows = query(
        db_url,
        "select task_id::text, execution_state, attempts, failures, lease_token is not null from aicrm.project_tasks",
    )
    return {r[0]: tuple(r[1:]) for r in rows}


def transitions(db_url: str, task: str) -> list[tuple[Any, ...]]:
    """The task's transitions: (from, to, actor, reason, details), oldest first."""
    return query(
        db_url,
        "select from_state, to_state, actor, reason, details from aicrm.task_state_transitions where task_id = %s"
        " order by transition_id",
        (task,),
    )
