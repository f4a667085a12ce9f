"""Bring a database to the newest schema with Alembic (never ``create_all``)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "openkyc.db:migrations")
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        upgrade_on(connection, revision)


def upgrade_on(connection: Connection, revision: str = "head") -> None:
    """Migrate within the connection's transaction (it commits, or nothing of it happened)."""
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
