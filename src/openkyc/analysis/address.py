"""Address proof: utility bills, bank statements, leases and the like, as PDF or photo,
and driving licences.

Text comes from the PDF's own text layer when it has one (exact and instant) and from
OCR otherwise. :func:`address_checks` decides from the text alone.

A driving licence proves the address it states while it is valid: a US or Canadian
licence's PDF417 barcode (its holder's name and address, as AAMVA lays them out) adds
their lines to the text, an EU licence prints the address as its field ``8.``; either
way the licence's expiry date stands for the date a bill is issued on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from openkyc.analysis import tampering
from openkyc.analysis.dates import find_dates
from openkyc.analysis.engines import Engines, default_engines
from openkyc.analysis.errors import UnsupportedInput
from openkyc.analysis.hints import hints_for
from openkyc.analysis.imaging import Page, load_page, quality_findings, straighten
from openkyc.analysis.licences import (
    AamvaRecord,
    licence_dates,
    numbered_fields,
    parse_aamva,
    read_barcode_text,
)
from openkyc.analysis.models import AddressAnalysis, Check, InputFile, Person, QualityFinding
from openkyc.analysis.names import (
    address_line_matches,
    name_matches,
    normalize,
    postal_code_matches,
    text_contains,
)
from openkyc.analysis.scoring import check_match_level, decided, subtype_check, weigh
from openkyc.analysis.settings import DEFAULT_ADDRESS_SETTINGS, AddressSettings
from openkyc.analysis.zones import rows_of

__all__ = [
    "AddressFacts",
    "address_checks",
    "analyze_address",
    "document_date",
    "find_phone",
    "guess_address_subtype",
]

MIN_TEXT_LAYER = 20  # fewer characters than this: a scan, OCR it


@dataclass(frozen=True)
class AddressFacts:
    """The text of an address document and what was found in it."""

    lines: tuple[str, ...]
    document_date: date | None = None
    phone: str | None = None
    subtype: str | None = None
    tamper_signals: tuple[str, ...] = ()
    licence: bool = False  # a driving licence: valid_until stands for the issue date
    valid_until: date | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


_DATE_LABEL = re.compile(
    r"(statement|bill|invoice|issue|print|letter)?\s*(date|dated|du|vom|"
    r"fecha|period|as of|le)\b",
    re.IGNORECASE,
)


def document_date(lines: Sequence[str], today: date, *, month_first: bool = False) -> date | None:
    """The date the document was issued: a labelled date on or before ``today`` if any,
    else the latest such date (due dates in the future never count)."""
    labelled: list[date] = []
    every: list[date] = []
    for line in lines:
        found = [d.value for d in find_dates(line, month_first=month_first) if d.value <= today]
        every += found
        if found and _DATE_LABEL.search(line):
            labelled += found
    pool = labelled or every
    return max(pool) if pool else None


_PHONE = re.compile(r"(?<![\w+])(\+?\(?\d[\d ().\-]{6,}\d)(?!\w)")
_MONEY = re.compile(r"\d[.,]\d{2}(?!\d)")
_PHONE_LABEL = re.compile(r"tel|phone|call|t[eé]l[eé]phone|telefon|hotline|service", re.IGNORECASE)


def find_phone(lines: Sequence[str]) -> str | None:
    """The issuer's phone number: 9 to 15 digits on a line that says it is a phone
    number, or written internationally (``+44 …``); never an amount, date or code."""
    for line in sorted(lines, key=lambda line: not _PHONE_LABEL.search(line)):
        labelled = bool(_PHONE_LABEL.search(line))
        for match in _PHONE.finditer(line):
            number = match.group(1).strip()
            digits = re.sub(r"\D", "", number)
            if not (labelled or number.startswith("+")) or not 9 <= len(digits) <= 15:
                continue
            if not _MONEY.search(number) and not find_dates(number):
                return number
    return None


_SUBTYPES = (
    # Bills print the issuer's IBAN too: only a statement's own wording counts.
    (
        "bank-statement",
        r"BANK STATEMENT|ACCOUNT STATEMENT|RELEVE DE COMPTE|KONTOAUSZUG|"
        r"EXTRACTO DE CUENTA|OPENING BALANCE|CLOSING BALANCE",
    ),
    ("credit-card-statement", r"CREDIT CARD STATEMENT|CARD STATEMENT|MINIMUM PAYMENT"),
    ("lease-agreement", r"LEASE|TENANCY AGREEMENT|RENTAL AGREEMENT|LANDLORD|CONTRAT DE BAIL"),
    ("rental-receipt", r"RENT RECEIPT|QUITTANCE DE LOYER"),
    ("insurance-letter", r"INSURANCE|POLICY NUMBER|ASSURANCE"),
    ("tax-return", r"TAX RETURN|TAX ASSESSMENT|AVIS D IMPOSITION|STEUERBESCHEID"),
    (
        "utility-bill",
        r"ELECTRICITY|ENERGY|GAS BILL|WATER|UTILITY|BROADBAND|INTERNET|FIBRE|"
        r"FIBER|TELECOM|MOBILE|ELECTRICITE|FACTURE|STROM|BILL|INVOICE|RECHNUNG",
    ),
)


def guess_address_subtype(text: str) -> str | None:
    """The contract subtype the wording suggests, or None."""
    folded = normalize(text)
    for subtype, pattern in _SUBTYPES:
        if re.search(rf"\b({pattern})", folded):
            return subtype
    return None


def _windows(lines: Sequence[str]) -> list[str]:
    """Each line alone and joined with the next: OCR splits "12 High Street" sometimes."""
    return [*lines, *(f"{a} {b}" for a, b in pairwise(lines))]


def _found(name: str, matched: bool, facts_text: str, weights: dict[str, int]) -> Check:
    if matched:
        return weigh(name, False, weights)
    readable = len(facts_text.split()) >= 8
    return weigh(name, True, weights, "mismatch" if readable else "not-found", conclusive=readable)


def _name_on_document(name: str, lines: Sequence[str], level: int) -> bool:
    return any(name_matches(name, line, level) for line in _windows(lines))


def address_checks(
    facts: AddressFacts,
    person: Person,
    settings: AddressSettings,
    match_level: int = 2,
    *,
    today: date,
    max_age_days: int = 90,
    subtypes_allowed: Sequence[str] | None = None,
) -> list[Check]:
    """Every address check, decided from ``facts`` alone.

    City, region and postal code are checked only when the customer has one (many
    places have no postal code or region); a customer without a street address cannot
    be matched, which sends the document to a person."""
    weights, text, lines = settings.weights, facts.text, facts.lines
    level = match_level
    checks = [
        _found("firstName", _name_on_document(person.first_name, lines, level), text, weights),
        _found("lastName", _name_on_document(person.last_name, lines, level), text, weights),
        _found("line1", address_line_matches(person.line1, _windows(lines), level), text, weights)
        if person.line1
        else weigh("line1", True, weights, "customer-address-missing", conclusive=False),
    ]
    optional = (
        ("city", person.city, lambda v: text_contains(text, v, level)),
        ("region", person.region, lambda v: text_contains(text, v, level)),
        ("postalCode", person.postal_code, lambda v: postal_code_matches(v, text, level)),
    )
    checks += [
        _found(name, matches(value), text, weights) for name, value, matches in optional if value
    ]
    return [
        *checks,
        _licence_date_check(facts.valid_until, weights, today)
        if facts.licence
        else _date_check(facts.document_date, weights, today, max_age_days),
        weigh("phone", facts.phone is None, weights, "not-found", conclusive=False),
        subtype_check(facts.subtype, weights, subtypes_allowed),
        weigh(
            "isTampered",
            bool(facts.tamper_signals),
            weights,
            facts.tamper_signals[0] if facts.tamper_signals else None,
        ),
    ]


def _date_check(
    found: date | None, weights: dict[str, int], today: date, max_age_days: int
) -> Check:
    if found is None:
        return weigh("date", True, weights, "not-found", conclusive=False)
    return weigh("date", today - found > timedelta(days=max_age_days), weights, "too-old")


def _licence_date_check(valid_until: date | None, weights: dict[str, int], today: date) -> Check:
    """A licence proves its address while it is valid, however long ago it was issued."""
    if valid_until is None:
        return weigh("date", True, weights, "not-found", conclusive=False)
    return weigh("date", valid_until < today, weights, "expired")


def _page_lines(page: Page, engines: Engines) -> tuple[list[str], bool]:
    """The page's text lines and whether they came from OCR."""
    if len(page.text_layer) >= MIN_TEXT_LAYER:
        return [line.strip() for line in page.text_layer.splitlines() if line.strip()], False
    image, _ = straighten(page.image)
    rows = rows_of(engines.text.read(image))
    return [" ".join(item.text for item in row) for row in rows], True


def _barcode(page: Page) -> AamvaRecord | None:
    if len(page.text_layer) >= MIN_TEXT_LAYER:
        return None
    records = (parse_aamva(text) for text in read_barcode_text(page.image))
    return next((record for record in records if record is not None), None)


def _barcode_lines(record: AamvaRecord) -> list[str]:
    name = " ".join(filter(None, (record.given_names, record.surname)))
    place = " ".join(filter(None, (record.city, record.region, record.postal_code)))
    return [line for line in (name, record.line1, record.line2, place) if line]


@dataclass(frozen=True)
class _Licence:
    """A driving licence among the pages: its subtype, issue and expiry dates."""

    subtype: str
    issued: date | None
    valid_until: date | None


def _licence(lines: Sequence[str], records: Sequence[AamvaRecord]) -> _Licence | None:
    for record in records:
        return _Licence(record.subtype, record.issue_date, record.expiry_date)
    numbered = numbered_fields(list(lines))
    if "8" not in numbered:  # an EU licence without its address proves none
        return None
    dates = licence_dates(numbered)
    return _Licence("driver-license", dates.get("issue"), dates.get("expiry"))


@dataclass
class _Reading:
    lines: list[str]
    pages: list[Page]
    quality: list[QualityFinding]
    barcodes: list[AamvaRecord]


def _read(files: Sequence[InputFile], engines: Engines) -> _Reading:
    if not files:
        raise UnsupportedInput("no file to analyse")
    reading = _Reading([], [], [], [])
    for index, file in enumerate(files):
        page = load_page(file, index, pdf_pages=3)
        page_lines, ocr = _page_lines(page, engines)
        reading.lines += page_lines
        record = _barcode(page)
        if record is not None:
            reading.barcodes.append(record)
            reading.lines += _barcode_lines(record)
        reading.pages.append(page)
        reading.quality += quality_findings(page, photo=ocr and page.kind != "pdf")
    return reading


def _matches(facts: AddressFacts, checks: list[Check], person: Person) -> dict[str, Any]:
    failed = {check.name for check in checks if check.failed}
    words = normalize(facts.text).split()

    def kept(name: str, value: str | None) -> str | None:
        return value if name not in failed else None

    return {
        "firstName": kept("firstName", person.first_name),
        "lastName": kept("lastName", person.last_name),
        "line1": kept("line1", person.line1),
        "city": kept("city", person.city),
        "region": kept("region", person.region) if person.region else None,
        "postalCode": kept("postalCode", person.postal_code),
        "wordCount": len(words),
        "uniqueWords": len(set(words)),
        "date": f"{facts.document_date.isoformat()}T00:00:00+00:00"
        if facts.document_date
        else None,
        "phone": facts.phone,
        "documentSubtype": facts.subtype,
        "isTampered": "isTampered" in failed,
    }


def analyze_address(
    files: Sequence[InputFile],
    person: Person,
    settings: AddressSettings = DEFAULT_ADDRESS_SETTINGS,
    match_level: int = 2,
    *,
    today: date,
    max_address_age_days: int = 90,
    subtypes_allowed: Sequence[str] | None = None,
    engines: Engines | None = None,
) -> AddressAnalysis:
    """Analyse an address-proof document (PDF or photo) against the customer's address.

    The document must name the customer and their address and be dated within
    ``max_address_age_days`` of ``today``. Raises :class:`UnreadableFile` for a file
    that is no image or PDF.
    """
    check_match_level(match_level)
    reading = _read(files, engines or default_engines())
    lines, pages, quality = reading.lines, reading.pages, reading.quality
    month_first = (person.country or "").upper() == "US"
    licence = _licence(lines, reading.barcodes)
    facts = AddressFacts(
        lines=tuple(lines),
        document_date=licence.issued
        if licence
        else document_date(lines, today, month_first=month_first),
        phone=find_phone(lines),
        subtype=licence.subtype if licence else guess_address_subtype("\n".join(lines)),
        tamper_signals=tuple(s for page in pages for s in _signals(page)),
        licence=licence is not None,
        valid_until=licence.valid_until if licence else None,
    )
    checks = address_checks(
        facts,
        person,
        settings,
        match_level,
        today=today,
        max_age_days=max_address_age_days,
        subtypes_allowed=subtypes_allowed,
    )
    return decided(
        AddressAnalysis,
        checks,
        settings.weights,
        settings.thresholds,
        hints=tuple(hints_for(checks, quality, subtypes_allowed)),
        matches=_matches(facts, checks, person),
        parsed_data={
            "text": list(lines),
            "date": facts.document_date,
            "phone": facts.phone,
            "documentSubtype": facts.subtype,
            "textSource": _source(pages),
            "tamperSignals": list(facts.tamper_signals),
            "pdfInfo": [page.pdf_info for page in pages if page.kind == "pdf"],
        },
        quality=tuple(quality),
    )


def _signals(page: Page) -> tuple[str, ...]:
    if page.kind == "pdf":
        return tampering.pdf_signals(page)
    editor = tampering.editing_software(page.software)
    return (f"edited-with:{editor}",) if editor else ()


def _source(pages: list[Page]) -> str:
    return "pdf-text" if all(len(p.text_layer) >= MIN_TEXT_LAYER for p in pages) else "ocr"
