"""The ``openkyc`` command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from openkyc.config import Settings, settings_with
from openkyc.logs import configure_logging


@click.group()
@click.version_option(package_name="openkyc")
def main() -> None:
    """openkyc: a self-hostable KYC service that speaks Rebilly's KYC API."""


def _prepare(settings: Settings) -> None:
    """Migrate the database and make sure an organization and key exist; print how to call."""
    from sqlalchemy.orm import Session

    from openkyc.db import locks
    from openkyc.db.migrate import upgrade_on
    from openkyc.db.session import Database
    from openkyc.organizations.service import bootstrap
    from openkyc.sealing import Sealer
    from openkyc.webhooks.service import seal_stored_secrets

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database.from_settings(settings)
    try:
        # One transaction under a lock: processes started together (a deploy) take turns, the
        # first migrates and bootstraps, the others find it done.
        with database.engine.begin() as connection:
            locks.wait_for_transaction(connection, "prepare")
            upgrade_on(connection)
            with Session(bind=connection, expire_on_commit=False) as session:
                result = bootstrap(session, settings)
                sealed = seal_stored_secrets(
                    session, Sealer(settings.resolved_secret_key, settings.previous_secret_keys)
                )
                session.flush()
    finally:
        database.dispose()
    base_url = settings.public_url or f"http://{settings.host}:{settings.port}"
    click.echo(f"openkyc is serving at {base_url}  (API docs: {base_url}/docs)")
    if sealed:
        click.echo(
            f"Sealed {sealed} webhook secrets and passwords under the current secret key "
            "(stored plain by an earlier version or sealed under a previous key)."
        )
    if result.organization is not None and (result.organization_created or result.api_key_created):
        click.echo(f"Organization id: {result.organization.id}")
    if result.api_key_created and result.api_key_secret:
        click.echo(f"Secret API key:  {result.api_key_secret}   (shown once: keep it safe)")
        click.echo(f"Try: curl -H 'REB-APIKEY: {result.api_key_secret}' {base_url}/customers")


# `openkyc serve --no-worker`: every kind of background work is left to `openkyc worker`.
API_ONLY: dict[str, Any] = {
    "embedded_worker": False,
    "expiry_interval_seconds": 0.0,
    "retention_interval_seconds": 0.0,
    "storage_sweep_interval_seconds": 0.0,
}


def _refuse_misconfigured_background(settings: Settings, runs_background: bool) -> None:
    problem = settings.background_problem() if runs_background else None
    if problem:
        raise click.ClickException(problem)


@main.command()
@click.option("--host", help="Interface to listen on [OPENKYC_HOST, default 127.0.0.1].")
@click.option("--port", type=int, help="Port to listen on [OPENKYC_PORT, default 8000].")
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    help="Folder for the database and files [OPENKYC_DATA_DIR, default ./openkyc-data].",
)
@click.option(
    "--no-worker",
    is_flag=True,
    help="Serve the API only: no analysis, webhook deliveries, expiry or retention here "
    "(`openkyc worker` processes do them).",
)
def serve(host: str | None, port: int | None, data_dir: Path | None, no_worker: bool) -> None:
    """Run the service (API and background work) in this process."""
    import uvicorn

    from openkyc.web.app import create_app

    settings = settings_with(
        host=host, port=port, data_dir=data_dir, **(API_ONLY if no_worker else {})
    )
    _refuse_misconfigured_background(settings, settings.embedded_worker)
    _prepare(settings)
    configure_logging(settings.log_format, settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        # openkyc logs each request itself, with its id (openkyc.access), in the chosen format.
        log_config=None,
        access_log=False,
        # Forwarded headers are the app's to read, from OPENKYC_TRUSTED_PROXIES only: uvicorn's
        # own default would believe any X-Forwarded-For sent from 127.0.0.1.
        proxy_headers=False,
        forwarded_allow_ips="",
    )


@main.command()
@click.option("--threads", type=int, help="Jobs run at once [OPENKYC_WORKER_THREADS, default 2].")
@click.option(
    "--processes",
    type=int,
    help="Analyser processes, 0 to analyse in the threads [OPENKYC_ANALYSIS_PROCESSES, default 2].",
)
@click.option(
    "--data-dir", type=click.Path(path_type=Path), help="Folder of the files in embedded mode."
)
def worker(threads: int | None, processes: int | None, data_dir: Path | None) -> None:
    """Run the background work (document analysis, webhook deliveries, request expiry)
    without serving HTTP.

    Start any number of workers, on any machines, against the same PostgreSQL database and
    file storage; they share the work. Set OPENKYC_EMBEDDED_WORKER=false on `openkyc serve`
    to leave all of it to them."""
    import signal
    import threading

    from prometheus_client import start_http_server

    from openkyc.background import background
    from openkyc.db.session import Database
    from openkyc.metrics import registry_for
    from openkyc.storage import storage_from_url

    settings = settings_with(
        worker_threads=threads, analysis_processes=processes, data_dir=data_dir
    )
    _refuse_misconfigured_background(settings, True)
    database = Database.from_settings(settings)
    work = background(
        settings, database, storage_from_url(settings.resolved_storage_url, settings.s3_options)
    )
    configure_logging(settings.log_format, settings.log_level)
    if settings.metrics_port:
        start_http_server(settings.metrics_port, settings.host, registry_for(database.sessionmaker))
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    work.start()
    name = work.worker.name if work.worker else ""
    click.echo(f"openkyc worker {name} is running; Ctrl-C stops it")
    stopped.wait()
    work.stop()
    database.dispose()


@main.command()
@click.option(
    "--data-dir", type=click.Path(path_type=Path), help="Folder for the database and files."
)
def migrate(data_dir: Path | None) -> None:
    """Bring the database to the newest schema and create the first organization if none."""
    _prepare(settings_with(data_dir=data_dir))


def _register_analyze() -> None:
    from openkyc.analysis.cli import analyze

    main.add_command(analyze, "analyze")


_register_analyze()


def _register_users() -> None:
    from openkyc.users.cli import users

    main.add_command(users, "users")


_register_users()


def _register_audit() -> None:
    from openkyc.timeline.cli import audit

    main.add_command(audit, "audit")


_register_audit()


def _register_screening() -> None:
    from openkyc.aml.lists.cli import screening

    main.add_command(screening, "screening")


_register_screening()


def _register_storage() -> None:
    from openkyc.files.cli import storage

    main.add_command(storage, "storage")


_register_storage()

if __name__ == "__main__":
    main()
