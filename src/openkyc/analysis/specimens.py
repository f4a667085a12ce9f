"""Published specimen documents, recognised by what they say rather than by their pixels.

Specimens are printed with made-up identities that governments and ICAO publish so that
readers can be tested; a customer who uploads one is not presenting a real document.
What we know of them is data, in ``data/specimens.json``: the words specimens are
stamped with (in the languages of the documents openkyc reads), the holders' names they
use, the fictional state ICAO uses in its own examples, and the identities (document
number and birth date, as printed in the MRZ) of the best-known specimens. Operators add
pictures they know of by passing perceptual hashes as ``known_references``.

Stamp words are matched after *folding*: accents dropped, Cyrillic and Greek letters
replaced by the Latin letter or digit OCR reads for them (``ОБРАЗЕЦ`` comes out of OCR as
``O6PA3EU``), and digits and letters OCR confuses made one. A word read from the page's
ordinary text must be a whole word, with one slip allowed in words of seven letters or
more; a word read from a colour-separated stamp (see :mod:`openkyc.analysis.stamps`),
where nothing but the stamp is printed, may also have two slips in eight letters or more,
or be the start or the end of a stamp word read exactly in seven letters or more (a stamp
crossing the portrait loses the letters printed on the photo). That much is firm evidence
of a specimen.

Less is weak evidence: coloured ink is also a document's own coloured print (labels,
titles), and a few of its letters misread and folded can spell a short stamp word or part
of one (a purple ``Given names`` label read ``Clmen`` folds to ``CIMEN``). A stamp word of
five or six letters read with one slip (``TUSTER``), a part of five or six letters read
exactly (``CIMEN``, ``USTER``) or one of seven or more with one slip only send the
document to a person (*uncertain*); a shorter part with a slip (``EXEMPT`` for
``EXEMPLAR``'s start, ``ECAME`` for ``ESPECIME``'s end) is nothing.
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rapidfuzz.distance import Levenshtein

from openkyc.analysis.names import normalize

__all__ = [
    "UNCERTAIN_MARKING",
    "SpecimenData",
    "fold",
    "hash_distance",
    "marking_in",
    "specimen_data",
    "specimen_reason",
]

# What OCR trained on Latin and Chinese text reads for Cyrillic and Greek capitals.
_CYRILLIC = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЫЬЭЮЯІЇЄ"
_CYRILLIC_READ = [
    "A",
    "6",
    "B",
    "R",
    "A",
    "E",
    "E",
    "X",
    "3",
    "N",
    "N",
    "K",
    "JI",
    "M",
    "H",
    "O",
    "N",
    "P",
    "C",
    "T",
    "Y",
    "O",
    "X",
    "U",
    "4",
    "W",
    "W",
    "BI",
    "B",
    "3",
    "IO",
    "R",
    "I",
    "I",
    "E",
]
_GREEK = "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ"
_GREEK_READ = [
    "A",
    "B",
    "R",
    "A",
    "E",
    "Z",
    "H",
    "O",
    "I",
    "K",
    "A",
    "M",
    "N",
    "E",
    "O",
    "N",
    "P",
    "E",
    "T",
    "Y",
    "O",
    "X",
    "W",
    "O",
]
_LOOKALIKES = str.maketrans(
    dict(zip(_CYRILLIC + _GREEK, _CYRILLIC_READ + _GREEK_READ, strict=True))
)
# Digits and letters OCR swaps, made one (both sides of a comparison are folded).
_ONE_OF = str.maketrans(
    {"0": "O", "Q": "O", "D": "O", "1": "I", "L": "I", "3": "E", "5": "S", "6": "G", "8": "B"}
    | {"2": "Z", "4": "A", "U": "V"}
)


def fold(text: str) -> str:
    """Upper-case letters only as OCR could have read them (see the module's docstring)."""
    text = unicodedata.normalize("NFC", text.upper()).translate(_LOOKALIKES)
    # An M in large print is often read as its three strokes: "IvI", "I\/I".
    return normalize(text).translate(_ONE_OF).replace("IVI", "M")


@dataclass(frozen=True)
class SpecimenData:
    """The contents of ``data/specimens.json``."""

    words: tuple[str, ...]
    holders: frozenset[str]
    fictional_states: frozenset[str]
    identities: frozenset[tuple[str, str]]


@cache
def specimen_data() -> SpecimenData:
    """The shipped specimen data, read once."""
    raw = json.loads(
        resources.files("openkyc.analysis").joinpath("data/specimens.json").read_text("utf-8")
    )
    return SpecimenData(
        words=tuple(dict.fromkeys(fold(word) for word in raw["marking_words"])),
        holders=frozenset(normalize(name) for name in raw["holders"]),
        fictional_states=frozenset(raw["fictional_states"]),
        identities=frozenset((item["number"], item["birth"]) for item in raw["identities"]),
    )


def _slips(word: str, stamp: bool, loose: bool) -> int:
    """Edits allowed between a specimen word and what OCR read for it."""
    if stamp and len(word) >= 8:
        return 2
    if len(word) >= 7:
        return 1
    return 1 if stamp and loose and len(word) >= 5 else 0


def _tokens(line: str) -> list[str]:
    words = fold(line).split()
    # Stamps are often printed with spaced letters: "S P E C I M E N".
    if sum(len(word) <= 2 for word in words) >= 4:
        words.append("".join(words))
    return words


def marking_in(lines: list[str], *, stamp: bool = False, loose: bool = False) -> str | None:
    """The specimen word (folded) found among ``lines`` of text, or None.

    ``stamp`` says the lines were read from a colour-separated stamp, where more slips
    and long parts of words are allowed; ``loose`` (with ``stamp``) also takes the weak
    evidence of the module's docstring: a slip in a short word, short parts, long parts
    with a slip."""
    words = specimen_data().words
    for line in lines:
        folded = f" {fold(line)} "
        tokens = _tokens(line)
        for word in words:
            if " " in word:
                if f" {word} " in folded:
                    return word
                continue
            allowed = _slips(word, stamp, loose)
            for token in tokens:
                if stamp and _part_of(token, word, loose):
                    return word
                if abs(len(token) - len(word)) > allowed:
                    continue
                if Levenshtein.distance(token, word, score_cutoff=allowed) <= allowed:
                    return word
    return None


PART = 0.6  # share of a stamped word that may stand for it (the rest lost on a portrait)
PART_SLIP_FROM = 7  # letters of a part that is firm evidence read exactly


def _part_of(token: str, word: str, loose: bool) -> bool:
    """Whether ``token`` is the start or the end of ``word`` (five letters at least and
    most of the word): a stamp crossing the portrait loses the letters printed on the
    photo. Firm evidence is a part of seven letters or more read exactly; ``loose`` also
    takes a shorter one, or a longer one with one slip."""
    least = max(5 if loose else PART_SLIP_FROM, math.ceil(PART * len(word)))
    if not least <= len(token) < len(word):
        return False
    allowed = 1 if loose and len(token) >= PART_SLIP_FROM else 0
    ends = (word[: len(token)], word[-len(token) :])
    return any(Levenshtein.distance(token, end, score_cutoff=allowed) <= allowed for end in ends)


UNCERTAIN_MARKING = "uncertain:specimen-marking"


def specimen_reason(
    text: str,
    *,
    document_number: str | None,
    birth_date: str | None,
    issuer: str | None,
    surname: str | None,
    stamp_text: list[str] | tuple[str, ...] = (),
) -> str | None:
    """Why the document is a specimen (``published-specimen``, ``fictional-issuer``,
    ``specimen-holder``, ``specimen-marking``), or None. ``text`` is the page's text,
    ``stamp_text`` what was read from its coloured stamps. Only weak evidence of a stamp
    (see the module's docstring) gives ``uncertain:specimen-marking``: a person decides."""
    data = specimen_data()
    if (document_number or "", birth_date or "") in data.identities:
        return "published-specimen"
    if (issuer or "").strip("< ") in data.fictional_states:
        return "fictional-issuer"
    if normalize(surname or "") in data.holders:
        return "specimen-holder"
    stamps = list(stamp_text)
    if marking_in(text.splitlines()) or marking_in(stamps, stamp=True):
        return "specimen-marking"
    if marking_in(stamps, stamp=True, loose=True):
        return UNCERTAIN_MARKING
    return None


def hash_distance(first: str, second: str) -> int:
    """Bits that differ between two hex perceptual hashes of the same length."""
    if len(first) != len(second):
        return 64
    return bin(int(first, 16) ^ int(second, 16)).count("1")
