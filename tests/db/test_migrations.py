"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from sqlalchemy.exc import SAWarning

from openkyc.db.base import Base
from tests.conftest import POSTGRES_URL
from tests.fixtures.live import fresh_database_url


# SQLite cannot reflect indexes on expressions (lower(name)); PostgreSQL compares them too.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_the_migrated_database_matches_the_models(engines: dict[str, Engine], backend: str) -> None:
    with engines[backend].connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, Base.metadata) == []


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_migrating_a_new_database_warns_of_nothing(tmp_path: Path, backend_name: str) -> None:
    """The first `openkyc serve` prints no warnings (SQLite cannot reflect expression indexes,
    so no migration may make SQLAlchemy reflect a table that has them)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with fresh_database_url(backend_name, tmp_path, POSTGRES_URL):
            pass
    assert [str(w.message) for w in caught if issubclass(w.category, SAWarning)] == []
