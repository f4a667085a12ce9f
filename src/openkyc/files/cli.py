"""`openkyc storage sweep`: remove stored bytes that no record refers to."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click


@click.group()
def storage() -> None:
    """The stored file bytes (local folder or S3 bucket)."""


@storage.command("sweep")
@click.option("--dry-run", is_flag=True, help="List the orphans; remove nothing.")
@click.option(
    "--grace-seconds",
    type=click.FloatRange(min=600),
    help="Leave objects written less than this long ago "
    "[OPENKYC_STORAGE_SWEEP_GRACE_SECONDS, default one day].",
)
@click.option("--data-dir", type=click.Path(path_type=Path), help="Folder of the embedded mode.")
def sweep(dry_run: bool, grace_seconds: float | None, data_dir: Path | None) -> None:
    """Remove the stored objects that no file or liveness check refers to (bytes a crash
    left behind), once older than the grace age; print each one and the total."""
    from openkyc.config import settings_with
    from openkyc.db.session import Database
    from openkyc.flows.files import sweep_orphan_bytes
    from openkyc.storage import storage_from_url

    settings = settings_with(data_dir=data_dir)
    grace = timedelta(seconds=grace_seconds or settings.storage_sweep_grace_seconds)
    database = Database.from_url(settings.resolved_database_url)
    stored = storage_from_url(settings.resolved_storage_url, settings.s3_options)
    try:
        with database.sessionmaker() as session:
            swept = sweep_orphan_bytes(session, stored, grace, dry_run=dry_run)
    finally:
        database.dispose()
    verb = "would remove" if dry_run else "removed"
    for orphan in swept.orphans:
        click.echo(f"{verb} {orphan.key} ({orphan.size} bytes, written {orphan.modified:%c})")
    click.echo(
        f"{verb} {len(swept.orphans)} of {swept.listed} stored objects "
        f"({swept.orphan_bytes} bytes): no record refers to them"
    )
