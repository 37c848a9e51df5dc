"""The pipeline's end-to-end workload, shared by tests/e2e/ and benchmarks/pipeline_bench.py: the demo
tenant (seeded as `aicrm seed --demo` seeds it, plus a few positive examples of each customer's own),
tasks of every channel with varied instructions (a fixed seed), the real worker with the offline
template provider, and the checks every run must pass: each task ends decided with each step in its
history and each decision explained. The worker opens its own connections, so the setup is
committed."""

from __future__ import annotations

import itertools
import random
import subprocess
from collections import Counter
from collections.abc import Iterable
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from runner.db import DEMO_TENANT_ID
from runner.migrate import seed
from tests.helpers import act_as
from tests.processes import SQL_DIR, command_env, run_aicrm

DECIDED = ("approved", "awaiting_review", "rejected", "escalated")
LEASED = ("gathering_context", "generating", "evaluating")
ACTION_STATE = {"approve": "approved", "review": "awaiting_review", "reject": "rejected", "escalate": "escalated",
                "retry": "generating"}  # fmt: skip

# --- the workload -----------------------------------------------------------------------------------

FOOTERS = {
    "demo-bakery": "Sunrise Bakery \u00b7 1208 South Congress Ave, Austin, TX 78704",
    "demo-dental": "Brightsmile Family Dental \u00b7 4410 NE Fremont St, Portland, OR 97213",
    "demo-gym": "Ironworks Fitness \u00b7 2901 Walnut St, Denver, CO 80205",
    "demo-plumbing": "Summit Plumbing & Heating \u00b7 77 Industrial Way, Lakewood, CO 80215",
}


def _email(body: str, sign_off: str, customer: str) -> str:
    footer = f"\u2014\n{FOOTERS[customer]}\nUnsubscribe: {{{{unsubscribe_url}}}}"
    return f"Hi {{{{first_name}}}},\n\n{body}\n\n{sign_off}\n\n{footer}"


# The customers' own approved work (brand alignment measures a draft's likeness to it): an email, a
# social post and an SMS each, in each brand's voice and phrases, (subject, content) by channel.
EXAMPLES: dict[str, dict[str, tuple[str | None, str]]] = {
    "demo-bakery": {
        "email": ("Pumpkin sourdough is back at Sunrise Bakery", _email(
            "Our pumpkin sourdough is back for the season, baked this morning with roasted pumpkin and a little "
            "maple. It sells out early on Saturdays, so pre-order for pickup and we'll keep a loaf for you.\n\n"
            "Pre-order for pickup at https://sunrisebakery.example.com/order.",
            "See you at the counter,\nMaria and the Sunrise Bakery team", "demo-bakery")),
        "social": (None, "Warm, crackly and fresh from our oven: the Sunrise Bakery pumpkin sourdough is back for "
                   "the season. Pre-order for pickup and skip the Saturday line: "
                   "https://sunrisebakery.example.com/order\n\n#SunriseBakery #AustinEats #Sourdough"),
        "sms": (None, "Sunrise Bakery: Pumpkin sourdough is back, baked this morning. Pre-order for pickup: "
                "https://sunrisebakery.example.com/order Reply STOP to opt out."),
    },
    "demo-dental": {
        "email": ("Your dental benefits reset on January 1", _email(
            "Most dental plans reset on January 1, so the cleaning your plan already covers is waiting for you. "
            "We have evening appointments until 7 pm on Tuesdays and Thursdays, and your comfort comes first at "
            "every visit.\n\nBook your visit online at https://brightsmile.example.com/book.",
            "With gentle care,\nDr. Priya Raman and the Brightsmile team", "demo-dental")),
        "social": (None, "Nervous about the dentist? You are not alone. At Brightsmile Family Dental your comfort "
                   "comes first, with gentle care and evening appointments twice a week. Book online in a minute: "
                   "https://brightsmile.example.com/book\n\n#PortlandDentist #FamilyDentistry #Brightsmile"),
        "sms": (None, "Brightsmile Family Dental: Your benefits reset Jan 1. Book your visit online in a minute: "
                "https://brightsmile.example.com/book Reply STOP to opt out."),
    },
    "demo-gym": {
        "email": ("Your first class is on us", _email(
            "Never lifted before? That is exactly who Foundations is for. In eight weeks a certified coach takes "
            "you from your first lift to confident, in a class of no more than 12 people. Strong looks different "
            "on everyone, and you will find yours.\n\nClaim your free first class at "
            "https://ironworksfit.example.com/free-class.",
            "See you on the floor,\nThe Ironworks Fitness coaches", "demo-gym")),
        "social": (None, "Strong looks different on everyone. Foundations takes you from first lift to confident "
                   "in eight weeks, with a coach at every class. Your first class is on us: "
                   "https://ironworksfit.example.com/free-class\n\n#IronworksFit #DenverFitness #StrengthTraining"),
        "sms": (None, "Ironworks Fitness: Foundations starts in January. Your first class is on us: "
                "https://ironworksfit.example.com/free-class Reply STOP to opt out."),
    },
    "demo-plumbing": {
        "email": ("Is your furnace ready for winter?", _email(
            "The first cold night is the worst time to find out your furnace needs work. Our $129 furnace tune-up "
            "checks the burners, the filter and the safety controls, with upfront pricing before we start. Our "
            "licensed technicians show up on time, every time.\n\nBook a technician at "
            "https://summitplumbing.example.com/book.",
            "Thanks,\nThe Summit Plumbing & Heating team", "demo-plumbing")),
        "social": (None, "No hot water this morning? Our licensed technicians replace water heaters across "
                   "Lakewood, Golden and Wheat Ridge, with upfront pricing before any work starts. Book a "
                   "technician: https://summitplumbing.example.com/book\n\n#Lakewood #PlumbingTips #SummitPlumbing"),
        "sms": (None, "Summit Plumbing & Heating: Furnace tune-ups are $129 this fall, with upfront pricing. Book a "
                "technician: https://summitplumbing.example.com/book Reply STOP to opt out."),
    },
}  # fmt: skip

# What an agency asks of each customer: topics, calls to action, audiences, terms to include.
BRIEFS: dict[str, dict[str, list[str]]] = {
    "demo-bakery": {
        "topic": ["holiday cake pre-orders are open", "pumpkin sourdough is back", "a sourdough workshop this "
                  "Saturday", "we have missed you", "gluten-free banana bread is here", "behind the scenes at 4 am",
                  "almond croissants for the weekend", "how was your celebration cake?"],
        "cta": ["Pre-order your holiday cake", "Order ahead for Saturday", "RSVP for the workshop"],
        "audience": ["weekend families", "morning commuters", "new newsletter subscribers"],
        "term": ["sourdough", "celebration cake", "gluten-free"],
    },
    "demo-dental": {
        "topic": ["use your dental benefits before January", "evening appointments for busy families",
                  "Invisalign consultations this month", "kids check-ups before the school year",
                  "how was your visit? leave us a review", "gentle care for nervous patients",
                  "teeth whitening before the holidays", "same-day emergency visits"],
        "cta": ["Book your check-up", "Book a consultation online"],
        "audience": ["parents of young children", "busy professionals", "patients we have not seen this year"],
        "term": ["evening appointments", "Invisalign", "insurance"],
    },
    "demo-gym": {
        "topic": ["the January Foundations intake", "your first class is on us", "member wins this month",
                  "coach tips for your first deadlift", "we miss you at the gym", "new early classes at 5 am",
                  "small classes of 12 or fewer", "a free community workout on Saturday"],
        "cta": ["Claim your free first class", "Save your spot in Foundations"],
        "audience": ["complete beginners", "lapsed members", "experienced lifters"],
        "term": ["Foundations", "coach", "first class"],
    },
    "demo-plumbing": {
        "topic": ["furnace tune-ups before winter", "water heater replacement", "24/7 emergency call-outs",
                  "drain cleaning before the holidays", "tell us how we did", "how to stop frozen pipes",
                  "upfront flat-rate pricing", "a new technician joins the team"],
        "cta": ["Book a technician", "Book your furnace tune-up"],
        "audience": ["homeowners in Lakewood", "landlords", "first-time home buyers"],
        "term": ["upfront pricing", "licensed", "water heater"],
    },
}  # fmt: skip
CHANNELS = ("email",) * 8 + ("social",) * 5 + ("sms",) * 4 + ("blog",) * 3  # 40 / 25 / 20 / 15 %
OUTPUT_TYPE = {"email": ("email", "newsletter"), "social": ("social_post",), "sms": ("sms",), "blog": ("blog_post",)}


def task_specs(n: int, seed_: int = 7) -> list[tuple[str, str, dict[str, Any]]]:
    """n tasks (customer external id, channel, ai_instructions) across the demo customers, with a fixed
    seed: every channel, and a random mix of the instructions an agency gives."""
    rng = random.Random(seed_)
    customers = sorted(BRIEFS)
    out: list[tuple[str, str, dict[str, Any]]] = []
    for i in range(n):
        customer = customers[i % len(customers)]
        brief = BRIEFS[customer]
        channel = rng.choice(CHANNELS)
        ins: dict[str, Any] = {"topic": rng.choice(brief["topic"]), "output_type": rng.choice(OUTPUT_TYPE[channel])}
        if rng.random() < 0.5:
            ins["cta"] = rng.choice(brief["cta"])
        if rng.random() < 0.3:
            ins["audience"] = rng.choice(brief["audience"])
        if rng.random() < 0.3:
            ins["must_include"] = [rng.choice(["business name", "CTA", rng.choice(brief["term"])])]
        if rng.random() < 0.25:
            ins["must_not_include"] = rng.choice([["discount"], ["limited time only"], ["cheap", "discount"]])
        roll = rng.random()
        if channel == "email" and roll < 0.3:
            ins["output_length"] = rng.choice([{"min_words": 80, "max_words": 200}, {"max_words": 150}])
        elif channel == "social" and roll < 0.3:
            ins["output_length"] = {"max_words": 80}
        elif channel == "sms" and roll < 0.3:
            ins["output_length"] = {"max_characters": 150}
        if channel == "email" and rng.random() < 0.15:
            ins["output_format"] = rng.choice(["html", "markdown"])
        elif channel == "blog":
            ins["output_format"] = rng.choice(["markdown", "markdown", "html", "text"])
        if rng.random() < 0.2:
            ins["success_criteria"] = rng.choice(
                [{"cta_present": True, "sentiment_target": "positive"}, {"readability_score_min": 55}]
            )
        out.append((customer, channel, ins))
    return out


def seed_demo(conn: psycopg.Connection[Any]) -> dict[str, str]:
    """`aicrm seed --demo` on this database, then each customer's own positive examples; committed.
    The customers' ids by external id."""
    seed(conn, SQL_DIR, demo=True)
    with act_as(conn, DEMO_TENANT_ID):
        customers = dict(
            conn.execute(
                "select external_id, customer_id::text from aicrm.customers where external_id like 'demo-%'"
            ).fetchall()
        )
        for external_id, by_channel in EXAMPLES.items():
            for channel, (subject, content) in by_channel.items():
                conn.execute(
                    "insert into aicrm.content_examples (customer_id, purpose, channel, subject, content, polarity)"
                    " values (%s, 'promotion', %s, %s, %s, 'positive')",
                    (customers[external_id], channel, subject, content),
                )
    conn.commit()
    return customers


def create_tasks(
    conn: psycopg.Connection[Any],
    customers: dict[str, str],
    specs: Iterable[tuple[str, str, dict[str, Any]]],
    key: str = "e2e",
) -> list[str]:
    """One aicrm.create_content_task per spec, in the demo tenant; committed. The task ids."""
    ids = []
    with act_as(conn, DEMO_TENANT_ID):
        for n, (customer, channel, instructions) in enumerate(specs):
            row = conn.execute(
                "select aicrm.create_content_task(p_customer_id => %s, p_channel => %s, p_ai_instructions => %s,"
                " p_idempotency_key => %s)",
                (customers[customer], channel, Jsonb(instructions), f"{key}:{n}"),
            ).fetchone()
            assert row is not None
            ids.append(str(row[0]["task_id"]))
    conn.commit()
    return ids


def worker_env(db_url: str) -> dict[str, str]:
    """The worker's environment: the test's database and the offline template provider."""
    return command_env(db_url, AICRM_LLM_PROVIDER="template")


def run_worker(db_url: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`aicrm worker *args` with the template provider, to the end; it must exit 0."""
    result = run_aicrm(db_url, "worker", *args, timeout=timeout, AICRM_LLM_PROVIDER="template")
    assert result.returncode == 0, result.stderr[-4000:]
    return result


# --- the checks ---------------------------------------------------------------------------------------


def final_states(conn: psycopg.Connection[Any], tasks: list[str]) -> dict[str, tuple[str, bool]]:
    rows = conn.execute(
        "select task_id::text, execution_state, lease_token is not null from aicrm.project_tasks"
        " where task_id = any(%s::uuid[])",
        (tasks,),
    ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def check_histories(conn: psycopg.Connection[Any], tasks: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Every task's transitions: a contiguous chain from draft -> queued to the task's state now."""
    rows = conn.execute(
        "select h.task_id::text, h.from_state, h.to_state, h.actor, h.reason, h.details, h.created_at,"
        " t.execution_state from aicrm.task_state_transitions h join aicrm.project_tasks t using (tenant_id, task_id)"
        " where h.task_id = any(%s::uuid[]) order by h.transition_id",
        (tasks,),
    ).fetchall()
    chains: dict[str, list[tuple[Any, ...]]] = {t: [] for t in tasks}
    for r in rows:
        chains[r[0]].append(r[1:7])
    now = {r[0]: r[7] for r in rows}
    for task, steps in chains.items():
        assert steps, f"task {task}: no transitions"
        assert steps[0][:2] == ("draft", "queued"), (task, steps[0])
        for before, after in itertools.pairwise(steps):
            assert after[0] == before[1], f"task {task}: {before[:3]} then {after[:3]}"
        assert steps[-1][1] == now[task], (task, steps[-1], now[task])
    return chains


def check_decisions(conn: psycopg.Connection[Any], tasks: list[str], chains: dict[str, list[tuple[Any, ...]]]) -> int:
    """Every evaluated draft carries its scorecard and its decision with the rule, the trace and the
    explanation; each of the rules' transitions names that draft and that decision. The number of
    drafts evaluated."""
    drafts = conn.execute(
        "select d.deliverable_id::text, d.task_id::text, d.version, d.content_quality, d.success_evaluation"
        " from aicrm.project_deliverables d where d.task_id = any(%s::uuid[]) order by d.task_id, d.version",
        (tasks,),
    ).fetchall()
    by_id = {d[0]: d for d in drafts}
    evaluated = 0
    for deliverable_id, task, version, card, decision in drafts:
        if card is None:  # a draft whose worker died before evaluating it (the chaos test)
            assert decision is None, (task, version)
            continue
        evaluated += 1
        for key in ("overall", "passed", "confidence", "violations", "fixes", "summary", "details"):
            assert key in card, (task, version, key)
        for key in ("readability", "sentiment", "brand_alignment", "compliance", "structure"):
            assert key in card, (task, version, key)
        assert decision["explanation"], (task, version)
        assert decision["action"]["type"] in ACTION_STATE, (task, version, decision["action"])
        assert isinstance(decision["trace"], list), (task, version)
        if decision["rule"] is None:  # the engine's fallback: no rule matched, a person decides
            assert decision["action"]["type"] == "review", (task, version)
            assert "none of" in decision["explanation"], decision["explanation"]
        else:
            assert decision["rule"]["name"] in decision["explanation"], decision["explanation"]
            assert decision["trace"], (task, version, decision["rule"])
            assert all("path" in node and "value" in node for node in decision["trace"]), decision["trace"]
        assert deliverable_id in by_id
    for task, steps in chains.items():
        for from_state, to_state, actor, reason, details, _ in steps:
            if actor != "rules":
                continue
            assert from_state == "evaluating", (task, from_state)
            _, _, _, _, decision = by_id[details["deliverable_id"]]
            assert ACTION_STATE[decision["action"]["type"]] == to_state, (task, decision["action"], to_state)
            assert details["decision_id"] == decision["decision_id"], task
            assert reason == decision["explanation"], task
    return evaluated


def check_run(
    conn: psycopg.Connection[Any], tasks: list[str]
) -> tuple[dict[str, tuple[str, bool]], dict[str, list[tuple[Any, ...]]], int]:
    """What every run must leave: each task decided and not leased, its history a chain, each
    decision explained. (The final states, the histories, the number of drafts evaluated.)"""
    states = final_states(conn, tasks)
    left = {t: s for t, s in states.items() if s[0] not in DECIDED or s[1]}
    assert not left, f"{len(left)} tasks not decided or still leased: {sorted(Counter(left.values()).items())}"
    chains = check_histories(conn, tasks)
    return states, chains, check_decisions(conn, tasks, chains)


def distribution(states: Iterable[str]) -> str:
    counts = Counter(states)
    total = sum(counts.values())
    return ", ".join(f"{s} {counts[s]} ({100 * counts[s] / total:.0f}%)" for s in DECIDED if counts[s])


# --- the varied demo batch: every channel and purpose, with the brief an agency writes -------------------

# Per customer: the facts an account manager puts in a brief (each true of the demo profile).
_VARIED: dict[str, dict[str, Any]] = {
    "demo-bakery": {
        "cta": "Pre-order yours online",
        "url": "https://sunrisebakery.example.com/order", "review": "https://g.page/r/sunrisebakery/review",
        "welcome": ("welcome to the Sunrise Bakery bread club", ["A fresh loaf every Friday from 7 am",
                    "Pause or cancel any week from your account"]),
        "promotion": ("holiday pre-orders for pies and stollen", ["Pre-order by December 20",
                      "Pick up December 23 or 24"], {"description": "10% off pre-orders of three pies or more",
                      "code": "PIE10", "valid_until": "2027-12-20"}),
        "newsletter": ("what is new at the bakery this winter", ["Rye is back on Tuesdays",
                       "Our gluten-free range is baked in a dedicated oven", "Meet Ana, our new baker"]),
        "re_engagement": ("we have missed you at the counter", ["Pumpkin sourdough is back for the season"],
                          {"description": "a free coffee with any loaf", "valid_until": "2027-02-28"}),
        "event": ("a sourdough workshop", {"name": "Sourdough workshop", "starts_at": "2027-01-16T09:00",
                  "place": "the bakery, 1208 South Congress Ave"}, ["Bring an apron; we supply the rest"]),
        "announcement": ("our new Sunday hours", ["From January 10 we open Sundays 8 am to 2 pm"]),
        "other": ("how to keep sourdough fresh", ["Store it cut side down on a board",
                  "Freeze slices for up to a month"]),
    },
    "demo-dental": {
        "cta": "Book your whitening",
        "url": "https://brightsmile.example.com/book", "review": "https://g.page/r/brightsmile/review",
        "welcome": ("welcome to Brightsmile Family Dental", ["Your first visit starts with a gentle check-up",
                    "Book online in a minute"]),
        "promotion": ("teeth whitening before the holidays", ["Book by December 18 for results before the holidays"],
                      {"description": "$50 off in-office whitening", "code": "SMILE50", "valid_until": "2027-12-18"}),
        "newsletter": ("news from the practice this month", ["Evening appointments until 7 pm on Tuesdays and "
                       "Thursdays", "Kids under 12 get their own play corner", "Most PPO insurance plans accepted"]),
        "re_engagement": ("it has been a while since your last check-up", ["Evening appointments twice a week"],
                          {"description": "a free electric toothbrush with your check-up",
                           "valid_until": "2027-03-31"}),
        "event": ("a kids' dental health morning", {"name": "Kids' dental health morning",
                  "starts_at": "2027-02-13T10:00", "place": "our Fremont St practice"}, ["Free for kids under 12"]),
        "announcement": ("Saturday appointments", ["From February 6 we see patients on Saturdays 9 am to 1 pm"]),
        "other": ("how to ease dental nerves", ["Tell us you are nervous when you book",
                  "Ask about sedation options"]),
    },
    "demo-gym": {
        "cta": "Save your spot in Foundations",
        "url": "https://ironworksfit.example.com/free-class", "review": "https://g.page/r/ironworksfit/review",
        "welcome": ("welcome to Ironworks Fitness", ["Your first class is a coached intro session",
                    "Book classes in the app"]),
        "promotion": ("the January Foundations intake", ["Foundations starts January 11",
                      "Eight weeks, classes capped at 12 people"], {"description": "your first month for $99",
                      "code": "LIFT99", "valid_until": "2027-01-10"}),
        "newsletter": ("member wins this month", ["Three members hit their first bodyweight deadlift",
                       "New 5 am classes on weekdays", "Coach Sam's tip: sleep is training too"]),
        "re_engagement": ("we miss you at the gym", ["New 5 am classes on weekdays"],
                          {"description": "two weeks free when you come back", "valid_until": "2027-02-28"}),
        "event": ("a free community workout", {"name": "Community workout", "starts_at": "2027-01-23T09:00",
                  "place": "Ironworks Fitness, 2901 Walnut St"}, ["Free and open to everyone"]),
        "announcement": ("longer weekend hours", ["From January 9 we open at 6 am on weekends"]),
        "other": ("coach tips for your first deadlift", ["Keep the bar close to your shins",
                  "Start light and let a coach check your form"]),
    },
    "demo-plumbing": {
        "cta": "Book your furnace tune-up",
        "url": "https://summitplumbing.example.com/book", "review": "https://g.page/r/summitplumbing/review",
        "welcome": ("welcome to Summit Plumbing & Heating", ["We call you with a price before any work starts",
                    "Book online or call any time"]),
        "promotion": ("furnace tune-ups before winter", ["Book by January 31"],
                      {"description": "$20 off a furnace tune-up", "code": "WARM20", "valid_until": "2027-01-31"}),
        "newsletter": ("winter news from Summit", ["How to stop frozen pipes", "Our 24/7 emergency line",
                       "Upfront pricing on every job"]),
        "re_engagement": ("time for your yearly furnace check", ["Upfront pricing before any work starts"],
                          {"description": "$20 off a furnace tune-up", "valid_until": "2027-02-28"}),
        "event": ("a home winterising clinic", {"name": "Winterising clinic", "starts_at": "2027-01-30T10:00",
                  "place": "77 Industrial Way, Lakewood"}, ["Free, with coffee"]),
        "announcement": ("online booking", ["From January 4 you can book a technician online"]),
        "other": ("how to stop frozen pipes", ["Insulate outdoor taps before the first frost",
                  "Know where your stop valve is"]),
    },
}  # fmt: skip
PURPOSES = ("welcome", "promotion", "newsletter", "re_engagement", "event", "review_request", "announcement", "other")
VARIED_CHANNELS = ("email",) * 7 + ("social",) * 5 + ("sms",) * 4 + ("blog",) * 2 + ("web",) * 2


def _varied_brief(customer: str, purpose: str) -> dict[str, Any]:
    facts = _VARIED[customer]
    if purpose == "review_request":
        return {"topic": "how was your last visit?", "links": {"review_url": facts["review"]}}
    entry = facts[purpose]
    ins: dict[str, Any] = {"topic": entry[0]}
    if purpose == "event":
        ins |= {"event": entry[1], "key_points": entry[2]}
    else:
        ins["key_points"] = entry[1]
    if purpose in ("promotion", "re_engagement"):
        ins["offer"] = entry[2]
    if purpose not in ("newsletter", "announcement"):
        ins["links"] = {"cta_url": facts["url"]}
    return ins


def varied_specs(n: int, seed_: int = 11) -> list[tuple[str, str, dict[str, Any]]]:
    """n tasks of the varied demo batch (benchmarks/offline_writer.py): every channel and purpose, each
    with the brief an account manager writes for it (topic, key points, offer, event, links), plus the
    mix of task_specs' extra instructions (a call to action, an audience, terms, a length)."""
    rng = random.Random(seed_)
    customers = sorted(_VARIED)
    out: list[tuple[str, str, dict[str, Any]]] = []
    for i in range(n):
        # The first 40: every channel with every purpose; then channels in their usual mix.
        customer, purpose = customers[(i + i // len(PURPOSES)) % len(customers)], PURPOSES[i % len(PURPOSES)]
        channel = ("email", "social", "sms", "blog", "web")[i // 8] if i < 40 else rng.choice(VARIED_CHANNELS)
        ins = {"purpose": purpose, **_varied_brief(customer, purpose)}
        ins["output_type"] = {"email": "email", "social": "social_post", "sms": "sms", "blog": "blog_post",
                              "web": "landing_page"}[channel]  # fmt: skip
        if purpose == "promotion" and rng.random() < 0.5:
            ins["cta"] = _VARIED[customer]["cta"]
        if rng.random() < 0.25:
            ins["audience"] = rng.choice(BRIEFS[customer]["audience"])
        if rng.random() < 0.2:
            ins["must_not_include"] = rng.choice([["cheap"], ["limited time only"]])
        if channel in ("blog", "web"):
            ins["output_format"] = rng.choice(["markdown", "html", "text"])
        elif channel == "email" and rng.random() < 0.15:
            ins["output_format"] = rng.choice(["html", "markdown"])
        out.append((customer, channel, ins))
    return out
