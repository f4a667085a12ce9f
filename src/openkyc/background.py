"""The background side of openkyc: the job worker (document analysis, liveness checks, AML
rescreening after a list load), the webhook delivery worker and the periodic tasks (request
expiry). `openkyc serve` runs it in-process; `openkyc worker` runs it alone."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from openkyc.aml.flows import RESCREEN_CUSTOMERS
from openkyc.aml.tasks import rescreen_handler
from openkyc.config import Settings
from openkyc.db.session import Database
from openkyc.flows.files import Sweep, sweep_orphan_bytes
from openkyc.flows.kyc_requests import expire_due
from openkyc.jobs.periodic import PeriodicRunner, PeriodicTask
from openkyc.jobs.pool import Runner, runner_for
from openkyc.jobs.worker import Worker
from openkyc.kyc.documents.analysis import ANALYZE_DOCUMENT
from openkyc.kyc.documents.tasks import analysis_handler
from openkyc.kyc.liveness.service import CHECK_LIVENESS
from openkyc.kyc.liveness.tasks import liveness_handler
from openkyc.retention import BATCH as RETENTION_BATCH
from openkyc.retention import prune_history
from openkyc.storage import Storage
from openkyc.webhooks.tasks import DeliveryWorker, delivery_worker
from openkyc.wire import links_for_settings

log = logging.getLogger(__name__)
# Requests moved to abandoned or expired per transaction.
EXPIRY_BATCH = 500


def periodic_tasks(settings: Settings, storage: Storage | None = None) -> list[PeriodicTask]:
    """The periodic tasks this process runs; an interval of 0 leaves one to other processes
    (and the storage sweep needs the ``storage``)."""
    links = links_for_settings(settings)
    tasks = []
    if settings.expiry_interval_seconds > 0:
        tasks.append(
            PeriodicTask(
                "expire-kyc-requests",
                settings.expiry_interval_seconds,
                lambda s: expire_due(s, links, limit=EXPIRY_BATCH),
                more=lambda moved: moved >= EXPIRY_BATCH,
            )
        )
    if settings.retention_days > 0 and settings.retention_interval_seconds > 0:
        keep = timedelta(days=settings.retention_days)
        tasks.append(
            PeriodicTask(
                "prune-history",
                settings.retention_interval_seconds,
                lambda s: prune_history(s, keep, batch=RETENTION_BATCH),
                more=lambda pruned: pruned.filled(RETENTION_BATCH),
            )
        )
    if storage is not None and settings.storage_sweep_interval_seconds > 0:
        grace = timedelta(seconds=settings.storage_sweep_grace_seconds)
        tasks.append(
            PeriodicTask(
                "sweep-orphan-bytes",
                settings.storage_sweep_interval_seconds,
                lambda s: _sweep(s, storage, grace),
            )
        )
    return tasks


def _sweep(session: Session, storage: Storage, grace: timedelta) -> Sweep:
    swept = sweep_orphan_bytes(session, storage, grace)
    if swept.orphans:
        log.info(
            "removed %d stored objects (%d bytes) that no record refers to",
            len(swept.orphans),
            swept.orphan_bytes,
        )
    return swept


@dataclass
class Background:
    periodic: PeriodicRunner
    worker: Worker | None = None
    runner: Runner | None = None
    running: list[object] = field(default_factory=list)
    webhooks: DeliveryWorker | None = None

    def start(self) -> None:
        if self.periodic.tasks:
            self.periodic.start()
        if self.runner is not None:
            self.runner.start()
        if self.worker is not None:
            self.worker.start()
        if self.webhooks is not None:
            self.webhooks.start()

    def stop(self) -> None:
        # The analysis processes go first: a job waiting on one ends (and is retried later)
        # instead of holding the shutdown for up to the analysis timeout.
        if self.runner is not None:
            self.runner.shutdown()
        if self.webhooks is not None:
            self.webhooks.stop()
        if self.worker is not None:
            self.worker.stop()
        self.periodic.stop()


def background(
    settings: Settings,
    database: Database,
    storage: Storage,
    *,
    jobs: bool = True,
    runner: Runner | None = None,
) -> Background:
    """The background work of a deployment; ``runner`` replaces where analyses run."""
    periodic = PeriodicRunner(database.write_sessionmaker, periodic_tasks(settings, storage))
    if not jobs:
        return Background(periodic)
    problem = settings.background_problem()
    if problem:
        raise RuntimeError(problem)
    runner = runner or runner_for(
        settings.analysis_processes,
        settings.analysis_timeout_seconds,
        settings.analysis_memory_limit_mb,
    )
    links = links_for_settings(settings)
    handlers = {
        ANALYZE_DOCUMENT: analysis_handler(
            database.write_sessionmaker, storage, runner, lambda: links
        ),
        CHECK_LIVENESS: liveness_handler(database.write_sessionmaker, storage, runner, settings),
        RESCREEN_CUSTOMERS: rescreen_handler(database.write_sessionmaker, lambda: links),
    }
    worker = Worker(
        database.write_sessionmaker,
        handlers,
        threads=settings.worker_threads,
        lease=timedelta(seconds=settings.job_lease_seconds),
    )
    webhooks = delivery_worker(settings, database.write_sessionmaker)
    return Background(periodic, worker, runner, webhooks=webhooks)
