"""Finding a document another customer of the organization already used.

Portrait hashes are 64-bit perceptual hashes: two crops of the same photo differ in a few
bits. The hash is stored whole and as eight 8-bit bands; two hashes within 7 bits of each
other share at least one band exactly, so an indexed lookup of the bands finds every
candidate, and the full hashes decide."""

from __future__ import annotations

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from openkyc.analysis import Fingerprints
from openkyc.db.models import KycDocumentFingerprint

BANDS = 8
# Bits two portrait hashes may differ by and still be the same photo.
PORTRAIT_DISTANCE = 6


def _rows(fingerprints: Fingerprints) -> dict[str, str]:
    rows: dict[str, str] = {}
    if fingerprints.document:
        rows["document"] = fingerprints.document
    if fingerprints.portrait_hash:
        rows["portrait"] = fingerprints.portrait_hash
        for band, value in enumerate(_bands(fingerprints.portrait_hash)):
            rows[f"portrait-band-{band}"] = value
    return rows


def _bands(portrait_hash: str) -> list[str]:
    width = len(portrait_hash) // BANDS
    return [portrait_hash[i * width : (i + 1) * width] for i in range(BANDS)]


def _distance(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


class FingerprintRepository:
    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def replace(self, document_id: str, customer_id: str, fingerprints: Fingerprints) -> None:
        self.session.execute(
            delete(KycDocumentFingerprint).where(
                KycDocumentFingerprint.organization_id == self.organization_id,
                KycDocumentFingerprint.kyc_document_id == document_id,
            )
        )
        for kind, value in _rows(fingerprints).items():
            self.session.add(
                KycDocumentFingerprint(
                    organization_id=self.organization_id,
                    kyc_document_id=document_id,
                    kind=kind,
                    value=value,
                    customer_id=customer_id,
                )
            )
        self.session.flush()

    def _others(self, customer_id: str):  # type: ignore[no-untyped-def]
        return select(KycDocumentFingerprint).where(
            KycDocumentFingerprint.organization_id == self.organization_id,
            KycDocumentFingerprint.customer_id != customer_id,
        )

    def duplicate_reason(self, customer_id: str, fingerprints: Fingerprints) -> str | None:
        """``duplicate-document`` or ``duplicate-portrait`` when another customer's document
        carries the same identity, else None."""
        if fingerprints.document:
            statement = self._others(customer_id).where(
                KycDocumentFingerprint.kind == "document",
                KycDocumentFingerprint.value == fingerprints.document,
            )
            if self.session.scalars(statement.limit(1)).first() is not None:
                return "duplicate-document"
        if fingerprints.portrait_hash and self._portrait_reused(
            customer_id, fingerprints.portrait_hash
        ):
            return "duplicate-portrait"
        return None

    def _portrait_reused(self, customer_id: str, portrait_hash: str) -> bool:
        bands = [
            and_(
                KycDocumentFingerprint.kind == f"portrait-band-{i}",
                KycDocumentFingerprint.value == value,
            )
            for i, value in enumerate(_bands(portrait_hash))
        ]
        candidates = {
            row.kyc_document_id
            for row in self.session.scalars(self._others(customer_id).where(or_(*bands)))
        }
        if not candidates:
            return False
        statement = self._others(customer_id).where(
            KycDocumentFingerprint.kind == "portrait",
            KycDocumentFingerprint.kyc_document_id.in_(candidates),
        )
        return any(
            _distance(row.value, portrait_hash) <= PORTRAIT_DISTANCE
            for row in self.session.scalars(statement)
        )
