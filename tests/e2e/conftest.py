"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import psycopg
import pytest

from tests.e2e.workload import seed_demo


@pytest.fixture
def demo(db_url: str) -> dict[str, str]:
    """The demo tenant as `aicrm seed --demo` seeds it, with its customers' own examples; committed.
    The customers' ids by external id."""
    with psycopg.connect(db_url) as conn:
        return seed_demo(conn)
