"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, select
from sqlalchemy.exc import SAWarning

from openkyc.aml import flows
from openkyc.customers import service as customers
from openkyc.customers.schemas import CustomerIn
from openkyc.db.base import Base
from openkyc.db.migrate import alembic_config
from openkyc.db.models import AmlCheck, AmlListKey
from openkyc.db.session import Database, make_engine
from openkyc.timeline.authors import SYSTEM
from openkyc.wire import Links
from tests.conftest import POSTGRES_URL
from tests.fixtures import watchlists
from tests.fixtures.live import fresh_database_url
from tests.fixtures.payloads import customer_body
from tests.fixtures.tenants import make_tenant

LINKS = Links("http://openkyc.test")


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


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_lists_loaded_before_pair_keys_get_theirs(tmp_path: Path, backend_name: str) -> None:
    """Going back before the pair keys removes them; coming forward gives every entry loaded
    meanwhile the same pair keys a load writes."""
    with fresh_database_url(backend_name, tmp_path, POSTGRES_URL) as url:
        engine = make_engine(url)
        try:
            database = Database.from_engine(engine)
            watchlists.load(database, watchlists.full_export(tmp_path))
            loaded = _pair_keys(engine)
            assert loaded
            # Before the pairs with a token's first or last three letters, only those go.
            _migrate(engine, command.downgrade, "0023")
            shorter = {(k, e) for k, e in loaded if "<<" not in k and ">>" not in k}
            assert shorter < loaded
            assert _pair_keys(engine) == shorter
            _migrate(engine, command.downgrade, "0017")
            assert _pair_keys(engine) == set()
            _migrate(engine, command.upgrade, "head")
            assert _pair_keys(engine) == loaded
        finally:
            engine.dispose()


def _pair_keys(engine: Engine) -> set[tuple[str, int]]:
    with engine.connect() as connection:
        rows = connection.execute(select(AmlListKey.key, AmlListKey.entry_id))
        return {(key, entry_id) for key, entry_id in rows if key.startswith("p:")}


def _migrate(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        step(config, revision)


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_checks_made_before_inheritance_get_their_person_s_key(
    tmp_path: Path, backend_name: str
) -> None:
    """Coming forward to the inheritance of AML checks, a check made before gets the key of
    the name and birth date it screened (none without a birth date)."""
    with fresh_database_url(backend_name, tmp_path, POSTGRES_URL) as url:
        engine = make_engine(url)
        try:
            database = Database.from_engine(engine)
            tenant = make_tenant(database, "Before inheritance")
            with database.write_sessionmaker() as session:
                for first, dob in (("Ivan", "1970-03-15"), ("Olga", None)):
                    body = customer_body(first=first, last="Petrov", dob=dob)
                    customer = customers.create(
                        session, tenant.organization_id, CustomerIn.model_validate(body), LINKS
                    )
                    flows.customer_saved(session, customer, LINKS, SYSTEM)
                session.commit()
            made = _person_keys(engine)
            assert sorted(k is None for k in made.values()) == [False, True]
            _migrate(engine, command.downgrade, "0022")
            _migrate(engine, command.upgrade, "head")
            assert _person_keys(engine) == made
        finally:
            engine.dispose()


def _person_keys(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as connection:
        return dict(connection.execute(select(AmlCheck.id, AmlCheck.person_key)).all())
