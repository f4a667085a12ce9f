"""Reading an identity document's pages: straighten, OCR, MRZ, visual zone, faces.

This is the only part of identity analysis that runs models; what it returns
(:class:`PageReading`) is plain data the checks in :mod:`identity` decide on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from openkyc.analysis.dates import find_dates
from openkyc.analysis.engines import Engines, Face, TextLine
from openkyc.analysis.imaging import Page, rotated, straighten
from openkyc.analysis.licences import AamvaRecord, parse_aamva, read_barcode_text
from openkyc.analysis.mrz import MrzResult
from openkyc.analysis.stamps import read_coloured_stamps, read_watermarks
from openkyc.analysis.tampering import mrz_viz_disagreements
from openkyc.analysis.zones import (
    VisualZone,
    find_mrz,
    find_mrz_with_sources,
    read_visual_zone,
    worth_rereading,
)

__all__ = [
    "PageReading",
    "add_watermarks",
    "read_document_page",
    "read_selfie",
    "text_skew",
]


@dataclass
class PageReading:
    """What one document page says and shows."""

    page: Page
    image: np.ndarray  # straightened and upright
    lines: list[TextLine]
    mrz: MrzResult | None
    viz: VisualZone
    faces: list[Face] = field(default_factory=list)
    corners_found: bool = False
    rotation: int = 0
    stamps: list[str] = field(default_factory=list)
    watermarks_read: bool = False  # pale grey watermarks searched too (see add_watermarks)
    licence: AamvaRecord | None = None  # a North American licence's barcode

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def _rotate(image: np.ndarray, degrees: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(image, k=-degrees // 90))


def _mostly_vertical(lines: list[TextLine]) -> bool:
    long = [line for line in lines if max(line.width, line.height) > 60]
    return bool(long) and sum(line.height > 1.5 * line.width for line in long) > len(long) / 2


UPSIDE_DOWN_CONFIDENCE = 0.72


def _looks_upside_down(lines: list[TextLine]) -> bool:
    """An MRZ's ``<`` fillers read upside down come out as runs of ``>``; a page without
    one reads with low confidence. Measured on the evaluation documents: no upright page
    had a line with five ``>``, upright pages read at 0.77-0.98 mean confidence, upside
    down ones without an MRZ at 0.62-0.68."""
    return _fillers_upside_down(lines) or _mean_confidence(lines) < UPSIDE_DOWN_CONFIDENCE


def _fillers_upside_down(lines: list[TextLine]) -> bool:
    return any(line.text.count(">") >= 5 for line in lines)


def _mean_confidence(lines: list[TextLine]) -> float:
    return float(np.mean([line.confidence for line in lines])) if lines else 0.0


SURE = 0.97  # the fast reader's confidence above which its MRZ line is kept as read


def _ocr(
    image: np.ndarray, engines: Engines, today: date
) -> tuple[np.ndarray, list[TextLine], MrzResult | None]:
    """Read every line fast (and level the picture if its lines are tilted), then the few
    lines that may be an MRZ again accurately: all of them unless the fast reading
    verifies, and then those the reader was not sure of (the names' line, which no check
    digit protects, most often)."""
    image, lines = _level(image, engines.text.read(image))
    mrz, sources = find_mrz_with_sources(lines, today=today)
    # Re-read the lines the MRZ came from; with no MRZ, every line that may hold one.
    candidates = sources or [line for line in lines if worth_rereading(line.text)]
    if _trusted(mrz):
        candidates = [line for line in candidates if line.confidence < SURE]
    if not candidates:
        return image, lines, mrz
    better = dict(zip(map(id, candidates), engines.text.reread(image, candidates), strict=True))
    reread = [better.get(id(line), line) for line in lines]
    second = find_mrz(reread, today=today)
    if second is not None and (mrz is None or _score(second) >= _score(mrz)):
        return image, reread, second
    return image, lines, mrz


SKEW_FROM = 1.5  # degrees of tilt from which a page is levelled before its lines are grouped
SKEW_UP_TO = 30.0  # steeper lines are read as turned a quarter (see _upright)


def text_skew(lines: list[TextLine]) -> float:
    """How far the page's text is tilted, in degrees (negative: rising to the right): the
    length-weighted median angle of the lines the reader outlined, when at least two lines
    agree with it within three degrees; 0 otherwise."""
    measured = [
        (length, angle)
        for length, angle in filter(None, (line.direction for line in lines))
        if abs(angle) <= SKEW_UP_TO and length >= 40
    ]
    if len(measured) < 2:
        return 0.0
    measured.sort(key=lambda item: item[1])
    half, total = sum(length for length, _ in measured) / 2, 0.0
    for length, angle in measured:
        total += length
        if total >= half:
            median = angle
            break
    agreeing = sum(abs(angle - median) <= 3 for _, angle in measured)
    return median if agreeing >= 2 else 0.0


def _level(image: np.ndarray, lines: list[TextLine]) -> tuple[np.ndarray, list[TextLine]]:
    """A page photographed a few degrees askew is turned level, and its lines with it: the
    text was read correctly along each tilted line, but rows, MRZ lines and labels are
    grouped by position, which tilt mixes up (an MRZ line's box spans the next line)."""
    skew = text_skew(lines)
    if abs(skew) < SKEW_FROM:
        return image, lines
    turned, matrix = rotated(image, skew)
    return turned, [_moved(line, matrix) for line in lines]


def _moved(line: TextLine, matrix: np.ndarray) -> TextLine:
    left, top, right, bottom = line.box
    corners = line.quad or ((left, top), (right, top), (right, bottom), (left, bottom))
    points = np.array(corners, float) @ matrix[:, :2].T + matrix[:, 2]
    quad = tuple((float(x), float(y)) for x, y in points)
    xs, ys = points[:, 0], points[:, 1]
    box = (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
    return TextLine(line.text, box, line.confidence, quad)


def _score(mrz: MrzResult) -> int:
    return sum(mrz.checks.values()) + (2 if _trusted(mrz) else 0)


def _trusted(mrz: MrzResult | None) -> bool:
    """Check digits hold and the names (which no check digit protects) split in two."""
    return mrz is not None and mrz.valid and bool(mrz.surname and mrz.given_names)


def _confirmed_viz(
    image: np.ndarray, lines: list[TextLine], mrz: MrzResult | None, engines: Engines
) -> tuple[list[TextLine], VisualZone]:
    """The visual zone; where it disagrees with the MRZ, read again accurately first, so
    that a misread letter never passes for a forged field."""
    viz = read_visual_zone(lines, mrz.lines if mrz else ())
    if mrz is None or not mrz_viz_disagreements(mrz, viz):
        return lines, viz
    values = {v.strip() for v in (viz.surname, viz.given_names, viz.document_number) if v}
    doubtful = [line for line in lines if line.text.strip() in values or find_dates(line.text)]
    better = dict(zip(map(id, doubtful), engines.text.reread(image, doubtful), strict=True))
    reread = [better.get(id(line), line) for line in lines]
    return reread, read_visual_zone(reread, mrz.lines)


def _upright(
    image: np.ndarray, engines: Engines, today: date
) -> tuple[np.ndarray, list[TextLine], MrzResult | None, int]:
    """OCR the page; when the text stands sideways or reads like upside-down text,
    turn the page and keep the reading that finds an MRZ or reads best."""
    image, lines, mrz = _ocr(image, engines, today)
    if _trusted(mrz):
        return image, lines, mrz, 0
    turns = [90, 270] if _mostly_vertical(lines) else []
    if not turns and _looks_upside_down(lines):
        turns = [180]
    best = (image, lines, mrz, 0)
    for degrees in turns:
        turned, turned_lines, turned_mrz = _ocr(_rotate(image, degrees), engines, today)
        if _better(turned_lines, turned_mrz, best[1], best[2]):
            best = (turned, turned_lines, turned_mrz, degrees)
            if _trusted(turned_mrz):
                break
    return best


def _better(
    lines: list[TextLine],
    mrz: MrzResult | None,
    best_lines: list[TextLine],
    best_mrz: MrzResult | None,
) -> bool:
    def rank(found: MrzResult | None, text: list[TextLine]) -> tuple[bool, int, bool, float]:
        # Fillers read as ">" are an MRZ upside down: whatever it parses into (check digits
        # over runs of fillers hold by chance) comes after any reading the right way up.
        # The reader turns each tall line before reading it, so a page lying sideways reads
        # about as well as upright; it still stands sideways (its portrait too, where no
        # face is found), and comes after any reading whose lines run across.
        held = sum(found.checks.values()) + 1 if found else 0
        across = not _mostly_vertical(text)
        return not _fillers_upside_down(text), held, across, _mean_confidence(text) * len(text)

    return rank(mrz, lines) > rank(best_mrz, best_lines)


def read_document_page(page: Page, engines: Engines, *, today: date) -> PageReading:
    """Straighten the page, read its text and MRZ upright, find the faces on it and read
    its coloured stamps.

    The picture as uploaded is read instead of the straightened one when straightening lost
    the MRZ or the portrait: a wrong outline (a table edge, a card inside a larger card, a
    light card on a white desk) cuts them off. A small picture that gave no verified MRZ is
    read again enlarged (see ``LEGIBLE_SIDE``); one that gave a verified MRZ but no portrait
    is searched for faces enlarged."""
    image, corners = straighten(page.image)
    reading = _read_upright(page, image, corners, engines, today)
    if corners and (reading.mrz is None or (page.tag != "id-back" and not reading.faces)):
        plain = _read_upright(page, page.image, False, engines, today)
        if _keeps_more(plain, reading):
            reading, image = plain, page.image
    if max(image.shape[:2]) < LEGIBLE_SIDE:
        if not _trusted(reading.mrz):
            larger = _read_upright(page, _legible(image), reading.corners_found, engines, today)
            if _rank(larger) > _rank(reading):
                reading = larger
        elif page.tag != "id-back" and not reading.faces:  # the text was read: faces alone
            reading.faces = _faces_enlarged(reading.image, engines)
    if not _trusted(reading.mrz):  # no MRZ: perhaps the back of a North American licence
        reading.licence = _licence_barcode(page.image)
    reading.stamps = read_coloured_stamps(
        reading.image, engines.text, [face.box for face in reading.faces]
    )
    return reading


def add_watermarks(reading: PageReading, engines: Engines) -> bool:
    """Read the pale grey watermarks of a page :func:`read_document_page` read (it reads
    only the coloured stamps, the cheap part); whether any text was found."""
    if reading.watermarks_read:
        return False
    reading.watermarks_read = True
    faces = [face.box for face in reading.faces]
    found = read_watermarks(reading.image, engines.text, faces)
    reading.stamps += found
    return bool(found)


# The fast text detector works on the picture scaled to at most 640 px (see engines): a
# smaller picture is enlarged to that size first, so that print a few pixels high (a card
# photographed from afar, a thumbnail) becomes lines it finds, and faces the finder's size.
LEGIBLE_SIDE = 640


def _legible(image: np.ndarray) -> np.ndarray:
    """``image`` enlarged (bicubic) so that its longer side is ``LEGIBLE_SIDE``, when less."""
    import cv2

    longest = max(image.shape[:2])
    if longest >= LEGIBLE_SIDE:
        return image
    scale = LEGIBLE_SIDE / longest
    size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_CUBIC))


def _licence_barcode(image: np.ndarray) -> AamvaRecord | None:
    records = (parse_aamva(text) for text in read_barcode_text(image))
    return next((record for record in records if record is not None), None)


def _read_upright(
    page: Page, image: np.ndarray, corners: bool, engines: Engines, today: date
) -> PageReading:
    image, lines, mrz, rotation = _upright(image, engines, today)
    lines, viz = _confirmed_viz(image, lines, mrz, engines)
    faces = engines.faces.faces(image, small=True) if page.tag != "id-back" else []
    return PageReading(page, image, lines, mrz, viz, faces, corners, rotation)


def _faces_enlarged(image: np.ndarray, engines: Engines) -> list[Face]:
    """The faces on a small picture, searched on it enlarged, in the picture's pixels."""
    larger = _legible(image)
    scale = larger.shape[1] / image.shape[1]
    return [
        Face(
            tuple(int(v / scale) for v in face.box),  # type: ignore[arg-type]
            face.embedding,
            tuple((x / scale, y / scale) for x, y in face.landmarks),
        )
        for face in engines.faces.faces(larger, small=True)
    ]


def _rank(reading: PageReading) -> tuple[bool, bool, int, bool]:
    """What a reading found, best first: a verified MRZ, text the right way up, check
    digits holding, a portrait."""
    held = sum(reading.mrz.checks.values()) + 1 if reading.mrz else 0
    upright = not _fillers_upside_down(reading.lines)
    return _trusted(reading.mrz), upright, held, bool(reading.faces)


def _keeps_more(plain: PageReading, straightened: PageReading) -> bool:
    """Whether the plain reading found more of what matters: an MRZ first, a portrait next."""

    def found(reading: PageReading) -> tuple[bool, bool]:
        return reading.mrz is not None, bool(reading.faces)

    return found(plain) > found(straightened)


def read_selfie(page: Page, engines: Engines, *, grey: bool = False) -> list[Face]:
    """The faces on a selfie, upright as the EXIF orientation says, largest first.

    With ``grey`` the selfie is read in grey, as a document that prints its portrait in grey
    shows a face (in colour when no face shows in grey). Colour counts in the embedding, so
    a grey portrait against a colour selfie of the same person lands further apart than two
    photos do (up to +0.19 measured on rendered documents); both in grey compare the same
    information."""
    if grey:
        import cv2

        image = cv2.cvtColor(cv2.cvtColor(page.image, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
        faces = _upright_faces(image, engines)
        if faces:
            return faces
    return _upright_faces(page.image, engines)


def _upright_faces(image: np.ndarray, engines: Engines) -> list[Face]:
    faces = engines.faces.faces(image, small=True)
    if faces:
        return faces
    # A selfie taken with the phone sideways and no EXIF orientation.
    for degrees in (90, 270):
        faces = engines.faces.faces(_rotate(image, degrees), small=False)
        if faces:
            return faces
    return []
