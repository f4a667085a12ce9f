"""Forgetting finished work: the delivery log, the events behind it and the job records.

A periodic task deletes what is older than the deployment's retention and can no longer
change: delivered and failed deliveries (by their last change), events that no delivery still
refers to, and finished jobs. Pending and in-flight work is never touched, however old. KYC
requests, documents, customers and files are the merchant's records and are never pruned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, delete, exists, select, tuple_
from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.db.models import Job, OutboxEvent, WebhookDelivery
from openkyc.jobs.enums import JobStatus
from openkyc.webhooks import queue

FINISHED_DELIVERIES = (queue.DELIVERED, queue.FAILED)
FINISHED_JOBS = (JobStatus.DONE, JobStatus.FAILED)
_BULK = {"synchronize_session": False}  # plain DELETE statements; nothing loaded to update


# Rows deleted per statement and per transaction: a long retention's backlog goes in short
# steps that hold few locks, rather than one unbounded DELETE.
BATCH = 1000


@dataclass(frozen=True)
class Pruned:
    deliveries: int
    events: int
    jobs: int

    def filled(self, batch: int) -> bool:
        """Whether a kind filled its batch: more may be left to delete."""
        return max(self.deliveries, self.events, self.jobs) >= batch


def _count(result: object) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0


def _delete_some(session: Session, table: Any, key: Any, chosen: Any, batch: int) -> int:
    """Delete at most ``batch`` rows of what ``chosen`` selects (by ``key``)."""
    statement = delete(table).where(key.in_(chosen.limit(batch)))
    return _count(session.execute(statement, execution_options=_BULK))


def prune_history(
    session: Session, keep: timedelta, *, now: datetime | None = None, batch: int = BATCH
) -> Pruned:
    """Delete finished deliveries, unreferenced events and finished jobs older than ``keep``,
    at most ``batch`` of each; run again while ``filled(batch)``."""
    cutoff = (now or clock.now()) - keep
    deliveries = _delete_some(
        session,
        WebhookDelivery,
        WebhookDelivery.id,
        select(WebhookDelivery.id).where(
            WebhookDelivery.status.in_(FINISHED_DELIVERIES),
            WebhookDelivery.updated_time < cutoff,
        ),
        batch,
    )
    still_owed = exists(
        select(WebhookDelivery.id).where(
            WebhookDelivery.organization_id == OutboxEvent.organization_id,
            WebhookDelivery.event_id == OutboxEvent.id,
        )
    )
    events = _delete_some(
        session,
        OutboxEvent,
        tuple_(OutboxEvent.organization_id, OutboxEvent.id),
        select(OutboxEvent.organization_id, OutboxEvent.id).where(
            OutboxEvent.created_time < cutoff, ~still_owed
        ),
        batch,
    )
    jobs = _delete_some(
        session,
        Job,
        Job.id,
        select(Job.id).where(Job.status.in_(FINISHED_JOBS), Job.updated_time < cutoff),
        batch,
    )
    return Pruned(deliveries, events, jobs)
