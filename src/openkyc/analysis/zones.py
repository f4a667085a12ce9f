"""Finding the MRZ and the labelled visual-zone fields among OCR lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from openkyc.analysis.dates import find_dates
from openkyc.analysis.engines import TextLine
from openkyc.analysis.licences import licence_dates, numbered_fields
from openkyc.analysis.mrz import MrzResult, clean_line, parse_mrz

__all__ = [
    "VisualZone",
    "find_mrz",
    "find_mrz_with_sources",
    "mrz_piece",
    "read_visual_zone",
    "rows_of",
    "worth_rereading",
]

_MRZ_LENGTHS = (30, 36, 44)


def rows_of(lines: list[TextLine]) -> list[list[TextLine]]:
    """Group OCR boxes into printed rows (OCR may cut one MRZ line into pieces)."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda item: (item.box[1] + item.box[3]) / 2):
        centre = (line.box[1] + line.box[3]) / 2
        if rows:
            last = rows[-1][-1]
            if abs(centre - (last.box[1] + last.box[3]) / 2) < 0.5 * max(last.height, 1):
                rows[-1].append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda item: item.box[0]) for row in rows]


def _mrz_like(text: str) -> bool:
    cleaned = clean_line(text)
    return (
        len(cleaned) >= 26
        and (cleaned.count("<") >= 2 or bool(re.fullmatch(r"[A-Z0-9<]{28,46}", cleaned)))
        and len(cleaned) >= 0.8 * len(text.replace(" ", ""))
    )


def _candidate_rows(lines: list[TextLine]) -> list[tuple[str, list[TextLine]]]:
    """Row segments that may be MRZ lines: their joined text and the OCR boxes it came
    from. A row is cut where its pieces stand far apart: two cards photographed side by
    side put the other card's text (a date, a number) in the same row as an MRZ line."""
    found = []
    for row in rows_of(lines):
        for segment in _segments([item for item in row if mrz_piece(item.text)]):
            joined = "".join(clean_line(item.text) for item in segment)
            if _mrz_like(joined):
                found.append((joined, segment))
    return sorted(found, key=lambda item: _centre(item[1]))


PIECE_GAP = 3.0  # line heights: pieces of one MRZ line stand a character or two apart


def _segments(pieces: list[TextLine]) -> list[list[TextLine]]:
    segments: list[list[TextLine]] = []
    for piece in pieces:
        if segments:
            last = segments[-1][-1]
            if piece.box[0] - last.box[2] <= PIECE_GAP * max(piece.height, last.height, 1):
                segments[-1].append(piece)
                continue
        segments.append([piece])
    return segments


def _centre(boxes: list[TextLine]) -> float:
    return sum((box.box[1] + box.box[3]) / 2 for box in boxes) / len(boxes)


def _span(boxes: list[TextLine]) -> tuple[float, float]:
    return min(box.box[0] for box in boxes), max(box.box[2] for box in boxes)


def _below(upper: list[TextLine], lower: list[TextLine]) -> bool:
    """Whether ``lower`` can be the MRZ line after ``upper``: in the same column (their
    spans overlap by half the shorter one) and at most a few line heights further down."""
    (a_left, a_right), (b_left, b_right) = _span(upper), _span(lower)
    overlap = min(a_right, b_right) - max(a_left, b_left)
    height = max(max(box.height for box in upper), 1)
    distance = _centre(lower) - _centre(upper)
    return overlap >= 0.5 * min(a_right - a_left, b_right - b_left) and 0 < distance < 4 * height


def mrz_piece(text: str) -> bool:
    """Whether an OCR line could be (part of) an MRZ line. Printed text beside the MRZ
    (the other side of a card photographed next to it) is no piece: it has lower-case
    letters or spaces between words, which the MRZ never has."""
    cleaned = clean_line(text)
    if len(cleaned) < 4:
        return False
    if cleaned.count("<") >= 1:
        return True
    raw = text.strip()
    return len(cleaned) >= 20 and not any(ch.islower() for ch in raw) and raw.count(" ") <= 2


def worth_rereading(text: str) -> bool:
    """Whether a line may be an MRZ line, judged on the raw OCR text (before symbols
    become fillers), so that only those two or three lines are read a second time."""
    raw = re.sub(r"\s", "", text.upper())
    machine = sum(ch.isalnum() or ch in "<«" for ch in raw)
    return raw.count("<") >= 2 or (len(raw) >= 25 and machine >= 0.9 * len(raw))


def _nearest_length(text: str) -> int:
    return min(_MRZ_LENGTHS, key=lambda length: abs(length - len(text)))


def _groups(rows: list[tuple[str, list[TextLine]]]) -> list[list[tuple[str, list[TextLine]]]]:
    """Runs of 2 or 3 rows of the same MRZ length, each below the one before in the same
    column (so that each card's MRZ is assembled on its own)."""
    groups = []
    for size in (3, 2):
        for start in range(len(rows)):
            chunk = [rows[start]]
            for row in rows[start + 1 :]:
                if len(chunk) == size:
                    break
                if _below(chunk[-1][1], row[1]):
                    chunk.append(row)
            if len(chunk) == size and _one_length(chunk):
                groups.append(chunk)
    return groups


SHORTEST_READ = 0.8  # of the layout's length: OCR drops fillers from a line's end


def _one_length(chunk: list[tuple[str, list[TextLine]]]) -> bool:
    """Whether the rows can be the lines of one layout: three of 30 characters or two of
    36 or 44, the longest setting the length and each at least ``SHORTEST_READ`` of it
    (a TD3's first line, mostly fillers, read 40 long beside a second line of 44)."""
    length = _nearest_length(max((text for text, _ in chunk), key=len))
    return (len(chunk) == 3) == (length == 30) and all(
        SHORTEST_READ * length <= len(text) for text, _ in chunk
    )


def find_mrz(lines: list[TextLine], *, today: date) -> MrzResult | None:
    """The best-verifying MRZ among the OCR lines, if any (most check digits holding)."""
    return find_mrz_with_sources(lines, today=today)[0]


def find_mrz_with_sources(
    lines: list[TextLine], *, today: date
) -> tuple[MrzResult | None, list[TextLine]]:
    """:func:`find_mrz`, and the OCR boxes its lines were read from."""
    best: tuple[MrzResult | None, list[TextLine]] = (None, [])
    for group in _groups(_candidate_rows(lines)):
        result = parse_mrz([text for text, _ in group], today=today)
        if result is None:
            continue
        if best[0] is None or _rank(result) > _rank(best[0]):
            best = (result, [box for _, boxes in group for box in boxes])
    return best


def _rank(result: MrzResult) -> tuple[int, int]:
    return sum(result.checks.values()), len(result.lines)


@dataclass(frozen=True)
class VisualZone:
    """What the printed (human-readable) part of a document says, by label."""

    surname: str | None = None
    given_names: str | None = None
    birth_date: date | None = None
    expiry_date: date | None = None
    issue_date: date | None = None
    document_number: str | None = None
    nationality: str | None = None
    dates: tuple[date, ...] = ()
    text: str = ""


_LABELS = {
    # LN, FN and DL as North American licences label the last name, first name and number.
    "surname": r"\b(surname|last name|family name|nom|apellidos?|nachname|cognome|name|ln)\b",
    "given_names": (
        r"\b(given names?|first names?|prenoms?|pr[eé]noms?|vornamen?|nombres?|nome|fn)\b"
    ),
    "birth_date": r"(birth|naissance|geburt|nacimiento|nascita|\bdob\b)",
    "expiry_date": r"(expir|valid until|valable|gultig|g[uü]ltig|caducidad|scadenza|\bexp\b)",
    "issue_date": r"(issue|d[eé]livrance|ausstellung|expedici[oó]n|rilascio|\biss\b)",
    "document_number": (
        r"(passport no|document no|card no|\bno\b\.?|number|num[eé]ro|nummer|\bdln?\b)"
    ),
    "nationality": r"(nationalit|staatsangeh|nacionalidad|cittadinanza)",
}


def _label_of(text: str) -> str | None:
    lowered = text.lower()
    for name, pattern in _LABELS.items():
        # "Date of birth" mentions no name; "Given names" must not count as a surname.
        if re.search(pattern, lowered) and not (name == "surname" and "given" in lowered):
            return name
    return None


def _value_after(label: TextLine, lines: list[TextLine]) -> str | None:
    """The text printed under a label (the nearest line below, overlapping horizontally)."""
    below = [
        line
        for line in lines
        if line.box[1] >= label.box[1] + 0.5 * label.height
        and line.box[1] - label.box[3] < 2.5 * label.height
        and line.box[0] < label.box[2]
        and line.box[2] > label.box[0]
        and _label_of(line.text) is None
    ]
    if not below:
        return None
    return min(below, key=lambda line: line.box[1]).text.strip()


def read_visual_zone(lines: list[TextLine], mrz_lines: tuple[str, ...] = ()) -> VisualZone:
    """Read the labelled fields of the visual zone (everything but the MRZ)."""
    mrz_set = {clean_line(text) for text in mrz_lines}
    viz = [
        line for line in lines if not _mrz_like(line.text) and clean_line(line.text) not in mrz_set
    ]
    values: dict[str, str] = {}
    for line in viz:
        name = _label_of(line.text)
        if name and name not in values:
            value = _value_after(line, viz)
            if value:
                values[name] = value
    text = "\n".join(line.text for line in viz)
    # An EU driving licence: each numbered field as read, and each printed row (OCR may
    # cut a field's number from its value).
    # Dates side by side ("4a.02.03.2021 4b.01.03.2031") may look like an MRZ line.
    printed = [line for line in lines if clean_line(line.text) not in mrz_set]
    rows = [" ".join(line.text for line in row) for row in rows_of(printed)]
    numbered = numbered_fields([line.text for line in printed] + rows)
    dates = licence_dates(numbered)
    return VisualZone(
        surname=numbered.get("1") or values.get("surname"),
        given_names=numbered.get("2") or values.get("given_names"),
        birth_date=dates.get("birth") or _first_date(values.get("birth_date")),
        expiry_date=dates.get("expiry") or _first_date(values.get("expiry_date")),
        issue_date=dates.get("issue") or _first_date(values.get("issue_date")),
        document_number=_licence_number(numbered.get("5")) or values.get("document_number"),
        nationality=values.get("nationality"),
        dates=tuple(found.value for found in find_dates(text)),
        text=text,
    )


def _licence_number(value: str | None) -> str | None:
    """Field 5 of an EU licence: the number, without what OCR adds around it."""
    words = (value or "").split()
    return max(words, key=lambda word: sum(ch.isdigit() for ch in word)) if words else None


def _first_date(text: str | None) -> date | None:
    found = find_dates(text or "")
    return found[0].value if found else None
