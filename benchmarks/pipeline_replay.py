"""The pipeline benchmark's baseline: what a task's bookkeeping costs at least.

`Recording` copies every table of aicrm and aicrm_private into schema aicrm_replay with its rows as
they are (`LIKE ... INCLUDING DEFAULTS INCLUDING INDEXES`: the same columns and indexes, with no
trigger, no check, no foreign key and no row-level security), then logs every row the recorded run
inserts, updates (the columns it changed) or deletes, with its transaction, through an AFTER ROW
trigger on every table, triggers' own writes included. `replay` sends the same writes, in order, as
plain statements from one client into the copies: an INSERT of the row, an UPDATE of the changed
columns by primary key, a DELETE by primary key; one transaction per recorded transaction. No
function of aicrm runs, no check, no read: the rows a task leaves behind and nothing else.

Not a benchmark by itself (`make bench` runs it and it does nothing).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

Conn = psycopg.Connection[tuple[Any, ...]]

SCHEMA = "aicrm_replay"
SETUP = f"""
create schema {SCHEMA};
create table {SCHEMA}.writes (
    seq bigint generated always as identity primary key,
    xid xid8 not null default pg_current_xact_id(),
    tbl text not null,
    op text not null,
    new jsonb not null,
    changed text[]
);
create function {SCHEMA}.capture() returns trigger
language plpgsql security definer set search_path = '' as $fn$
begin
    if tg_op = 'DELETE' then
        insert into {SCHEMA}.writes (tbl, op, new) values (tg_table_schema || '.' || tg_table_name, 'D', to_jsonb(old));
    elsif tg_op = 'UPDATE' then
        insert into {SCHEMA}.writes (tbl, op, new, changed)
        select tg_table_schema || '.' || tg_table_name, 'U', to_jsonb(new), coalesce(array_agg(n.key), '{{}}')
        from jsonb_each(to_jsonb(new)) n
        where n.value is distinct from to_jsonb(old) -> n.key;
    else
        insert into {SCHEMA}.writes (tbl, op, new) values (tg_table_schema || '.' || tg_table_name, 'I', to_jsonb(new));
    end if;
    return null;
end
$fn$;
"""
TABLES = """
select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname in ('aicrm', 'aicrm_private') and c.relkind = 'r' and c.relname <> 'schema_migrations'
order by 1, 2
"""
COLUMNS = """
select a.attname, format_type(a.atttypid, a.atttypmod), coalesce(i.indisprimary, false)
from pg_attribute a
left join pg_index i on i.indrelid = a.attrelid and i.indisprimary and a.attnum = any(i.indkey)
where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped
order by a.attnum
"""


def copy_of(schema: str, table: str) -> sql.Identifier:
    return sql.Identifier(SCHEMA, f"{schema}__{table}")


@dataclass
class Statement:
    query: bytes
    params: list[str | None]


@dataclass
class Transaction:
    task: str | None  # the task its writes name (task_id), when any does
    statements: list[Statement]


class Recording:
    """Copies of the tables as they are now, and a log of the writes from `start()` to `stop()`."""

    def __init__(self, admin: Conn) -> None:
        self.admin = admin
        self.tables: list[tuple[str, str]] = [(r[0], r[1]) for r in admin.execute(TABLES).fetchall()]

    def start(self) -> None:
        self.admin.execute(SETUP.encode())
        for schema, table in self.tables:
            original, copy = sql.Identifier(schema, table), copy_of(schema, table)
            self.admin.execute(
                sql.SQL("create table {} (like {} including defaults including indexes)").format(copy, original)
            )
            self.admin.execute(sql.SQL("insert into {} select * from {}").format(copy, original))
            self.admin.execute(
                sql.SQL(
                    "create trigger zz_replay_capture after insert or update or delete on {} "
                    "for each row execute function {}.capture()"
                ).format(original, sql.Identifier(SCHEMA))
            )
        self.admin.execute("vacuum analyze")

    def stop(self) -> list[Transaction]:
        """Drop the triggers; the recorded transactions, in order, as statements on the copies."""
        for schema, table in self.tables:
            self.admin.execute(sql.SQL("drop trigger zz_replay_capture on {}").format(sql.Identifier(schema, table)))
        writes: list[tuple[int, str, str | None, Statement]] = []
        for (table,) in self.admin.execute(f"select distinct tbl from {SCHEMA}.writes").fetchall():
            writes += self._statements(table)
        writes.sort(key=lambda w: w[0])
        transactions: dict[str, Transaction] = {}
        for _, xid, task, statement in writes:
            tx = transactions.setdefault(xid, Transaction(None, []))
            tx.task = tx.task or task
            tx.statements.append(statement)
        return list(transactions.values())

    def _statements(self, table: str) -> list[tuple[int, str, str | None, Statement]]:
        """Every write to one table: (seq, xid, task_id, the statement on the copy)."""
        schema, name = table.split(".")
        columns = self.admin.execute(COLUMNS, (table,)).fetchall()
        names = [c[0] for c in columns]
        types = {c[0]: c[1] for c in columns}
        key = [c[0] for c in columns if c[2]]
        copy = copy_of(schema, name)
        values = sql.SQL(", ").join(sql.SQL("%s::{}").format(sql.SQL(types[c])) for c in names)
        select = sql.SQL(
            "select w.seq, w.xid::text, w.op, w.changed, w.new ->> 'task_id', {} from {}.writes w "
            "cross join lateral jsonb_populate_record(null::{}, w.new) r where w.tbl = %s"
        ).format(
            sql.SQL(", ").join(sql.SQL("r.{}::text").format(sql.Identifier(c)) for c in names),
            sql.Identifier(SCHEMA),
            sql.Identifier(schema, name),
        )
        insert = sql.SQL("insert into {} ({}) values ({})").format(
            copy, sql.SQL(", ").join(map(sql.Identifier, names)), values
        )
        where = sql.SQL(" and ").join(sql.SQL("{} = %s::{}").format(sql.Identifier(c), sql.SQL(types[c])) for c in key)
        queries = {
            "I": insert.as_bytes(self.admin),
            "D": sql.SQL("delete from {} where {}").format(copy, where).as_bytes(self.admin),
        }
        out = []
        for seq, xid, op, changed, task, *row in self.admin.execute(select, (table,)).fetchall():
            value = dict(zip(names, row, strict=True))
            keys = [value[c] for c in key]
            if op == "I":
                statement = Statement(queries["I"], list(row))
            elif op == "D":
                statement = Statement(queries["D"], keys)
            else:  # an update of nothing still writes a row version: set the first column to itself
                cols = [c for c in names if c in (changed or [])] or names[:1]
                update = ",".join(cols)
                if update not in queries:
                    sets = sql.SQL(", ").join(
                        sql.SQL("{} = %s::{}").format(sql.Identifier(c), sql.SQL(types[c])) for c in cols
                    )
                    queries[update] = (
                        sql.SQL("update {} set {} where {}").format(copy, sets, where).as_bytes(self.admin)
                    )
                statement = Statement(queries[update], [value[c] for c in cols] + keys)
            out.append((int(seq), str(xid), task, statement))
        return out


def by_task(transactions: list[Transaction]) -> list[list[Transaction]]:
    """The transactions grouped by the task they write, in the order the tasks first appear; a
    transaction that names no task goes with the one before it."""
    tasks: dict[str, list[Transaction]] = defaultdict(list)
    current = None
    for tx in transactions:
        current = tx.task or current
        tasks[current or ""].append(tx)
    return list(tasks.values())


def replay(conn: Conn, tasks: list[list[Transaction]]) -> float:
    """Send the tasks' statements, one round trip each, a commit per recorded transaction; seconds."""
    started = time.perf_counter()
    with conn.cursor() as cur:
        for task in tasks:
            for tx in task:
                for statement in tx.statements:
                    cur.execute(statement.query, statement.params)
                conn.commit()
    return time.perf_counter() - started
