"""Asking the bureau when a request is created, and its answer as a decided document."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openkyc.credit_file.bureau import (
    Applicant,
    BureauUnavailable,
    CreditBureau,
    CreditFileDecision,
)
from openkyc.db.ids import new_id
from openkyc.db.models import Customer, KycDocument, KycRequest
from openkyc.events import types as event_types
from openkyc.kyc.enums import CREDIT_FILE, MATCHES_VERSION, DocumentStatus

log = logging.getLogger(__name__)


def applicant_of(customer: Customer) -> Applicant:
    address: dict[str, Any] = customer.primary_address or {}
    dob = address.get("dob")
    return Applicant(
        first_name=address.get("firstName") or "",
        last_name=address.get("lastName") or "",
        dob=date.fromisoformat(dob) if dob else None,
        line1=address.get("address"),
        city=address.get("city"),
        region=address.get("region"),
        postal_code=address.get("postalCode"),
        country=address.get("country"),
    )


@dataclass(frozen=True)
class BureauAnswer:
    """What the bureau said of a customer (``decision`` is None when it could not be asked),
    and when: asked before the request's transaction begins, recorded inside it."""

    decision: CreditFileDecision | None
    trouble: str
    consulted: datetime


def consult(bureau: CreditBureau, applicant: Applicant, now: datetime) -> BureauAnswer:
    """Ask the bureau about the applicant. Call it with no transaction open: the bureau is
    outside the machine and may take its time (or time out)."""
    try:
        return BureauAnswer(bureau.check(applicant, now), "", now)
    except BureauUnavailable as error:
        log.warning("credit bureau %s unavailable: %s", bureau.name, error)
        return BureauAnswer(None, "The credit bureau could not be reached", now)


def decided_document(
    request: KycRequest, customer: Customer, answer: BureauAnswer
) -> tuple[KycDocument, str]:
    """The credit file is tried first: the bureau's answer becomes a document of the request,
    decided already (the document, not yet stored, and the event its decision announces)."""
    decision, trouble, now = answer.decision, answer.trouble, answer.consulted
    accepted = decision is not None and decision.proves_identity
    matches = {
        "version": MATCHES_VERSION,
        "score": 100 if accepted else 0,
        "checkList": [
            {
                "name": "decision",
                "failed": not accepted,
                "score": 0 if accepted else 100,
                "reason": None
                if accepted
                else (trouble or f"decision {decision.decision if decision else 'none'}"),
            }
        ],
        "data": decision.matches if decision else {},
    }
    rejection = None
    if not accepted:
        rejection = {
            "type": "other" if trouble else "document-not-matching",
            "message": trouble
            or "The credit bureau could not confirm the customer's identity and address",
        }
    document = KycDocument(
        id=new_id("kyc_doc"),
        organization_id=request.organization_id,
        customer_id=customer.id,
        request_id=request.id,
        document_type=CREDIT_FILE,
        status=DocumentStatus.ACCEPTED if accepted else DocumentStatus.REJECTED,
        rejection_reason=rejection,
        processed_time=now,
        file_ids=[],
        match_level=request.match_level,
        reason=request.reason,
        document_matches=matches,
        parsed_data=matches,
        revision=0,
        created_time=now,
        updated_time=now,
    )
    decided = event_types.KYC_DOCUMENT_ACCEPTED if accepted else event_types.KYC_DOCUMENT_REJECTED
    return document, decided
