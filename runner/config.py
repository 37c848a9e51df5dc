"""Configuration from the environment. Every variable is listed in the README."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

PACKAGE_ROOT = Path(__file__).resolve().parent


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("aicrm", appauthor=False))


def _default_sql_dir() -> Path:
    # An editable install (make run / make test) runs from the checkout: sql/ sits beside runner/.
    return PACKAGE_ROOT.parent / "sql"


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    data_dir: Path
    database_name: str
    sql_dir: Path
    demo_seed: bool

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
        )
