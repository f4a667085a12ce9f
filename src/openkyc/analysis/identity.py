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
from rapidfuzz.distance import Levenshtein

from openkyc.analysis import tampering
from openkyc.analysis.crosscheck import (
    plausible_mrz,
    reconcile,
    reconcile_licence,
    well_formed,
    with_unverified,
)
from openkyc.analysis.dates import age_on
from openkyc.analysis.engines import Engines, Face, default_engines
from openkyc.analysis.errors import UnreadableFile, UnsupportedInput
from openkyc.analysis.hints import hints_for
from openkyc.analysis.imaging import (
    Page,
    crop,
    is_grayscale,
    load_page,
    perceptual_hash,
    quality_findings,
)
from openkyc.analysis.licences import AamvaRecord
from openkyc.analysis.models import (
    FILE_TAGS,
    Check,
    Fingerprints,
    Hint,
    IdentityAnalysis,
    InputFile,
    Person,
    QualityFinding,
)
from openkyc.analysis.mrz import MrzResult
from openkyc.analysis.names import name_matches, normalize
from openkyc.analysis.reading import (
    PageReading,
    add_watermarks,
    read_document_page,
    read_selfie,
)
from openkyc.analysis.scoring import check_match_level, decided, subtype_check, weigh
from openkyc.analysis.settings import DEFAULT_IDENTITY_SETTINGS, IdentitySettings, minimum_age_for
from openkyc.analysis.specimens import UNCERTAIN_MARKING, hash_distance, specimen_reason
from openkyc.analysis.zones import VisualZone

__all__ = [
    "FACE_DIFFERENT",
    "FACE_DISTANCE",
    "IdentityFacts",
    "analyze_identity",
    "identity_checks",
]

# Largest embedding distance that counts as the same person, per match level. dlib's
# model is trained for 0.6 (99.4% on LFW); strict asks for a closer match.
FACE_DISTANCE = {2: 0.55, 1: 0.6, 3: 0.62}
# Smallest distance that counts as someone else. A portrait printed on a document and
# photographed again sits further from a selfie than two photos do (measured on portraits
# printed on rendered documents: +0.02 on average, up to +0.19 for a grey portrait, the
# same person at 0.29-0.58 and other people at 0.71-0.95), so a distance between the two
# limits goes to a person instead of rejecting the holder (benchmarks/analysis.py prints
# both distributions).
FACE_DIFFERENT = 0.68
REFERENCE_BITS = 8  # perceptual hashes this close are the same picture
NOT_A_DOCUMENT = Hint(
    "not-a-document", "This is not a picture of a document: photograph your identity document."
)


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
    licence: AamvaRecord | None = None  # a licence's barcode, where there is no MRZ
    portrait_found: bool = False
    selfie_given: bool = False
    selfie_face_found: bool = False
    face_distance: float | None = None
    tamper_signals: tuple[str, ...] = ()
    photocopy: bool = False
    specimen: str | None = None
    reference_match: bool = False
    uncertain: frozenset[str] = frozenset()
    mrz_discarded: bool = False
    blank: bool = False  # nothing on the pages: no text, no face, no MRZ

    @property
    def confirmed(self) -> bool:
        """Whether the identity comes from a protected source (an MRZ whose check digits
        mostly hold, a licence's barcode), so that a value differing from the customer's
        is a firm mismatch; labels read from the visual zone alone can pair a label with
        the wrong value."""
        return self.mrz is not None or self.licence is not None


def _name_checks(
    facts: IdentityFacts, person: Person, weights: dict[str, int], level: int
) -> list[Check]:
    first = " ".join(filter(None, [person.first_name]))
    found_first = name_matches(first, facts.given_names, level)
    found_last = name_matches(person.last_name, facts.surname, level)
    swapped = False
    if not (found_first and found_last):  # the customer may have swapped the two
        swapped = name_matches(first, facts.surname, level) and name_matches(
            person.last_name, facts.given_names, level
        )
        if swapped:
            found_first = found_last = True
    first_read, last_read = (
        (facts.surname, facts.given_names) if swapped else (facts.given_names, facts.surname)
    )
    return [
        _match_check("firstName", found_first, first, first_read, facts, weights),
        _match_check("lastName", found_last, person.last_name, last_read, facts, weights),
    ]


_NAME_FIELD = {"firstName": "given_names", "lastName": "surname"}


def _match_check(
    name: str,
    matched: bool,
    expected: str,
    read: str | None,
    facts: IdentityFacts,
    weights: dict[str, int],
) -> Check:
    if _NAME_FIELD[name] in facts.uncertain:
        return weigh(name, True, weights, "uncertain", conclusive=False)
    if matched:
        return weigh(name, False, weights)
    if not read:
        return weigh(name, True, weights, "not-found", conclusive=False)
    # A name one OCR slip away from the customer's is a misreading until a better
    # picture shows otherwise; so is any name read from printed labels alone.
    firm = facts.confirmed and not near_miss(expected, read)
    return weigh(name, True, weights, "mismatch" if firm else "uncertain", conclusive=firm)


def near_miss(expected: str, read: str) -> bool:
    """Whether ``read`` could be ``expected`` misread: one of its words within two edits
    (spaces and fillers aside) of the customer's, for names of four letters or more."""
    want = normalize(expected).replace(" ", "")
    if len(want) < 4:
        return False
    have = normalize(read)
    candidates = {have.replace(" ", ""), *have.split()}
    allowed = 1 if len(want) < 6 else 2
    return any(Levenshtein.distance(want, word) <= allowed for word in candidates if word)


def _birth_checks(
    facts: IdentityFacts, person: Person, settings: IdentitySettings, today: date
) -> list[Check]:
    weights = settings.weights
    if facts.birth_date is None:
        return [
            weigh("dateOfBirth", True, weights, "not-found", conclusive=False),
            weigh("hasMinimalAge", True, weights, "dob-not-found", conclusive=False),
        ]
    sure = "birth_date" not in facts.uncertain
    if not sure:
        dob = weigh("dateOfBirth", True, weights, "uncertain", conclusive=False)
    else:
        dob = weigh(
            "dateOfBirth",
            person.dob is not None and person.dob != facts.birth_date,
            weights,
            "mismatch",
            conclusive=facts.confirmed,
        )
    country = person.country or alpha2(facts.issuer)
    minimum = minimum_age_for(settings.minimum_age, country, person.region)
    underage = age_on(facts.birth_date, today) < minimum
    reason = f"under-{minimum}" if sure else "uncertain"
    return [dob, weigh("hasMinimalAge", underage, weights, reason, conclusive=sure)]


def _date_checks(facts: IdentityFacts, weights: dict[str, int], today: date) -> list[Check]:
    if facts.expiry_date is None:
        expiry = weigh("expirationDate", True, weights, "not-found", conclusive=False)
    elif "expiry_date" in facts.uncertain:
        expiry = weigh("expirationDate", True, weights, "uncertain", conclusive=False)
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
        _document_check(facts, weights),
        weigh(
            "containsImage", not facts.portrait_found, weights, "no-face-found", conclusive=False
        ),
        subtype_check(facts.subtype, weights, subtypes_allowed),
        weigh("nationality", facts.nationality is None, weights, "not-found", conclusive=False),
    ]
    checks += _mrz_check(facts, weights)
    return checks


def _document_check(facts: IdentityFacts, weights: dict[str, int]) -> Check:
    if facts.blank:  # a blank page, noise, an empty PDF: nothing to retake, no document
        return weigh("isIdentityDocument", True, weights, "not-a-document")
    return weigh(
        "isIdentityDocument",
        not facts.identity_features,
        weights,
        "no-identity-features" if facts.readable else "unreadable",
        conclusive=facts.readable,
    )


def _mrz_check(facts: IdentityFacts, weights: dict[str, int]) -> list[Check]:
    """A failed check digit is most often a misreading: it stops an acceptance and asks
    for a better picture, and never rejects on its own."""
    if facts.mrz_discarded:
        return [weigh("mrzChecksum", True, weights, "unreadable", conclusive=False)]
    if facts.mrz is None:
        if facts.licence is not None and "document_number" in facts.uncertain:
            # The barcode's number is not the one printed on the card's front.
            reason = "uncertain:document-number"
            return [weigh("mrzChecksum", True, weights, reason, conclusive=False)]
        return []
    failed = sorted(name.removeprefix("check_") for name, ok in facts.mrz.checks.items() if not ok)
    if failed:
        reason = "check-digit:" + ",".join(failed)
        return [weigh("mrzChecksum", True, weights, reason, conclusive=False)]
    if "document_number" in facts.uncertain:
        return [weigh("mrzChecksum", True, weights, "uncertain:document-number", conclusive=False)]
    return [weigh("mrzChecksum", False, weights)]


def _integrity_checks(facts: IdentityFacts, weights: dict[str, int]) -> list[Check]:
    signal = facts.tamper_signals[0] if facts.tamper_signals else None
    tampered = weigh("isTampered", bool(signal), weights, signal)
    published = facts.specimen or ("matches-reference" if facts.reference_match else None)
    # Weak evidence of a specimen's stamp waits for a person; it never rejects alone.
    firm = published != UNCERTAIN_MARKING
    return [
        tampered,
        weigh("isPhotocopy", facts.photocopy, weights, "no-colour"),
        weigh("isPublishedOnline", bool(published), weights, published, conclusive=firm),
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
    if facts.face_distance > FACE_DIFFERENT:
        return [weigh("hasMatchingFaceProof", True, weights, "face-mismatch")]
    if facts.face_distance > FACE_DISTANCE.get(level, FACE_DISTANCE[2]):
        return [weigh("hasMatchingFaceProof", True, weights, "face-uncertain", conclusive=False)]
    return [weigh("hasMatchingFaceProof", False, weights)]


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
    pages = [_page(file, index) for index, file in enumerate(files)]
    documents = [page for page in pages if page.tag != "face-proof"]
    if not documents:
        raise UnsupportedInput("only a selfie was given, no document")
    selfies = [page for page in pages if page.tag == "face-proof"]
    reading = _Reading(
        [read_document_page(page, engines, today=today) for page in documents], selfies
    )
    grey = _grey_portrait(reading.documents)
    for page in selfies:
        reading.selfie_faces = read_selfie(page, engines, grey=grey)
        if reading.selfie_faces:
            break
    return reading


def _grey_portrait(readings: list[PageReading]) -> bool:
    """Whether the document prints its portrait in grey, so that the selfie is compared in
    grey too (see :func:`read_selfie`)."""
    portrait, page = _portrait(readings)
    return portrait is not None and page is not None and is_grayscale(crop(page, portrait.box, 0.0))


def _page(file: InputFile, index: int) -> Page:
    """The file decoded; a PDF without a single page is a blank page, not a broken file."""
    try:
        return load_page(file, index)
    except UnreadableFile:
        if not _pageless_pdf(file.data):
            raise
        return Page(index, file.tag, np.full((8, 8, 3), 255, np.uint8), "pdf")


def _pageless_pdf(data: bytes) -> bool:
    """A PDF whose page tree counts no page and that holds no page object (PDFium refuses
    to open one, as it would a broken file)."""
    return (
        data[:5] == b"%PDF-"
        and re.search(rb"/Count\s+0\b", data) is not None
        and re.search(rb"/Type\s*/Page(?!s)", data) is None
    )


def _facts(
    reading: _Reading, today: date, known_references: Sequence[str]
) -> tuple[IdentityFacts, Fingerprints]:
    docs = reading.documents
    found = [r.mrz for r in docs if r.mrz]
    plausible = [m for m in found if plausible_mrz(m)]
    mrz = _first(*(m for m in plausible if m.valid), *plausible)
    viz = _merged_viz(docs)
    licence = None if mrz else _first(*(r.licence for r in docs))
    fields = reconcile_licence(licence, viz) if licence else reconcile(mrz, viz)
    unverified = None if mrz or licence else _first(*(m for m in found if well_formed(m)))
    if unverified is not None:
        fields = with_unverified(fields, unverified)
    text = "\n".join(r.text for r in docs)
    portrait, portrait_page = _portrait(docs)
    selfie = reading.selfie_faces[0] if reading.selfie_faces else None
    birth, expiry, number = fields.birth_date, fields.expiry_date, fields.document_number
    subtype = licence.subtype if licence else _subtype(mrz, text)
    sure = not fields.uncertain & {"document_number", "birth_date"}
    fingerprints = _fingerprints(
        number if sure else None, birth, portrait, portrait_page, docs[0].image
    )
    hashes = [h for h in (fingerprints.portrait_hash, fingerprints.page_hash) if h]
    # Only the document's own files: a selfie retouched or exported by an editor says
    # nothing about the document (and phones' camera apps name themselves in it).
    signals = tampering.identity_signals([r.page for r in docs])
    blank = _blank(docs)
    facts = IdentityFacts(
        readable=sum(len(r.lines) for r in docs) >= 3,
        surname=fields.surname,
        given_names=fields.given_names,
        birth_date=birth,
        expiry_date=expiry,
        issue_date=(licence.issue_date if licence else None)
        or _issue_date(viz, birth, expiry, today),
        nationality=_nationality(mrz, viz),
        issuer=mrz.fields.get("issuer") if mrz else licence.country if licence else None,
        document_number=number,
        sex=licence.sex if licence else _sex(mrz),
        subtype=subtype,
        identity_features=mrz is not None
        or licence is not None
        or (subtype is not None and portrait is not None),
        mrz=mrz,
        licence=licence,
        portrait_found=portrait is not None,
        selfie_given=bool(reading.selfies),
        selfie_face_found=selfie is not None,
        face_distance=_face_distance(portrait, selfie),
        tamper_signals=signals,
        photocopy=not blank and all(is_grayscale(r.image) for r in docs),
        specimen=specimen_reason(
            text,
            document_number=number,
            issuer=mrz.fields.get("issuer") if mrz else None,
            birth_date=mrz.fields.get("birth_date") if mrz else None,
            surname=fields.surname,
            stamp_text=[text for r in docs for text in r.stamps],
        ),
        reference_match=any(
            hash_distance(h, ref) <= REFERENCE_BITS for h in hashes for ref in known_references
        ),
        uncertain=fields.uncertain,
        mrz_discarded=bool(found) and mrz is None,
        blank=blank,
    )
    return facts, fingerprints


def _blank(docs: list[PageReading]) -> bool:
    """No page shows anything of a document: not four letters or digits read, no face,
    no MRZ, no stamp (a blank page, noise, a 1-pixel picture, a PDF without pages)."""
    characters = sum(ch.isalnum() for r in docs for line in r.lines for ch in line.text)
    return characters < 4 and not any(r.faces or r.mrz or r.stamps for r in docs)


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
        "isPublishedOnline": "isPublishedOnline" in failed and facts.specimen != UNCERTAIN_MARKING,
        "matchingImages": [],
        "firstName": person.first_name if "firstName" not in failed else None,
        "lastName": person.last_name if "lastName" not in failed else None,
        "dateOfBirth": _iso(facts.birth_date),
        "expirationDate": _iso(facts.expiry_date),
        "issueDate": _iso(facts.issue_date),
        "hasMinimalAge": None if facts.birth_date is None else "hasMinimalAge" not in failed,
        "nationality": alpha2(facts.nationality) or facts.nationality,
        "issuanceCountry": alpha2(facts.issuer),
        "issuanceRegion": facts.licence.region if facts.licence else None,
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
        "barcode": None if facts.licence is None else _barcode(facts.licence),
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
        "uncertain": sorted(facts.uncertain),
        "mrzDiscarded": facts.mrz_discarded,
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
        "selfies": [{"index": page.index, "software": page.software} for page in reading.selfies],
    }


def _barcode(record: AamvaRecord) -> dict[str, Any]:
    return {
        "format": "AAMVA",
        "kind": record.kind,
        "issuerId": record.issuer_id,
        "version": record.version,
        "documentNumber": record.number,
        "country": record.country,
        "region": record.region,
        "address": {
            "line1": record.line1,
            "line2": record.line2,
            "city": record.city,
            "region": record.region,
            "postalCode": record.postal_code,
            "country": record.country,
        },
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
    engines = engines or default_engines()
    reading = _read(files, engines, today)
    options = _Options(person, settings, match_level, today, known_references, subtypes_allowed)
    result, facts = _analysis(reading, options, face_proof_required)
    # Pale watermarks cost about a reading of the page: they are looked for only when
    # nothing cheaper showed a specimen and the document would otherwise be accepted
    # (anything else already waits for a person or is rejected).
    if facts.specimen is None and result.decision == "accepted":
        found = [add_watermarks(doc, engines) for doc in reading.documents]
        if any(found):
            result, facts = _analysis(reading, options, face_proof_required)
    return result


@dataclass(frozen=True)
class _Options:
    person: Person
    settings: IdentitySettings
    match_level: int
    today: date
    known_references: Sequence[str]
    subtypes_allowed: Sequence[str] | None


def _analysis(
    reading: _Reading, options: _Options, face_proof_required: bool
) -> tuple[IdentityAnalysis, IdentityFacts]:
    """The decision on what ``reading`` holds, and the facts it rests on."""
    settings, subtypes_allowed = options.settings, options.subtypes_allowed
    facts, fingerprints = _facts(reading, options.today, options.known_references)
    checks = identity_checks(
        facts,
        options.person,
        settings,
        options.match_level,
        today=options.today,
        subtypes_allowed=subtypes_allowed,
        face_proof_required=face_proof_required,
    )
    quality = [] if facts.blank else _quality(reading)
    hints = [NOT_A_DOCUMENT] if facts.blank else hints_for(checks, quality, subtypes_allowed)
    result = decided(
        IdentityAnalysis,
        checks,
        settings.weights,
        settings.thresholds,
        hints=tuple(hints),
        matches=_matches(facts, checks, options.person),
        parsed_data=_parsed(facts, reading),
        quality=tuple(quality),
        fingerprints=fingerprints,
    )
    return result, facts
