"""`aicrm events` (runner/commands/events.py): tails the database's notifications as JSON lines; an
agent message is shown with its kind, type, sender, recipient and thread, another tenant's is not,
and `--thread` keeps one thread."""

from __future__ import annotations

import json
import subprocess
import uuid
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tests.factories import committed, make_tenant
from tests.helpers import act_as
from tests.processes import AICRM, command_env

SEND = "select aicrm.send_agent_message(%s)"


def tenant_with_writer(conn: psycopg.Connection[Any], name: str) -> tuple[str, str]:
    tenant = make_tenant(conn, name)
    with act_as(conn, tenant):
        row = conn.execute(
            "insert into aicrm.ai_agents (name, agent_role) values ('Writer', 'writer') returning agent_id"
        ).fetchone()
    assert row is not None
    return tenant, str(row[0])


def send(db_url: str, tenant: str, writer: str, thread: str) -> str:
    message = {
        "kind": "notification",
        "message_type": "notification.info",
        "from_agent_id": writer,
        "to_role": "editor",
        "thread_id": thread,
        "parts": [{"type": "text", "text": "draft 2 is better"}],
    }

    def sent(conn: psycopg.Connection[Any]) -> str:
        with act_as(conn, tenant, "aicrm_worker"):
            row = conn.execute(SEND, (Jsonb(message),)).fetchone()
        assert row is not None
        return str(row[0]["message_id"])

    return committed(db_url, sent)


def test_events_shows_the_tenants_messages_of_a_thread(db_url: str) -> None:
    (tenant, writer), (other, their_writer) = committed(
        db_url, lambda c: (tenant_with_writer(c, "Agency A"), tenant_with_writer(c, "Agency B"))
    )
    thread, elsewhere = str(uuid.uuid4()), str(uuid.uuid4())
    args = [str(AICRM), "events", "--tenant", tenant, "--thread", thread, "--count", "1"]
    with subprocess.Popen(
        args, env=command_env(db_url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())  # listening from here on
        assert "agent_message" in ready["listening"]
        send(db_url, other, their_writer, thread)  # another tenant's: not shown
        send(db_url, tenant, writer, elsewhere)  # another thread: not shown
        mine = send(db_url, tenant, writer, thread)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 1
    assert lines[0]["channel"] == "aicrm_agent_message"
    assert (lines[0]["message_id"], lines[0]["thread_id"]) == (mine, thread)
    assert (lines[0]["kind"], lines[0]["message_type"], lines[0]["to_role"]) == (
        "notification",
        "notification.info",
        "editor",
    )
