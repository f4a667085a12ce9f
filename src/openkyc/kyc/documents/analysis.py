"""Running the analyser on a document: what goes in (the files, the customer, the settings
the document keeps) and what comes out (the decision, its events, the request's status).

The analysis itself runs outside any transaction, often in another process: ``prepare``
and ``apply`` each own a short transaction around it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from openkyc import analysis as analyser
from openkyc import clock
from openkyc.analysis import (
    AddressAnalysis,
    AddressSettings,
    IdentityAnalysis,
    IdentitySettings,
    InputFile,
    Person,
    address_settings_from_contract,
    identity_settings_from_contract,
    with_duplicate,
)
from openkyc.db.models import Customer, KycDocument
from openkyc.events import types as event_types
from openkyc.files import service as file_service
from openkyc.kyc.documents import service as documents
from openkyc.kyc.documents import transitions
from openkyc.kyc.documents.fingerprints import FingerprintRepository
from openkyc.kyc.documents.repository import KycDocumentRepository
from openkyc.kyc.enums import (
    ADDRESS,
    IDENTITY,
    IDENTITY_FILE_ROLES,
    MATCHES_VERSION,
    DocumentStatus,
)
from openkyc.kyc.liveness import service as liveness
from openkyc.kyc.requests import service as kyc_requests
from openkyc.storage import Storage, StoredObjectMissing
from openkyc.timeline import changes
from openkyc.timeline.authors import SYSTEM
from openkyc.wire import Links

ANALYZE_DOCUMENT = documents.ANALYZE_DOCUMENT
DECISION_EVENTS = {
    DocumentStatus.ACCEPTED: event_types.KYC_DOCUMENT_ACCEPTED,
    DocumentStatus.REJECTED: event_types.KYC_DOCUMENT_REJECTED,
    DocumentStatus.PENDING: event_types.KYC_DOCUMENT_MODIFIED,
}
Analysis = IdentityAnalysis | AddressAnalysis


@dataclass(frozen=True)
class Prepared:
    """Everything the analyser needs, as plain values that cross a process boundary."""

    document_type: str
    files: tuple[InputFile, ...]
    person: Person
    settings: IdentitySettings | AddressSettings
    match_level: int
    today: date
    subtypes_allowed: tuple[str, ...] | None
    face_proof_required: bool


def _person(customer: Customer) -> Person:
    address: dict[str, Any] = customer.primary_address or {}
    dob = address.get("dob")
    return Person(
        first_name=address.get("firstName") or "",
        last_name=address.get("lastName") or "",
        dob=date.fromisoformat(dob) if dob else None,
        line1=address.get("address"),
        line2=address.get("address2"),
        city=address.get("city"),
        region=address.get("region"),
        postal_code=address.get("postalCode"),
        country=address.get("country"),
    )


def library_settings(
    document_type: str, snapshot: dict[str, Any] | None
) -> IdentitySettings | AddressSettings:
    """The document's settings snapshot (the contract's shape) as the analyser's values."""
    if document_type == ADDRESS:
        return address_settings_from_contract(snapshot)
    return identity_settings_from_contract(snapshot)


def _current(session: Session, organization_id: str, payload: dict[str, Any]) -> KycDocument | None:
    """The document the job is about, if the job still speaks for it: its analysis awaited,
    with the same files (a newer upload has a job of its own). A person may have decided it
    meanwhile; the result is still the document's."""
    document = KycDocumentRepository(session, organization_id).get(
        payload["documentId"], for_update=True
    )
    if (
        document is None
        or not document.analysis_pending
        or document.status == DocumentStatus.ARCHIVED
        or list(document.file_ids) != payload["fileIds"]
    ):
        return None
    return document


def _request_terms(session: Session, document: KycDocument) -> tuple[tuple[str, ...] | None, bool]:
    if document.request_id is None:
        return None, False
    request = kyc_requests.find(session, document.organization_id, document.request_id)
    wanted = next(
        (d for d in (request.documents if request else []) if d["type"] == document.document_type),
        {},
    )
    subtypes = tuple(s for s in wanted.get("subtypes") or [] if s) or None
    return subtypes, bool(wanted.get("faceProofRequired"))


def prepare(
    session: Session, storage: Storage, organization_id: str, payload: dict[str, Any]
) -> Prepared | None:
    document = _current(session, organization_id, payload)
    if document is None:
        return None
    customer = session.get(Customer, (organization_id, document.customer_id))
    assert customer is not None
    files = file_service.by_id(session, organization_id, document.file_ids)
    try:
        inputs = tuple(
            InputFile(storage.get(files[f].storage_key), _role(files[f].tags), files[f].name)
            for f in document.file_ids
        )
    except (KeyError, StoredObjectMissing) as error:
        raise analyser.UnreadableFile("a file of the document is no longer stored") from error
    subtypes, face_required = _request_terms(session, document)
    return Prepared(
        document_type=document.document_type,
        files=inputs,
        person=_person(customer),
        settings=library_settings(document.document_type, document.settings),
        match_level=document.match_level,
        today=clock.now().date(),
        subtypes_allowed=subtypes,
        face_proof_required=face_required,
    )


def _role(tags: list[str]) -> str | None:
    return next((t for t in tags if t in IDENTITY_FILE_ROLES), None)


def analyse(prepared: Prepared) -> Analysis:
    """Run the analyser (in whatever process the caller chose)."""
    if prepared.document_type == IDENTITY:
        assert isinstance(prepared.settings, IdentitySettings)
        return analyser.analyze_identity(
            prepared.files,
            prepared.person,
            prepared.settings,
            prepared.match_level,
            today=prepared.today,
            subtypes_allowed=prepared.subtypes_allowed,
            face_proof_required=prepared.face_proof_required,
        )
    assert isinstance(prepared.settings, AddressSettings)
    return analyser.analyze_address(
        prepared.files,
        prepared.person,
        prepared.settings,
        prepared.match_level,
        today=prepared.today,
        subtypes_allowed=prepared.subtypes_allowed,
    )


def _matches(result: Analysis, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": MATCHES_VERSION,
        "score": result.score,
        # Beside the contract's fields, whether the check saw something wrong or could not
        # read it (``conclusive``): a preview of other settings scores with it.
        "checkList": [
            {**check.to_dict(), "conclusive": check.conclusive} for check in result.checks
        ],
        "data": data,
    }


def apply(
    session: Session, organization_id: str, payload: dict[str, Any], result: Analysis, links: Links
) -> None:
    """Record the analyser's decision, after looking for the same identity on other customers."""
    document = _current(session, organization_id, payload)
    if document is None:
        return
    before = changes.snapshot(document)
    fingerprints = FingerprintRepository(session, organization_id)
    duplicate = fingerprints.duplicate_reason(document.customer_id, result.fingerprints)
    if duplicate is not None:
        settings = library_settings(document.document_type, document.settings)
        result = with_duplicate(result, settings, reason=duplicate)
    fingerprints.replace(document.id, document.customer_id, result.fingerprints)
    serialised = result.to_dict()
    if liveness.completed_for(session, document):
        serialised["matches"]["hasCompletedFaceLiveness"] = True
    document.analysis_pending = False
    document.document_matches = _matches(result, serialised["matches"])
    document.parsed_data = _matches(result, serialised["parsed_data"])
    document.hints = [{"code": h.code, "message": h.message} for h in result.hints] or None
    if document.decision_id is not None:
        # A person decided while the analyser worked: their decision wins, the findings stay.
        note = (
            f"The analysis of KYC document {document.id} ended after a person's decision "
            f"(score {result.score}, {result.decision}); the person's decision stands"
        )
        modified = [event_types.KYC_DOCUMENT_MODIFIED]
        documents.changed(
            session, document, links, modified, author=SYSTEM, before=before, note=note
        )
        return
    transitions.move(document, DocumentStatus(result.decision))
    document.rejection_reason = (
        {"type": result.rejection.type, "message": result.rejection.message[:255]}
        if result.rejection
        else None
    )
    document.processed_time = clock.now()
    note = f"The analyser scored KYC document {document.id} {result.score}: {result.decision}"
    decided = [DECISION_EVENTS[DocumentStatus(result.decision)]]
    documents.changed(session, document, links, decided, author=SYSTEM, before=before, note=note)


def unanalysable(
    session: Session, organization_id: str, payload: dict[str, Any], reason: str, links: Links
) -> None:
    """The analyser could not decide: the document waits for a person, with the reason."""
    document = _current(session, organization_id, payload)
    if document is None:
        return
    before = changes.snapshot(document)
    document.analysis_pending = False
    document.analysis_error = reason[:2000]
    if document.decision_id is None:
        transitions.move(document, DocumentStatus.PENDING)
        document.processed_time = clock.now()
    modified = [event_types.KYC_DOCUMENT_MODIFIED]
    documents.changed(session, document, links, modified, author=SYSTEM, before=before)
