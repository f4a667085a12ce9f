"""The default confidence matrix and priorities.

Confidence starts from how well the name and birth date match and goes up when the city or
region and the country match too (down when the country differs); a name that only matches
weakly never counts for more than weak, and only with a matching place. Sanctions are the
most urgent, then PEPs and enforcement, then adverse media and state-owned enterprises."""

from __future__ import annotations

from openkyc.aml.enums import BirthMatch, Confidence, NameMatch, PlaceMatch, Priority

BASE = {
    BirthMatch.DOB: {NameMatch.EXACT: 4, NameMatch.INEXACT: 3},
    BirthMatch.YOB: {NameMatch.EXACT: 3, NameMatch.INEXACT: 2},
    BirthMatch.INEXACT_YOB: {NameMatch.EXACT: 2, NameMatch.INEXACT: 1},
    BirthMatch.NO_DOB: {NameMatch.EXACT: 2, NameMatch.INEXACT: 1, NameMatch.WEAK: 0},
}
ADDRESS = {PlaceMatch.ADDRESS_MATCH: 1, PlaceMatch.ADDRESS_MISMATCH: 0, PlaceMatch.NO_ADDRESS: 0}
COUNTRY = {
    PlaceMatch.MATCHING_COUNTRY: 1,
    PlaceMatch.MISMATCHING_COUNTRY: -1,
    PlaceMatch.NO_COUNTRY: 0,
}
LEVELS = {1: Confidence.WEAK, 2: Confidence.MEDIUM, 3: Confidence.STRONG}


def default_confidence(
    name: NameMatch, base: int, address: PlaceMatch, country: PlaceMatch
) -> Confidence | None:
    score = base + ADDRESS[address] + COUNTRY[country]
    if name == NameMatch.WEAK:
        return Confidence.WEAK if score >= 2 else None
    if score >= 4:
        return Confidence.VERY_STRONG
    return LEVELS.get(max(score, 1))


def confidence_matrix() -> dict[str, dict[str, dict[str, dict[str, str | None]]]]:
    matrix: dict[str, dict[str, dict[str, dict[str, str | None]]]] = {}
    for birth, names in BASE.items():
        for name, base in names.items():
            cells = matrix.setdefault(str(birth), {}).setdefault(str(name), {})
            for address in ADDRESS:
                row = cells.setdefault(str(address), {})
                for country in COUNTRY:
                    level = default_confidence(name, base, address, country)
                    row[str(country)] = str(level) if level else None
    return matrix


P0, P1, P2, P3 = Priority.P0, Priority.P1, Priority.P2, Priority.P3
PRIORITIES: dict[str, dict[str, Priority | None]] = {
    "sanctions": {"veryStrong": P0, "strong": P0, "medium": P1, "weak": P2},
    "pep": {"veryStrong": P1, "strong": P1, "medium": P2, "weak": P3},
    "enforcements": {"veryStrong": P1, "strong": P1, "medium": P2, "weak": P3},
    "adverseMedia": {"veryStrong": P2, "strong": P2, "medium": P3, "weak": P3},
    "stateOwnedEnterprise": {"veryStrong": P2, "strong": P2, "medium": P3, "weak": None},
}
SUPPRESSION_DAYS = 365
