"""Fixtures of the runner's tests. The runner opens its own connections, so the data these make is
committed (factories.committed)."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest

from runner import embedded
from runner.pool import ClaimPool
from runner.providers import llm_formats
from tests.factories import committed, make_bakery, two_agencies
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.runner.context_bakery import make_context_bakery
from tests.runner.workers import API_KEY

P = TypeVar("P", bound=ClaimPool)


@pytest.fixture
def started() -> Iterator[Callable[[P], P]]:
    """Start an in-process pool (a worker pool, a publisher) for the test: each one started through
    it is stopped and joined when the test ends, whatever the test did."""
    pools: list[ClaimPool] = []

    def start(pool: P) -> P:
        pools.append(pool.start())
        return pool

    yield start
    for pool in pools:
        pool.stop()
        pool.join(10)


@pytest.fixture
def fake() -> Iterator[FakeOpenAIChat]:
    """A local server speaking the OpenAI chat protocol, expecting workers.API_KEY. The process has
    learnt no endpoint's response format (a port may come again, and with it a fall-back learnt)."""
    llm_formats.forget_all()
    with FakeOpenAIChat(api_key=API_KEY) as server:
        yield server


@pytest.fixture
def agencies(db_url: str) -> dict[str, str]:
    """Two agencies, each with the bakery as a customer (factories.two_agencies); committed."""
    return committed(db_url, two_agencies)


@pytest.fixture
def agency(db_url: str) -> tuple[str, str]:
    """An agency with the bakery as its customer: (tenant, customer) as `bakery` gives, but committed."""
    return committed(db_url, make_bakery)


@pytest.fixture
def context_bakery(db: psycopg.Connection[Any]) -> tuple[str, str]:
    """The customer of tests/runner/fixtures/context_bakery.json, with its own examples, in a new
    agency (in the test's transaction): (tenant, customer)."""
    return make_context_bakery(db)


# --- a user's environment, for the command line -------------------------------------------------------


@pytest.fixture
def external_env(db_url: str) -> dict[str, str]:
    """The environment of a user whose DATABASE_URL is the test database (already migrated)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICRM_")}
    env["DATABASE_URL"] = db_url
    return env


@pytest.fixture
def embedded_env() -> Iterator[dict[str, str]]:
    """The environment of a user on the embedded default, with a fresh data directory; the server
    the test starts there is stopped and the directory removed at the end."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("AICRM_")}
    data_dir = Path("/tmp") / f"aicrm-cli-{uuid.uuid4().hex[:8]}"  # short: it holds the socket
    env["AICRM_DATA_DIR"] = str(data_dir)
    try:
        yield env
    finally:
        embedded.stop(data_dir / "pgdata")
        subprocess.run(["rm", "-rf", str(data_dir)], check=False)
