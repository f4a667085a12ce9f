"""Machine-readable zones (ICAO 9303): layouts, check digits, repair and parsing.

Everything here is pure: text in, values out. OCR hands us lines that may have a
letter where a digit belongs, a ``K`` where a ``<`` filler was printed, or a filler
too many; we repair each character by what its position allows and let the check
digits tell whether the result is trustworthy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "MRZ_FORMATS",
    "MrzField",
    "MrzFormat",
    "MrzResult",
    "detect_format",
    "known_state",
    "mrz_check_digit",
    "parse_mrz",
    "repair_mrz",
]

_VALUES = {**{str(d): d for d in range(10)}, **{chr(65 + i): 10 + i for i in range(26)}, "<": 0}
_WEIGHTS = (7, 3, 1)

# Letters OCR confuses with digits, in both directions.
_TO_DIGIT = str.maketrans(
    {
        "O": "0",
        "Q": "0",
        "D": "0",
        "U": "0",
        "I": "1",
        "L": "1",
        "Z": "2",
        "S": "5",
        "B": "8",
        "G": "6",
        "T": "7",
        "A": "4",
    }
)
_TO_LETTER = str.maketrans(
    {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "7": "T", "4": "A"}
)
# Characters OCR produces for a printed "<" filler.
_FILLER_LOOKALIKES = "\u00ab\u2039(<[{KCcEk"


def mrz_check_digit(value: str) -> str:
    """The ICAO 9303 check digit of ``value`` (weights 7-3-1, ``<`` counts 0)."""
    total = sum(_VALUES.get(ch, 0) * _WEIGHTS[i % 3] for i, ch in enumerate(value))
    return str(total % 10)


@dataclass(frozen=True)
class MrzField:
    """One field of a layout: its line, its span, the characters it may hold."""

    name: str
    line: int
    start: int
    end: int
    kind: str  # "alpha", "digit", "alnum", "name", "sex", "check"


@dataclass(frozen=True)
class MrzFormat:
    """A layout: line count and length, its fields and how its check digits are built."""

    name: str
    lines: int
    length: int
    fields: tuple[MrzField, ...]
    # check field -> the spans (line, start, end) it protects
    checks: dict[str, tuple[tuple[int, int, int], ...]]


def _f(name: str, line: int, start: int, end: int, kind: str) -> MrzField:
    return MrzField(name, line, start, end, kind)


def _two_line(name: str, length: int, composite: bool, personal: bool) -> MrzFormat:
    """TD2, TD3, MRV-A and MRV-B share the same second-line layout up to position 28."""
    optional_end = length - 1 if composite else length
    fields = [
        _f("document_code", 0, 0, 2, "code"),
        _f("issuer", 0, 2, 5, "alpha"),
        _f("names", 0, 5, length, "name"),
        _f("document_number", 1, 0, 9, "alnum"),
        _f("check_document_number", 1, 9, 10, "check"),
        _f("nationality", 1, 10, 13, "alpha"),
        _f("birth_date", 1, 13, 19, "digit"),
        _f("check_birth_date", 1, 19, 20, "check"),
        _f("sex", 1, 20, 21, "sex"),
        _f("expiry_date", 1, 21, 27, "digit"),
        _f("check_expiry_date", 1, 27, 28, "check"),
    ]
    checks: dict[str, tuple[tuple[int, int, int], ...]] = {
        "check_document_number": ((1, 0, 9),),
        "check_birth_date": ((1, 13, 19),),
        "check_expiry_date": ((1, 21, 27),),
    }
    if personal:
        fields += [
            _f("optional_data", 1, 28, 42, "alnum"),
            _f("check_optional_data", 1, 42, 43, "check"),
        ]
        checks["check_optional_data"] = ((1, 28, 42),)
    else:
        fields.append(_f("optional_data", 1, 28, optional_end, "alnum"))
    if composite:
        fields.append(_f("check_composite", 1, length - 1, length, "check"))
        checks["check_composite"] = ((1, 0, 10), (1, 13, 20), (1, 21, length - 1))
    return MrzFormat(name, 2, length, tuple(fields), checks)


_TD1 = MrzFormat(
    "TD1",
    3,
    30,
    (
        _f("document_code", 0, 0, 2, "code"),
        _f("issuer", 0, 2, 5, "alpha"),
        _f("document_number", 0, 5, 14, "alnum"),
        _f("check_document_number", 0, 14, 15, "check"),
        _f("optional_data", 0, 15, 30, "alnum"),
        _f("birth_date", 1, 0, 6, "digit"),
        _f("check_birth_date", 1, 6, 7, "check"),
        _f("sex", 1, 7, 8, "sex"),
        _f("expiry_date", 1, 8, 14, "digit"),
        _f("check_expiry_date", 1, 14, 15, "check"),
        _f("nationality", 1, 15, 18, "alpha"),
        _f("optional_data_2", 1, 18, 29, "alnum"),
        _f("check_composite", 1, 29, 30, "check"),
        _f("names", 2, 0, 30, "name"),
    ),
    {
        "check_document_number": ((0, 5, 14),),
        "check_birth_date": ((1, 0, 6),),
        "check_expiry_date": ((1, 8, 14),),
        "check_composite": ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)),
    },
)

# France's national identity card of 1988-2021 (still valid in use): two lines of 36
# that follow no ICAO layout. The surname fills the first line, the issuing department
# and office end it; the second holds the card's twelve-character number, the given
# names, the birth date and the sex, and no expiry date. Only French nationals hold it.
_FRENCH_ID = MrzFormat(
    "FRA-ID",
    2,
    36,
    (
        _f("document_code", 0, 0, 2, "code"),
        _f("issuer", 0, 2, 5, "alpha"),
        _f("names", 0, 5, 30, "name"),
        _f("optional_data", 0, 30, 36, "alnum"),
        _f("document_number", 1, 0, 12, "alnum"),
        _f("check_document_number", 1, 12, 13, "check"),
        _f("given_names", 1, 13, 27, "name"),
        _f("birth_date", 1, 27, 33, "digit"),
        _f("check_birth_date", 1, 33, 34, "check"),
        _f("sex", 1, 34, 35, "sex"),
        _f("check_composite", 1, 35, 36, "check"),
    ),
    {
        "check_document_number": ((1, 0, 12),),
        "check_birth_date": ((1, 27, 33),),
        "check_composite": ((0, 0, 36), (1, 0, 35)),
    },
)
_FRENCH_ID_START = re.compile(r"[I1LT]DFRA")

MRZ_FORMATS: dict[str, MrzFormat] = {
    "TD1": _TD1,
    "TD2": _two_line("TD2", 36, composite=True, personal=False),
    "TD3": _two_line("TD3", 44, composite=True, personal=True),
    "MRVA": _two_line("MRVA", 44, composite=False, personal=False),
    "MRVB": _two_line("MRVB", 36, composite=False, personal=False),
    "FRA-ID": _FRENCH_ID,
}


def detect_format(lines: list[str]) -> MrzFormat | None:
    """The layout that ``lines`` (already cleaned) most likely follow, by count and length."""
    if len(lines) == 3:
        return _TD1
    if len(lines) != 2:
        return None
    length = 44 if max(len(line) for line in lines) >= 40 else 36
    visa = lines[0][:1] == "V"
    if length == 44:
        return MRZ_FORMATS["MRVA" if visa else "TD3"]
    if _FRENCH_ID_START.match(lines[0]):
        return _FRENCH_ID
    return MRZ_FORMATS["MRVB" if visa else "TD2"]


def clean_line(text: str) -> str:
    """Upper-case, drop spaces, read a bar as ``I`` (position repair turns it into ``1``
    where a digit belongs) and any other symbol as the ``<`` it almost always is."""
    text = re.sub(r"\s", "", text.upper()).replace("|", "I")
    # Any other symbol stands where a character was printed: the MRZ has only "<".
    return re.sub("[^A-Z0-9<]", "<", text)


def _fit_length(line: str, length: int) -> str:
    """Pad or trim a line to ``length`` at its longest run of fillers (where OCR slips)."""
    while len(line) != length:
        runs = [(m.end() - m.start(), m.start(), m.end()) for m in re.finditer("<+", line)]
        if len(line) < length:
            at = max(runs)[2] if runs else len(line)
            line = line[:at] + "<" + line[at:]
        elif runs and max(runs)[0] >= 2:
            at = max(runs)[2]
            line = line[: at - 1] + line[at:]
        else:
            line = line[:length]
    return line


def _repair_filler_runs(text: str) -> str:
    """Inside a run of fillers, a lone ``K``/``C``/``E`` is a misread ``<``. Three fillers
    before it are required: after ``<<`` a one-letter given name may really be ``C``."""
    pattern = f"(?<=<<<)[{re.escape(_FILLER_LOOKALIKES)}]{{1,2}}(?=<|$)"
    previous = None
    while previous != text:
        previous, text = text, re.sub(pattern, lambda m: "<" * len(m.group()), text)
    return text


# Three of one letter or more up to the end of a field: fillers read as letters (a moire
# or a blur turns a run of "<" into "SSSS" or "KKKK"); no name ends so.
_FILLER_TAIL = re.compile(r"([A-Z])\1{2,}(?=<*$)")


def _repair_names(text: str) -> str:
    text = _repair_filler_runs(text.translate(_TO_LETTER))
    return _FILLER_TAIL.sub(lambda m: "<" * len(m.group()), text)


def _repair_field(value: str, kind: str) -> str:
    if kind in ("digit", "check"):
        return value.translate(_TO_DIGIT) if kind == "digit" else _repair_check(value)
    if kind == "alpha":
        # Letters only, but a code printed all in digits (old Romanian cards) was meant so.
        return value if value.isdigit() else value.translate(_TO_LETTER)
    if kind == "code":  # I, A, C, P or V, then the state's choice (US cards print C1)
        first = {"L": "I", "1": "I", "T": "I", "J": "I"}.get(value[:1], value[:1])
        return first + value[1:]
    if kind == "name":
        return _repair_names(value)
    if kind == "sex":
        return {"H": "M", "N": "M", "P": "F", "E": "F"}.get(value, value)
    return _repair_filler_runs(value)


def _repair_check(value: str) -> str:
    return value if value == "<" else value.translate(_TO_DIGIT)


def repair_mrz(lines: list[str], fmt: MrzFormat) -> list[str]:
    """Fix each character by what its position allows (letters, digits, fillers)."""
    fixed = [list(_fit_length(clean_line(line), fmt.length)) for line in lines]
    for spec in fmt.fields:
        value = "".join(fixed[spec.line][spec.start : spec.end])
        fixed[spec.line][spec.start : spec.end] = list(_repair_field(value, spec.kind))
    lines_out = ["".join(chars) for chars in fixed]
    lines_out = _repair_optional_tails(_repair_document_number(lines_out, fmt), fmt)
    return _repair_state_codes(lines_out, fmt)


_REPEATED = re.compile(r"([A-Z])\1{2,}")


def _repair_optional_tails(lines: list[str], fmt: MrzFormat) -> list[str]:
    """Optional data from a run of three of one letter to its end read as fillers
    (``<KKKKKKKKSASAKS``), kept only if a check digit that failed then holds with every
    other: optional data may hold any letters, so only its check digits can tell."""
    results = check_digit_results(lines, fmt)
    if all(results.values()):
        return lines
    for spec in fmt.fields:
        if not spec.name.startswith("optional_data"):
            continue
        row = lines[spec.line]
        run = _REPEATED.search(row, spec.start, spec.end)
        if run is None:
            continue
        candidate = list(lines)
        candidate[spec.line] = row[: run.start()] + "<" * (spec.end - run.start()) + row[spec.end :]
        if all(check_digit_results(candidate, fmt).values()):
            return candidate
    return lines


# ICAO 9303 part 3 codes beside ISO 3166 alpha-3: Germany, British nationals, the UN,
# stateless persons and refugees, the EU, Kosovo, and the ICAO examples' Utopia.
_ICAO_CODES = {
    "D<<",
    "GBD",
    "GBN",
    "GBO",
    "GBP",
    "GBS",
    "UNO",
    "UNA",
    "UNK",
    "XXA",
    "XXB",
    "XXC",
    "XXX",
    "EUE",
    "RKS",
    "XOM",
    "XPO",
    "XCC",
    "XES",
    "XIM",
    "XDC",
    "UTO",
}


def known_state(code: str) -> bool:
    """Whether ``code`` (as the MRZ prints it, fillers and all) is a state's code: ISO 3166
    alpha-3 or one of ICAO's own."""
    import iso3166

    return code in _ICAO_CODES or code in iso3166.countries_by_alpha3


def _repair_state_codes(lines: list[str], fmt: MrzFormat) -> list[str]:
    """A nationality that is no state code but one letter away from the issuing state's
    (``LU<`` beside ``LUX``, ``GBB`` beside ``GBR``) is the issuing state's, and the
    other way round: holders mostly carry their own state's documents."""
    if fmt is _FRENCH_ID:  # no nationality beside the issuer to compare with
        return lines
    issuer, nationality = _field(fmt, "issuer"), _field(fmt, "nationality")
    rows = list(lines)
    values = {spec: rows[spec.line][spec.start : spec.end] for spec in (issuer, nationality)}
    for broken, other in ((nationality, issuer), (issuer, nationality)):
        value, replacement = values[broken], values[other]
        if known_state(value) or not known_state(replacement):
            continue
        # Digits were kept in case the state prints its code so; as letters, one away
        # from the other code, they were a misread of it.
        as_letters = value.translate(_TO_LETTER)
        if sum(a != b for a, b in zip(as_letters, replacement, strict=True)) <= 1:
            row = rows[broken.line]
            rows[broken.line] = row[: broken.start] + replacement + row[broken.end :]
    return rows


_AMBIGUOUS = {
    "0": "O",
    "O": "0",
    "1": "I",
    "I": "1",
    "5": "S",
    "S": "5",
    "8": "B",
    "B": "8",
    "2": "Z",
    "Z": "2",
}


def _repair_document_number(lines: list[str], fmt: MrzFormat) -> list[str]:
    """A document number mixes letters and digits, so only its check digit can tell ``O``
    from ``0``. Try one swap at a time; keep it only if every check digit then holds,
    so a broken number is never made valid by accident."""
    if _checks_hold(lines, fmt, "check_document_number"):
        return lines
    spec = _field(fmt, "document_number")
    row = lines[spec.line]
    for i in range(spec.start, spec.end):
        swap = _AMBIGUOUS.get(row[i])
        if swap is None:
            continue
        candidate = list(lines)
        candidate[spec.line] = row[:i] + swap + row[i + 1 :]
        if all(_checks_hold(candidate, fmt, name) for name in fmt.checks):
            return candidate
    return lines


def _field(fmt: MrzFormat, name: str) -> MrzField:
    return next(spec for spec in fmt.fields if spec.name == name)


def _checks_hold(lines: list[str], fmt: MrzFormat, check: str) -> bool:
    return check_digit_results(lines, fmt).get(check, True)


def check_digit_results(lines: list[str], fmt: MrzFormat) -> dict[str, bool]:
    """Each check digit of the layout, and whether the printed one is right."""
    results = {}
    for name, spans in fmt.checks.items():
        spec = _field(fmt, name)
        printed = lines[spec.line][spec.start]
        protected = "".join(lines[line][start:end] for line, start, end in spans)
        if printed == "<" and set(protected) <= {"<"}:
            results[name] = True  # an empty optional field may have no check digit
            continue
        results[name] = printed == mrz_check_digit(protected)
    return results


@dataclass(frozen=True)
class MrzResult:
    """A parsed MRZ: the lines as repaired, its fields and the check-digit verdicts."""

    format: str
    lines: tuple[str, ...]
    fields: dict[str, str]
    checks: dict[str, bool]
    surname: str
    given_names: str
    birth_date: date | None = None
    expiry_date: date | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def valid(self) -> bool:
        """True when every check digit holds."""
        return all(self.checks.values())


def _split_names(value: str) -> tuple[str, str]:
    value = value.rstrip("<")
    surname, _, given = value.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def mrz_date(value: str, *, today: date, future: bool) -> date | None:
    """Read YYMMDD; the century is the one that puts a birth date in the past
    and an expiry date within 50 years of ``today``."""
    if not re.fullmatch(r"\d{6}", value):
        return None
    yy, mm, dd = int(value[:2]), int(value[2:4]), int(value[4:])
    year = 2000 + yy
    if (not future and year > today.year) or (future and year > today.year + 50):
        year -= 100
    try:
        return date(year, mm, dd)
    except ValueError:
        return None


def _document_number(fields: dict[str, str], fmt: MrzFormat, lines: list[str]) -> str:
    """TD1 numbers longer than nine characters continue in the optional data, ended by
    their own check digit, and the check position holds ``<`` (ICAO 9303-5, 4.2.2)."""
    number = fields["document_number"]
    if fmt.name == "TD1" and fields["check_document_number"] == "<":
        rest = fields["optional_data"].split("<", 1)[0]
        if len(rest) >= 2:
            return (number + rest[:-1]).replace("<", "")
    return number.replace("<", "")


def parse_mrz(lines: list[str], *, today: date) -> MrzResult | None:
    """Repair and parse MRZ ``lines``; None when they follow no ICAO layout."""
    cleaned = [clean_line(line) for line in lines]
    fmt = detect_format(cleaned)
    if fmt is None:
        return None
    repaired = repair_mrz(cleaned, fmt)
    fields = {spec.name: repaired[spec.line][spec.start : spec.end] for spec in fmt.fields}
    checks = check_digit_results(repaired, fmt)
    checks.update(_long_number_check(fields, fmt))
    surname, given = _split_names(fields.pop("names"))
    if fmt is _FRENCH_ID:  # the given names have a field of their own
        given = " ".join(fields.pop("given_names").replace("<", " ").split())
        fields["nationality"] = fields["issuer"]
    fields["document_number"] = _document_number(fields, fmt, repaired)
    for name in ("document_code", "issuer", "nationality", "optional_data", "optional_data_2"):
        if name in fields:
            fields[name] = fields[name].replace("<", " ").strip()
    return MrzResult(
        format=fmt.name,
        lines=tuple(repaired),
        fields=fields,
        checks=checks,
        surname=surname,
        given_names=given,
        birth_date=mrz_date(fields["birth_date"], today=today, future=False),
        expiry_date=mrz_date(fields.get("expiry_date", ""), today=today, future=True),
    )


def _long_number_check(fields: dict[str, str], fmt: MrzFormat) -> dict[str, bool]:
    if fmt.name != "TD1" or fields["check_document_number"] != "<":
        return {}
    rest = fields["optional_data"].split("<", 1)[0]
    if len(rest) < 2:
        return {"check_document_number": False}
    number = fields["document_number"] + rest[:-1]
    return {"check_document_number": mrz_check_digit(number) == rest[-1]}


def format_mrz_date(value: date) -> str:
    """A date as the MRZ prints it (YYMMDD)."""
    return value.strftime("%y%m%d")
