"""One small exception hierarchy for everything the database refuses.

aicrm's own SQLSTATEs (class AC, listed in docs/sql-api.md) and the few PostgreSQL ones a user can
cause map onto these; the CLI prints them as one line and exits non-zero.
"""

from __future__ import annotations

import psycopg


class AicrmError(Exception):
    """Base of every error the runner reports to a user."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        sqlstate: str | None = None,
        field: str | None = None,
        detail: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.sqlstate = sqlstate
        self.field = field
        self.detail = detail
        self.hint = hint

    def one_line(self) -> str:
        parts = [self.message]
        if self.hint:
            parts.append(f"hint: {self.hint}")
        return " | ".join(parts)


class InvalidInput(AicrmError):
    """AC001 (and AC010/AC011, a refused rule), PostgreSQL's data exceptions and check violations."""

    exit_code = 2


class NotFound(AicrmError):
    """AC002: the thing does not exist in this tenant."""

    exit_code = 3


class TenantRequired(AicrmError):
    """AC003/AC004: no tenant, or a malformed one, for a tenant-scoped call."""

    exit_code = 2


class Conflict(AicrmError):
    """AC005 and unique violations: the write clashes with existing data."""

    exit_code = 4


class PermissionDenied(AicrmError):
    """AC006 and insufficient privilege (including row-level security refusals)."""

    exit_code = 5


class DatabaseUnavailable(AicrmError):
    """The database cannot be reached or is not migrated."""

    exit_code = 6


class ConfigurationError(AicrmError):
    """A local setting (file, flag, environment variable) is wrong."""

    exit_code = 2


class ProviderError(AicrmError):
    """An outside service (an embeddings endpoint, a local model) failed or answered wrongly, after the
    client's own retries. Nothing of the failed batch was written; running the command again resumes."""

    exit_code = 8


_BY_SQLSTATE: dict[str, type[AicrmError]] = {
    "AC001": InvalidInput,
    "AC002": NotFound,
    "AC003": TenantRequired,
    "AC004": TenantRequired,
    "AC005": Conflict,
    "AC006": PermissionDenied,
    "AC010": InvalidInput,
    "AC011": InvalidInput,
    "23505": Conflict,
    "23503": InvalidInput,
    "23502": InvalidInput,
    "23514": InvalidInput,
    "22P02": InvalidInput,
    "22023": InvalidInput,
    "42501": PermissionDenied,
    "3F000": DatabaseUnavailable,  # invalid_schema_name: not migrated yet
    "42883": DatabaseUnavailable,  # undefined_function: not migrated yet
}


def from_psycopg(exc: psycopg.Error) -> AicrmError:
    """Translate a psycopg error into the runner's hierarchy, keeping field, detail and hint."""
    diag = exc.diag
    sqlstate = exc.sqlstate
    if isinstance(exc, psycopg.OperationalError) and sqlstate is None:
        return DatabaseUnavailable(f"database unavailable: {str(exc).strip()}")
    cls = _BY_SQLSTATE.get(sqlstate or "", AicrmError)
    if cls is AicrmError and sqlstate and sqlstate.startswith("22"):
        cls = InvalidInput
    message = diag.message_primary or str(exc).strip()
    if cls is DatabaseUnavailable:
        message = f"{message} (is the database migrated? run: aicrm migrate)"
    return cls(
        message,
        sqlstate=sqlstate,
        field=diag.column_name,
        detail=diag.message_detail,
        hint=diag.message_hint,
    )
