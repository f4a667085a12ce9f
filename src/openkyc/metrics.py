"""What an operator watches, for Prometheus (docs/scaling.md).

Every metric is recorded in the process that serves the request or runs the job: the
analyser's child processes only compute, and their durations are measured around them in the
parent, so no metric needs prometheus-client's multiprocess mode. Queue figures are read from
the database when Prometheus scrapes, so every node reports the same shared queue."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from time import perf_counter

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from openkyc.db.models import Job, WebhookDelivery
from openkyc.db.types import utcnow
from openkyc.jobs.enums import JobStatus
from openkyc.webhooks.enums import DeliveryStatus

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)

REQUEST_SECONDS = Histogram(
    "openkyc_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
ANALYSIS_SECONDS = Histogram(
    "openkyc_analysis_duration_seconds",
    "Time the analyser took on a document, by document type and outcome.",
    ["document_type", "outcome"],
    buckets=(0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120),
    registry=REGISTRY,
)
GATE_SECONDS = Histogram(
    "openkyc_quality_gate_duration_seconds",
    "Time the quality gate took on a customer's files, by outcome (passed, retake, skipped).",
    ["outcome"],
    buckets=(0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 4, 10),
    registry=REGISTRY,
)
WEBHOOK_DELIVERIES = Counter(
    "openkyc_webhook_deliveries",
    "Webhook delivery attempts, by outcome (delivered, failed, unsent) and attempt number.",
    ["outcome", "attempt"],
    registry=REGISTRY,
)
RATE_LIMIT_REFUSALS = Counter(
    "openkyc_rate_limit_refusals",
    "Mutating requests refused with 429 by the per-organization rate limit.",
    registry=REGISTRY,
)


class _Shared(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def registry_for(sessions: sessionmaker[Session]) -> CollectorRegistry:
    """What a process exposes: the metrics it records and the shared queues' figures."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Shared())
    registry.register(QueueCollector(sessions))
    return registry


@contextmanager
def analysis_timer(document_type: str) -> Iterator[Callable[[str], None]]:
    """Measure an analysis; the block names its outcome (``outcome("accepted")``)."""
    started = perf_counter()
    named: list[str] = []
    try:
        yield named.append
    finally:
        outcome = named[-1] if named else "error"
        ANALYSIS_SECONDS.labels(document_type, outcome).observe(perf_counter() - started)


def webhook_attempt(outcome: str, attempt: int) -> None:
    # Attempts past ten are one label: the figure stays bounded whatever the retry settings.
    WEBHOOK_DELIVERIES.labels(outcome, str(attempt) if attempt <= 10 else "11+").inc()


class QueueCollector(Collector):
    """Depth and oldest age of the job and webhook queues, read at scrape time."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "openkyc_queue_depth", "Work waiting or running, by queue and kind.", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "openkyc_queue_oldest_age_seconds",
            "Age of the oldest work waiting or running, by queue (0 when empty).",
            labels=["queue"],
        )
        now = utcnow()
        try:
            with self.sessions() as session:
                for name, count, since in _queues(session):
                    depth.add_metric([name], count)
                    oldest.add_metric([name], _age(now, since))
        except SQLAlchemyError:
            # The other metrics are still worth a scrape while the database is away; the
            # queue's are then missing, which an alert on absent series catches.
            log.warning("could not read the queues for the metrics", exc_info=True)
        yield depth
        yield oldest


def _queues(session: Session) -> Iterator[tuple[str, int, datetime | None]]:
    jobs = (
        select(Job.kind, func.count(), func.min(Job.created_time))
        .where(Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
        .group_by(Job.kind)
    )
    for kind, count, since in session.execute(jobs):
        yield f"jobs:{kind}", count, since
    deliveries = select(func.count(), func.min(WebhookDelivery.created_time)).where(
        WebhookDelivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.SENDING))
    )
    count, since = session.execute(deliveries).one()
    yield "webhooks", count, since


def _age(now: datetime, since: datetime | None) -> float:
    return max((now - since).total_seconds(), 0.0) if since is not None else 0.0
