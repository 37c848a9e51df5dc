"""Configuration from the environment. Every variable is listed in the README."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import platformdirs

from runner.errors import ConfigurationError

PACKAGE_ROOT = Path(__file__).resolve().parent
_T = TypeVar("_T", int, float)


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("aicrm", appauthor=False))


def _default_sql_dir() -> Path:
    # An editable install (make run / make test) runs from the checkout: sql/ sits beside runner/.
    # An installed wheel (`pip install .`) carries the same files as runner/sql.
    checkout = PACKAGE_ROOT.parent / "sql"
    return checkout if (checkout / "bootstrap.sql").is_file() else PACKAGE_ROOT / "sql"


def _number(env: Mapping[str, str], name: str, kind: Callable[[str], _T], default: _T, low: _T, high: _T) -> _T:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigurationError(f"{name}: {raw!r} is not a number", hint=f"Set it to {low} to {high}.") from None
    if not low <= value <= high:
        raise ConfigurationError(f"{name}: {raw} is not between {low} and {high}", hint=f"Set it to {low} to {high}.")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    data_dir: Path
    database_name: str
    sql_dir: Path
    demo_seed: bool
    # The runner embedders (docs/embeddings.md): an OpenAI-compatible endpoint (unset: OpenAI's own)
    # and its key, and how long and how often to try a request; requests carry up to batch_size texts.
    embeddings_base_url: str | None = None
    embeddings_api_key: str | None = field(default=None, repr=False)
    embeddings_timeout: float = 30.0
    embeddings_max_retries: int = 3
    embeddings_batch_size: int = 64
    # `aicrm scheduler` (and the one in `aicrm up`): seconds between its looks at what is due.
    scheduler_poll: float = 20.0

    @property
    def embedded(self) -> bool:
        return self.database_url is None

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            database_url=env.get("DATABASE_URL") or None,
            data_dir=Path(env["AICRM_DATA_DIR"]).expanduser() if env.get("AICRM_DATA_DIR") else _default_data_dir(),
            database_name=env.get("AICRM_DB_NAME", "aicrm"),
            sql_dir=Path(env["AICRM_SQL_DIR"]) if env.get("AICRM_SQL_DIR") else _default_sql_dir(),
            demo_seed=env.get("AICRM_DEMO_SEED", "1") not in ("0", "false", "no"),
            embeddings_base_url=env.get("AICRM_EMBEDDINGS_BASE_URL") or None,
            embeddings_api_key=env.get("AICRM_EMBEDDINGS_API_KEY") or env.get("OPENAI_API_KEY") or None,
            embeddings_timeout=_number(env, "AICRM_EMBEDDINGS_TIMEOUT", float, 30.0, 0.01, 3600.0),
            embeddings_max_retries=_number(env, "AICRM_EMBEDDINGS_MAX_RETRIES", int, 3, 0, 100),
            embeddings_batch_size=_number(env, "AICRM_EMBEDDINGS_BATCH_SIZE", int, 64, 1, 2048),
            scheduler_poll=_number(env, "AICRM_SCHEDULER_POLL", float, 20.0, 0.1, 60.0),
        )
