"""Rules for KYC documents: creation, the manual actions, and what each change sets off.

Every change bumps the document's revision, writes its event(s) to the outbox, re-derives
the status of the document's request (through the requests' service, which this domain sits
above) and the customer's ``hasFulfilledKyc`` — all in the caller's transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from openkyc import analysis as analyser
from openkyc import clock, reviews
from openkyc.customers import service as customers
from openkyc.customers.events import record_customer_event
from openkyc.db.collection import CollectionQuery, filter_clause
from openkyc.db.ids import is_valid_id, new_id
from openkyc.db.models import Customer, File, KycDocument, KycDocumentDecision, KycRequest
from openkyc.errors import Conflict, InvalidField, NotFound, ValidationFailed
from openkyc.events import service as events
from openkyc.events import types as event_types
from openkyc.files import service as file_service
from openkyc.jobs import queue
from openkyc.kyc.documents import decisions, fingerprints, transitions
from openkyc.kyc.documents.fingerprints import FingerprintRepository
from openkyc.kyc.documents.repository import (
    FIELDS,
    WAITING_FOR_A_PERSON,
    KycDocumentRepository,
    QueueFilter,
    QueuePosition,
    QueueSummary,
)
from openkyc.kyc.documents.schemas import KycDocumentIn, MatchesOverwrite, RejectionIn
from openkyc.kyc.documents.views import document_payload
from openkyc.kyc.enums import (
    ADDRESS,
    ANALYSED_TYPES,
    CREDIT_FILE,
    DEFAULT_MAX_ATTEMPTS,
    IDENTITY,
    IDENTITY_FILE_ROLES,
    MATCHES_VERSION,
    DocumentStatus,
    DocumentType,
)
from openkyc.kyc.requests import service as kyc_requests
from openkyc.kyc.settings import service as kyc_settings
from openkyc.kyc.settings.schemas import KycSettings
from openkyc.kyc.status import PERMANENT, STILL_OPEN, Provided
from openkyc.principal import Principal
from openkyc.timeline import authors, changes
from openkyc.timeline import service as timeline
from openkyc.timeline.authors import Author
from openkyc.timeline.enums import TimelineType
from openkyc.wire import Links

ANALYZE_DOCUMENT = "analyze-kyc-document"


def queue_analysis(session: Session, document: KycDocument) -> None:
    """Hand the document to the analyser: ``in-progress`` until it decides. The job is written
    in this transaction, so it exists exactly when the document does."""
    transitions.move(document, transitions.IN_PROGRESS)
    document.analysis_pending = True
    document.analysis_error = None
    document.hints = None
    # The files changed: a decision about the old ones no longer stands.
    document.decision_id = None
    document.proposal_id = None
    queue.enqueue(
        session,
        document.organization_id,
        ANALYZE_DOCUMENT,
        {"documentId": document.id, "fileIds": list(document.file_ids)},
        max_attempts=3,
    )


def backed_by_file(session: Session, organization_id: str, file_id: str) -> list[str]:
    """Ids of the organization's KYC documents whose evidence includes the file."""
    return KycDocumentRepository(session, organization_id).ids_backed_by_file(file_id)


def page(
    session: Session, organization_id: str, query: CollectionQuery
) -> tuple[list[KycDocument], int]:
    return KycDocumentRepository(session, organization_id).page(query)


def get(
    session: Session, organization_id: str, document_id: str, *, for_update: bool = False
) -> KycDocument:
    document = KycDocumentRepository(session, organization_id).get(
        document_id, for_update=for_update
    )
    if document is None:
        raise NotFound.resource("KYC document", document_id)
    return document


def changed(
    session: Session,
    document: KycDocument,
    links: Links,
    event_names: Sequence[str],
    now: datetime | None = None,
    *,
    author: Author,
    before: changes.Snapshot | None,
    created: bool = False,
    note: str | None = None,
) -> None:
    """After a document changed (or was created), by ``author``: a new revision, its events,
    its entry on the customer's timeline (what changed since ``before``, the snapshot taken
    before the change; None for a document just made), its request's status and the
    customer's KYC flag."""
    now = now or clock.now()
    if not created:
        document.revision += 1
        document.updated_time = now
    session.flush()
    customer = _customer(session, document)
    for name in event_names:
        events.record(
            session,
            document.organization_id,
            name,
            "kyc-document",
            document.id,
            lambda: document_payload(session, document, customer, links),
            partial(matches_filter, session, document.organization_id, document.id),
        )
    _on_timeline(session, document, event_names[0] if event_names else "", note, author, before)
    if document.request_id:
        request = kyc_requests.find(
            session, document.organization_id, document.request_id, for_update=True
        )
        if request is not None:
            settle_request(session, request, links, now, author)
    _refresh_customer_kyc(session, customer, links)


IDENTITY_DECISIONS = frozenset({"single-source", "dual-source"})


def proves_identity(document: KycDocument) -> bool:
    """Whether a credit file's decision stands for identity and address proof."""
    data = (document.document_matches or {}).get("data") or {}
    return document.document_type == CREDIT_FILE and data.get("decision") in IDENTITY_DECISIONS


def provided(documents: Iterable[KycDocument]) -> list[Provided]:
    return [Provided(d.document_type, d.status, proves_identity(d)) for d in documents]


def settle_request(
    session: Session, request: KycRequest, links: Links, now: datetime, author: Author
) -> bool:
    """Derive the (locked) request's status from its documents as they are now; whether it
    changed."""
    found = KycDocumentRepository(session, request.organization_id).for_request(request.id)
    return kyc_requests.derive_status(session, request, provided(found), links, now, author)


def _fulfils_kyc(documents: list[KycDocument]) -> bool:
    """Accepted and reviewed identity and address proof, or an accepted credit file."""
    if any(d.status == DocumentStatus.ACCEPTED and proves_identity(d) for d in documents):
        return True
    reviewed = {
        d.document_type
        for d in documents
        if d.status == DocumentStatus.ACCEPTED and d.review_time is not None
    }
    return {IDENTITY, ADDRESS} <= reviewed


def _refresh_customer_kyc(session: Session, customer: Customer, links: Links) -> None:
    fulfilled = _fulfils_kyc(
        KycDocumentRepository(session, customer.organization_id).for_customer(customer.id)
    )
    if fulfilled == customer.has_fulfilled_kyc:
        return
    customer.has_fulfilled_kyc = fulfilled
    customer.touch()
    session.flush()
    record_customer_event(session, customer, event_types.CUSTOMER_UPDATED, links)


TIMELINE_TYPES = {
    event_types.KYC_DOCUMENT_CREATED: TimelineType.KYC_DOCUMENT_CREATED,
    event_types.KYC_DOCUMENT_ACCEPTED: TimelineType.KYC_DOCUMENT_ACCEPTED,
    event_types.KYC_DOCUMENT_REJECTED: TimelineType.KYC_DOCUMENT_REJECTED,
    event_types.KYC_DOCUMENT_REVIEWED: TimelineType.KYC_DOCUMENT_REVIEWED,
}


def _on_timeline(
    session: Session,
    document: KycDocument,
    event: str,
    note: str | None,
    author: Author,
    before: changes.Snapshot | None,
) -> None:
    label = f"KYC document {document.id} ({document.document_type})"
    what = event.removeprefix("kyc-document-") or "modified"
    timeline.record(
        session,
        document.organization_id,
        document.customer_id,
        TIMELINE_TYPES.get(event, TimelineType.KYC_DOCUMENT_MODIFIED),
        note or f"{author.name}: {label} {what}",
        author=author,
        changes=changes.since(before, document),
        links=[timeline.Link("kyc-document", document.id, "KYC document")],
    )


def _customer(session: Session, document: KycDocument) -> Customer:
    customer = customers.find(session, document.organization_id, document.customer_id)
    assert customer is not None, "a document's customer is kept by a foreign key"
    return customer


def _check_files(session: Session, organization_id: str, data: KycDocumentIn) -> None:
    if data.documentType != CREDIT_FILE and not data.fileIds:
        raise ValidationFailed.field("fileIds", "a document needs at least one file")
    found = file_service.by_id(session, organization_id, data.fileIds)
    problems = [
        InvalidField(f"fileIds.{i}", f"no file {file_id} in this organization")
        for i, file_id in enumerate(data.fileIds)
        if file_id not in found
    ]
    if problems:
        raise ValidationFailed(problems)
    if len(set(data.fileIds)) != len(data.fileIds):
        raise ValidationFailed.field("fileIds", "a file may appear once")
    if data.documentType == IDENTITY:
        _check_identity_files([found[f] for f in data.fileIds])


def _check_identity_files(files: list[File]) -> None:
    """Identity files say what they show: `kyc` and `id-front`, `id-back` or `face-proof`."""
    roles: list[str] = []
    for i, file in enumerate(files):
        tags = set(file.tags)
        role = [r for r in IDENTITY_FILE_ROLES if r in tags]
        if "kyc" not in tags or len(role) != 1:
            raise ValidationFailed.field(
                f"fileIds.{i}",
                "an identity file needs the tags kyc and one of id-front, id-back, face-proof",
            )
        roles.append(role[0])
    if "id-front" not in roles:
        raise ValidationFailed.field("fileIds", "an identity document needs a file tagged id-front")
    if len(roles) != len(set(roles)):
        raise ValidationFailed.field(
            "fileIds", "each of id-front, id-back and face-proof may appear once"
        )


def _attach_to_request(
    session: Session, organization_id: str, data: KycDocumentIn
) -> KycRequest | None:
    if data.requestId is None:
        return None
    request = kyc_requests.find(session, organization_id, data.requestId, for_update=True)
    if request is None or request.customer_id != data.customerId:
        raise ValidationFailed.field(
            "requestId", f"no KYC request {data.requestId} for this customer"
        )
    if request.status in PERMANENT:
        raise Conflict(f"KYC request {request.id} is {request.status} and takes no more documents")
    wanted = next((d for d in request.documents if d["type"] == data.documentType), None)
    if wanted is None or data.documentType == CREDIT_FILE:
        raise ValidationFailed.field(
            "documentType", f"KYC request {request.id} does not ask for {data.documentType}"
        )
    allowed = wanted.get("subtypes")
    if allowed and data.documentSubtype is not None and data.documentSubtype not in allowed:
        raise ValidationFailed.field(
            "documentSubtype", f"the request allows {', '.join(map(str, allowed))}"
        )
    used = sum(
        1
        for d in KycDocumentRepository(session, organization_id).for_request(request.id)
        if d.document_type == data.documentType
    )
    allowed_attempts = int(wanted.get("maxAttempts", DEFAULT_MAX_ATTEMPTS))
    if allowed_attempts and used >= allowed_attempts:
        raise Conflict(f"No attempts left for {data.documentType} on KYC request {request.id}")
    return request


def create(
    session: Session,
    organization_id: str,
    data: KycDocumentIn,
    links: Links,
    author: Author,
    document_id: str = "",
    *,
    auto_analysis: bool = True,
) -> KycDocument:
    """A new document: identity and address proof go to the analyser (unless automatic
    analysis is off), the others wait for a person."""
    if customers.find(session, organization_id, data.customerId) is None:
        raise ValidationFailed.field(
            "customerId", f"no customer {data.customerId} in this organization"
        )
    _check_files(session, organization_id, data)
    request = _attach_to_request(session, organization_id, data)
    now = clock.now()
    document = KycDocument(
        id=document_id or new_id("kyc_doc"),
        organization_id=organization_id,
        customer_id=data.customerId,
        request_id=request.id if request else None,
        document_type=DocumentType(data.documentType),
        document_subtype=data.documentSubtype,
        status=DocumentStatus.PENDING,
        file_ids=list(data.fileIds),
        notes=data.notes,
        reason=data.reason,
        match_level=data.matchLevel or (request.match_level if request else 2),
        settings=kyc_settings.snapshot_for(session, organization_id, data.documentType),
        revision=0,
        created_time=now,
        updated_time=now,
    )
    if auto_analysis and document.document_type in ANALYSED_TYPES:
        queue_analysis(session, document)
    KycDocumentRepository(session, organization_id).add(document)
    made = [event_types.KYC_DOCUMENT_CREATED]
    changed(session, document, links, made, now, author=author, before=None, created=True)
    return document


def upsert(
    session: Session,
    organization_id: str,
    document_id: str,
    data: KycDocumentIn,
    links: Links,
    author: Author,
    *,
    auto_analysis: bool = True,
) -> tuple[KycDocument, bool]:
    """Replace what a client may change on the document with this id, or create it."""
    if not is_valid_id(document_id):
        raise ValidationFailed.field("id", "must be 1-50 letters, digits or @~-._")
    document = KycDocumentRepository(session, organization_id).get(document_id, for_update=True)
    if document is None:
        return create(
            session, organization_id, data, links, author, document_id, auto_analysis=auto_analysis
        ), True
    transitions.ensure_open("update", document)
    if data.documentType != document.document_type:
        raise ValidationFailed.field("documentType", "the type of a document cannot change")
    if data.customerId != document.customer_id:
        raise ValidationFailed.field("customerId", "the customer of a document cannot change")
    if data.requestId is not None and data.requestId != document.request_id:
        raise ValidationFailed.field("requestId", "a document cannot move to another request")
    _check_files(session, organization_id, data)
    values: dict[str, Any] = {
        "document_subtype": data.documentSubtype,
        "file_ids": list(data.fileIds),
        "notes": data.notes,
        "reason": data.reason,
        "match_level": data.matchLevel or document.match_level,
    }
    if any(getattr(document, k) != v for k, v in values.items()):
        before = changes.snapshot(document)
        new_files = values["file_ids"] != document.file_ids
        for name, value in values.items():
            setattr(document, name, value)
        if new_files and auto_analysis and document.document_type in ANALYSED_TYPES:
            # Other files, another analysis: the old decision spoke of the old files.
            queue_analysis(session, document)
        modified = [event_types.KYC_DOCUMENT_MODIFIED]
        changed(session, document, links, modified, author=author, before=before)
    return document, False


def _apply_decision(
    document: KycDocument, decision: KycDocumentDecision, principal: Principal, now: datetime
) -> str:
    """Put a person's decision on the document (in force now, or waiting for a second
    person); returns the event it sets off. Either way it ends the person's hold."""
    document.reviewer_id = principal.actor_id
    document.reviewer_name = principal.name
    document.review_time = now
    document.review_start_time = None
    if decision.state == decisions.PROPOSED:
        document.proposal_id = decision.id
        return event_types.KYC_DOCUMENT_MODIFIED
    document.proposal_id = None
    document.decision_id = decision.id
    transitions.move(document, decision.status)
    document.processed_time = now
    document.rejection_reason = decision.rejection_reason
    if decision.status == DocumentStatus.ACCEPTED:
        return event_types.KYC_DOCUMENT_ACCEPTED
    return event_types.KYC_DOCUMENT_REJECTED


def _decide(
    session: Session,
    principal: Principal,
    document_id: str,
    status: str,
    rejection_reason: dict[str, Any] | None,
    links: Links,
    override: bool,
) -> KycDocument:
    document = get(session, principal.organization_id, document_id, for_update=True)
    now = clock.now()  # once the row is ours: decisions are dated in the order they were made
    transitions.ensure_open(status[:-2], document)
    before = changes.snapshot(document)
    held_by = document.reviewer_name
    holder = reviews.ensure_may_act(document, principal, now, override=override)
    overridden = decisions.Overridden(holder, held_by) if holder else None
    decision = decisions.decide(
        session, principal, document, status, rejection_reason, now, overridden
    )
    note = decisions.describe(session, decision, document)
    event = _apply_decision(document, decision, principal, now)
    changed(
        session,
        document,
        links,
        [event],
        now,
        author=authors.of(principal),
        before=before,
        note=note,
    )
    return document


def accept(
    session: Session,
    principal: Principal,
    document_id: str,
    links: Links,
    *,
    override: bool = False,
) -> KycDocument:
    """A person accepts the document, overriding the analyser (or reversing a rejection)."""
    return _decide(session, principal, document_id, DocumentStatus.ACCEPTED, None, links, override)


def reject(
    session: Session,
    principal: Principal,
    document_id: str,
    rejection: RejectionIn,
    links: Links,
    *,
    override: bool = False,
) -> KycDocument:
    """A person rejects the document with a reason the customer and merchant can read."""
    reason = rejection.model_dump(exclude_none=True)
    return _decide(
        session, principal, document_id, DocumentStatus.REJECTED, reason, links, override
    )


def review(
    session: Session,
    principal: Principal,
    document_id: str,
    links: Links,
    *,
    override: bool = False,
) -> KycDocument:
    """A person confirms they reviewed the document. A decision a person made keeps its
    author and time; the review is on the customer's timeline."""
    document = get(session, principal.organization_id, document_id, for_update=True)
    now = clock.now()  # once the row is ours: decisions are dated in the order they were made
    transitions.ensure_open("review", document)
    reviews.ensure_may_act(document, principal, now, override=override)
    before = changes.snapshot(document)
    if document.decision_id is None:
        document.review_time = now
        document.reviewer_id = principal.actor_id
        document.reviewer_name = principal.name
        document.review_start_time = None
    note = f"{principal.name} reviewed KYC document {document.id} ({document.status})"
    reviewed = [event_types.KYC_DOCUMENT_REVIEWED]
    changed(
        session,
        document,
        links,
        reviewed,
        now,
        author=authors.of(principal),
        before=before,
        note=note,
    )
    return document


def start_review(
    session: Session,
    principal: Principal,
    document_id: str,
    links: Links,
    *,
    override: bool = False,
) -> KycDocument:
    """A person takes the document; others get a 409 until they stop or the hold lapses."""
    document = get(session, principal.organization_id, document_id, for_update=True)
    now = clock.now()  # once the row is ours: decisions are dated in the order they were made
    transitions.ensure_reviewable(document)
    held_by = document.reviewer_name
    overrode = reviews.ensure_may_act(document, principal, now, override=override)
    before = changes.snapshot(document)
    document.reviewer_id = principal.actor_id
    document.reviewer_name = principal.name
    document.review_start_time = now
    note = f"{principal.name} started reviewing KYC document {document.id}"
    if overrode:
        note += f", overriding the review hold of {held_by}"
    modified = [event_types.KYC_DOCUMENT_MODIFIED]
    changed(
        session,
        document,
        links,
        modified,
        now,
        author=authors.of(principal),
        before=before,
        note=note,
    )
    return document


def stop_review(
    session: Session,
    principal: Principal,
    document_id: str,
    links: Links,
    *,
    override: bool = False,
) -> KycDocument:
    """The person lets the document go. Only the hold ends: a decision and who made it stay."""
    document = get(session, principal.organization_id, document_id, for_update=True)
    now = clock.now()  # once the row is ours: decisions are dated in the order they were made
    transitions.ensure_open("stop-review", document)
    if reviews.review_holder(document, now) is None:
        raise ValidationFailed.field("reviewStartTime", f"nobody is reviewing {document.id}")
    held_by = document.reviewer_name
    overrode = reviews.ensure_may_act(document, principal, now, override=override)
    before = changes.snapshot(document)
    document.review_start_time = None
    if document.decision_id is None:
        document.reviewer_id = None
        document.reviewer_name = None
    note = f"{principal.name} stopped reviewing KYC document {document.id}"
    if overrode:
        note = f"{principal.name} released the review hold of {held_by} on {document.id}"
    modified = [event_types.KYC_DOCUMENT_MODIFIED]
    changed(
        session,
        document,
        links,
        modified,
        now,
        author=authors.of(principal),
        before=before,
        note=note,
    )
    return document


def history(session: Session, organization_id: str, document_id: str) -> list[KycDocumentDecision]:
    """The decisions people made on the document, oldest first."""
    get(session, organization_id, document_id)
    return decisions.history(session, organization_id).of(document_id)


def overwrite_matches(
    session: Session,
    principal: Principal,
    document_id: str,
    body: MatchesOverwrite,
    links: Links,
    *,
    override: bool = False,
) -> KycDocument:
    """A person corrects what was read from the document."""
    document = get(session, principal.organization_id, document_id, for_update=True)
    now = clock.now()  # once the row is ours: decisions are dated in the order they were made
    if body.type != document.document_type:
        raise ValidationFailed.field(
            "type", f"the document is {document.document_type}, not {body.type}"
        )
    transitions.ensure_open("matches", document)
    reviews.ensure_may_act(document, principal, now, override=override)
    before = changes.snapshot(document)
    data = body.model_dump(exclude={"type"}, exclude_unset=True)
    current = document.document_matches or {
        "version": MATCHES_VERSION,
        "score": None,
        "checkList": None,
    }
    document.document_matches = {**current, "data": data}
    modified = [event_types.KYC_DOCUMENT_MODIFIED]
    changed(session, document, links, modified, now, author=authors.of(principal), before=before)
    return document


def retagged(session: Session, document: KycDocument, links: Links, author: Author) -> None:
    """A tag was set on the document or taken off (by ``author``): a new revision and
    kyc-document-modified."""
    modified = [event_types.KYC_DOCUMENT_MODIFIED]
    before = changes.snapshot(document)  # a tag is not among what the timeline compares
    changed(session, document, links, modified, author=author, before=before)


def archive(session: Session, document: KycDocument, links: Links, author: Author) -> None:
    """Set a document aside for good (its request went away)."""
    transitions.ensure_open("archive", document)
    before = changes.snapshot(document)
    transitions.move(document, transitions.ARCHIVED)
    archived = [event_types.KYC_DOCUMENT_ARCHIVED]
    changed(session, document, links, archived, author=author, before=before)


def archive_undecided(session: Session, request: KycRequest, links: Links, author: Author) -> None:
    """Archive the request's documents nobody decided yet (it is being withdrawn); the decided
    ones stay for the record."""
    for document in KycDocumentRepository(session, request.organization_id).for_request(request.id):
        if document.status in STILL_OPEN:
            archive(session, document, links, author)


@dataclass(frozen=True)
class QueuePage:
    documents: list[KycDocument]
    summary: QueueSummary
    # Whether documents of the filter come before the first shown and after the last.
    earlier: bool
    later: bool


def review_queue(
    session: Session,
    organization_id: str,
    wanted: QueueFilter,
    limit: int,
    *,
    after: str | None = None,
    before: str | None = None,
) -> QueuePage:
    """A page of the documents waiting for a person (oldest first): the first, or the one
    right after (before) the document ``after`` (``before``) of the organization; with how
    many wait and since when."""
    repository = KycDocumentRepository(session, organization_id)
    position = None
    for field, anchor in (("after", after), ("before", before)):
        if anchor is not None:
            document = repository.get(anchor)
            if document is None:
                raise ValidationFailed.field(field, "no such document")
            position = QueuePosition(document.created_time, document.id, field == "before")
    now = clock.now()
    hold = reviews.REVIEW_HOLD
    found = repository.queue(wanted, now, hold, position, limit + 1)
    more = len(found) > limit
    if position is not None and position.backwards:
        found, earlier, later = found[-limit:], more, True
    else:
        found, earlier, later = found[:limit], position is not None, more
    return QueuePage(found, repository.queue_summary(wanted, now, hold), earlier, later)


def queue_summary(session: Session, organization_id: str, wanted: QueueFilter) -> QueueSummary:
    """How many documents of the filter wait for a person, of each type, and since when."""
    repository = KycDocumentRepository(session, organization_id)
    return repository.queue_summary(wanted, clock.now(), reviews.REVIEW_HOLD)


# How many of the oldest free documents "take the next one" tries before giving up: each
# may have been taken by another person meanwhile.
TAKE_ATTEMPTS = 5


def take_next(
    session: Session, principal: Principal, wanted: QueueFilter, links: Links
) -> KycDocument | None:
    """Hold the oldest waiting document nobody else holds (the person's own hold first);
    None when there is none."""
    repository = KycDocumentRepository(session, principal.organization_id)
    now = clock.now()
    candidates = repository.free_for(
        principal.actor_id, wanted, now, reviews.REVIEW_HOLD, TAKE_ATTEMPTS
    )
    for candidate in candidates:
        document = get(session, principal.organization_id, candidate, for_update=True)
        holder = reviews.review_holder(document, now)
        if document.status != WAITING_FOR_A_PERSON or holder not in (None, principal.actor_id):
            continue  # taken or decided since it was listed
        return start_review(session, principal, document.id, links)
    return None


def shared_with(session: Session, document: KycDocument) -> list[tuple[str, str]]:
    """(customer, document) of the other customers whose document is the same identity."""
    repository = FingerprintRepository(session, document.organization_id)
    return repository.shared_with(document.id, document.customer_id)


def for_customer(session: Session, organization_id: str, customer_id: str) -> list[KycDocument]:
    """The customer's documents."""
    return KycDocumentRepository(session, organization_id).for_customer(customer_id)


def for_requests(
    session: Session, organization_id: str, request_ids: Sequence[str]
) -> dict[str, list[KycDocument]]:
    """The documents of each of these requests, oldest first."""
    return KycDocumentRepository(session, organization_id).for_requests(request_ids)


# Reasons of checks that failed because something could not be read, for findings stored
# before each check recorded that itself (``conclusive``); see openkyc.analysis.score_document.
UNREAD_REASONS = (
    "not-found",
    "not-detected",
    "unreadable",
    "uncertain",
    "no-face",
    "face-proof-missing",
    "face-uncertain",
    "customer-address-missing",
    "dob-not-found",
)


def conclusive(check: dict[str, Any]) -> bool:
    """Whether a stored check failed for what the analyser saw (True) or only because
    something could not be read (False), as the analyser recorded it."""
    recorded = check.get("conclusive")
    if isinstance(recorded, bool):
        return recorded
    return not str(check.get("reason") or "").startswith(UNREAD_REASONS)


@dataclass(frozen=True)
class Rescored:
    """How the analyser's decisions on recent documents would change under other settings."""

    examined: int
    changes: dict[tuple[str, str], int]

    @property
    def changed(self) -> int:
        return sum(self.changes.values())


def _checks(document: KycDocument) -> list[analyser.Check]:
    return [
        analyser.Check(
            name=str(check.get("name")),
            failed=bool(check.get("failed")),
            reason=check.get("reason"),
            conclusive=conclusive(check),
        )
        for check in (document.document_matches or {}).get("checkList") or []
    ]


def _library_settings(
    document_type: str, snapshot: dict[str, Any] | None
) -> analyser.IdentitySettings | analyser.AddressSettings:
    if document_type == ADDRESS:
        return analyser.address_settings_from_contract(snapshot)
    return analyser.identity_settings_from_contract(snapshot)


def rescored(session: Session, organization_id: str, settings: KycSettings, last: int) -> Rescored:
    """Score the findings of the last ``last`` analysed documents with the settings each was
    scored with and with ``settings``: how many decisions would change, and how."""
    changes: Counter[tuple[str, str]] = Counter()
    recent = KycDocumentRepository(session, organization_id).latest_scored(last)
    for document in recent:
        checks = _checks(document)
        before = _library_settings(document.document_type, document.settings)
        proposed = kyc_settings.section_for(settings, document.document_type)
        after = _library_settings(document.document_type, proposed)
        old = analyser.score_document(checks, before.weights, before.thresholds).decision
        new = analyser.score_document(checks, after.weights, after.thresholds).decision
        if old != new:
            changes[(old, new)] += 1
    return Rescored(len(recent), dict(changes))


def find(
    session: Session, organization_id: str, document_id: str, *, for_update: bool = False
) -> KycDocument | None:
    """The organization's document, or None (for other domains that check a reference)."""
    return KycDocumentRepository(session, organization_id).get(document_id, for_update=for_update)


def find_many(
    session: Session, organization_id: str, document_ids: Sequence[str]
) -> list[KycDocument]:
    return KycDocumentRepository(session, organization_id).get_many(document_ids)


def for_request(session: Session, organization_id: str, request_id: str) -> list[KycDocument]:
    """The request's documents, oldest first."""
    return KycDocumentRepository(session, organization_id).for_request(request_id)


def add_decided(
    session: Session,
    document: KycDocument,
    links: Links,
    decided_event: str,
    now: datetime,
    author: Author,
) -> KycDocument:
    """Store a document that was decided as it was made (a credit bureau's answer): both its
    events, one status change of its request."""
    KycDocumentRepository(session, document.organization_id).add(document)
    events_now = [event_types.KYC_DOCUMENT_CREATED, decided_event]
    changed(session, document, links, events_now, now, author=author, before=None, created=True)
    return document


def move_to_customer(
    session: Session,
    source: Customer,
    target: Customer,
    links: Links,
    now: datetime,
    author: Author,
) -> None:
    """The customer's documents (and their fingerprints) become the target customer's; each
    gets a new revision and kyc-document-modified, and the target's KYC flag is re-derived."""
    organization_id = source.organization_id
    for document in KycDocumentRepository(session, organization_id).for_customer(source.id):
        before = changes.snapshot(document)
        document.customer_id = target.id
        modified = [event_types.KYC_DOCUMENT_MODIFIED]
        changed(session, document, links, modified, now, author=author, before=before)
    fingerprints.FingerprintRepository(session, organization_id).reassign(source.id, target.id)


def check_filter(text: str) -> None:
    """Refuse a filter the KYC document collection does not understand (ValidationFailed)."""
    filter_clause(FIELDS, text)


def matches_filter(session: Session, organization_id: str, document_id: str, text: str) -> bool:
    """Whether the document, as it is now, passes a filter of the KYC document collection."""
    return KycDocumentRepository(session, organization_id).matches(document_id, text)
