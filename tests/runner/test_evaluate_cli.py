"""`aicrm evaluate`: the scorecard of ad-hoc content through the installed console script, the same
as aicrm.evaluate_content gives for the runner's metrics; bad input is one clear line and a
non-zero exit; nothing is stored. The CLI opens its own connections, so setup is committed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from runner.scoring import text_metrics
from tests.factories import committed, make_customer, make_tenant
from tests.processes import run_aicrm
from tests.samples import EMAIL

# A thinner profile than samples.BAKERY: a street, a warm voice.
PROFILE = {
    "name": "Sunrise Bakery",
    "industry_category": "food_beverage",
    "address": {"street": "12 Baker Street", "city": "Portland"},
    "website": "https://sunrisebakery.example.com",  # the draft links to it: a link the profile lacks is untraceable
    "brand_voice": {"tone": ["warm"], "point_of_view": "first_person_plural"},
}


def agency(conn: psycopg.Connection[Any]) -> dict[str, str]:
    tenant = make_tenant(conn, "Evaluate Agency")
    return {"tenant": tenant, "customer": make_customer(conn, tenant, **PROFILE)}


@pytest.fixture
def setup(db_url: str) -> dict[str, str]:
    """An agency with the bakery (PROFILE) as its customer; committed."""
    return committed(db_url, agency)


def stored(db_url: str) -> tuple[Any, ...]:
    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute(
            "select (select count(*) from aicrm.ai_decisions), (select count(*) from aicrm.project_deliverables)"
        ).fetchone()
    assert row is not None
    return tuple(row)


def test_json_scorecard_is_the_databases_for_the_runners_metrics(
    db_url: str, setup: dict[str, str], tmp_path: Path
) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text(EMAIL)
    subject = "Pumpkin sourdough is back"
    before = stored(db_url)
    result = run_aicrm(
        db_url, "evaluate", draft, "--subject", subject, "--customer", setup["customer"],
        "--tenant", setup["tenant"], "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    card = json.loads(result.stdout)
    with psycopg.connect(db_url) as conn:
        conn.execute("select set_config('aicrm.tenant_id', %s, true)", (setup["tenant"],))
        row = conn.execute(
            "select aicrm.evaluate_content(p_content => %s, p_channel => 'email', p_subject => %s, "
            "p_customer_id => %s, p_text_metrics => %s)",
            (EMAIL, subject, setup["customer"], Jsonb(text_metrics(EMAIL, subject=subject))),
        ).fetchone()
    assert row is not None
    assert card == row[0]
    assert card["passed"] is True
    assert stored(db_url) == before


def test_standard_input_and_the_human_report(db_url: str, setup: dict[str, str]) -> None:
    weak = "cheap bread. guaranteed results!!!"
    result = run_aicrm(db_url, "evaluate", "-", "--channel", "social", "--customer", setup["customer"],
                   "--tenant", setup["tenant"], stdin=weak)  # fmt: skip
    assert result.returncode == 1, result.stderr  # scored, and it fails: a script can tell
    out = result.stdout
    assert out.startswith("FAIL  overall ")
    assert "[major] general.guaranteed_results" in out
    assert "fixes:" in out
    assert "Overall " in out.splitlines()[-1]


def test_a_failing_draft_exits_1_and_lists_each_fix_once(db_url: str, setup: dict[str, str]) -> None:
    thrice = "Guaranteed results! Our bread: guaranteed results. Guaranteed results, every loaf."
    result = run_aicrm(db_url, "evaluate", "-", "--channel", "social", "--tenant", setup["tenant"], stdin=thrice)
    assert result.returncode == 1, result.stderr
    out = result.stdout.splitlines()
    assert sum("general.guaranteed_results" in line for line in out) == 3  # each occurrence is a violation
    fixes = out[out.index("fixes:") + 1 : -1]
    assert len(fixes) == len(set(fixes)), fixes  # but each fix is listed once
    assert any("(3 occurrences)" in line for line in fixes), fixes
    as_json = run_aicrm(db_url, "evaluate", "-", "--tenant", setup["tenant"], "--json", stdin=thrice)
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["passed"] is False


@pytest.mark.parametrize(
    ("args", "content", "message"),
    [
        ((), "", "content: is empty"),
        (("--channel", "fax"), "Hello.", "channel: 'fax' is not a channel"),
        (("--instructions", "{not json"), "Hello.", "--instructions: not JSON"),
        (
            ("--instructions", '{"output_length": {"max_words": "many"}}'),
            "Hello.",
            "instructions.output_length.max_words",
        ),
        ((), "word " * 1_000_000, "content: 5,000,000 characters, more than 200,000"),
    ],
)
def test_bad_input_is_one_clear_line(
    db_url: str, setup: dict[str, str], args: tuple[str, ...], content: str, message: str
) -> None:
    before = stored(db_url)
    result = run_aicrm(db_url, "evaluate", "-", "--tenant", setup["tenant"], *args, stdin=content)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
    assert stored(db_url) == before
