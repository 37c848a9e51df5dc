"""The cost of the template choice inside aicrm.get_draft_brief (docs/learning.md, "Selection").

get_draft_brief for a new promotion email task (a customer with the content library and a
template of three variants), ms per call from the client, in three modes that take turns round by
round on the same data:
  before  the choice as it was before the bandit (the best template, its variant drawn by weight
          from a hash of the task and attempt, nothing recorded): aicrm_private.choose_template_arm
          replaced, for this mode only, by that draw;
  cold    the bandit before min_sends (the weights, the floor; the choice recorded);
  bandit  the bandit past min_sends (min_sends = 0): Monte Carlo over the posteriors (the setting
          simulations, 100) for the stop rule and the intended shares, then top-two Thompson draws.
A re-read of an attempt's brief (the recorded choice returned) is timed too. Absolute times are
indications; judged: cold / before and bandit / before at most 2x (the bandit's 100 Monte Carlo
draws per arm are exact beta variates in PL/pgSQL: the setting simulations is the knob), a
re-read / before at most 1.5x.

Run: .venv/bin/python benchmarks/selection_bench.py   (about 30 s; exit 1 on FAIL)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import Ratio, on_throwaway_server, verdict  # noqa: E402

from runner import embedded  # noqa: E402
from runner.migrate import migrate  # noqa: E402

DATABASE = "aicrm_bench"
SERVER_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "autovacuum": "off"}
ROUNDS = 5
CALLS = 20  # briefs per mode and round
Conn = psycopg.Connection[tuple[Any, ...]]

# The choice before the bandit (get_draft_brief at a039532), as a stand-in for the chooser.
BEFORE = """
create or replace function aicrm_private.choose_template_arm(
    p_task_id uuid, p_attempt integer, p_purpose text, p_templates jsonb
)
returns jsonb
language sql
stable
set search_path = ''
as $$
    with t as (
        select t.value from jsonb_array_elements(coalesce(p_templates, '[]')) with ordinality as t
        where p_purpose is null or t.value ->> 'purpose' = p_purpose
        order by jsonb_array_length(coalesce(t.value -> 'rendered_variants', '[]')) > 0 desc, t.ordinality
        limit 1
    ),
    d as (select (hashtextextended(p_task_id::text || ':' || p_attempt, 0) & 2147483647)::double precision
                     / 2147483648 as draw)
    select jsonb_build_object('template_id', t.value ->> 'template_id', 'variant', (
        select v.value ->> 'variant'
        from (
            select v.value, v.ordinality,
                   sum(greatest(coalesce((v.value ->> 'weight')::double precision, 1), 0)) over (order by v.ordinality)
                       / nullif(sum(greatest(coalesce((v.value ->> 'weight')::double precision, 1), 0)) over (), 0)
                       as upto
            from jsonb_array_elements(coalesce(t.value -> 'rendered_variants', '[]')) with ordinality as v
        ) as v
        where v.upto > d.draw
        order by v.ordinality
        limit 1), 'reason', 'cold', 'why', 'drawn by weight', 'seed', p_task_id || ':' || p_attempt)
    from t cross join d
$$
"""


def connect(st: embedded.ServerStatus, user: str) -> Conn:
    return psycopg.connect(embedded.conninfo(st, user, DATABASE), autocommit=True)


def setup(admin: Conn) -> tuple[str, str]:
    tenant = str(admin.execute("select aicrm.create_tenant('Bench Agency')").fetchone()[0])  # type: ignore[index]
    admin.execute("select set_config('aicrm.tenant_id', %s, false)", (tenant,))
    profile = {"name": "Sunrise Bakery", "industry_category": "food_beverage", "industry_subcategory": "bakery"}
    customer = admin.execute("select aicrm.upsert_business_profile(p_profile => %s)", (Jsonb(profile),)).fetchone()
    assert customer is not None
    variants = [{"key": k, "subject": f"{k}: spring at {{{{business_name}}}}", "weight": 1} for k in "abc"]
    admin.execute(
        "insert into aicrm.content_templates (name, purpose, channel, subject, body, variants) values "
        "('Promo', 'promotion', 'email', 'Spring at {{business_name}}', 'Hello from {{business_name}}.', %s)",
        (Jsonb(variants),),
    )
    return tenant, str(customer[0]["customer_id"])


def timed_briefs(conn: Conn, customer: str, calls: int) -> tuple[list[float], list[float]]:
    """ms per get_draft_brief of `calls` new tasks, and per re-read of the same briefs."""
    first, again = [], []
    for _ in range(calls):
        task = conn.execute(
            "select aicrm.create_content_task(p_customer_id => %s, p_channel => 'email', p_ai_instructions => %s)",
            (customer, Jsonb({"topic": "spring menu", "purpose": "promotion"})),
        ).fetchone()
        assert task is not None
        task_id = task[0]["task_id"]
        for out in (first, again):
            started = time.perf_counter()
            conn.execute("select aicrm.get_draft_brief(%s)", (task_id,)).fetchone()
            out.append((time.perf_counter() - started) * 1e3)
    return first, again


def run(st: embedded.ServerStatus) -> bool:
    with connect(st, embedded.SUPERUSER) as admin:
        migrate(admin, ROOT / "sql")
        tenant, customer = setup(admin)
        after = admin.execute(
            "select pg_get_functiondef('aicrm_private.choose_template_arm(uuid, integer, text, jsonb)'::regprocedure)"
        ).fetchone()
        assert after is not None
    ms: dict[str, list[float]] = {"before": [], "cold": [], "bandit": [], "re-read": []}
    with connect(st, embedded.SUPERUSER) as owner, connect(st, "aicrm_app") as app:
        app.execute("select set_config('aicrm.tenant_id', %s, false)", (tenant,))
        for _ in range(ROUNDS):
            owner.execute(BEFORE)
            ms["before"] += timed_briefs(app, customer, CALLS)[0]
            owner.execute(after[0])
            app.execute("select aicrm.set_decision_setting('selection', '{\"min_sends\": 100}')")
            first, again = timed_briefs(app, customer, CALLS)
            ms["cold"] += first
            ms["re-read"] += again
            app.execute("select aicrm.set_decision_setting('selection', '{\"min_sends\": 0}')")
            ms["bandit"] += timed_briefs(app, customer, CALLS)[0]
        reasons = app.execute("select reason, count(*) from aicrm.selection_choices group by reason").fetchall()
    print(f"get_draft_brief, ms per call (median of {ROUNDS * CALLS} new tasks per mode; the modes take turns):")
    for mode, values in ms.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"  {mode:8} median {statistics.median(values):7.2f} ms   p90 {p90:7.2f} ms")
    print(f"  choices recorded by reason: {dict(reasons)}")
    before = statistics.median(ms["before"]) / 1e3
    ratios = [
        Ratio("cold bandit / before", statistics.median(ms["cold"]) / 1e3, before, 2.0, "cold", "before"),
        Ratio("bandit (Monte Carlo) / before", statistics.median(ms["bandit"]) / 1e3, before, 2.0, "bandit", "before"),
        Ratio("re-read / before", statistics.median(ms["re-read"]) / 1e3, before, 1.5, "re-read", "before"),
    ]
    return verdict(ratios)


def main() -> int:
    return on_throwaway_server("selection", DATABASE, SERVER_SETTINGS, lambda pgdata, st: run(st))


if __name__ == "__main__":
    sys.exit(main())
