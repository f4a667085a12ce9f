"""`openkyc screening …`: load watchlists, list what is loaded, screen customers again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


class _Bar:
    """A progress bar on the terminal for a load (click's own)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def start(self, total: int) -> None:
        self.bar = click.progressbar(length=max(total, 1), label=self.label, show_pos=True)
        self.bar.__enter__()

    def advance(self, done: int) -> None:
        if self.bar is not None:
            self.bar.update(done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.group()
def screening() -> None:
    """AML watchlists and the screening of customers against them."""


@screening.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="The list's name (e.g. opensanctions-default).")
@click.option(
    "--delta",
    is_flag=True,
    help="The file holds changes (ADD/MOD/DEL) to the source, not all of it: entries it "
    "does not name stay.",
)
@click.option("--no-rescreen", is_flag=True, help="Do not screen affected customers again.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes that read the entities (reading costs more than writing): up to the "
    "cores the machine can spare.",
)
@click.option("--data-dir", type=click.Path(path_type=Path), help="Folder of the embedded mode.")
def load(
    file: Path, source: str, delta: bool, no_rescreen: bool, workers: int, data_dir: Path | None
) -> None:
    """Load a file of FollowTheMoney entities (one JSON object a line) into a named source.

    A full export replaces the source (entries it lacks are removed); with --delta, the
    changes are applied. The customers whose names could match a changed entry are queued
    to be screened again by the workers (ongoing monitoring)."""
    from sqlalchemy.orm import Session

    from openkyc.aml import flows
    from openkyc.aml.lists import service
    from openkyc.aml.lists.entities import EntityFileError
    from openkyc.config import settings_with
    from openkyc.db.migrate import upgrade
    from openkyc.db.session import Database
    from openkyc.errors import OpenKycError

    settings = settings_with(data_dir=data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database.from_settings(settings)
    bar = _Bar(f"Loading {source}")
    try:
        upgrade(database.engine)
        with Session(database.engine) as session:
            try:
                result = service.load(
                    session, file, source, delta=delta, progress=bar, workers=workers
                )
            except (EntityFileError, OpenKycError, UnicodeDecodeError) as error:
                raise click.ClickException(f"{file}: {error}") from error
            finally:
                bar.close()
            queued = None
            if not no_rescreen and result.changed:
                queued = flows.queue_rescreen(session, result.changed_names)
            # The load and the jobs that screen its customers again commit together.
            session.commit()
            click.echo(
                f"{source}: {result.added} added, {result.modified} changed, "
                f"{result.unchanged} unchanged, {result.removed} removed"
            )
            if queued is not None:
                click.echo(
                    f"{queued.customers} customers a change could match will be screened "
                    f"again by the workers ({queued.jobs} jobs queued)"
                )
    finally:
        database.dispose()


@screening.command("sources")
@click.option("--data-dir", type=click.Path(path_type=Path), help="Folder of the embedded mode.")
def sources(data_dir: Path | None) -> None:
    """The sources loaded and how many entries each holds."""
    from sqlalchemy.orm import Session

    from openkyc.aml.lists import service
    from openkyc.config import settings_with
    from openkyc.db.migrate import upgrade
    from openkyc.db.session import Database

    database = Database.from_settings(settings_with(data_dir=data_dir))
    try:
        upgrade(database.engine)
        with Session(database.engine) as session:
            for name, count in service.sources(session):
                click.echo(f"{name}\t{count}")
    finally:
        database.dispose()
