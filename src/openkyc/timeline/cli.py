"""`openkyc audit verify`: check every organization's timeline chain."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def audit() -> None:
    """The audit trail (customers' timelines)."""


@audit.command("verify")
@click.option("--organization", help="Check only this organization's chain.")
@click.option("--data-dir", type=click.Path(path_type=Path), help="Folder of the embedded mode.")
def verify(organization: str | None, data_dir: Path | None) -> None:
    """Walk each organization's hash chain from its first entry; name the first entry that
    does not fit (changed, removed or reordered) and exit with status 1."""
    from openkyc.config import settings_with
    from openkyc.db.session import Database
    from openkyc.timeline import service

    settings = settings_with(data_dir=data_dir)
    database = Database.from_url(settings.resolved_database_url)
    try:
        with database.sessionmaker() as session:
            verdicts = (
                [service.verify(session, organization)]
                if organization
                else service.verify_all(session)
            )
    finally:
        database.dispose()
    broken = [v for v in verdicts if v.broken_at is not None]
    for verdict in verdicts:
        if verdict.broken_at is None:
            click.echo(
                f"{verdict.organization_id}: {verdict.entries} entries, chain intact, "
                f"head {verdict.head}"
            )
        else:
            click.echo(
                f"{verdict.organization_id}: BROKEN at entry {verdict.broken_at} (after "
                f"{verdict.entries} good entries): {verdict.reason}"
            )
    if broken:
        raise SystemExit(1)
