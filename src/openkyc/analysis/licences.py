"""Driving licences: the PDF417 barcode of US and Canadian cards (AAMVA), and the numbered
fields of EU licences.

North American licences and identity cards carry on their back a PDF417 barcode holding
the holder's data as the AAMVA *DL/ID Card Design Standard* lays it out: a header
(``@``, line feed, record separator, carriage return, ``ANSI `` and the issuer's
identification number), then data elements, each a three-letter code and its value on a
line of its own (``DCS`` family name, ``DAC`` first name, ``DBB`` birth date, ``DAQ``
licence number, ``DAG`` street, …). The barcode's error correction makes what it holds as
trustworthy as an MRZ whose check digits hold: it is used like one.

EU licences (Directive 2006/126/EC) print their fields numbered the same in every
language: ``1.`` surname, ``2.`` given names, ``3.`` birth date and place, ``4a.`` issue
date, ``4b.`` expiry date, ``4c.`` authority, ``5.`` licence number, ``8.`` address,
``9.`` categories. They are read from the visual zone, without a check digit, so a value
that differs from the customer's is only *uncertain*.

Parsing is pure; :func:`read_barcode_text` alone runs the decoder (zxing-cpp, whose wheels
ship it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np

from openkyc.analysis.dates import find_dates

__all__ = [
    "AamvaRecord",
    "numbered_fields",
    "parse_aamva",
    "read_barcode_text",
]

# Pictures are searched at most this large: a licence's barcode stays readable, and the
# decoder's time stays a few tens of milliseconds.
BARCODE_SIDE = 1600


def read_barcode_text(image: np.ndarray) -> list[str]:
    """The text of every PDF417 barcode in an RGB picture, in any orientation."""
    import cv2
    import zxingcpp

    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    scale = BARCODE_SIDE / max(gray.shape[:2])
    if scale < 1:
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    formats = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.PDF417)
    found = zxingcpp.read_barcodes(np.ascontiguousarray(gray), formats=formats)
    return [bytes(code.bytes).decode("latin-1") for code in found if code.valid]


@dataclass(frozen=True)
class AamvaRecord:
    """What an AAMVA barcode says about its holder."""

    kind: str  # "DL" (driving licence) or "ID" (identity card)
    issuer_id: str  # the issuer's identification number (636014: California)
    version: int
    number: str | None = None
    surname: str | None = None
    given_names: str | None = None
    birth_date: date | None = None
    expiry_date: date | None = None
    issue_date: date | None = None
    sex: str | None = None
    country: str | None = None  # USA, CAN
    region: str | None = None  # the state or province (CA, ON)
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    postal_code: str | None = None

    @property
    def subtype(self) -> str:
        return "driver-license" if self.kind == "DL" else "id-card"


_HEADER = re.compile(r"@\s*\x1e?\s*(?:ANSI |AAMVA)(\d{6})(\d{2})(\d{2})?(\d{2})?")
_ELEMENT = re.compile(r"(?:^|[\n\r])(D[A-Z]{2}|Z[A-Z]{2})([^\n\r]*)")
_SUBFILE = re.compile(r"(DL|ID)(?=D[A-Z]{2})")
_SEX = {"1": "M", "2": "F", "M": "M", "F": "F", "9": "X", "X": "X"}


def parse_aamva(text: str) -> AamvaRecord | None:
    """The holder's data in an AAMVA barcode's text; None for any other barcode."""
    header = _HEADER.search(text)
    if header is None:
        return None
    body = text[header.end() :]
    subfile = _SUBFILE.search(body)
    if subfile is None:
        return None
    elements: dict[str, str] = {}
    for match in _ELEMENT.finditer(body[subfile.end() :]):
        elements.setdefault(match.group(1), match.group(2).strip())
    version = int(header.group(2))
    country = (elements.get("DCG") or "").upper() or None
    canadian = country == "CAN"
    surname, given = _names(elements)
    return AamvaRecord(
        kind=subfile.group(1),
        issuer_id=header.group(1),
        version=version,
        number=elements.get("DAQ") or None,
        surname=surname,
        given_names=given,
        birth_date=_date(elements.get("DBB"), canadian),
        expiry_date=_date(elements.get("DBA"), canadian),
        issue_date=_date(elements.get("DBD"), canadian),
        sex=_SEX.get((elements.get("DBC") or "")[:1].upper()),
        country=country,
        region=elements.get("DAJ") or None,
        line1=elements.get("DAG") or None,
        line2=elements.get("DAH") or None,
        city=elements.get("DAI") or None,
        postal_code=_postal_code(elements.get("DAK"), canadian),
    )


def _names(elements: dict[str, str]) -> tuple[str | None, str | None]:
    """Family and given names: ``DCS`` with ``DAC``/``DAD`` (version 4 on), ``DCT``
    (versions 2-3), or the whole name in ``DAA`` (version 1: ``FAMILY,FIRST,MIDDLE``)."""
    surname = elements.get("DCS") or elements.get("DAB")
    given = " ".join(filter(None, (elements.get("DAC"), elements.get("DAD")))) or elements.get(
        "DCT"
    )
    if not surname and elements.get("DAA"):
        parts = [part.strip() for part in re.split(r"[,$]", elements["DAA"]) if part.strip()]
        surname, given = parts[0], " ".join(parts[1:]) or given
    clean = [
        re.sub(r"\s+", " ", (value or "").replace(",", " ")).strip() or None
        for value in (surname, given)
    ]
    given_names = clean[1]
    if given_names and given_names.upper() in ("NONE", "UNAVL"):
        given_names = None
    return clean[0], given_names


def _date(value: str | None, canadian: bool) -> date | None:
    """AAMVA dates are MMDDCCYY in the US and CCYYMMDD in Canada."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) != 8:
        return None
    orders = ((0, 4, 6), (4, 0, 2)) if canadian else ((4, 0, 2), (0, 4, 6))
    for year_at, month_at, day_at in orders:
        try:
            year = int(digits[year_at : year_at + 4])
            found = date(
                year, int(digits[month_at : month_at + 2]), int(digits[day_at : day_at + 2])
            )
        except ValueError:
            continue
        if 1900 <= year <= 2200:
            return found
    return None


def _postal_code(value: str | None, canadian: bool) -> str | None:
    """US ZIP codes come padded to nine digits (``958220000``): the ZIP+4 without its
    zeros; Canadian codes as printed."""
    code = (value or "").strip()
    if not code:
        return None
    if not canadian and re.fullmatch(r"\d{9}", code):
        return code[:5] if code[5:] == "0000" else f"{code[:5]}-{code[5:]}"
    return code


# -- EU licences --------------------------------------------------------------------------

_NUMBERED = re.compile(r"^\s*(4[abcABC]|[1-9])\s*[.,:]\s*(.*\S)?\s*$")
_NEXT_FIELD = re.compile(r"\s+(?=4[abcABC]\s*\.|[1-9]\s*\.\s)")


def numbered_fields(lines: list[str]) -> dict[str, str]:
    """The numbered fields of an EU licence among OCR lines (``1. COLLINS``), by number
    (``1``, ``2``, ``3``, ``4a``, ``4b``, ``4c``, ``5``, ``8``, ``9``). Empty unless the
    lines show the layout itself: three numbered fields at least, among them ``4a`` or
    ``4b``, which no other document numbers so."""
    found: dict[str, str] = {}
    for line in lines:
        # One row may hold two fields side by side ("4a. 02.03.2021 4b. 01.03.2031").
        for part in _NEXT_FIELD.split(line):
            match = _NUMBERED.match(part)
            if match and match.group(2):
                found.setdefault(match.group(1).lower(), match.group(2).strip())
    if len(found) < 3 or not {"4a", "4b"} & found.keys():
        return {}
    return found


def licence_dates(fields: dict[str, str]) -> dict[str, date]:
    """Birth (``3``), issue (``4a``) and expiry (``4b``) dates of numbered fields."""
    out = {}
    for number, name in (("3", "birth"), ("4a", "issue"), ("4b", "expiry")):
        dates = find_dates(fields.get(number, ""))
        if dates:
            out[name] = dates[0].value
    return out
