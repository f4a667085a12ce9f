"""Forgetting finished work: the delivery log, the events behind it and the job records.

A periodic task deletes what is older than the deployment's retention and can no longer
change: delivered and failed deliveries (by their last change), events that no delivery still
refers to, and finished jobs. Pending and in-flight work is never touched, however old. KYC
requests, documents, customers and files are the merchant's records and are never pruned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, delete, exists, select
from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.db.models import Job, OutboxEvent, WebhookDelivery
from openkyc.webhooks import queue

FINISHED_DELIVERIES = (queue.DELIVERED, queue.FAILED)
FINISHED_JOBS = ("done", "failed")
_BULK = {"synchronize_session": False}  # plain DELETE statements; nothing loaded to update


@dataclass(frozen=True)
class Pruned:
    deliveries: int
    events: int
    jobs: int


def _count(result: object) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0


def prune_history(session: Session, keep: timedelta, *, now: datetime | None = None) -> Pruned:
    """Delete finished deliveries, unreferenced events and finished jobs older than ``keep``."""
    cutoff = (now or clock.now()) - keep
    deliveries = session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.status.in_(FINISHED_DELIVERIES),
            WebhookDelivery.updated_time < cutoff,
        ),
        execution_options=_BULK,
    )
    still_owed = exists(
        select(WebhookDelivery.id).where(
            WebhookDelivery.organization_id == OutboxEvent.organization_id,
            WebhookDelivery.event_id == OutboxEvent.id,
        )
    )
    events = session.execute(
        delete(OutboxEvent).where(OutboxEvent.created_time < cutoff, ~still_owed),
        execution_options=_BULK,
    )
    jobs = session.execute(
        delete(Job).where(Job.status.in_(FINISHED_JOBS), Job.updated_time < cutoff),
        execution_options=_BULK,
    )
    return Pruned(_count(deliveries), _count(events), _count(jobs))
