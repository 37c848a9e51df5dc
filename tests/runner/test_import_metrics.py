"""`aicrm import metrics FILE` (docs/learning.md): each row one call of
aicrm.record_delivery_metrics; refused rows reported with their line and the field the database
named, the others recorded; a re-run changes nothing. The CLI opens its own connections, so the
setup is committed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from runner.cli import app
from runner.config import Settings
from runner.errors import InvalidInput
from tests.factories import committed, make_customer, make_tenant
from tests.samples import BAKERY
from tests.sql.learning.outcomes import delivered


@pytest.fixture
def deliveries(db_url: str) -> tuple[str, list[str]]:
    """A tenant with two delivered emails, committed."""

    def build(conn: psycopg.Connection[Any]) -> tuple[str, list[str]]:
        tenant = make_tenant(conn, "Metrics Agency")
        customer = make_customer(conn, tenant, **BAKERY)
        return tenant, [delivered(conn, tenant, customer).delivery_id for _ in range(2)]

    return committed(db_url, build)


def counters(db_url: str) -> dict[str, tuple[int, int, int]]:
    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute("select delivery_id::text, sent, opens, clicks from aicrm.delivery_metrics").fetchall()
    return {str(r[0]): (r[1], r[2], r[3]) for r in rows}


def run(settings: Settings, tenant: str, path: Path, *extra: str) -> Any:
    return CliRunner().invoke(app, ["import", "metrics", str(path), "--tenant", tenant, *extra])


def test_a_csv_file(settings: Settings, db_url: str, deliveries: tuple[str, list[str]], tmp_path: Path) -> None:
    tenant, (one, two) = deliveries
    path = tmp_path / "metrics.csv"
    path.write_text(f"delivery_id,sent,opens,clicks\n{one},100,40,\n{two},50,20,5\n")
    result = run(settings, tenant, path, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"file": "metrics.csv", "recorded": 2, "errors": []}
    assert counters(db_url) == {one: (100, 40, 0), two: (50, 20, 5)}
    again = run(settings, tenant, path, "--json")  # the same file again: the same keys
    assert again.exit_code == 0
    assert json.loads(again.output)["recorded"] == 2
    assert counters(db_url) == {one: (100, 40, 0), two: (50, 20, 5)}
    rows = psycopg.connect(db_url, autocommit=True).execute("select count(*) from aicrm.delivery_metric_calls")
    assert rows.fetchone() == (2,)


def test_bad_rows_are_reported_by_line_and_field(
    settings: Settings, db_url: str, deliveries: tuple[str, list[str]], tmp_path: Path
) -> None:
    tenant, (one, two) = deliveries
    path = tmp_path / "metrics.jsonl"
    lines = [
        {"delivery_id": one, "sent": 10, "opens": 4},
        {"delivery_id": two, "sent": 10, "opens": 11},  # more openers than recipients
        {"delivery_id": two, "sent": 10, "views": 1},  # no such counter
        {"delivery_id": "not-a-uuid", "sent": 1},
        {"delivery_id": "00000000-0000-0000-0000-000000000001", "sent": 1},  # no such delivery here
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n{broken\n")
    result = run(settings, tenant, path, "--json")
    assert isinstance(result.exception, InvalidInput), result.output  # exit status 2 from the console script
    report = json.loads(result.stdout)
    assert report["recorded"] == 1
    assert [(e["line"], e.get("field")) for e in report["errors"]] == [
        (2, "metrics.opens"), (3, "metrics.views"), (4, "delivery_id"), (5, "delivery_id"), (6, None),
    ]  # fmt: skip
    assert counters(db_url) == {one: (10, 4, 0)}  # the good row is recorded
