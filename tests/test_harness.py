"""The test harness itself: what lets two checkouts on one machine run their suites side by side."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ROOT, TEST_PGDATA, pgdata_for


def test_each_checkout_has_its_own_test_server(tmp_path: Path) -> None:
    other = pgdata_for(tmp_path / "another-checkout", {})
    assert other != pgdata_for(ROOT, {})
    assert pgdata_for(ROOT, {}) == pgdata_for(ROOT, {})  # the same checkout finds its server again
    # Short enough for the server's Unix socket (.s.PGSQL.5432; sun_path holds 107 bytes).
    assert len(str(other / ".s.PGSQL.5432")) < 100


def test_aicrm_test_pgdata_chooses_another_directory(tmp_path: Path) -> None:
    assert pgdata_for(ROOT, {"AICRM_TEST_PGDATA": str(tmp_path)}) == tmp_path
    assert TEST_PGDATA.is_absolute()
