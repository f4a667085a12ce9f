"""Published specimen documents, recognised by what they say rather than by their pixels.

Specimens are printed with made-up identities that governments and ICAO publish so that
readers can be tested; a customer who uploads one is not presenting a real document.
We ship the identities (document number and birth date, as printed in the MRZ) of the
best-known published specimens, a list of the words specimens are stamped with, and the
fictional state ICAO uses in its own examples. Operators add pictures they know of by
passing perceptual hashes as ``known_references``.
"""

from __future__ import annotations

import re

from openkyc.analysis.names import normalize

__all__ = ["PUBLISHED_SPECIMENS", "SPECIMEN_WORDS", "hash_distance", "specimen_reason"]

# (document number, birth date YYMMDD): ICAO Doc 9303 part 3-7 examples (the fictional
# state Utopia, holder Anna Maria Eriksson) and Germany's published specimens (holder
# Erika Mustermann), as printed in their MRZs.
PUBLISHED_SPECIMENS: frozenset[tuple[str, str]] = frozenset(
    {
        ("L898902C3", "740812"),  # ICAO TD3 passport
        ("D23145890", "740812"),  # ICAO TD1 and TD2 cards
        ("L8988901C", "400907"),  # ICAO MRV-A and MRV-B visas
        ("C01X00T47", "640812"),  # German passport
        ("L01X00T47", "640812"),  # German identity card (2010)
        ("T22000129", "640812"),  # German identity card (2010 sample)
        ("LZ6311T47", "830812"),  # German identity card (2021)
    }
)

SPECIMEN_WORDS = (
    "SPECIMEN",
    "SPECIMINE",
    "MUSTER",
    "MUESTRA",
    "SAMPLE",
    "ESEMPIO",
    "CAMPIONE",
    "MODELO",
    "EXEMPLAR",
    "NOT VALID",
    "VOID",
    "WZOR",
    "MINTA",
)
FICTIONAL_STATES = ("UTO",)
SPECIMEN_HOLDERS = ("MUSTERMANN", "MUSTERFRAU", "SPECIMEN", "SAMPLE")


def specimen_reason(
    text: str,
    *,
    document_number: str | None,
    birth_date: str | None,
    issuer: str | None,
    surname: str | None,
) -> str | None:
    """Why the document is a specimen (``specimen-marking``, ``fictional-issuer``,
    ``published-specimen``, ``specimen-holder``), or None."""
    if (document_number or "", birth_date or "") in PUBLISHED_SPECIMENS:
        return "published-specimen"
    if (issuer or "").strip("<") in FICTIONAL_STATES:
        return "fictional-issuer"
    if normalize(surname or "") in SPECIMEN_HOLDERS:
        return "specimen-holder"
    words = f" {normalize(text)} "
    if any(re.search(rf"\b{word}\b", words) for word in SPECIMEN_WORDS):
        return "specimen-marking"
    return None


def hash_distance(first: str, second: str) -> int:
    """Bits that differ between two hex perceptual hashes of the same length."""
    if len(first) != len(second):
        return 64
    return bin(int(first, 16) ^ int(second, 16)).count("1")
