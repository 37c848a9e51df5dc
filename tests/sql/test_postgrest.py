"""The SQL API called the way PostgREST (and Supabase) calls it: SET LOCAL ROLE authenticated,
request.jwt.claims set, no aicrm.tenant_id, and functions called with named arguments built from
the JSON body. The tenant comes from the claim tenant_id or app_metadata.tenant_id."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb

from tests.factories import World
from tests.helpers import act_as, as_postgrest, sql_error


def claims(persona: str, world: World, where: str = "tenant_id") -> dict[str, Any]:
    tenant = world.tenant_of(persona)
    if where == "app_metadata":
        return {"sub": persona, "role": "authenticated", "app_metadata": {"tenant_id": tenant}}
    return {"sub": persona, "role": "authenticated", "tenant_id": tenant}


def rpc_statement(conn: psycopg.Connection[Any], function: str, arg_types: dict[str, str]) -> str:
    """POST /rpc/<function> as PostgREST 12 builds it: the JSON body is one parameter, unpacked by
    json_to_record into typed columns, and the function is called with named arguments."""
    columns = sql.SQL(", ").join(sql.Identifier(name) for name in arg_types)
    record = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(type_name)) for name, type_name in arg_types.items()
    )
    arguments = sql.SQL(", ").join(
        sql.SQL("{} := pgrst_args.{}").format(sql.Identifier(name), sql.Identifier(name)) for name in arg_types
    )
    return (
        sql.SQL(
            "with pgrst_source as (select pgrst_call.pgrst_scalar from (select %s::json as json_data) pgrst_payload, "
            "lateral (select {columns} from json_to_record(pgrst_payload.json_data) as _({record}) limit 1) "
            "pgrst_args, "
            "lateral (select {function}({arguments}) pgrst_scalar) pgrst_call) "
            "select coalesce(json_agg(_postgrest_t.pgrst_scalar) -> 0, 'null') as body "
            "from (select pgrst_source.pgrst_scalar from pgrst_source) _postgrest_t"
        )
        .format(
            columns=columns,
            record=record,
            function=sql.Identifier("aicrm", function),
            arguments=arguments,
        )
        .as_string(conn)
    )


UPSERT_PROFILE = {"p_profile": "jsonb", "p_customer_id": "uuid"}
GET_CONTEXT = {"p_customer_id": "uuid", "p_context_version": "integer"}


def rpc(conn: psycopg.Connection[Any], function: str, arg_types: dict[str, str], body: dict[str, Any]) -> Any:
    row = conn.execute(rpc_statement(conn, function, arg_types), (json.dumps(body),)).fetchone()
    assert row is not None
    return row[0]


def test_the_api_roles_map_onto_ours(db: psycopg.Connection[Any]) -> None:
    row = db.execute(
        "select pg_has_role('authenticated', 'aicrm_app', 'member'),"
        " pg_has_role('service_role', 'aicrm_worker', 'member'),"
        " pg_has_role('authenticated', 'aicrm_worker', 'member'),"
        " pg_has_role('service_role', 'aicrm_app', 'member')"
    ).fetchone()
    assert row == (True, True, False, False)


def test_anon_may_call_nothing(db: psycopg.Connection[Any]) -> None:
    assert db.execute("select from pg_roles where rolname = 'anon'").fetchone() is not None
    granted = db.execute(
        "select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
        "where n.nspname in ('aicrm', 'aicrm_private') and has_function_privilege('anon', p.oid, 'execute')"
    ).fetchall()
    assert granted == []
    readable = db.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname in ('aicrm', 'aicrm_private') and c.relkind in ('r', 'v') "
        "and has_table_privilege('anon', c.oid, 'select')"
    ).fetchall()
    assert readable == []


def test_claim_tenant_id_selects_the_tenant(db: psycopg.Connection[Any], world: World) -> None:
    with as_postgrest(db, claims("alice", world)):
        created = rpc(
            db,
            "upsert_business_profile",
            {"p_profile": "jsonb"},
            {"p_profile": {"name": "Via API", "industry_category": "retail"}},
        )
        customer = created["customer_id"]
        assert created["created"] is True
        doc = rpc(db, "get_customer_context_for_ai", {"p_customer_id": "uuid"}, {"p_customer_id": customer})
        assert doc["customer"]["name"] == "Via API"
    row = db.execute(
        "select c.tenant_id::text, a.actor_role, a.actor_sub from aicrm.customers c "
        "join aicrm.audit_log a on a.row_key = jsonb_build_object('customer_id', c.customer_id) "
        "where c.customer_id = %s and a.operation = 'insert'",
        (customer,),
    ).fetchone()
    assert row == (world.tenant_a, "authenticated", "alice")


def test_claim_app_metadata_tenant_id_selects_the_tenant(db: psycopg.Connection[Any], world: World) -> None:
    with as_postgrest(db, claims("bob", world, "app_metadata")):
        doc = rpc(db, "get_customer_context_for_ai", GET_CONTEXT, {"p_customer_id": world.customer_a})
        names = [r[0] for r in db.execute("select name from aicrm.customers").fetchall()]
    assert doc["customer"]["customer_id"] == world.customer_a
    assert names == ["Alpha Bakery"]


def test_named_arguments_as_postgrest_sends_them(db: psycopg.Connection[Any], world: World) -> None:
    with as_postgrest(db, claims("alice", world)):
        row = db.execute(
            "select aicrm.upsert_business_profile(p_profile := %s, p_customer_id := %s)",
            (Jsonb({"business_description": "Bread."}), world.customer_a),
        ).fetchone()
        assert row is not None
        assert (row[0]["changed"], row[0]["context_version"]) == (True, 2)
        # Arguments may come in any order, and the optional one may be left out.
        updated = rpc(
            db,
            "upsert_business_profile",
            {"p_customer_id": "uuid", "p_profile": "jsonb"},
            {"p_customer_id": world.customer_a, "p_profile": {"brand_voice": {"tone": ["warm"]}}},
        )
        assert updated["context_version"] == 3
        old = rpc(
            db, "get_customer_context_for_ai", GET_CONTEXT, {"p_customer_id": world.customer_a, "p_context_version": 1}
        )
        assert (old["context_version"], old["context_is_current"]) == (1, False)
        err = sql_error(
            db,
            rpc_statement(db, "upsert_business_profile", UPSERT_PROFILE),
            (json.dumps({"p_customer_id": world.customer_a, "p_profile": {"brand_voice": {"tone": "warm"}}}),),
        )
    assert err.sqlstate == "AC001"
    assert err.diag.column_name == "brand_voice.tone"


@pytest.mark.parametrize(
    "request_claims",
    [
        pytest.param({"sub": "alice", "role": "authenticated"}, id="no-tenant-claim"),
        pytest.param({"sub": "alice", "tenant_id": ""}, id="empty-tenant-claim"),
        pytest.param({}, id="no-claims"),
    ],
)
def test_no_tenant_claim_is_refused(db: psycopg.Connection[Any], world: World, request_claims: dict[str, Any]) -> None:
    with as_postgrest(db, request_claims):
        for statement, body in (
            (rpc_statement(db, "get_customer_context_for_ai", GET_CONTEXT), {"p_customer_id": world.customer_a}),
            (
                rpc_statement(db, "upsert_business_profile", UPSERT_PROFILE),
                {"p_profile": {"name": "X", "industry_category": "retail"}},
            ),
        ):
            err = sql_error(db, statement, (json.dumps(body),))
            assert err.sqlstate == "AC003"
            assert (err.diag.message_primary or "").startswith("tenant_id:")
        assert db.execute("select count(*) from aicrm.customers").fetchone() == (0,)


@pytest.mark.parametrize(
    "request_claims",
    [
        pytest.param({"sub": "alice", "tenant_id": "tenant-a"}, id="not-a-uuid"),
        pytest.param({"sub": "alice", "tenant_id": 42}, id="a-number"),
        pytest.param({"sub": "alice", "app_metadata": {"tenant_id": "A"}}, id="app-metadata"),
    ],
)
def test_a_malformed_tenant_claim_is_refused(
    db: psycopg.Connection[Any], world: World, request_claims: dict[str, Any]
) -> None:
    with as_postgrest(db, request_claims):
        err = sql_error(
            db,
            rpc_statement(db, "get_customer_context_for_ai", GET_CONTEXT),
            (json.dumps({"p_customer_id": world.customer_a}),),
        )
        assert err.sqlstate == "AC004"
        assert (err.diag.message_primary or "").startswith("tenant_id:")
        # Row-level security refuses the same way, rather than showing nothing or everything.
        assert sql_error(db, "select count(*) from aicrm.customers").sqlstate == "AC004"


def test_charlie_cannot_reach_alices_customer(db: psycopg.Connection[Any], world: World) -> None:
    before = db.execute(
        "select to_jsonb(c) from aicrm.customers c where customer_id = %s", (world.customer_a,)
    ).fetchone()
    with as_postgrest(db, claims("charlie", world)):
        err = sql_error(
            db,
            rpc_statement(db, "get_customer_context_for_ai", GET_CONTEXT),
            (json.dumps({"p_customer_id": world.customer_a}),),
        )
        assert (err.sqlstate, err.diag.column_name) == ("AC002", "customer_id")
        err = sql_error(
            db,
            rpc_statement(db, "upsert_business_profile", UPSERT_PROFILE),
            (json.dumps({"p_customer_id": world.customer_a, "p_profile": {"name": "Taken over"}}),),
        )
        assert (err.sqlstate, err.diag.column_name) == ("AC002", "customer_id")
        assert db.execute(
            "select count(*) from aicrm.customers where customer_id = %s", (world.customer_a,)
        ).fetchone() == (0,)
        # Alice's external_id means nothing in tenant B: charlie gets a customer of his own.
        mine = rpc(
            db,
            "upsert_business_profile",
            {"p_profile": "jsonb"},
            {"p_profile": {"external_id": "ext-Alpha Bakery", "name": "Taken over", "industry_category": "retail"}},
        )
        assert mine["created"] is True
    after = db.execute(
        "select to_jsonb(c) from aicrm.customers c where customer_id = %s", (world.customer_a,)
    ).fetchone()
    assert after == before


def test_service_role_reads_like_the_worker(db: psycopg.Connection[Any], world: World) -> None:
    with as_postgrest(db, {"role": "service_role", "tenant_id": world.tenant_a}, role="service_role"):
        doc = rpc(db, "get_customer_context_for_ai", GET_CONTEXT, {"p_customer_id": world.customer_a})
        assert doc["customer"]["customer_id"] == world.customer_a
        err = sql_error(
            db,
            rpc_statement(db, "upsert_business_profile", UPSERT_PROFILE),
            (json.dumps({"p_customer_id": world.customer_a, "p_profile": {"name": "X"}}),),
        )
    assert err.sqlstate == "42501"
    with act_as(db, world.tenant_a, "aicrm_worker"):
        assert doc == {
            **rpc(db, "get_customer_context_for_ai", GET_CONTEXT, {"p_customer_id": world.customer_a}),
            "generated_at": doc["generated_at"],
        }
