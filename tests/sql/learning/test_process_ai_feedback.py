"""The learning loop's feedback (aicrm.process_ai_feedback, the job process-ai-feedback;
docs/learning.md, "Feedback"): a measured delivery's effectiveness (clicks and conversions, opens a
flagged fall-back, against the customer's baseline, shrunk toward the industry's), what people made of
a draft, each one row per deliverable and source with its embedding; idempotent, bounded, resumable."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import make_customer, make_tenant
from tests.helpers import act_as, call, refused, sql_error
from tests.samples import FOOTER, GOOD_EMAIL
from tests.sql.learning.feedback import feedback_row, measured, process, sent_deliverable
from tests.tasks import in_review, review

Conn = psycopg.Connection[Any]


def test_a_measured_delivery_is_scored_on_clicks_against_the_prior(db: Conn, tenant: str, customer: str) -> None:
    d = measured(db, tenant, customer, {"sent": 1000, "delivered": 1000, "opens": 400, "clicks": 50}, 200)
    done = process(db)
    assert (done["delivery"], done["review"]) == (1, 1)  # the delivery, and the approval of its draft
    row = feedback_row(db, sent_deliverable(db, d), "delivery")
    assert row is not None
    assert (row["basis"], row["trials"], row["successes"], row["task_id"]) == ("clicks", 1000, 50, d.task)
    p = row["payload"]
    # no history: the prior is the channel's default rate (2%) with a prior worth 200 sends
    assert (p["prior_rate"], p["prior_sends"], p["opens_fallback"]) == (0.02, 200, False)
    assert p["posterior_rate"] == pytest.approx((50 + 200 * 0.02) / 1200, abs=1e-6)
    assert p["baseline_rate"] == pytest.approx(0.02)
    assert float(row["effectiveness"]) == pytest.approx(((50 + 4) / 1200) / 0.02, abs=1e-3)
    assert p["features"]["question_in_subject"] is False
    assert p["features"]["word_count"] > 20
    emb = db.execute(
        "select f.embedding is not null, f.embedding_model = c.model from aicrm.ai_content_feedback f"
        " cross join aicrm.embedding_config c where f.source = 'delivery'"
    ).fetchone()
    assert emb == (True, True)  # the hashing embedder's, computed in SQL


def test_conversions_count_and_opens_are_a_flagged_fall_back(db: Conn, tenant: str, customer: str) -> None:
    sms = measured(
        db,
        tenant,
        customer,
        {"sent": 200, "opens": 80},
        300,
        "sms",
        content="Fresh bread today! Reply STOP to opt out.",
    )
    email = measured(db, tenant, customer, {"sent": 200, "clicks": 3, "conversions": 9}, 290)
    process(db)
    r_sms = feedback_row(db, sent_deliverable(db, sms), "delivery")
    r_email = feedback_row(db, sent_deliverable(db, email), "delivery")
    assert r_sms is not None
    assert r_email is not None
    assert (r_sms["basis"], r_sms["successes"], r_sms["payload"]["opens_fallback"]) == ("opens", 80, True)
    assert r_sms["payload"]["prior_rate"] == 0.2  # the opens default
    assert (r_email["basis"], r_email["successes"]) == ("clicks", 9)  # recipients who acted: 9 converted
    # once the channel has had a click, a delivery without one scores zero clicks, not its opens
    later = measured(db, tenant, customer, {"sent": 200, "opens": 90}, 100, content=GOOD_EMAIL + "\n")
    process(db)
    r_later = feedback_row(db, sent_deliverable(db, later), "delivery")
    assert r_later is not None
    assert (r_later["basis"], r_later["successes"], r_later["payload"]["opens_fallback"]) == ("clicks", 0, False)


def test_a_small_audience_is_shrunk_toward_the_industry(db: Conn, tenant: str, customer: str) -> None:
    neighbour = make_customer(db, tenant, name="Dawn Bakery", external_id="dawn")
    for i in range(6):  # the industry: six earlier emails of another bakery, 10% clicked (9-11%)
        measured(db, tenant, neighbour, {"sent": 1000, "clicks": 90 + 4 * (i % 2) * 5}, 500 - i)
    small = measured(db, tenant, customer, {"sent": 10, "clicks": 6}, 100)
    large = measured(db, tenant, customer, {"sent": 20000, "clicks": 12000}, 50)
    process(db)
    s = feedback_row(db, sent_deliverable(db, small), "delivery")
    big = feedback_row(db, sent_deliverable(db, large), "delivery")
    assert s is not None
    assert big is not None
    prior = s["payload"]["prior_rate"]
    assert 0.08 < prior < 0.11
    assert s["payload"]["industry_deliveries"] == 6
    assert 20 <= s["payload"]["prior_sends"] <= 5000
    # 6 of 10 clicked: the estimate stays near the industry's 10%, far from 60%
    assert prior < s["payload"]["posterior_rate"] < 0.35
    # 12,000 of 20,000: the data speak (a prior is never worth more than 2,000 sends)
    m, p0 = big["payload"]["prior_sends"], big["payload"]["prior_rate"]
    assert m <= 2000
    assert big["payload"]["posterior_rate"] == pytest.approx((12000 + m * p0) / (20000 + m), abs=1e-5)
    assert big["payload"]["posterior_rate"] > 0.55
    # the large one is compared with the customer's own earlier delivery (the small one)
    assert big["payload"]["customer_deliveries"] == 1
    assert float(big["effectiveness"]) > 1


def test_a_second_run_changes_nothing_and_late_outcomes_are_scored_again(db: Conn, tenant: str, customer: str) -> None:
    d = measured(db, tenant, customer, {"sent": 500, "clicks": 10}, 200)
    first = process(db)
    assert first["delivery"] == 1
    before = db.execute("select count(*) from aicrm.audit_log where table_name = 'ai_content_feedback'").fetchone()
    rows = db.execute("select to_jsonb(f) from aicrm.ai_content_feedback f order by feedback_id").fetchall()
    again = process(db)
    assert (again["delivery"], again["review"], again["promoted"]) == (0, 0, {"positive": 0, "negative": 0})
    assert db.execute("select to_jsonb(f) from aicrm.ai_content_feedback f order by feedback_id").fetchall() == rows
    assert (
        db.execute("select count(*) from aicrm.audit_log where table_name = 'ai_content_feedback'").fetchone() == before
    )
    # late clicks: the row is scored again, once
    call(db, tenant, "select aicrm.record_delivery_metrics(%s, '{\"sent\": 500, \"clicks\": 40}', 'late')",
         (d.delivery_id,), "aicrm_app")  # fmt: skip
    assert process(db)["delivery"] == 1
    row = feedback_row(db, sent_deliverable(db, d), "delivery")
    assert row is not None
    assert row["successes"] == 40
    assert process(db)["delivery"] == 0


def test_bounded_work_and_a_killed_run_is_finished_by_the_next(db: Conn, tenant: str, customer: str) -> None:
    for i in range(3):
        measured(db, tenant, customer, {"sent": 100, "clicks": 1 + i}, 300 - i)
    # a run that dies after writing (its transaction rolled back) leaves everything to the next
    with db.transaction(force_rollback=True):
        assert process(db)["delivery"] == 3
    assert db.execute("select count(*) from aicrm.ai_content_feedback where source = 'delivery'").fetchone() == (0,)
    done = []
    for _ in range(10):
        got = process(db, limit=1)
        done.append(got["delivery"] + got["review"])
        if got["delivery"] + got["review"] == 0:
            break
    assert done == [1, 1, 1, 1, 1, 1, 0]  # three deliveries, three approvals, then nothing
    assert db.execute("select count(*) from aicrm.ai_content_feedback where source = 'delivery'").fetchone() == (3,)
    with db.transaction(force_rollback=True):
        assert process(db, limit=2)["more"] is False  # nothing left to do: not stopped by the limit


def test_each_tenant_is_processed_under_its_own_rows(db: Conn, tenant: str, customer: str) -> None:
    other = make_tenant(db, "Agency B")
    theirs = make_customer(db, other, name="Beta Bakery")
    mine = measured(db, tenant, customer, {"sent": 100, "clicks": 5}, 300)
    their = measured(db, other, theirs, {"sent": 100, "clicks": 50}, 300)
    only = process(db, tenant=other)
    assert (only["tenants"], only["delivery"]) == (1, 1)
    assert feedback_row(db, sent_deliverable(db, mine), "delivery") is None
    t = feedback_row(db, sent_deliverable(db, their), "delivery")
    assert t is not None
    assert t["tenant_id"] == other
    # their history is not our prior: ours starts from the default
    everyone = process(db)
    assert everyone["tenants"] == 2
    assert everyone["delivery"] == 1
    m = feedback_row(db, sent_deliverable(db, mine), "delivery")
    assert m is not None
    assert (m["tenant_id"], m["payload"]["industry_deliveries"]) == (tenant, 0)


def test_human_feedback_per_reviewed_draft(db: Conn, tenant: str, customer: str) -> None:
    # rejected: a negative example, annotated with the reviewer's reason
    task, draft = in_review(db, tenant, customer)
    review(db, tenant, draft, 1, "reject", reason="Too salesy for our regulars.")
    # heavily edited on approval
    _task2, draft2 = in_review(db, tenant, customer)
    edited = (
        "Hello friends,\n\nPumpkin loaves are back on Saturday, together with cinnamon knots, rye rolls and a "
        "walnut bread people asked about all summer long. Each batch is small, so reserve yours early and we will "
        "keep it warm at the counter for you. Reserve at https://sunrisebakery.example.com/order today." + FOOTER
    )
    review(db, tenant, draft2, 1, "approve", edited=edited)
    # asked for structured changes, and rated by a reviewer
    _task3, draft3 = in_review(db, tenant, customer)
    call(db, tenant, "select aicrm.request_changes(%s, 1, %s, 'Shorter please')",
         (draft3, Jsonb([{"type": "shorten", "max_words": 60}])), "aicrm_app")  # fmt: skip
    call(db, tenant, "select aicrm.record_content_feedback(%s, %s, 'ana')",
         (draft3, Jsonb({"source": "reviewer", "rating": 2})), "aicrm_app")  # fmt: skip
    done = process(db)
    assert done["review"] == 3
    assert done["promoted"]["negative"] == 2
    rej = feedback_row(db, draft, "review")
    assert rej is not None
    assert (rej["payload"]["decision"], rej["comment"], rej["task_id"]) == (
        "reject",
        "Too salesy for our regulars.",
        task,
    )
    assert rej["payload"]["final_deliverable_id"] is None
    assert rej["payload"]["edit_ratio"] is None
    ed = feedback_row(db, draft2, "review")
    assert ed is not None
    assert ed["payload"]["decision"] == "approve"
    assert ed["payload"]["edit_ratio"] > 0.3
    assert ed["payload"]["heavy_edit"] is True
    assert "shortened" in ed["payload"]["edit_kinds"]
    asked = feedback_row(db, draft3, "review")
    assert asked is not None
    assert asked["payload"]["decision"] == "request_changes"
    assert asked["payload"]["asked_changes"] == ["shorten"]
    assert "shorten" in asked["payload"]["edit_kinds"]
    assert asked["payload"]["ratings"]["mean"] == 2
    assert asked["payload"]["ratings"]["count"] == 1
    promos = db.execute(
        "select p.deliverable_id::text, p.polarity, p.reason, e.polarity, e.source, e.annotations -> 0 ->> 'note'"
        " from aicrm.learning_promotions p join aicrm.content_examples e using (tenant_id, example_id)"
        " order by p.promoted_at"
    ).fetchall()
    by_draft = {r[0]: r for r in promos}
    assert len(promos) == 2
    assert {(r[1], r[3], r[4]) for r in promos} == {("negative", "negative", "feedback")}
    assert by_draft[draft][2] == by_draft[draft][5] == "Rejected by ana@agency: Too salesy for our regulars."
    assert by_draft[draft2][2].startswith("Heavily edited before it went out:")
    assert by_draft[draft2][2] == by_draft[draft2][5]
    # a changed rating rewrites that row only
    call(db, tenant, "select aicrm.record_content_feedback(%s, %s, 'ana')",
         (draft3, Jsonb({"source": "reviewer", "rating": 4})), "aicrm_app")  # fmt: skip
    assert process(db)["review"] == 1
    asked = feedback_row(db, draft3, "review")
    assert asked is not None
    assert asked["payload"]["ratings"]["mean"] == 4


def test_a_top_performer_becomes_a_positive_example_and_a_reversal_sticks(db: Conn, tenant: str, customer: str) -> None:
    d = measured(db, tenant, customer, {"sent": 1000, "clicks": 120}, 200)
    assert process(db)["promoted"] == {"positive": 1, "negative": 0}
    deliverable = sent_deliverable(db, d)
    promo = db.execute(
        "select promotion_id::text, example_id::text, reason from aicrm.learning_promotions where deliverable_id = %s",
        (deliverable,),
    ).fetchone()
    assert promo is not None
    assert promo[2].startswith("A top performer: 120 of 1000 recipients acted")
    example = db.execute(
        "select polarity, effectiveness, source from aicrm.content_examples where example_id = %s", (promo[1],)
    ).fetchone()
    assert example is not None
    assert example[0] == "positive"
    assert example[2] == "feedback"
    assert example[1] > 50
    reverse = "select aicrm.reverse_promotion(%s, %s, 'ana')"
    out = call(db, tenant, reverse, (promo[0], "A seasonal one-off"), "aicrm_app")
    assert out["changed"] is True
    assert out["example_id"] is None
    assert out["reversal_reason"] == "A seasonal one-off"
    assert db.execute("select count(*) from aicrm.content_examples where example_id = %s", (promo[1],)).fetchone() == (
        0,
    )
    assert call(db, tenant, reverse, (promo[0], "again"), "aicrm_app")["changed"] is False
    audited = db.execute(
        "select operation from aicrm.audit_log where table_name = 'learning_promotions' order by audit_id"
    ).fetchall()
    assert [r[0] for r in audited] == ["insert", "update"]
    # the job does not promote it again; late outcomes do not either
    call(db, tenant, "select aicrm.record_delivery_metrics(%s, '{\"sent\": 1000, \"clicks\": 130}', 'late')",
         (d.delivery_id,), "aicrm_app")  # fmt: skip
    assert process(db)["promoted"] == {"positive": 0, "negative": 0}
    assert db.execute("select count(*) from aicrm.content_examples where source = 'feedback'").fetchone() == (0,)


def test_a_person_promotes_a_draft(db: Conn, tenant: str, customer: str) -> None:
    _task, draft = in_review(db, tenant, customer)
    promote = "select aicrm.promote_example(%s, %s, %s, 'ana')"
    out = call(db, tenant, promote, (draft, "positive", "Warm and specific."), "aicrm_app")
    assert out["created"] is True
    assert out["promoted_by"] == "ana"
    assert call(db, tenant, promote, (draft, "positive", "Again."), "aicrm_app")["created"] is False
    row = db.execute(
        "select e.polarity, e.annotations -> 0 ->> 'note' from aicrm.content_examples e"
        " join aicrm.learning_promotions p using (tenant_id, example_id)"
    ).fetchone()
    assert row == ("positive", "Warm and specific.")


def test_bad_input_is_refused_naming_the_field(db: Conn, tenant: str, customer: str) -> None:
    _task, draft = in_review(db, tenant, customer)
    promote = "select aicrm.promote_example(%s, %s, %s)"
    assert refused(db, tenant, promote, (None, "positive", "x"), "aicrm_app") == ("AC001", "deliverable_id")
    assert refused(db, tenant, promote, (draft, "neutral", "x"), "aicrm_app") == ("AC001", "polarity")
    assert refused(db, tenant, promote, (draft, "negative", "  "), "aicrm_app") == ("AC001", "reason")
    assert refused(db, tenant, promote, (draft, "negative", "x" * 2001), "aicrm_app") == ("AC001", "reason")
    missing = "00000000-0000-0000-0000-000000000000"
    assert refused(db, tenant, promote, (missing, "negative", "x"), "aicrm_app") == ("AC002", "deliverable_id")
    reverse = "select aicrm.reverse_promotion(%s, %s)"
    assert refused(db, tenant, reverse, (None, "x"), "aicrm_app") == ("AC001", "promotion_id")
    assert refused(db, tenant, reverse, (missing, ""), "aicrm_app") == ("AC001", "reason")
    assert refused(db, tenant, reverse, (missing, "x"), "aicrm_app") == ("AC002", "promotion_id")
    assert db.execute("select count(*) from aicrm.learning_promotions").fetchone() == (0,)
    # the job's sources are the job's: nobody records a delivery score by hand
    record = "select aicrm.record_content_feedback(%s, %s)"
    for source in ("delivery", "review"):
        got = refused(db, tenant, record, (draft, Jsonb({"source": source, "rating": 5})), "aicrm_app")
        assert got == ("AC001", "feedback.source"), source
    for limit in (0, -1, 100001):
        err = sql_error(db, "select aicrm.process_ai_feedback(%s)", (limit,))
        assert (err.sqlstate, err.diag.column_name) == ("AC001", "limit")


def test_the_job_is_the_owners(db: Conn, tenant: str) -> None:
    for role in ("aicrm_app", "aicrm_worker", "aicrm_readonly"):
        with act_as(db, tenant, role):
            for query in ("select aicrm.process_ai_feedback()", "select aicrm.process_ai_feedback_job()"):
                assert sql_error(db, query).sqlstate == "42501", (role, query)
    with act_as(db, tenant, "aicrm_readonly"):
        assert sql_error(db, "select aicrm.promote_example(gen_random_uuid(), 'positive', 'x')").sqlstate == "42501"
    assert db.execute("select aicrm.process_ai_feedback_job()").fetchone() == (0,)
