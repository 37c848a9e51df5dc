"""Publishers killed at random moments deliver every approved draft, and record each delivery once
(docs/pipeline.md, "The publisher"). 80 approved drafts wait in the outbox; three `aicrm publish`
processes (2 threads, a 5 s lease, polling every 0.5 s) post them to a local webhook receiver that
takes 0.3 s to answer; one of them, chosen among those holding a lease, is SIGKILLed at a random
moment (seeded) and a new one started, again and again; then every one left is killed at once, and
once the last leases have run out one `aicrm publish --once` delivers the rest.

What must hold, and what cannot: a publisher killed after the receiver took a draft but before
record_delivery committed has delivered without a record, so the next claim posts it again. No
sender can prevent that; what it can do is make the second post recognisable, and it does: the
same Idempotency-Key (the outbox id) and the same signed body. So the test asserts that every
outbox row ends delivered with exactly one `delivered` row in `deliveries`; that the receiver got
every draft, each key naming one draft with one body; that a key came more than once only for a
draft whose earlier claim a kill cut off. A receiver that keeps the keys it has seen therefore
processes each draft exactly once."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import psycopg

from tests.factories import committed, make_bakery
from tests.fakes.receiver import WebhookReceiver, answer
from tests.processes import Fleet, command_env, pid_of, query, run_aicrm
from tests.tasks import approved_task

SECRET = "whsec-chaos-51d2"
DRAFTS = 80
LEASE = 5  # seconds; AICRM_PUBLISH_TIMEOUT 1 s (a lease must cover 3 timeouts)
POLL = 0.5
ANSWER_DELAY = 0.3
KILLS = 6
HELD = "select lease_holder, outbox_id::text from aicrm.outbox where status = 'delivering'"


def publishing(hook: WebhookReceiver) -> dict[str, str]:
    """The publisher's settings: the receiver, its secret, a 1 s timeout."""
    return {"AICRM_PUBLISH_WEBHOOK_URL": hook.url, "AICRM_PUBLISH_WEBHOOK_SECRET": SECRET, "AICRM_PUBLISH_TIMEOUT": "1"}


def approve_drafts(conn: psycopg.Connection[Any]) -> None:
    """DRAFTS approved drafts of the bakery of one agency, waiting in the outbox."""
    tenant, customer = make_bakery(conn, "Agency Chaos")
    for _ in range(DRAFTS):
        approved_task(conn, tenant, customer)


def test_publishers_killed_at_random_deliver_every_draft_and_record_each_once(db_url: str, tmp_path: Path) -> None:
    rng = random.Random(20261130)
    committed(db_url, approve_drafts)
    drafts = dict(query(db_url, "select outbox_id::text, deliverable_id::text from aicrm.outbox"))
    outbox = set(drafts)
    assert len(outbox) == DRAFTS

    # Which publisher held which draft, sampled while they run: a kill's victims are the drafts its
    # publisher held at the kill.
    cut_off: set[str] = set()
    with WebhookReceiver(SECRET, [answer(200, delay=ANSWER_DELAY)]) as hook:
        args = ["publish", "--concurrency", "2", "--lease", str(LEASE), "--poll", str(POLL)]
        fleet = Fleet(args, command_env(db_url, **publishing(hook)), tmp_path)
        try:
            for _ in range(3):
                fleet.start()
            kills = 0
            while kills < KILLS:
                time.sleep(rng.uniform(0.2, 0.6))
                held = query(
                    db_url, "select lease_holder, outbox_id::text from aicrm.outbox where status = 'delivering'"
                )
                by_pid: dict[int, list[str]] = defaultdict(list)
                for holder, outbox_id in held:
                    if pid_of(holder) in fleet.procs:
                        by_pid[pid_of(holder)].append(outbox_id)
                if not by_pid:
                    if not query(db_url, "select 1 from aicrm.outbox where status = 'pending'"):
                        break  # everything is delivered or held by the dead: no more kills to make
                    continue
                victim = rng.choice(sorted(by_pid))
                fleet.kill(victim)
                # What it held then, plus anything it claimed between the sample and the kill.
                cut_off.update(by_pid[victim])
                cut_off.update(r[1] for r in query(db_url, HELD) if pid_of(r[0]) == victim)
                kills += 1
                fleet.start()
            assert kills >= 3, "too few kills caught a delivery in flight"
        finally:
            cut_off.update(r[1] for r in query(db_url, HELD))  # killed below, mid-delivery
            fleet.kill_all()
        time.sleep(LEASE + 0.5)  # the dead publishers' leases run out
        final = run_aicrm(db_url, "publish", "--once", "--lease", str(LEASE), **publishing(hook))
        assert final.returncode == 0, final.stderr
        requests = list(hook.requests)

    # Every draft delivered, and recorded delivered exactly once.
    statuses = query(db_url, "select outbox_id::text, status from aicrm.outbox")
    assert dict(statuses) == dict.fromkeys(outbox, "delivered")
    delivered = query(
        db_url,
        "select outbox_id::text, count(*) from aicrm.deliveries where status = 'delivered' group by outbox_id",
    )
    assert dict(delivered) == dict.fromkeys(outbox, 1)

    # The receiver: every post signed, every draft received, one body per key.
    assert all(r.verified for r in requests)
    bodies: dict[str, set[bytes]] = defaultdict(set)
    for r in requests:
        bodies[r.headers["idempotency-key"]].add(r.body)
    assert set(bodies) == outbox
    assert all(len(b) == 1 for b in bodies.values())
    assert all(r.json["deliverable_id"] == drafts[r.headers["idempotency-key"]] for r in requests)
    # A second post only where a kill cut a claim off; a receiver that dedupes by key processes each once.
    posts: dict[str, int] = defaultdict(int)
    for r in requests:
        posts[r.headers["idempotency-key"]] += 1
    again = {key for key, n in posts.items() if n > 1}
    assert again <= cut_off, again - cut_off
    print(
        f"\n{DRAFTS} drafts, {len(fleet.kills)} publishers killed, {len(cut_off)} claims cut off; "
        f"{len(requests)} posts, {len(again)} drafts posted twice (same key, same body); each recorded once"
    )
