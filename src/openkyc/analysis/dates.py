"""Finding dates in OCR text and deciding ages: pure functions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = ["FoundDate", "age_on", "find_dates"]

_MONTHS = {
    "JAN": 1,
    "JANUARY": 1,
    "JANVIER": 1,
    "JANUAR": 1,
    "ENE": 1,
    "ENERO": 1,
    "FEB": 2,
    "FEBRUARY": 2,
    "FEV": 2,
    "FEVRIER": 2,
    "FEBRUAR": 2,
    "FEBRERO": 2,
    "MAR": 3,
    "MARCH": 3,
    "MARS": 3,
    "MARZ": 3,
    "MAERZ": 3,
    "MARZO": 3,
    "APR": 4,
    "APRIL": 4,
    "AVR": 4,
    "AVRIL": 4,
    "ABR": 4,
    "ABRIL": 4,
    "MAY": 5,
    "MAI": 5,
    "MAYO": 5,
    "JUN": 6,
    "JUNE": 6,
    "JUIN": 6,
    "JUNI": 6,
    "JUNIO": 6,
    "JUL": 7,
    "JULY": 7,
    "JUIL": 7,
    "JUILLET": 7,
    "JULI": 7,
    "JULIO": 7,
    "AUG": 8,
    "AUGUST": 8,
    "AOUT": 8,
    "AGO": 8,
    "AGOSTO": 8,
    "SEP": 9,
    "SEPT": 9,
    "SEPTEMBER": 9,
    "SEPTEMBRE": 9,
    "SEPTIEMBRE": 9,
    "OCT": 10,
    "OCTOBER": 10,
    "OCTOBRE": 10,
    "OKT": 10,
    "OKTOBER": 10,
    "OCTUBRE": 10,
    "NOV": 11,
    "NOVEMBER": 11,
    "NOVEMBRE": 11,
    "NOVIEMBRE": 11,
    "DEC": 12,
    "DECEMBER": 12,
    "DECEMBRE": 12,
    "DEZ": 12,
    "DEZEMBER": 12,
    "DIC": 12,
    "DICIEMBRE": 12,
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_PATTERNS = (
    ("ymd", re.compile(r"\b(\d{4})[-./](\d{1,2})[-./](\d{1,2})\b")),
    ("dmy", re.compile(r"\b(\d{1,2})[-./ ](\d{1,2})[-./ ](\d{4})\b")),
    (
        "d mon y",
        re.compile(rf"\b(\d{{1,2}})\.?\s*(?:{_MONTH})?\s*/?\s*({_MONTH})\.?\s*/?\s*(\d{{4}})\b"),
    ),
    ("mon d y", re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})\s*,?\s+(\d{{4}})\b")),
)


@dataclass(frozen=True)
class FoundDate:
    """A date read in a text and where it stood."""

    value: date
    start: int
    end: int


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.upper())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _build(kind: str, groups: tuple[str, ...], month_first: bool) -> date | None:
    try:
        if kind == "ymd":
            return date(int(groups[0]), int(groups[1]), int(groups[2]))
        if kind == "dmy":
            first, second, year = int(groups[0]), int(groups[1]), int(groups[2])
            day, month = (second, first) if month_first and first <= 12 else (first, second)
            if month > 12:
                day, month = month, day
            return date(year, month, day)
        if kind == "d mon y":
            return date(int(groups[2]), _MONTHS[groups[1]], int(groups[0]))
        return date(int(groups[2]), _MONTHS[groups[0]], int(groups[1]))
    except (ValueError, KeyError):
        return None


def find_dates(text: str, *, month_first: bool = False) -> list[FoundDate]:
    """Every date in ``text`` in the usual printed forms (``2026-03-01``, ``01.03.2026``,
    ``1 MAR 2026``, ``19 NOV/NOV 1986``, ``March 1, 2026``), in reading order.
    Numeric dates are read day first unless ``month_first`` (US documents)."""
    folded = _fold(text)
    found: list[FoundDate] = []
    taken: list[range] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(folded):
            if any(match.start() in span for span in taken):
                continue
            value = _build(kind, match.groups(), month_first)
            if value and 1900 <= value.year <= 2100:
                found.append(FoundDate(value, match.start(), match.end()))
                taken.append(range(match.start(), match.end()))
    return sorted(found, key=lambda item: item.start)


def age_on(birth: date, today: date) -> int:
    """Whole years between ``birth`` and ``today`` (a 29 February birthday counts on
    1 March in other years)."""
    years = today.year - birth.year
    if (today.month, today.day) < (birth.month, birth.day):
        years -= 1
    return years
