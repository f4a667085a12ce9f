"""Identity proof: passports, identity cards, driver licences and the selfie.

:func:`analyze_identity` reads the files (the only step with models), gathers what they
say into :class:`IdentityFacts`, and :func:`identity_checks` decides each check from
those facts alone, so every decision can be tested with plain values.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import iso3166
import numpy as np

from openkyc.analysis import tampering
from openkyc.analysis.dates import age_on
from openkyc.analysis.engines import Engines, Face, default_engines
from openkyc.analysis.errors import UnsupportedInput
from openkyc.analysis.hints import hints_for
from openkyc.analysis.imaging import (
    Page,
    crop,
    is_grayscale,
    load_page,
    perceptual_hash,
    quality_findings,
)
from openkyc.analysis.models import (
    FILE_TAGS,
    Check,
    Fingerprints,
    IdentityAnalysis,
    InputFile,
    Person,
    QualityFinding,
)
from openkyc.analysis.mrz import MrzResult
from openkyc.analysis.names import name_matches, normalize
from openkyc.analysis.reading import PageReading, read_document_page, read_selfie
from openkyc.analysis.scoring import check_match_level, decided, subtype_check, weigh
from openkyc.analysis.settings import DEFAULT_IDENTITY_SETTINGS, IdentitySettings, minimum_age_for
from openkyc.analysis.specimens import hash_distance, specimen_reason
from openkyc.analysis.zones import VisualZone

__all__ = ["FACE_DISTANCE", "IdentityFacts", "analyze_identity", "identity_checks"]

# Largest embedding distance that counts as the same person, per match level. dlib's
# model is trained for 0.6 (99.4% on LFW); strict asks for a closer match.
FACE_DISTANCE = {2: 0.55, 1: 0.6, 3: 0.62}
REFERENCE_BITS = 8  # perceptual hashes this close are the same picture


@dataclass(frozen=True)
class IdentityFacts:
    """Everything the checks decide on, read from the files."""

    readable: bool
    surname: str | None = None
    given_names: str | None = None
    birth_date: date | None = None
    expiry_date: date | None = None
    issue_date: date | None = None
    nationality: str | None = None
    issuer: str | None = None
    document_number: str | None = None
    sex: str | None = None
    subtype: str | None = None
    identity_features: bool = False
    mrz: MrzResult | None = None
    portrait_found: bool = False
    selfie_given: bool = False
    selfie_face_found: bool = False
    face_distance: float | None = None
    tamper_signals: tuple[str, ...] = ()
    photocopy: bool = False
    specimen: str | None = None
    reference_match: bool = False


def _name_checks(
    facts: IdentityFacts, person: Person, weights: dict[str, int], level: int
) -> list[Check]:
    first = " ".join(filter(None, [person.first_name]))
    found_first = name_matches(first, facts.given_names, level)
    found_last = name_matches(person.last_name, facts.surname, level)
    if not (found_first and found_last):  # the customer may have swapped the two
        swapped = name_matches(first, facts.surname, level) and name_matches(
            person.last_name, facts.given_names, level
        )
        if swapped:
            found_first = found_last = True
    return [
        _match_check("firstName", found_first, facts.given_names, weights),
        _match_check("lastName", found_last, facts.surname, weights),
    ]


def _match_check(name: str, matched: bool, read: str | None, weights: dict[str, int]) -> Check:
    if matched:
        return weigh(name, False, weights)
    if read:
        return weigh(name, True, weights, "mismatch")
    return weigh(name, True, weights, "not-found", conclusive=False)


def _birth_checks(
    facts: IdentityFacts, person: Person, settings: IdentitySettings, today: date
) -> list[Check]:
    weights = settings.weights
    if facts.birth_date is None:
        return [
            weigh("dateOfBirth", True, weights, "not-found", conclusive=False),
            weigh("hasMinimalAge", True, weights, "dob-not-found", conclusive=False),
        ]
    dob = weigh(
        "dateOfBirth",
        person.dob is not None and person.dob != facts.birth_date,
        weights,
        "mismatch",
    )
    country = person.country or alpha2(facts.issuer)
    minimum = minimum_age_for(settings.minimum_age, country, person.region)
    underage = age_on(facts.birth_date, today) < minimum
    return [dob, weigh("hasMinimalAge", underage, weights, f"under-{minimum}")]


def _date_checks(facts: IdentityFacts, weights: dict[str, int], today: date) -> list[Check]:
    if facts.expiry_date is None:
        expiry = weigh("expirationDate", True, weights, "not-found", conclusive=False)
    else:
        expiry = weigh("expirationDate", facts.expiry_date < today, weights, "expired")
    if facts.issue_date is None:
        issue = weigh("issueDate", True, weights, "not-found", conclusive=False)
    else:
        issue = weigh("issueDate", facts.issue_date > today, weights, "in-future")
    return [expiry, issue]


def _document_checks(
    facts: IdentityFacts, weights: dict[str, int], subtypes_allowed: Sequence[str] | None
) -> list[Check]:
    checks = [
        weigh(
            "isIdentityDocument",
            not facts.identity_features,
            weights,
            "no-identity-features" if facts.readable else "unreadable",
            conclusive=facts.readable,
        ),
        weigh(
            "containsImage", not facts.portrait_found, weights, "no-face-found", conclusive=False
        ),
        subtype_check(facts.subtype, weights, subtypes_allowed),
        weigh("nationality", facts.nationality is None, weights, "not-found", conclusive=False),
    ]
    if facts.mrz is not None:
        failed = sorted(
            name.removeprefix("check_") for name, ok in facts.mrz.checks.items() if not ok
        )
        checks.append(
            weigh("mrzChecksum", bool(failed), weights, "check-digit:" + ",".join(failed))
        )
    return checks


def _integrity_checks(facts: IdentityFacts, weights: dict[str, int]) -> list[Check]:
    signal = facts.tamper_signals[0] if facts.tamper_signals else None
    tampered = weigh("isTampered", bool(signal), weights, signal)
    published = facts.specimen or ("matches-reference" if facts.reference_match else None)
    return [
        tampered,
        weigh("isPhotocopy", facts.photocopy, weights, "no-colour"),
        weigh("isPublishedOnline", bool(published), weights, published),
    ]


def _face_check(
    facts: IdentityFacts, weights: dict[str, int], level: int, required: bool
) -> list[Check]:
    if not facts.selfie_given:
        return (
            [weigh("hasMatchingFaceProof", True, weights, "face-proof-missing", conclusive=False)]
            if required
            else []
        )
    if not facts.selfie_face_found:
        return [weigh("hasMatchingFaceProof", True, weights, "no-face-on-selfie", conclusive=False)]
    if facts.face_distance is None:
        return [
            weigh("hasMatchingFaceProof", True, weights, "no-face-on-document", conclusive=False)
        ]
    mismatch = facts.face_distance > FACE_DISTANCE.get(level, FACE_DISTANCE[2])
    return [weigh("hasMatchingFaceProof", mismatch, weights, "face-mismatch")]


def identity_checks(
    facts: IdentityFacts,
    person: Person,
    settings: IdentitySettings,
    match_level: int = 2,
    *,
    today: date,
    subtypes_allowed: Sequence[str] | None = None,
    face_proof_required: bool = False,
) -> list[Check]:
    """Every identity check, decided from ``facts`` alone.

    A failure caused by something the analyser could not read is marked
    ``conclusive=False``; see :func:`score_document`.
    """
    weights = settings.weights
    return [
        *_document_checks(facts, weights, subtypes_allowed),
        *_name_checks(facts, person, weights, match_level),
        *_birth_checks(facts, person, settings, today),
        *_date_checks(facts, weights, today),
        *_face_check(facts, weights, match_level, face_proof_required),
        *_integrity_checks(facts, weights),
    ]


def alpha2(code: str | None) -> str | None:
    """An ICAO 9303 state code (alpha-3, or Germany's ``D``) as ISO 3166 alpha-2."""
    code = (code or "").strip("< ").upper()
    special = {
        "D": "DE",
        "RKS": "XK",
        "GBD": "GB",
        "GBN": "GB",
        "GBO": "GB",
        "GBP": "GB",
        "GBS": "GB",
    }
    if code in special:
        return special[code]
    country = iso3166.countries_by_alpha3.get(code)
    return country.alpha2 if country else None


# -- from pages to facts -------------------------------------------------------------------


_SUBTYPE_WORDS = (
    ("driver-license", r"DRIV|DRIVING LICEN|PERMIS DE CONDUIRE|FUHRERSCHEIN|LICENCIA DE CONDUC"),
    ("passport", r"PASSPORT|PASSEPORT|REISEPASS|PASAPORTE|PASSAPORTO|PASZPORT"),
    (
        "id-card",
        r"IDENTITY CARD|IDENTITE|PERSONALAUSWEIS|IDENTIDAD|IDENTITA|ID CARD|"
        r"RESIDENCE PERMIT|TITRE DE SEJOUR|AUFENTHALTSTITEL|IDENTIFICATION CARD",
    ),
)


def _subtype(mrz: MrzResult | None, text: str) -> str | None:
    if mrz is not None:
        code = mrz.fields.get("document_code", "")[:1]
        if code == "P":
            return "passport"
        if code in ("I", "A", "C"):
            return "id-card"
        if code == "V":
            return "other"
    folded = normalize(text)
    for subtype, pattern in _SUBTYPE_WORDS:
        if re.search(pattern, folded):
            return subtype
    return None


def _first(*values: Any) -> Any:
    return next((value for value in values if value), None)


def _merged_viz(readings: list[PageReading]) -> VisualZone:
    zones = [reading.viz for reading in readings]
    keys = (
        "surname",
        "given_names",
        "birth_date",
        "expiry_date",
        "issue_date",
        "document_number",
        "nationality",
    )
    merged = {key: _first(*(getattr(zone, key) for zone in zones)) for key in keys}
    dates = tuple(d for zone in zones for d in zone.dates)
    return VisualZone(**merged, dates=dates, text="\n".join(zone.text for zone in zones))


def _issue_date(
    viz: VisualZone, birth: date | None, expiry: date | None, today: date
) -> date | None:
    """The labelled issue date, else the one printed date between birth and expiry."""
    if viz.issue_date:
        return viz.issue_date
    between = {
        d
        for d in viz.dates
        if d not in (birth, expiry)
        and d <= today
        and (birth is None or d > birth)
        and (expiry is None or d < expiry)
    }
    return between.pop() if len(between) == 1 else None


def _nationality(mrz: MrzResult | None, viz: VisualZone) -> str | None:
    if mrz is not None and re.fullmatch(r"[A-Z]{1,3}", mrz.fields.get("nationality", "")):
        return mrz.fields["nationality"]
    return viz.nationality


def _portrait(readings: list[PageReading]) -> tuple[Face | None, np.ndarray | None]:
    ordered = sorted(readings, key=lambda r: r.page.tag != "id-front")
    for reading in ordered:
        if reading.faces:
            return reading.faces[0], reading.image
    return None, None


def _face_distance(portrait: Face | None, selfie: Face | None) -> float | None:
    if portrait is None or selfie is None:
        return None
    return float(np.linalg.norm(np.array(portrait.embedding) - np.array(selfie.embedding)))


@dataclass
class _Reading:
    documents: list[PageReading]
    selfies: list[Page]
    selfie_faces: list[Face] = field(default_factory=list)


def _read(files: Sequence[InputFile], engines: Engines, today: date) -> _Reading:
    if not files:
        raise UnsupportedInput("no file to analyse")
    for file in files:
        if file.tag is not None and file.tag not in FILE_TAGS:
            raise UnsupportedInput(f"unknown file tag {file.tag!r}")
    pages = [load_page(file, index) for index, file in enumerate(files)]
    documents = [page for page in pages if page.tag != "face-proof"]
    if not documents:
        raise UnsupportedInput("only a selfie was given, no document")
    selfies = [page for page in pages if page.tag == "face-proof"]
    reading = _Reading(
        [read_document_page(page, engines, today=today) for page in documents], selfies
    )
    for page in selfies:
        reading.selfie_faces = read_selfie(page, engines)
        if reading.selfie_faces:
            break
    return reading


def _facts(
    reading: _Reading, today: date, known_references: Sequence[str]
) -> tuple[IdentityFacts, Fingerprints]:
    docs = reading.documents
    mrz = _first(*(r.mrz for r in docs if r.mrz and r.mrz.valid), *(r.mrz for r in docs))
    viz = _merged_viz(docs)
    text = "\n".join(r.text for r in docs)
    portrait, portrait_page = _portrait(docs)
    selfie = reading.selfie_faces[0] if reading.selfie_faces else None
    birth = (mrz.birth_date if mrz else None) or viz.birth_date
    expiry = (mrz.expiry_date if mrz else None) or viz.expiry_date
    number = mrz.fields["document_number"] if mrz else viz.document_number
    subtype = _subtype(mrz, text)
    fingerprints = _fingerprints(number, birth, portrait, portrait_page, docs[0].image)
    hashes = [h for h in (fingerprints.portrait_hash, fingerprints.page_hash) if h]
    signals = tampering.identity_signals(mrz, viz, [r.page for r in docs] + reading.selfies)
    facts = IdentityFacts(
        readable=sum(len(r.lines) for r in docs) >= 3,
        surname=(mrz.surname if mrz else None) or viz.surname,
        given_names=(mrz.given_names if mrz else None) or viz.given_names,
        birth_date=birth,
        expiry_date=expiry,
        issue_date=_issue_date(viz, birth, expiry, today),
        nationality=_nationality(mrz, viz),
        issuer=mrz.fields.get("issuer") if mrz else None,
        document_number=number,
        sex=_sex(mrz),
        subtype=subtype,
        identity_features=mrz is not None or (subtype is not None and portrait is not None),
        mrz=mrz,
        portrait_found=portrait is not None,
        selfie_given=bool(reading.selfies),
        selfie_face_found=selfie is not None,
        face_distance=_face_distance(portrait, selfie),
        tamper_signals=signals,
        photocopy=all(is_grayscale(r.page.image) for r in docs),
        specimen=specimen_reason(
            text,
            document_number=number,
            issuer=mrz.fields.get("issuer") if mrz else None,
            birth_date=mrz.fields.get("birth_date") if mrz else None,
            surname=mrz.surname if mrz else viz.surname,
            stamp_text=[text for r in docs for text in r.stamps],
        ),
        reference_match=any(
            hash_distance(h, ref) <= REFERENCE_BITS for h in hashes for ref in known_references
        ),
    )
    return facts, fingerprints


def _sex(mrz: MrzResult | None) -> str | None:
    value = mrz.fields.get("sex") if mrz else None
    return value if value in ("M", "F", "X") else None


def document_fingerprint(number: str | None, birth: date | None) -> str | None:
    """SHA-256 of the normalised document number and birth date (None if either is missing):
    the same document presented by two customers gives the same value."""
    if not number or birth is None:
        return None
    key = f"{re.sub(r'[^A-Z0-9]', '', number.upper())}|{birth.isoformat()}"
    return hashlib.sha256(key.encode()).hexdigest()


def _fingerprints(
    number: str | None,
    birth: date | None,
    portrait: Face | None,
    portrait_page: np.ndarray | None,
    page: np.ndarray,
) -> Fingerprints:
    portrait_hash = None
    if portrait is not None and portrait_page is not None:
        portrait_hash = perceptual_hash(crop(portrait_page, portrait.box, 0.1))
    return Fingerprints(
        document=document_fingerprint(number, birth),
        portrait_hash=portrait_hash,
        portrait_embedding=portrait.embedding if portrait else None,
        page_hash=perceptual_hash(page),
    )


def _iso(value: date | None) -> str | None:
    return f"{value.isoformat()}T00:00:00+00:00" if value else None


def _matches(facts: IdentityFacts, checks: list[Check], person: Person) -> dict[str, Any]:
    failed = {check.name for check in checks if check.failed}
    ran = {check.name for check in checks}
    return {
        "containsImage": facts.portrait_found,
        "isIdentityDocument": facts.identity_features,
        "isPublishedOnline": "isPublishedOnline" in failed,
        "matchingImages": [],
        "firstName": person.first_name if "firstName" not in failed else None,
        "lastName": person.last_name if "lastName" not in failed else None,
        "dateOfBirth": _iso(facts.birth_date),
        "expirationDate": _iso(facts.expiry_date),
        "issueDate": _iso(facts.issue_date),
        "hasMinimalAge": None if facts.birth_date is None else "hasMinimalAge" not in failed,
        "nationality": alpha2(facts.nationality) or facts.nationality,
        "issuanceCountry": alpha2(facts.issuer),
        "issuanceRegion": None,
        "documentNumber": facts.document_number,
        "sex": facts.sex,
        "mrzChecksumValid": facts.mrz.valid if facts.mrz else None,
        "documentSubtype": facts.subtype,
        "hasMatchingFaceProof": "hasMatchingFaceProof" in ran
        and "hasMatchingFaceProof" not in failed,
        "isTampered": "isTampered" in failed,
        "isDigitallyTampered": any(s.startswith("edited-with") for s in facts.tamper_signals),
        "isPhotocopy": facts.photocopy,
        "hasCompletedFaceLiveness": False,
    }


def _parsed(facts: IdentityFacts, reading: _Reading) -> dict[str, Any]:
    mrz = facts.mrz
    return {
        "mrz": None
        if mrz is None
        else {
            "format": mrz.format,
            "lines": list(mrz.lines),
            "fields": mrz.fields,
            "checkDigits": mrz.checks,
            "valid": mrz.valid,
        },
        "surname": facts.surname,
        "givenNames": facts.given_names,
        "dateOfBirth": facts.birth_date,
        "expirationDate": facts.expiry_date,
        "issueDate": facts.issue_date,
        "documentNumber": facts.document_number,
        "nationality": facts.nationality,
        "issuingCountry": facts.issuer,
        "sex": facts.sex,
        "documentSubtype": facts.subtype,
        "faceDistance": None if facts.face_distance is None else round(facts.face_distance, 4),
        "tamperSignals": list(facts.tamper_signals),
        "specimen": facts.specimen,
        "stamps": [text for r in reading.documents for text in r.stamps],
        "text": [line.text for r in reading.documents for line in r.lines],
        "pages": [
            {
                "index": r.page.index,
                "tag": r.page.tag,
                "rotation": r.rotation,
                "cornersFound": r.corners_found,
                "software": r.page.software,
            }
            for r in reading.documents
        ],
    }


def _quality(reading: _Reading) -> list[QualityFinding]:
    found = []
    for doc in reading.documents:
        found += quality_findings(doc.page, photo=not doc.page.text_layer)
        if not doc.corners_found and _cut_off(doc):
            found.append(QualityFinding(doc.page.index, "cut-off", 1.0))
    return found


def _cut_off(reading: PageReading) -> bool:
    """Text running into the picture's edge: part of the document is outside the frame."""
    height, width = reading.image.shape[:2]
    margin = 0.01 * max(width, height)
    return any(
        line.box[0] <= margin
        or line.box[2] >= width - margin
        or line.box[1] <= margin
        or line.box[3] >= height - margin
        for line in reading.lines
        if len(line.text) >= 3
    )


def analyze_identity(
    files: Sequence[InputFile],
    person: Person,
    settings: IdentitySettings = DEFAULT_IDENTITY_SETTINGS,
    match_level: int = 2,
    *,
    today: date,
    known_references: Sequence[str] = (),
    subtypes_allowed: Sequence[str] | None = None,
    face_proof_required: bool = False,
    engines: Engines | None = None,
) -> IdentityAnalysis:
    """Analyse an identity-proof document against the customer.

    ``files`` are the document's sides (tagged ``id-front`` / ``id-back`` or untagged)
    and optionally a selfie (``face-proof``). ``known_references`` are hex perceptual
    hashes of pictures known to be published (specimens an operator registered).
    ``subtypes_allowed`` are the subtypes the request asked for (None: any).
    ``face_proof_required`` (the request's ``faceProofRequired``) fails
    ``hasMatchingFaceProof`` when no selfie came; otherwise that check runs only when
    one did. ``engines`` defaults to the process-wide models.
    Raises :class:`UnreadableFile` for a file that is no image or PDF and
    :class:`UnsupportedInput` for a call without a document.
    """
    check_match_level(match_level)
    reading = _read(files, engines or default_engines(), today)
    facts, fingerprints = _facts(reading, today, known_references)
    checks = identity_checks(
        facts,
        person,
        settings,
        match_level,
        today=today,
        subtypes_allowed=subtypes_allowed,
        face_proof_required=face_proof_required,
    )
    quality = _quality(reading)
    return decided(
        IdentityAnalysis,
        checks,
        settings.weights,
        settings.thresholds,
        hints=tuple(hints_for(checks, quality, subtypes_allowed)),
        matches=_matches(facts, checks, person),
        parsed_data=_parsed(facts, reading),
        quality=tuple(quality),
        fingerprints=fingerprints,
    )
