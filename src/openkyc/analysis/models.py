"""The values that go in and out of the analyser. Plain frozen dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

__all__ = [
    "AddressAnalysis",
    "Check",
    "Decision",
    "Fingerprints",
    "Hint",
    "IdentityAnalysis",
    "InputFile",
    "Person",
    "QualityFinding",
    "Rejection",
]

Decision = Literal["accepted", "rejected", "pending"]
FILE_TAGS = ("id-front", "id-back", "face-proof")


@dataclass(frozen=True)
class InputFile:
    """One uploaded file: its bytes and its KYC tag (``id-front``, ``id-back``,
    ``face-proof``, or None when the uploader gave none)."""

    data: bytes
    tag: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Person:
    """The customer as the merchant knows them; documents are compared with this.

    ``middle_name`` never fails a check: documents print middle names or leave them out
    as they please. ``dob`` None means the birth date is read but not compared;
    ``country`` (ISO 3166 alpha-2) and ``region`` choose the minimum age.
    """

    first_name: str
    last_name: str
    middle_name: str | None = None
    dob: date | None = None
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166 alpha-2


@dataclass(frozen=True)
class Check:
    """One executed check, named like the contract's weight of the same name.

    ``score`` is the number of points it took off (its weight when failed, else 0);
    ``reason`` a machine-readable cause such as ``mismatch``, ``expired``, ``not-found``.
    ``conclusive`` is False when the check failed only because something could not be
    read: such failures alone never reject a document.
    """

    name: str
    failed: bool
    score: int = 0
    reason: str | None = None
    conclusive: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The contract's ``KycDocumentCheck``."""
        return {
            "name": self.name,
            "failed": self.failed,
            "score": self.score,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Rejection:
    """A ``KycDocumentRejectionReasonTypes`` value and a plain-English message."""

    type: str
    message: str


@dataclass(frozen=True)
class Hint:
    """What the customer should do to make the next upload pass."""

    code: str
    message: str


@dataclass(frozen=True)
class QualityFinding:
    """An image-quality problem on one file: ``blur``, ``glare``, ``dark``, ``cut-off``."""

    file_index: int
    kind: str
    value: float


@dataclass(frozen=True)
class Fingerprints:
    """Values the service compares across customers to find a document used twice.

    ``document`` is a SHA-256 of the normalised document number and birth date;
    ``portrait_hash`` a 64-bit perceptual hash (hex) of the portrait crop;
    ``portrait_embedding`` the 128-d face embedding of that portrait.
    """

    document: str | None = None
    portrait_hash: str | None = None
    portrait_embedding: tuple[float, ...] | None = None
    page_hash: str | None = None


@dataclass(frozen=True)
class _Analysis:
    checks: tuple[Check, ...]
    score: int
    decision: Decision
    rejection: Rejection | None
    hints: tuple[Hint, ...]
    matches: dict[str, Any]
    parsed_data: dict[str, Any]
    quality: tuple[QualityFinding, ...] = ()
    fingerprints: Fingerprints = field(default_factory=Fingerprints)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: checks in the contract's shape, dates as ISO strings."""
        data = asdict(self)
        data["checks"] = [check.to_dict() for check in self.checks]
        return _jsonable(data)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class IdentityAnalysis(_Analysis):
    """The findings on an identity-proof document."""


@dataclass(frozen=True)
class AddressAnalysis(_Analysis):
    """The findings on an address-proof document."""
