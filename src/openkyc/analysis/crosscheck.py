"""Cross-checks before trust: the MRZ and the visual zone read side by side.

Check digits protect the MRZ's number and dates, but not against every misreading: OCR
confuses ``B`` with ``8`` and ``D`` with ``0``, and two such slips can cancel out in the
7-3-1 sum (``BD0002028`` read as ``800002028`` keeps every check digit true). Names have no
check digit at all (``GUENTER`` read as ``G ENTER``). So each field the decision rests on is
taken from the source that can be trusted, repaired with the other where one lost what the
other kept, and marked *uncertain* where the two disagree and nothing settles it. An
uncertain field asks the customer for a better picture; it never makes a document tampered,
a mismatch, or accepted.

Everything here is pure: parsed values in, values and the names of uncertain fields out.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from datetime import date

from rapidfuzz.distance import Hamming

from openkyc.analysis.licences import AamvaRecord
from openkyc.analysis.mrz import (
    MRZ_FORMATS,
    MrzResult,
    check_digit_results,
    format_mrz_date,
    known_state,
)
from openkyc.analysis.names import normalize
from openkyc.analysis.zones import VisualZone

__all__ = [
    "CONFUSABLE",
    "Reconciled",
    "number_alternatives",
    "plausible_mrz",
    "reconcile",
    "reconcile_licence",
    "resolve_name",
    "resolve_number",
    "skeleton",
    "well_formed",
    "with_unverified",
]

# Characters the MRZ alphabet lets OCR confuse, one group each.
CONFUSABLE = ("B8", "D0OQ", "I1", "S5", "Z2", "G6", "A4")
_GROUP = {char: group for group in CONFUSABLE for char in group}
MAX_SWAPS = 3


def skeleton(text: str) -> str:
    """``text`` with every confusable character replaced by its group's first."""
    return "".join(_GROUP.get(char, char)[0] for char in text.upper())


def plausible_mrz(mrz: MrzResult) -> bool:
    """An MRZ at least half of whose check digits hold. Fewer means the lines were
    misread or were not an MRZ at all (printed labels assembled into lines): nothing in
    them can be trusted, not even the names, which no check digit protects."""
    held = sum(mrz.checks.values())
    return 2 * held >= len(mrz.checks)


def well_formed(mrz: MrzResult) -> bool:
    """Lines laid out as an MRZ is, whatever its check digits say: a state code as issuer,
    real dates, a sex, a number mostly of digits. Samples and specimens are often printed
    with made-up check digits and are still laid out so; printed labels assembled into
    lines (``GEBUATSTI`` as a number) are not."""
    number = mrz.fields.get("document_number", "")
    expiry_printed = "expiry_date" in mrz.fields
    return (
        known_state(mrz.fields.get("issuer", "").ljust(3, "<"))
        and mrz.birth_date is not None
        and (mrz.expiry_date is not None or not expiry_printed)
        and mrz.fields.get("sex") in ("M", "F", "X", "<")
        and 2 * sum(ch.isdigit() for ch in number) >= len(number) > 0
    )


def with_unverified(fields: Reconciled, mrz: MrzResult) -> Reconciled:
    """``fields`` (read without an MRZ) completed with the number and birth date of an MRZ
    whose check digits mostly fail but that is :func:`well_formed`, each marked uncertain:
    the best reading to report, which asks for a better picture and is never trusted (no
    acceptance, no mismatch, no fingerprint). Its names, which nothing protects, are not
    taken."""
    taken = set()
    number, birth = fields.document_number, fields.birth_date
    if not number:
        number, taken = mrz.fields["document_number"], {"document_number"}
    if birth is None and mrz.birth_date is not None:
        birth, taken = mrz.birth_date, taken | {"birth_date"}
    return replace(
        fields, document_number=number, birth_date=birth, uncertain=fields.uncertain | taken
    )


def number_alternatives(mrz: MrzResult) -> set[str]:
    """Every document number that confusable swaps (at most three) make out of the MRZ's,
    keeping each check digit that protects it as it was (the MRZ's own number included
    when its check digit holds)."""
    fmt = MRZ_FORMATS[mrz.format]
    spec = next(f for f in fmt.fields if f.name == "document_number")
    lines = list(mrz.lines)
    row = lines[spec.line]
    number = row[spec.start : spec.end]
    wanted = {
        name: ok
        for name, ok in mrz.checks.items()
        if name in ("check_document_number", "check_composite") and ok
    }
    wanted["check_document_number"] = True
    options = [_GROUP.get(char, char) for char in number]
    positions = [i for i, choices in enumerate(options) if len(choices) > 1]
    found = set()
    for count in range(MAX_SWAPS + 1):
        for chosen in itertools.combinations(positions, count):
            for swap in itertools.product(*(options[i].replace(number[i], "") for i in chosen)):
                candidate = list(number)
                for i, char in zip(chosen, swap, strict=True):
                    candidate[i] = char
                text = "".join(candidate)
                lines[spec.line] = row[: spec.start] + text + row[spec.end :]
                results = check_digit_results(lines, fmt)
                if all(results.get(name) for name in wanted):
                    found.add(text.replace("<", ""))
    return found


def _windows(text: str, length: int) -> set[str]:
    found = set()
    for line in text.splitlines():
        compact = re.sub(r"[^A-Z0-9]", "", line.upper())
        found |= {compact[i : i + length] for i in range(max(0, len(compact) - length) + 1)}
    return found


_PLAUSIBLE_NUMBER = re.compile(r"[A-Z]{0,3}[0-9]{5,9}[A-Z0-9]?")


def resolve_number(mrz: MrzResult, printed_text: str) -> tuple[str, bool]:
    """The document number and whether it is certain.

    The visual zone settles it when it prints the MRZ's number, or a number that differs
    only in confusable characters and satisfies the same check digits. Without that, a
    number whose check digit holds is certain unless a differently shaped number (letters
    for digits at its start, as ``BD`` read ``80``) satisfies the check digits as well."""
    number = mrz.fields["document_number"]
    if mrz.format == "TD1" and len(number) > 9:  # long TD1 numbers: nothing to swap safely
        return number, mrz.checks.get("check_document_number", False)
    seen = _windows(printed_text, len(number))
    if mrz.checks.get("check_document_number") and number in seen:
        return number, True
    alternatives = number_alternatives(mrz)
    confirmed = {text for text in seen if text in alternatives}
    if len(confirmed) == 1:
        return confirmed.pop(), True
    if not mrz.checks.get("check_document_number"):
        return number, False
    rivals = {
        text
        for text in alternatives - {number}
        if _PLAUSIBLE_NUMBER.fullmatch(text) and _shape(text) != _shape(number)
    }
    if not rivals or _part_rules_out(number, rivals, printed_text):
        return number, True
    return _nearest_printed(number, alternatives, seen), False


def _part_rules_out(number: str, rivals: set[str], printed_text: str) -> bool:
    """Whether the visual zone prints the start or the end of ``number`` (five characters
    at least: glare or the picture's edge took the rest) that none of the numbers the
    check digits equally allow shares. The two sources agree on all the visual zone
    shows, and it tells the MRZ's number from its rivals."""
    for word in _printed_words(printed_text):
        size = len(word)
        if not 5 <= size < len(number):
            continue
        if word == number[:size] and all(rival[:size] != word for rival in rivals):
            return True
        if word == number[-size:] and all(rival[-size:] != word for rival in rivals):
            return True
    return False


def _printed_words(text: str) -> set[str]:
    """Each line of ``text`` and each of its words, letters and digits only."""
    words = set()
    for line in text.upper().splitlines():
        words |= {re.sub(r"[^A-Z0-9]", "", word) for word in (line, *line.split())}
    return words


def _nearest_printed(number: str, alternatives: set[str], seen: set[str]) -> str:
    """Of the numbers the check digits allow, the one the visual zone prints with at most
    one character misread, when there is exactly one (``A2040011`` printed beside an MRZ
    read ``4204O611``, where ``A2040611`` satisfies the same check digits), or exactly
    one shaped as numbers are (letters, then digits). Without a printed one, where the
    MRZ's number (of nine characters at most, as ICAO's field holds: longer ones follow
    national patterns) is not so shaped (``XXQ00O00``: letters between digits) and exactly one
    the check digits allow is (``XX000000``), that one; else the MRZ's own. A best
    reading to report, never a certain one: the two sources disagree."""
    near = {
        text
        for text in alternatives
        if any(Hamming.distance(text, window, score_cutoff=1) <= 1 for window in seen)
    }
    shaped = {text for text in near if _PLAUSIBLE_NUMBER.fullmatch(text)}
    if not near and len(number) <= 9 and not _PLAUSIBLE_NUMBER.fullmatch(number):
        shaped = {text for text in alternatives if _PLAUSIBLE_NUMBER.fullmatch(text)}
    for found in (near, shaped):
        if len(found) == 1:
            return found.pop()
    return number


def _shape(text: str) -> str:
    return re.sub(r"[0-9]", "9", re.sub(r"[A-Z]", "A", text))


def _compact(text: str) -> str:
    return normalize(text).replace(" ", "")


def _spellings(text: str) -> set[str]:
    return {_compact(text), normalize(text, umlauts_as_e=True).replace(" ", "")}


def _lost_letters(machine: str, printed: str) -> bool:
    """Whether ``machine`` is ``printed`` with letters lost to fillers or cut off at the
    end of the MRZ line: ``G ENTER`` for ``GUENTER``, ``KOWA SKA`` for ``KOWALSKA``."""
    words = normalize(machine).split()
    if not words:
        return False
    pattern = "[A-Z]{0,2}".join(map(re.escape, words)) + "[A-Z ]*"
    return any(re.fullmatch(pattern, spelling) for spelling in _spellings(printed))


def resolve_name(
    machine: str | None, printed: str | None, printed_text: str, *, split: bool = True
) -> tuple[str | None, bool]:
    """A name from the MRZ (``machine``) and the visual zone's labelled value (``printed``)
    and whether it is certain. ``split`` says the MRZ's names field held its ``<<``."""
    if not machine:
        return printed, True
    if not printed:
        return machine, split
    compact = _compact(machine)
    if compact in _spellings(printed) or (len(compact) >= 4 and compact in _compact(printed_text)):
        return machine, True
    if _lost_letters(machine, printed):
        return printed.upper(), True
    if split and _cut_short(printed, machine):
        return machine, True
    return machine, False


def _cut_short(printed: str, machine: str) -> bool:
    """Whether the visual zone's ``printed`` name is the MRZ's with its end or its start
    lost (glare over the line, the picture's edge): four letters at least and half the
    name, every one of them the MRZ's. The two agree on all the visual zone shows."""
    part, whole = _compact(printed), _compact(machine)
    return (
        4 <= len(part) < len(whole)
        and 2 * len(part) >= len(whole)
        and (whole.startswith(part) or whole.endswith(part))
    )


def _resolve_date(
    mrz: MrzResult, name: str, printed: date | None, dates: tuple[date, ...]
) -> tuple[date | None, bool]:
    """A date from the MRZ, confirmed or contradicted by the visual zone; where the MRZ's
    did not verify, the printed one if it satisfies the MRZ's check digit."""
    machine: date | None = getattr(mrz, name)
    if machine is not None and mrz.checks.get(f"check_{name}", False):
        agrees = printed is None or printed == machine or machine in dates
        return machine, agrees or _lost_first_digit(machine, printed)
    if printed is not None:
        return printed, _verifies(printed, mrz, name)
    return machine, machine is None


def _lost_first_digit(machine: date, printed: date | None) -> bool:
    """Whether the printed date is the MRZ's read without the first digit of its day
    (``8.05.1990`` for ``18.05.1990``: glare or the picture's edge took the start of the
    line), which says nothing against a date whose check digit holds."""
    return (
        printed is not None
        and machine.day >= 10
        and (printed.day, printed.month, printed.year)
        == (machine.day % 10, machine.month, machine.year)
    )


@dataclass(frozen=True)
class Reconciled:
    """The fields the checks decide on, and the names of those that are uncertain."""

    surname: str | None
    given_names: str | None
    document_number: str | None
    birth_date: date | None
    expiry_date: date | None
    uncertain: frozenset[str] = frozenset()


def _dates(mrz: MrzResult, viz: VisualZone) -> tuple[date | None, date | None, set[str]]:
    birth, birth_sure = _resolve_date(mrz, "birth_date", viz.birth_date, viz.dates)
    expiry, expiry_sure = _resolve_date(mrz, "expiry_date", viz.expiry_date, viz.dates)
    uncertain = {"birth_date"} if not birth_sure else set()
    return birth, expiry, uncertain | ({"expiry_date"} if not expiry_sure else set())


def _verifies(value: date | None, mrz: MrzResult, name: str) -> bool:
    """Whether a date read from the visual zone satisfies the MRZ's printed check digit
    for that field (two sources agreeing, one of them protected)."""
    fmt = MRZ_FORMATS[mrz.format]
    spec = next((f for f in fmt.fields if f.name == name), None)
    if value is None or spec is None:  # France's old card has no expiry date in its MRZ
        return False
    lines = list(mrz.lines)
    row = lines[spec.line]
    lines[spec.line] = row[: spec.start] + format_mrz_date(value) + row[spec.end :]
    return check_digit_results(lines, fmt).get(f"check_{name}", False)


def reconcile(mrz: MrzResult | None, viz: VisualZone) -> Reconciled:
    """Read the MRZ and the visual zone together (see the module's docstring)."""
    if mrz is None:
        return Reconciled(
            viz.surname, viz.given_names, viz.document_number, viz.birth_date, viz.expiry_date
        )
    uncertain: set[str] = set()
    # No given names: the "<<" between the names may have been read as letters.
    split = bool(mrz.given_names)
    surname, sure = resolve_name(mrz.surname, viz.surname, viz.text, split=split)
    if not sure:
        uncertain.add("surname")
    given, sure = resolve_name(mrz.given_names, viz.given_names, viz.text, split=split)
    if not sure:
        uncertain.add("given_names")
    number, sure = resolve_number(mrz, viz.text)
    if not sure:
        uncertain.add("document_number")
    birth, expiry, doubtful = _dates(mrz, viz)
    return Reconciled(surname, given, number, birth, expiry, frozenset(uncertain | doubtful))


def _same_day(value: date, printed: date) -> bool:
    """Whether a printed date is ``value``, read day first or (as the US prints it) month
    first."""
    return printed == value or (
        printed.year == value.year and (printed.day, printed.month) == (value.month, value.day)
    )


def reconcile_licence(record: AamvaRecord, viz: VisualZone) -> Reconciled:
    """A licence's barcode read with the card's printed fields. The barcode's error
    correction protects every field of it, so its values are kept; a field the printed
    side states otherwise, with the barcode's value printed nowhere on it, is uncertain
    (a front and a back of two different cards, or a misread)."""
    uncertain: set[str] = set()
    for name, machine in (("surname", record.surname), ("given_names", record.given_names)):
        _, sure = resolve_name(machine, getattr(viz, name), viz.text)
        if not sure:
            uncertain.add(name)
    number, printed = _compact(record.number or ""), _compact(viz.document_number or "")
    if number and printed and number != printed and number not in _compact(viz.text):
        uncertain.add("document_number")
    for name, value in (("birth_date", record.birth_date), ("expiry_date", record.expiry_date)):
        seen = getattr(viz, name)
        if value and seen and not any(_same_day(value, d) for d in (seen, *viz.dates)):
            uncertain.add(name)
    return Reconciled(
        record.surname,
        record.given_names,
        record.number,
        record.birth_date,
        record.expiry_date,
        frozenset(uncertain),
    )
