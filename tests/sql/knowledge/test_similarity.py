"""Examples and similarity search: the hashing embedder computed in SQL, search always within the
tenant, filtered results equal to an exact scan's top k on both plans (exact and HNSW), k rows
whenever k exist, the runner embedders' pending rows, bad input, and the context for AI."""

from __future__ import annotations

import random
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import make_customer, make_tenant
from tests.helpers import act_as, sql_error

# fmt: off
WORDS = ["sourdough", "croissant", "bakery", "bread", "oven", "fresh", "organic", "flour", "morning", "pastry",
         "gym", "class", "coach", "workout", "strength", "cardio", "membership", "dental", "smile", "cleaning",
         "checkup", "plumber", "leak", "repair", "boiler", "estimate", "garage", "brake", "tyre", "service",
         "listing", "home", "buyer", "mortgage", "open", "house", "advisor", "savings", "plan", "retirement",
         "store", "sale", "shoes", "spring", "collection", "weekend", "discount", "event", "workshop", "review"]
# fmt: on
CHANNELS = ("email", "sms", "social")
PURPOSES = ("welcome", "promotion", "event")


@pytest.fixture
def tenant(db: psycopg.Connection[Any], tenant: str) -> str:
    """The shared tenant without the library's examples, so every count below is exact."""
    with act_as(db, tenant):
        db.execute("delete from aicrm.content_examples where library_key is not null")
    return tenant


def text(rng: random.Random, n: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + "."


def add_examples(conn: psycopg.Connection[Any], tenant: str, n: int, seed: int, **fixed: Any) -> None:
    rng = random.Random(seed)
    rows = [
        (
            fixed.get("content") or text(rng),
            fixed.get("channel") or rng.choice(CHANNELS),
            fixed.get("purpose") or rng.choice(PURPOSES),
            fixed.get("polarity") or rng.choice(("positive", "negative")),
        )
        for _ in range(n)
    ]
    with act_as(conn, tenant), conn.cursor() as cur:
        cur.executemany(
            "insert into aicrm.content_examples (content, channel, purpose, polarity) values (%s, %s, %s, %s)", rows
        )


def search(conn: psycopg.Connection[Any], tenant: str, query: str, k: int = 5, **filters: Any) -> list[Any]:
    with act_as(conn, tenant):
        return conn.execute(
            "select example_id, content, similarity, search_plan, tenant_id_seen from ("
            "  select s.*, (select e.tenant_id from aicrm.content_examples e where e.example_id = s.example_id)"
            "  as tenant_id_seen from aicrm.find_similar_content(%s, %s, %s) s) x",
            (query, k, Jsonb(filters)),
        ).fetchall()


def exact(conn: psycopg.Connection[Any], tenant: str, query: str, k: int, **filters: Any) -> list[Any]:
    """The reference: every row of the tenant that passes the filters, by distance (as superuser)."""
    clauses = "".join(f" and {column} = %({column})s" for column in filters)
    return conn.execute(
        "select example_id from aicrm.content_examples where tenant_id = %(tenant)s and embedding is not null"
        f"{clauses} order by (embedding operator(extensions.<=>) aicrm_private.embed_hashing(%(query)s)) + 0, "
        "example_id limit %(k)s",
        {"tenant": tenant, "query": query, "k": k, **filters},
    ).fetchall()


def test_the_hashing_embedder(db: psycopg.Connection[Any]) -> None:
    row = db.execute(
        "select extensions.vector_dims(a), extensions.l2_norm(a)::numeric(6, 4), a::text = b::text, "
        "1 - (a operator(extensions.<=>) c), 1 - (a operator(extensions.<=>) d), "
        "aicrm_private.embed_hashing('!!! ...') "
        "from (select aicrm_private.embed_hashing('Fresh sourdough bread every morning') a, "
        "aicrm_private.embed_hashing('Fresh sourdough bread every morning') b, "
        "aicrm_private.embed_hashing('our sourdough loaves are fresh each morning') c, "
        "aicrm_private.embed_hashing('Book a brake service for your car') d) x"
    ).fetchone()
    assert row is not None
    dims, norm, deterministic, related, unrelated, empty = row
    assert (dims, deterministic) == (384, True)
    assert float(norm) == pytest.approx(1.0, abs=1e-3)  # L2-normalised (halfvec keeps ~3 digits)
    assert related > 0.3 > unrelated
    assert empty is None  # no words: nothing to embed, never a zero vector


def test_examples_are_embedded_when_written_by_any_client(db: psycopg.Connection[Any], tenant: str) -> None:
    add_examples(db, tenant, 1, seed=1, content="Fresh croissants from our oven every morning.")
    with act_as(db, tenant):
        row = db.execute(
            "select embedding is not null, embedding_model, embedded_at is not null from aicrm.content_examples "
            "where content like 'Fresh croissants%'"
        ).fetchone()
        assert row == (True, "aicrm-hashing-v1", True)
        query = "select embedding::text from aicrm.content_examples where content like %s"
        before = db.execute(query, ("Fresh%",)).fetchone()
        db.execute("update aicrm.content_examples set content = 'Strength at dawn.' where content like 'Fresh%'")
        after = db.execute(query, ("Strength%",)).fetchone()
    assert before != after


def test_most_similar_first_and_never_another_tenants(db: psycopg.Connection[Any], tenant: str) -> None:
    other = make_tenant(db, "Agency B")
    add_examples(db, tenant, 40, seed=2)
    add_examples(db, tenant, 1, seed=3, content="Pumpkin sourdough is back at the bakery this autumn.")
    # Tenant B holds the exact query text: the best match anywhere, and invisible to tenant A.
    add_examples(db, other, 1, seed=4, content="pumpkin sourdough bakery autumn")
    results = search(db, tenant, "pumpkin sourdough bakery autumn", k=5)
    assert len(results) == 5
    assert results[0][1] == "Pumpkin sourdough is back at the bakery this autumn."
    assert {str(r[4]) for r in results} == {tenant}
    similarities = [r[2] for r in results]
    assert similarities == sorted(similarities, reverse=True)
    theirs = search(db, other, "pumpkin sourdough bakery autumn", k=5)
    assert theirs[0][1] == "pumpkin sourdough bakery autumn"
    assert theirs[0][2] == pytest.approx(1.0, abs=1e-3)
    assert {str(r[4]) for r in theirs} == {other}


@pytest.mark.parametrize("plan", ["exact", "hnsw"])
@pytest.mark.parametrize(
    "filters",
    [{}, {"channel": "sms"}, {"channel": "email", "purpose": "event"}, {"polarity": "negative", "purpose": "welcome"}],
)
def test_filtered_results_match_an_exact_scan(
    db: psycopg.Connection[Any], tenant: str, plan: str, filters: dict[str, str]
) -> None:
    other = make_tenant(db, "Agency B")
    add_examples(db, tenant, 150, seed=5)
    add_examples(db, other, 600, seed=6)  # most of the index belongs to someone else
    # The HNSW plan is taken when more candidates pass the filters than the exact maximum.
    db.execute("select set_config('aicrm.similarity_exact_max', %s, true)", ("1" if plan == "hnsw" else "20000",))
    rng = random.Random(7)
    for _ in range(5):
        query = text(rng, 6)
        got = search(db, tenant, query, 10, **filters)
        assert {r[3] for r in got} == {plan}
        assert [r[0] for r in got] == [r[0] for r in exact(db, tenant, query, 10, **filters)]


def test_k_rows_whenever_k_exist(db: psycopg.Connection[Any], tenant: str) -> None:
    other = make_tenant(db, "Agency B")
    add_examples(db, other, 800, seed=8)
    add_examples(db, tenant, 12, seed=9)
    db.execute("select set_config('aicrm.similarity_exact_max', '2', true)")
    assert len(search(db, tenant, "fresh bread and coffee", k=12)) == 12
    assert len(search(db, tenant, "fresh bread and coffee", k=50)) == 12
    assert len(search(db, tenant, "fresh bread and coffee", k=5, channel="web")) == 0


def test_search_by_embedding_and_runner_embedders(db: psycopg.Connection[Any], tenant: str) -> None:
    add_examples(db, tenant, 5, seed=10)
    with act_as(db, tenant):
        row = db.execute(
            "select count(*) from aicrm.find_similar_content_by_embedding("
            "aicrm_private.embed_hashing('fresh bread'), 3)"
        ).fetchone()
        assert row == (3,)
    # With a runner embedder (openai, minilm) new and changed texts wait for the worker.
    db.execute("update aicrm.embedding_config set provider = 'openai', model = 'text-embedding-3-small'")
    add_examples(db, tenant, 1, seed=11, content="A new example for the worker to embed.")
    with act_as(db, tenant, "aicrm_worker"):
        pending = db.execute("select example_id from aicrm.content_examples where embedding is null").fetchall()
        assert len(pending) == 1
        vector = "[" + ",".join(["0.05"] * 384) + "]"
        db.execute(
            "update aicrm.content_examples set embedding = %s::extensions.halfvec, "
            "embedding_model = 'text-embedding-3-small', embedded_at = now() where example_id = %s",
            (vector, pending[0][0]),
        )
        err = sql_error(db, "update aicrm.content_examples set content = 'x' where example_id = %s", (pending[0][0],))
        assert err.sqlstate == "42501"  # the worker writes embeddings, nothing else
        err = sql_error(db, "select * from aicrm.find_similar_content('fresh bread')")
        assert (err.sqlstate, err.diag.column_name) == ("AC001", "query")
        row = db.execute(
            "select count(*) from aicrm.find_similar_content_by_embedding(%s::extensions.halfvec, 10)", (vector,)
        ).fetchone()
    assert row == (1,)  # only embeddings of the configured model are compared with the query


@pytest.mark.parametrize(
    ("query", "k", "filters", "column"),
    [
        ("", 5, {}, "query"),
        ("bread", 0, {}, "k"),
        ("bread", 101, {}, "k"),
        ("bread", 5, {"colour": "red"}, "filters.colour"),
        ("bread", 5, {"channel": "fax"}, "filters.channel"),
        ("bread", 5, {"customer_id": "nope"}, "filters.customer_id"),
    ],
)
def test_bad_input(
    db: psycopg.Connection[Any], tenant: str, query: str, k: int, filters: dict[str, Any], column: str
) -> None:
    with act_as(db, tenant):
        err = sql_error(db, "select * from aicrm.find_similar_content(%s, %s, %s)", (query, k, Jsonb(filters)))
    assert err.sqlstate == "AC001"
    assert err.diag.column_name == column


def test_wrong_dimensions_are_refused(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        err = sql_error(db, "select * from aicrm.find_similar_content_by_embedding('[1,2,3]'::extensions.halfvec)")
    assert (err.sqlstate, err.diag.column_name) == ("AC001", "embedding")


def test_context_for_ai_carries_similar_positive_and_negative_examples(
    db: psycopg.Connection[Any], tenant: str
) -> None:
    bakery = make_customer(db, tenant, name="Sunrise Bakery", business_description="Sourdough and croissants.")
    gym = make_customer(db, tenant, name="Iron Peak Gym", industry_category="fitness", industry_subcategory="gym")
    with act_as(db, tenant):
        db.execute(
            "insert into aicrm.content_examples (customer_id, purpose, channel, content, polarity, annotations) values "
            "(%s, 'promotion', 'email', 'Our sourdough is back, order ahead.', 'positive', %s), "
            "(%s, 'promotion', 'email', 'Sourdough for the gym crowd.', 'positive', '[]'), "
            "(null, 'promotion', 'email', 'BUY SOURDOUGH NOW!!!', 'negative', %s)",
            (
                bakery,
                Jsonb([{"aspect": "cta", "note": "A clear, specific call to action."}]),
                gym,
                Jsonb([{"aspect": "tone", "note": "Shouting reads as spam."}]),
            ),
        )
        row = db.execute(
            "select aicrm.get_customer_context_for_ai(%s, p_channel => 'email', p_purpose => 'promotion', "
            "p_topic => 'sourdough')",
            (bakery,),
        ).fetchone()
    assert row is not None
    examples = row[0]["examples"]
    positive = [e["content"] for e in examples["positive"]]
    assert positive[0] == "Our sourdough is back, order ahead."
    assert "Sourdough for the gym crowd." not in positive  # another customer's own example
    assert examples["positive"][0]["annotations"] == [{"aspect": "cta", "note": "A clear, specific call to action."}]
    assert examples["negative"][0]["content"] == "BUY SOURDOUGH NOW!!!"
