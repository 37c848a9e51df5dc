"""`aicrm status`: per customer and channel the tasks in each state (aicrm.ai_operations_dashboard),
then the tasks waiting for a person, oldest first, each with its reason (aicrm.review_queue);
--customer keeps one customer (by name, id or external id); --json prints the same as data."""

from __future__ import annotations

import json
import re

import psycopg

from tests.factories import committed, make_tenant
from tests.processes import run_aicrm
from tests.runner.at_work import agency_at_work
from tests.samples import ERROR


def reasons(db_url: str, tenant: str) -> dict[str, str]:
    """Each waiting task's reason as aicrm.review_queue words it (as the superuser, in the tenant)."""
    with psycopg.connect(db_url) as conn:
        conn.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant,))
        rows = conn.execute("select task_id::text, reason from aicrm.review_queue where tenant_id = %s", (tenant,))
        return {str(r[0]): str(r[1]) for r in rows.fetchall()}


def status(db_url: str, *args: str) -> str:
    done = run_aicrm(db_url, "status", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def table_row(text: str, *first: str) -> list[str]:
    """The cells of the rich table row that starts with `first` (box characters dropped)."""
    for line in text.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃|]", line) if c.strip()]
        if cells[: len(first)] == list(first):
            return cells[len(first) :]
    raise AssertionError(f"no row {first} in:\n{text}")


# The headings of the pipeline table, in order (runner.commands.status.STATE_COLUMNS).
HEADINGS = ["queued", "in review", "escalated", "approved", "delivered"]


def counts(text: str, *first: str) -> dict[str, str]:
    """The pipeline row's cells by heading."""
    from runner.commands.status import STATE_COLUMNS

    return dict(zip([h for _, h in STATE_COLUMNS], table_row(text, *first), strict=True))


def test_status_counts_each_state_per_customer_and_channel_and_says_why_tasks_wait(db_url: str) -> None:
    work = committed(db_url, agency_at_work)
    out = status(db_url, "--tenant", work["tenant"])
    bakery = counts(out, "Sunrise Bakery", "email")
    assert {h: bakery[h] for h in HEADINGS} == {
        "queued": "2", "in review": "1", "escalated": "1", "approved": "1", "delivered": "1",
    }  # fmt: skip
    assert bakery["working"] == "-"
    books = counts(out, "Harbor Books", "sms")
    assert {h: books[h] for h in HEADINGS} == {
        "queued": "1", "in review": "1", "escalated": "-", "approved": "-", "delivered": "-",
    }  # fmt: skip
    assert counts(out, "total")["queued"] == "3"
    # The waiting tasks, oldest first, each with the reason the queue gives it.
    assert "Waiting for a person: 3 (oldest first)" in out
    waiting = out[out.index("Waiting for a person") :]
    why = reasons(db_url, work["tenant"])
    flat = " ".join(waiting.split())  # rich wraps a long reason over lines
    for task in (work["reviewed"], work["sms"], work["escalated"]):
        words = " ".join(why[task].split())
        assert words[:40] in flat.replace(" │ ", " ").replace("│", " "), (words, waiting)
    assert ERROR["message"] in why[work["escalated"]]
    assert "ESCALATED" in waiting
    order = [waiting.index(name) for name in ("Sunrise Bakery", "Harbor Books")]
    assert order == sorted(order)  # the bakery's review task is the oldest


def test_customer_keeps_one_customer_by_name_id_or_external_id(db_url: str) -> None:
    work = committed(db_url, agency_at_work)
    for customer in ("Harbor Books", work["books"], "harbor-books"):
        out = status(db_url, "--tenant", work["tenant"], "--customer", customer)
        assert "Sunrise Bakery" not in out
        assert counts(out, "Harbor Books", "sms")["in review"] == "1"
        assert "Waiting for a person: 1 (oldest first)" in out
    out = status(db_url, "--tenant", work["tenant"], "--customer", "sunrise bakery")
    assert "Harbor Books" not in out
    assert "Waiting for a person: 2 (oldest first)" in out


def test_an_unknown_customer_or_tenant_is_one_line_and_an_exit_code(db_url: str) -> None:
    work = committed(db_url, agency_at_work)
    done = run_aicrm(db_url, "status", "--tenant", work["tenant"], "--customer", "Nobody Inc")
    assert done.returncode != 0
    assert done.stderr.startswith("error: customer_id: no customer"), done.stderr
    done = run_aicrm(db_url, "status", "--tenant", "00000000-0000-4000-8000-000000000bad")
    assert done.returncode != 0
    assert done.stderr.startswith("error: tenant: "), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_json_has_the_counts_and_the_waiting_tasks(db_url: str) -> None:
    work = committed(db_url, agency_at_work)
    doc = json.loads(status(db_url, "--tenant", work["tenant"], "--json", "--limit", "2"))
    rows = {(r["customer_name"], r["channel"]): r for r in doc["pipeline"]}
    assert rows["Sunrise Bakery", "email"]["queued"] == 2
    assert rows["Sunrise Bakery", "email"]["delivered"] == 1
    assert rows["Harbor Books", "sms"]["awaiting_review"] == 1
    assert doc["waiting_total"] == 3
    assert len(doc["waiting"]) == 2  # --limit
    why = reasons(db_url, work["tenant"])
    assert all(w["reason"] == why[w["task_id"]] for w in doc["waiting"])
    stamps = [w["waiting_since"] for w in doc["waiting"]]
    assert stamps == sorted(stamps)


def test_a_tenant_without_tasks(db_url: str) -> None:
    tenant = committed(db_url, lambda conn: make_tenant(conn, "Quiet Agency"))
    out = status(db_url, "--tenant", tenant)
    assert "No tasks for every customer" in out
    assert "Nothing waits for a person." in out
