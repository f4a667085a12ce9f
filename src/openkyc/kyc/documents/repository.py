from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, cast, exists, func, or_, select

from openkyc.db.collection import Field, FieldSet
from openkyc.db.functions import has_failed_check, matches_score
from openkyc.db.models import KycDocument, KycDocumentTag, Tag
from openkyc.db.repository import TenantRepository
from openkyc.kyc.enums import DocumentStatus


def _tagged(name: Any) -> ColumnElement[bool]:
    return exists(
        select(KycDocumentTag.tag_id)
        .join(
            Tag,
            and_(
                Tag.organization_id == KycDocumentTag.organization_id,
                Tag.id == KycDocumentTag.tag_id,
            ),
        )
        .where(
            KycDocumentTag.organization_id == KycDocument.organization_id,
            KycDocumentTag.kyc_document_id == KycDocument.id,
            func.lower(Tag.name) == str(name).lower(),
        )
    )


FIELDS = FieldSet.of(
    Field("id", KycDocument.id),
    Field("customerId", KycDocument.customer_id),
    Field("requestId", KycDocument.request_id),
    Field("documentType", KycDocument.document_type),
    Field("documentSubtype", KycDocument.document_subtype, sortable=False),
    Field("status", KycDocument.status),
    Field("tags", KycDocument.id, "text", sortable=False, matcher=_tagged),
    Field("createdTime", KycDocument.created_time, "datetime"),
    Field("updatedTime", KycDocument.updated_time, "datetime"),
)


# What waits for a person: the analyser left it undecided, or nobody analyses its type.
WAITING_FOR_A_PERSON = DocumentStatus.PENDING


@dataclass(frozen=True)
class QueueFilter:
    """Which of the documents waiting for a person a reviewer looks at."""

    document_type: str | None = None
    tag: str | None = None
    # A check the analyser failed (its reason for not deciding alone), by name.
    failed_check: str | None = None
    min_score: int | None = None
    max_score: int | None = None
    # Waiting at least this long.
    older_than: timedelta | None = None
    # Only those this person holds for review now.
    held_by: str | None = None


@dataclass(frozen=True)
class QueuePosition:
    """Where a page of the queue starts: right after (or, going back, right before) this
    document in the queue's order (creation time, then id). Pages found this way cost the
    same however deep, and a document decided meanwhile shifts nothing."""

    created_time: datetime
    id: str
    backwards: bool = False


@dataclass(frozen=True)
class QueueSummary:
    waiting: int
    oldest: datetime | None
    # How many wait of each document type, most first.
    by_type: tuple[tuple[str, int], ...] = ()


class KycDocumentRepository(TenantRepository[KycDocument]):
    model = KycDocument
    fields = FIELDS

    def get(self, document_id: str, *, for_update: bool = False) -> KycDocument | None:
        return self.get_scoped(document_id, for_update=for_update)

    def ids_backed_by_file(self, file_id: str) -> list[str]:
        """The documents (any status, archived ones too) whose evidence includes the file."""
        # The ids in `file_ids` are JSON strings: match the quoted id in the stored text.
        escaped = file_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = (
            select(KycDocument.id)
            .where(
                KycDocument.organization_id == self.organization_id,
                cast(KycDocument.file_ids, Text).like(f'%"{escaped}"%', escape="\\"),
            )
            .order_by(KycDocument.id)
        )
        return list(self.session.scalars(statement))

    def for_request(self, request_id: str) -> list[KycDocument]:
        statement = (
            self.scoped()
            .where(KycDocument.request_id == request_id)
            .order_by(KycDocument.created_time)
        )
        return list(self.session.scalars(statement))

    def for_requests(self, request_ids: Sequence[str]) -> dict[str, list[KycDocument]]:
        grouped: dict[str, list[KycDocument]] = defaultdict(list)
        if not request_ids:
            return grouped  # an empty IN would read every document of the organization
        statement = (
            self.scoped()
            .where(KycDocument.request_id.in_(request_ids))
            .order_by(KycDocument.created_time)
        )
        for document in self.session.scalars(statement):
            grouped[document.request_id or ""].append(document)
        return grouped

    def for_customer(self, customer_id: str) -> list[KycDocument]:
        return list(
            self.session.scalars(self.scoped().where(KycDocument.customer_id == customer_id))
        )

    def tags_of(self, document_ids: Sequence[str]) -> dict[str, list[Tag]]:
        statement = (
            select(KycDocumentTag.kyc_document_id, Tag)
            .join(
                Tag,
                and_(
                    Tag.organization_id == KycDocumentTag.organization_id,
                    Tag.id == KycDocumentTag.tag_id,
                ),
            )
            .where(
                KycDocumentTag.organization_id == self.organization_id,
                KycDocumentTag.kyc_document_id.in_(document_ids),
            )
            .order_by(Tag.name)
        )
        grouped: dict[str, list[Tag]] = defaultdict(list)
        for document_id, tag in self.session.execute(statement):
            grouped[document_id].append(tag)
        return grouped

    def _queue(self, wanted: QueueFilter, now: datetime, hold: timedelta) -> Select[Any]:
        statement = self.scoped().where(KycDocument.status == WAITING_FOR_A_PERSON)
        score = matches_score(KycDocument.document_matches)
        conditions: list[ColumnElement[bool]] = []
        if wanted.document_type:
            conditions.append(KycDocument.document_type == wanted.document_type)
        if wanted.tag:
            conditions.append(_tagged(wanted.tag))
        if wanted.failed_check:
            conditions.append(has_failed_check(KycDocument.document_matches, wanted.failed_check))
        if wanted.min_score is not None:
            conditions.append(score >= wanted.min_score)
        if wanted.max_score is not None:
            conditions.append(score <= wanted.max_score)
        if wanted.older_than is not None:
            conditions.append(KycDocument.created_time <= now - wanted.older_than)
        if wanted.held_by:
            conditions.append(KycDocument.reviewer_id == wanted.held_by)
            conditions.append(KycDocument.review_start_time > now - hold)
        return statement.where(*conditions)

    def queue(
        self,
        wanted: QueueFilter,
        now: datetime,
        hold: timedelta,
        position: QueuePosition | None,
        limit: int,
    ) -> list[KycDocument]:
        """Up to ``limit`` documents waiting for a person, oldest first: the first ones, or
        those after (before) ``position``."""
        statement = self._queue(wanted, now, hold)
        created, key = KycDocument.created_time, KycDocument.id
        backwards = position is not None and position.backwards
        order = (created.desc(), key.desc()) if backwards else (created.asc(), key.asc())
        if position is not None:
            at = position.created_time
            # The plain bound first: it is what the index's range starts (ends) at.
            if backwards:
                beyond = and_(created <= at, or_(created < at, key < position.id))
            else:
                beyond = and_(created >= at, or_(created > at, key > position.id))
            statement = statement.where(beyond)
        found = list(self.session.scalars(statement.order_by(*order).limit(limit)))
        return found[::-1] if backwards else found

    def queue_summary(self, wanted: QueueFilter, now: datetime, hold: timedelta) -> QueueSummary:
        waiting = self._queue(wanted, now, hold).subquery()
        count = func.count()
        rows = self.session.execute(
            select(waiting.c.document_type, count, func.min(waiting.c.created_time))
            .group_by(waiting.c.document_type)
            .order_by(count.desc(), waiting.c.document_type)
        ).all()
        oldest = min((row[2] for row in rows), default=None)
        return QueueSummary(
            sum(int(row[1]) for row in rows), oldest, tuple((row[0], int(row[1])) for row in rows)
        )

    def free_for(
        self, person_id: str, wanted: QueueFilter, now: datetime, hold: timedelta, limit: int
    ) -> list[str]:
        """The ids of the oldest waiting documents nobody else holds for review (ids only:
        the caller locks each and reads it afresh)."""
        statement = (
            self._queue(wanted, now, hold)
            .with_only_columns(KycDocument.id)
            .where(
                or_(
                    KycDocument.review_start_time.is_(None),
                    KycDocument.review_start_time <= now - hold,
                    KycDocument.reviewer_id == person_id,
                ),
                # Under the four-eyes rule a person's own proposal waits for someone else.
                or_(KycDocument.proposal_id.is_(None), KycDocument.reviewer_id != person_id),
            )
            .order_by(KycDocument.created_time, KycDocument.id)
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def latest_scored(self, limit: int) -> list[KycDocument]:
        """The newest documents the analyser scored (their checks are stored)."""
        statement = (
            self.scoped()
            .where(
                KycDocument.document_type.in_(("identity-proof", "address-proof")),
                KycDocument.document_matches.is_not(None),
            )
            .order_by(KycDocument.created_time.desc(), KycDocument.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(statement))
