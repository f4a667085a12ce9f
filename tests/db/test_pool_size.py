"""The PostgreSQL pool each process keeps is the one its settings size
(``OPENKYC_DATABASE_POOL_SIZE`` kept open, ``OPENKYC_DATABASE_MAX_OVERFLOW`` more at peaks)."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import QueuePool, text

from openkyc.config import Settings
from openkyc.db.session import Database
from tests.conftest import POSTGRES_URL


def test_the_pool_keeps_the_configured_connections_and_opens_no_more_than_the_overflow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENKYC_DATABASE_POOL_SIZE", "2")
    monkeypatch.setenv("OPENKYC_DATABASE_MAX_OVERFLOW", "1")
    settings = Settings(data_dir=tmp_path, database_url=POSTGRES_URL)
    database = Database.from_settings(settings)
    try:
        pool = database.engine.pool
        assert isinstance(pool, QueuePool) and pool.size() == 2
        with ExitStack() as held:
            for _ in range(3):
                held.enter_context(database.engine.connect()).execute(text("SELECT 1"))
            assert (pool.checkedout(), pool.overflow()) == (3, 1)
        # At rest the process keeps the pool's size open, the peak's extra one closed.
        assert (pool.checkedout(), pool.checkedin()) == (0, 2)
    finally:
        database.dispose()
