"""Comparing names and addresses with what a document says, at each match level.

Match levels are the contract's: 2 strict (the default), 1 moderate, 3 basic.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz import fuzz

__all__ = [
    "address_line_matches",
    "name_matches",
    "normalize",
    "postal_code_matches",
    "text_contains",
]

# Letters NFKD does not take apart, transliterated as ICAO 9303 part 3 does.
_SPECIAL = str.maketrans(
    {
        "ß": "SS",
        "Æ": "AE",
        "æ": "AE",
        "Ø": "OE",
        "ø": "OE",
        "Œ": "OE",
        "œ": "OE",
        "Þ": "TH",
        "þ": "TH",
        "Đ": "D",
        "đ": "D",
        "Ł": "L",
        "ł": "L",
        "\u0131": "I",
        "Ð": "D",
        "ð": "D",
    }
)
# ICAO writes Ä Ö Ü either as A O U or as AE OE UE; accept both spellings.
_UMLAUTS = {"Ä": "AE", "Ö": "OE", "Ü": "UE", "Å": "AA"}
_STRICTNESS = {2: 100, 1: 85, 3: 75}  # least fuzzy similarity per match level


def normalize(text: str, *, umlauts_as_e: bool = False) -> str:
    """Upper-case ASCII words: accents dropped, hyphens, apostrophes and ``<`` as spaces."""
    text = text.upper()
    if umlauts_as_e:
        text = "".join(_UMLAUTS.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub("[-'\\u2019\\u2018`<_.,/:;\\s]", " ", text)
    return " ".join(re.sub(r"[^A-Z0-9 ]", "", text).split())


def _spellings(text: str) -> set[str]:
    return {normalize(text), normalize(text, umlauts_as_e=True)}


def _token_matches(token: str, candidates: Iterable[str], level: int) -> bool:
    least = _STRICTNESS.get(level, 100)
    for candidate in candidates:
        if token == candidate:
            return True
        if least < 100 and fuzz.ratio(token, candidate) >= least:
            return True
    return False


def _tokens_match(expected: str, found: str, level: int) -> bool:
    want, have = expected.split(), found.split()
    if not want or not have:
        return False
    joined = "".join(want)
    if joined == "".join(have):  # "JEAN PIERRE" and "JEANPIERRE"
        return True
    hits = [_token_matches(token, have, level) for token in want]
    if level == 3:
        return any(hits)
    return all(hits)


def name_matches(expected: str | None, found: str | None, level: int = 2) -> bool:
    """Whether the customer's ``expected`` name is on the document as ``found``.

    Case, accents, hyphens and word order never matter. Strict (2): every word of the
    customer's name is a word of the document's (extra middle names on the document are
    fine). Moderate (1): every word is at least 85% similar to one on the document.
    Basic (3): one word at least 75% similar is enough.
    """
    if not expected or not found:
        return False
    return any(
        _tokens_match(want, have, level)
        for want in _spellings(expected)
        for have in _spellings(found)
    )


def text_contains(text: str, value: str | None, level: int = 2) -> bool:
    """Whether ``value`` appears in ``text`` as whole words (fuzzy below strict)."""
    if not value:
        return False
    want, have = normalize(value), f" {normalize(text)} "
    if not want:
        return False
    if f" {want} " in have:
        return True
    least = _STRICTNESS.get(level, 100)
    return least < 100 and fuzz.partial_ratio(want, have) >= least


_ABBREVIATIONS = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "ROAD": "RD",
    "BOULEVARD": "BLVD",
    "DRIVE": "DR",
    "LANE": "LN",
    "COURT": "CT",
    "PLACE": "PL",
    "SQUARE": "SQ",
    "APARTMENT": "APT",
    "SUITE": "STE",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "STRASSE": "STR",
    "HIGHWAY": "HWY",
    "TERRACE": "TER",
}


def _address_words(text: str) -> list[str]:
    return [_ABBREVIATIONS.get(word, word) for word in normalize(text).split()]


def address_line_matches(line1: str | None, lines: Iterable[str], level: int = 2) -> bool:
    """Whether the street address is on one of the document's ``lines``: house numbers
    must be equal at every level, street words as close as the level asks."""
    if not line1:
        return False
    want = _address_words(line1)
    numbers = {word for word in want if any(ch.isdigit() for ch in word)}
    least = {2: 90, 1: 80, 3: 70}.get(level, 90)
    for line in lines:
        have = _address_words(line)
        if not numbers <= set(have):
            continue
        if fuzz.token_set_ratio(" ".join(want), " ".join(have)) >= least:
            return True
    return False


def postal_code_matches(code: str | None, text: str, level: int = 2) -> bool:
    """Whether the postal code is in ``text``; spaces and dashes never matter, and basic
    (3) accepts the first part of a British-style code (``WC2N``)."""
    if not code:
        return False
    want = re.sub(r"[^A-Z0-9]", "", code.upper())
    have = f" {normalize(text)} "
    compact = re.sub(r"[^A-Z0-9]", "", have)
    if f" {normalize(code)} " in have or (len(want) >= 5 and want in compact):
        return True
    outward = normalize(code).split()[0] if " " in normalize(code) else ""
    return level == 3 and bool(outward) and f" {outward} " in have
