"""Finding a document another customer of the organization already used.

The database finds the candidates with an index, the analyser decides
(:func:`openkyc.analysis.find_duplicate`). A document fingerprint (number and birth date)
must be equal. A portrait hash is 64-bit perceptual hash, stored whole and as eight 8-bit
bands: two hashes within 7 bits of each other share at least one band exactly, so every such
candidate is found without reading the organization's other documents."""

from __future__ import annotations

from sqlalchemy import Select, and_, delete, or_, select, update
from sqlalchemy.orm import Session, aliased

from openkyc.analysis import Fingerprints, find_duplicate
from openkyc.db.models import KycDocumentFingerprint

BANDS = 8


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

    def reassign(self, customer_id: str, target_customer_id: str) -> None:
        """The customer's fingerprints now speak for another customer (a merge)."""
        self.session.execute(
            update(KycDocumentFingerprint)
            .where(
                KycDocumentFingerprint.organization_id == self.organization_id,
                KycDocumentFingerprint.customer_id == customer_id,
            )
            .values(customer_id=target_customer_id)
        )

    def _others(self, customer_id: str) -> Select[KycDocumentFingerprint]:
        return select(KycDocumentFingerprint).where(
            KycDocumentFingerprint.organization_id == self.organization_id,
            KycDocumentFingerprint.customer_id != customer_id,
        )

    def duplicate_reason(self, customer_id: str, fingerprints: Fingerprints) -> str | None:
        """``duplicate-document`` or ``duplicate-portrait`` when another customer's document
        carries the same identity, else None."""
        return find_duplicate(fingerprints, self._candidates(customer_id, fingerprints))

    def _candidates(self, customer_id: str, fingerprints: Fingerprints) -> list[Fingerprints]:
        matches = []
        if fingerprints.document:
            matches.append(
                and_(
                    KycDocumentFingerprint.kind == "document",
                    KycDocumentFingerprint.value == fingerprints.document,
                )
            )
        if fingerprints.portrait_hash:
            matches += [
                and_(
                    KycDocumentFingerprint.kind == f"portrait-band-{i}",
                    KycDocumentFingerprint.value == value,
                )
                for i, value in enumerate(_bands(fingerprints.portrait_hash))
            ]
        if not matches:
            return []
        hits = {
            row.kyc_document_id
            for row in self.session.scalars(self._others(customer_id).where(or_(*matches)))
        }
        if not hits:
            return []
        statement = self._others(customer_id).where(
            KycDocumentFingerprint.kyc_document_id.in_(hits),
            KycDocumentFingerprint.kind.in_(("document", "portrait")),
        )
        stored: dict[str, dict[str, str]] = {}
        for row in self.session.scalars(statement):
            stored.setdefault(row.kyc_document_id, {})[row.kind] = row.value
        return [
            Fingerprints(document=v.get("document"), portrait_hash=v.get("portrait"))
            for v in stored.values()
        ]

    def shared_with(self, document_id: str, customer_id: str) -> list[tuple[str, str]]:
        """(customer, document) of other customers whose document carries the same document
        number and birth date, or the same portrait, as this one."""
        mine = aliased(KycDocumentFingerprint)
        other = aliased(KycDocumentFingerprint)
        statement = (
            select(other.customer_id, other.kyc_document_id)
            .join(
                mine,
                and_(
                    mine.organization_id == other.organization_id,
                    mine.kind == other.kind,
                    mine.value == other.value,
                ),
            )
            .where(
                mine.organization_id == self.organization_id,
                mine.kyc_document_id == document_id,
                mine.kind.in_(("document", "portrait")),
                other.customer_id != customer_id,
            )
            .distinct()
            .order_by(other.customer_id, other.kyc_document_id)
            .limit(20)
        )
        return [(c, d) for c, d in self.session.execute(statement)]
