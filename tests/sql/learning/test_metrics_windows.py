"""The scheduled job close-metrics-windows (aicrm.close_metrics_windows, docs/learning.md): a
delivered task moves to measured once its delivery's metrics window (per channel, the decision
setting metrics_window_hours) has closed, through that job only."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tests.helpers import act_as, refused
from tests.sql.learning.outcomes import delivered, metrics
from tests.tasks import last_transition, task_state

Conn = psycopg.Connection[Any]


def close(conn: Conn) -> int:
    """The job as the scheduler runs it: the owner, no tenant set."""
    conn.execute("select set_config('aicrm.tenant_id', '', true)")
    row = conn.execute("select aicrm.close_metrics_windows()").fetchone()
    assert row is not None
    return int(row[0])


def age(conn: Conn, delivery: str, hours: int) -> None:
    """Pretend the delivery went out `hours` ago."""
    conn.execute(
        "update aicrm.deliveries set created_at = now() - make_interval(hours => %s) where delivery_id = %s",
        (hours, delivery),
    )


def test_a_window_closes_per_channel(db: Conn, tenant: str, customer: str) -> None:
    email = delivered(db, tenant, customer, "email")
    sms = delivered(db, tenant, customer, "sms")
    for d in (email, sms):
        age(db, d.delivery_id, 50)  # past sms's 48 hours, inside email's 168
    assert close(db) == 1
    assert (task_state(db, sms.task), task_state(db, email.task)) == ("measured", "delivered")
    assert last_transition(db, sms.task)[:2] == ("delivered", "measured")
    age(db, email.delivery_id, 169)
    assert close(db) == 1
    assert task_state(db, email.task) == "measured"
    assert close(db) == 0  # nothing left: a re-run changes nothing


def test_the_window_is_the_tenants_setting_and_fixed_with_the_first_outcome(
    db: Conn, tenant: str, customer: str
) -> None:
    d = delivered(db, tenant, customer, "email")
    with act_as(db, tenant):
        db.execute("select aicrm.set_decision_setting('metrics_window_hours', %s)", (Jsonb({"email": 2}),))
    age(db, d.delivery_id, 1)
    assert close(db) == 0
    metrics(db, tenant, d.delivery_id, {"sent": 3, "opens": 1}, "k")  # the window ends 2 h after delivery
    with act_as(db, tenant):
        db.execute("select aicrm.set_decision_setting('metrics_window_hours', %s)", (Jsonb({"email": 1}),))
    assert close(db) == 0  # a changed setting does not move a window already fixed
    db.execute("update aicrm.delivery_metrics set window_ends_at = now() - interval '1 minute'")
    assert close(db) == 1
    assert task_state(db, d.task) == "measured"
    row = db.execute("select measured_at is not null from aicrm.delivery_metrics").fetchone()
    assert row == (True,)
    # late outcomes still count
    assert metrics(db, tenant, d.delivery_id, {"sent": 3, "opens": 2}, "late")["metrics"]["opens"] == 2


def test_a_bad_window_setting_is_refused(db: Conn, tenant: str) -> None:
    query = "select aicrm.set_decision_setting('metrics_window_hours', %s)"
    for value, column in (({"email": 0}, "metrics_window_hours.email"), ({"fax": 3}, "metrics_window_hours.fax")):
        state, named = refused(db, tenant, query, (Jsonb(value),), "aicrm_app")
        assert (state, str(named).endswith(column)) == ("AC001", True), named


def test_only_the_job_measures_a_task(db: Conn, tenant: str, customer: str) -> None:
    d = delivered(db, tenant, customer)
    query = "select aicrm.transition_task_state(%s, 'measured', 'me')"
    assert refused(db, tenant, query, (d.task,), "aicrm_app") == ("AC006", "execution_state")
    for role in ("aicrm_app", "aicrm_worker", "aicrm_readonly"):
        assert refused(db, tenant, "select aicrm.close_metrics_windows()", None, role)[0] == "42501"
