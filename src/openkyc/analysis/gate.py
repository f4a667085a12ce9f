"""The quality gate: fast checks of a capture before it counts as an attempt.

:func:`check_capture` looks at each file the customer is about to send, in about a second,
and names what stops it from being analysed at all: a file that is no picture, a blank page
or noise, a photo that is blurred, dark or shines, a document cut off by the frame, a selfie
where a document is asked or a document where a selfie is, a passport whose machine-readable
lines cannot be read, a page without readable text. Each problem carries the hint the
customer needs for a better picture. A capture without problems goes on to the full
analysis (:func:`openkyc.analysis.analyze_identity`, :func:`openkyc.analysis.analyze_address`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from openkyc.analysis.engines import Engines, TextLine, default_engines
from openkyc.analysis.errors import UnreadableFile
from openkyc.analysis.hints import CAPTURE_HINTS, QUALITY_HINTS
from openkyc.analysis.imaging import (
    DARK_BELOW,
    Page,
    brightness,
    find_document_quad,
    load_page,
    quality_findings,
)
from openkyc.analysis.models import InputFile
from openkyc.analysis.zones import rows_of, worth_rereading

__all__ = ["CaptureCheck", "CaptureProblem", "check_capture", "looks_like_noise"]

IDENTITY = "identity-proof"
ADDRESS = "address-proof"
SMALLEST_SIDE = 120  # pixels: below this no document can be read
BLANK_SPREAD = 4.0  # grey-level standard deviation of a page with nothing on it
NOISE_CORRELATION = 0.5  # neighbouring pixels of any real picture agree far more
# A face at least this tall (share of the picture's height) in a picture with almost no
# text is someone in front of the camera; a document shows text around its portrait (and
# a blurred document shows no face the detector finds).
SELFIE_FACE = 0.08
SELFIE_TEXT = 15
CLOSE_FACE = 0.25  # a face this tall is a selfie even when the photo is blurred
# Letters and digits the fast reader must find: fewer is not a document at all, and a
# page of an address document shows far more than an identity page's field labels.
ANY_TEXT = 8
READABLE = {IDENTITY: 30, ADDRESS: 60}
NOT_RETAKES = ("not-a-document", "not-an-image")  # another file is needed, not another photo
EDGE = 0.003  # a line this close to the picture's edge (share of its longer side) touches it


@dataclass(frozen=True)
class CaptureProblem:
    """What is wrong with one file and what the customer should do (``code``, ``message``).
    ``retake`` is False for a file that is no document at all (another file is needed,
    not another photo of the same one)."""

    file_index: int
    code: str
    message: str
    retake: bool = True


@dataclass(frozen=True)
class CaptureCheck:
    """The gate's answer: ``passed`` when no file has a problem."""

    problems: tuple[CaptureProblem, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


def _problem(index: int, code: str) -> CaptureProblem:
    message = QUALITY_HINTS.get(code) or CAPTURE_HINTS[code]
    return CaptureProblem(index, code, message, retake=code not in NOT_RETAKES)


def check_capture(
    files: Sequence[InputFile],
    document_type: str,
    subtype: str | None = None,
    *,
    engines: Engines | None = None,
) -> CaptureCheck:
    """The fast checks of the files of one document (tagged ``id-front`` / ``id-back`` /
    ``face-proof`` for identity proof). ``subtype`` is the document the customer says it is
    (``passport`` needs its machine-readable lines legible). Never raises for bad bytes:
    a file that cannot be opened is a problem of its own."""
    engines = engines or default_engines()
    problems: list[CaptureProblem] = []
    for index, file in enumerate(files):
        problems += _check_file(file, index, document_type, subtype, engines)
    return CaptureCheck(tuple(problems))


def _check_file(
    file: InputFile, index: int, document_type: str, subtype: str | None, engines: Engines
) -> list[CaptureProblem]:
    try:
        page = load_page(file, index)
    except UnreadableFile:
        # A PDF that opens to nothing (no page, an empty page tree) shows no document.
        empty_pdf = file.data[:5] == b"%PDF-"
        return [_problem(index, "not-a-document" if empty_pdf else "not-an-image")]
    height, width = page.image.shape[:2]
    if min(height, width) < SMALLEST_SIDE:
        return [_problem(index, "too-small")]
    if _blank(page.image) or (page.kind != "pdf" and looks_like_noise(page.image)):
        if brightness(page.image) < DARK_BELOW:
            # A dim room, a lens cap: more light shows more (and a camera's noise in the
            # dark is no random picture).
            return [_problem(index, "dark")]
        return [_problem(index, "selfie-no-face" if file.tag == "face-proof" else "not-a-document")]
    if file.tag == "face-proof":
        return _check_selfie(page, index, engines)
    return _check_document(page, index, document_type, subtype, engines)


def _gray(image: np.ndarray, width: int) -> np.ndarray:
    import cv2

    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    scale = width / max(gray.shape[1], 1)
    if scale < 1:
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return gray.astype(np.float32)


def _blank(image: np.ndarray) -> bool:
    """One colour from edge to edge (a white sheet, a lens cap)."""
    return float(_gray(image, 400).std()) < BLANK_SPREAD


def looks_like_noise(image: np.ndarray) -> bool:
    """Random pixels: neighbours that do not agree. In photos and scans of anything the
    grey levels of horizontally adjacent pixels correlate above 0.8; in noise near 0."""
    gray = _gray(image, 800)
    left, right = gray[:, :-1].ravel(), gray[:, 1:].ravel()
    if left.std() == 0 or right.std() == 0:
        return False
    return float(np.corrcoef(left, right)[0, 1]) < NOISE_CORRELATION


def _quality(page: Page) -> list[str]:
    return [finding.kind for finding in quality_findings(page, photo=not page.text_layer)]


def _check_selfie(page: Page, index: int, engines: Engines) -> list[CaptureProblem]:
    """A selfie shows a face and next to no text; its blur is not judged (a face has soft
    edges that the document's measure would call blurred)."""
    if "dark" in _quality(page):
        return [_problem(index, "dark")]
    faces = engines.faces.faces(page.image, embed=False)
    height = page.image.shape[0]
    if faces and faces[0].box[3] - faces[0].box[1] >= SELFIE_FACE * height:
        return []
    if _characters(engines.text.read(page.image)) >= READABLE[IDENTITY]:
        return [_problem(index, "document-as-selfie")]
    return [_problem(index, "selfie-no-face")]


def _characters(lines: list[TextLine]) -> int:
    return sum(ch.isalnum() for line in lines for ch in line.text)


def _check_document(
    page: Page, index: int, document_type: str, subtype: str | None, engines: Engines
) -> list[CaptureProblem]:
    quality = _quality(page)
    if page.text_layer and len(page.text_layer.split()) >= 5:
        return []  # a PDF made by a program: its text is there to read
    lines = engines.text.read(page.image)
    characters = _characters(lines)
    if page.tag != "id-back" and characters < SELFIE_TEXT:
        faces = engines.faces.faces(page.image, embed=False)
        height = page.image.shape[0]
        face = faces[0].box[3] - faces[0].box[1] if faces else 0
        # A blurred document may still show its portrait's face: then the blur is the news.
        if face >= SELFIE_FACE * height and (not quality or face >= CLOSE_FACE * height):
            return [_problem(index, "selfie-as-document")]
    if quality:
        return [_problem(index, kind) for kind in quality]
    if characters < ANY_TEXT:
        # A document's outline with nothing legible inside is a document badly taken.
        return [_problem(index, "unreadable" if _outline_inside(page.image) else "not-a-document")]
    if _runs_off_edge(page.image, lines):
        return [_problem(index, "cut-off")]
    if characters < READABLE.get(document_type, 0):
        return [_problem(index, "unreadable")]
    if subtype == "passport" and not _mrz_seen(lines):
        return [_problem(index, "mrz-not-read")]
    return []


def _mrz_seen(lines: list[TextLine]) -> bool:
    """Two lines that may be machine-readable lines (the full analysis reads them again
    with the accurate reader); a page standing sideways is turned by the analysis, not here."""
    if sum(_machine_line(line.text) for line in rows_text(lines)) >= 2:
        return True
    long = [line for line in lines if max(line.width, line.height) > 60]
    return bool(long) and sum(line.height > 1.5 * line.width for line in long) > len(long) / 2


def _machine_line(text: str) -> bool:
    """Whether a row may be a machine-readable line: long, no lower case, (nearly) no
    spaces. The fast reader often reads its ``<`` fillers as other symbols (``Λ``, ``∧``,
    ``«``), which the full analysis repairs."""
    raw = re.sub(r"\s", "", text)
    upper = not any(ch.islower() for ch in raw if ch.isascii())
    return worth_rereading(text) or (len(raw) >= 28 and upper and text.strip().count(" ") <= 2)


def rows_text(lines: list[TextLine]) -> list[TextLine]:
    """One line per printed row (OCR may cut a machine-readable line into pieces)."""
    joined = []
    for row in rows_of(lines):
        left, top = min(item.box[0] for item in row), min(item.box[1] for item in row)
        right, bottom = max(item.box[2] for item in row), max(item.box[3] for item in row)
        text = "".join(item.text for item in row)
        joined.append(TextLine(text, (left, top, right, bottom), min(i.confidence for i in row)))
    return joined


def _runs_off_edge(image: np.ndarray, lines: list[TextLine]) -> bool:
    """Text cut by the picture's edge while no document outline lies inside the picture:
    two lines or more that touch the same edge, or a machine-readable line that runs into
    a side. (A scan cropped to the document leaves a few pixels between its text and the
    edge; on the evaluation scans, at most one short line of a page touches one.)"""
    height, width = image.shape[:2]
    margin = EDGE * max(width, height)
    touching: dict[str, int] = {}
    for line in lines:
        if len(line.text) < 3:
            continue
        left, top, right, bottom = line.box
        sides = {
            "left": left <= margin,
            "top": top <= margin,
            "right": right >= width - margin,
            "bottom": bottom >= height - margin,
        }
        if _machine_line(line.text) and (sides["left"] or sides["right"]):
            return True  # a machine-readable line never reaches the document's own edge
        for side, touches in sides.items():
            touching[side] = touching.get(side, 0) + touches
    return max(touching.values(), default=0) >= 2 and not _outline_inside(image)


def _outline_inside(image: np.ndarray) -> bool:
    """Whether the document's four corners are found, each clear of the picture's edge."""
    quad = find_document_quad(image)
    if quad is None:
        return False
    height, width = image.shape[:2]
    margin = 0.01 * max(width, height)
    return bool(
        (quad[:, 0] > margin).all()
        and (quad[:, 0] < width - margin).all()
        and (quad[:, 1] > margin).all()
        and (quad[:, 1] < height - margin).all()
    )
