"""Reading the stamps and watermarks printed over a document (``SPECIMEN`` in red at an
angle, ``MUSTER`` in pale grey across the page).

Such a mark is faint against the document's own print, crosses it at any angle and is
often printed as hollow letters, so an ordinary reading of the page misses it or reads
it as noise. Two kinds of ink give it away:

- **coloured ink**: in the Lab colour space red and magenta ink stand far above the page
  on the ``a*`` axis, where black print, blue guilloches and skin tones do not;
- **pale grey ink**: a watermark is darker than the paper around it but far lighter than
  print, colourless, and drawn in strokes much thicker than the fine lines of a
  guilloche. Where print crosses it, the print is painted over from its surroundings
  first, so that the watermark's letters stay whole. Portraits are left out: a face is
  full of pale grey.

Each ink is separated into a picture of its own (dark on white) and read; each long
stroke of it is also cut out, turned level (both ways up) and read again, which reads a
mark at 30 or 60 degrees that line detection does not. The work is done on a copy of a
fixed size, so the same document reads the same at any resolution.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from openkyc.analysis.engines import TextLine, TextReader

__all__ = [
    "coloured_ink",
    "pale_ink",
    "read_coloured_stamps",
    "read_watermarks",
    "stamp_strips",
]

INK_ABOVE = 12.0  # a* above the page's median: red or magenta ink
LEAST_INK = 0.002  # share of the picture; less is a seal or a flag, not a stamp
WORK_SIDE = 800
MAX_STRIPS = 3
JOIN = 0.035  # gaps closed between strokes of one word, as a share of the picture's side
# Pale ink, in L* units below the paper around it (0-255 scale): fainter is the paper's
# own grain, darker is print. Colourless: a* and b* within this of neutral grey.
PALE_FROM, PRINT_FROM, PALE_CHROMA = 8, 60, 20
PAPER_KERNEL = 31  # px at WORK_SIDE: wider than any watermark stroke
STROKE = 4  # px at WORK_SIDE: thinner lines (guilloches, the rims of print) are no mark
THICKEST = 32  # px at WORK_SIDE: thicker is an area, not a stroke
PORTRAIT = 0.9  # face sizes around a face that its portrait photo may fill
# How far below the face (in ``PORTRAIT`` heights) red ink is taken for the portrait's own
# (a loose portrait's shoulders), not a stamp's.
PORTRAIT_BELOW = 2.4


def coloured_ink(image: np.ndarray) -> np.ndarray:
    """How far each pixel stands above the page's median on the red axis (``a*``)."""
    import cv2

    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB)
    redness = cv2.GaussianBlur(lab[..., 1].astype(np.float32), (3, 3), 0)
    return np.asarray(redness - np.median(redness), np.float32)


def _as_print(ink: np.ndarray) -> np.ndarray:
    """Ink as dark print on white, for the reader."""
    top = max(float(np.percentile(ink, 99.5)), INK_ABOVE)
    grey = (255 * (1 - np.clip(ink / top, 0, 1))).astype(np.uint8)
    return np.ascontiguousarray(np.stack([grey] * 3, axis=-1))


def _small(image: np.ndarray) -> tuple[np.ndarray, float]:
    import cv2

    scale = min(1.0, WORK_SIDE / max(image.shape[:2]))
    if scale == 1.0:
        return image, 1.0
    size = (max(1, int(image.shape[1] * scale)), max(1, int(image.shape[0] * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), scale


def _level(image: np.ndarray, rect: tuple, scale: float) -> np.ndarray:
    """The rotated rectangle ``rect`` (found at ``scale``) cut out of ``image``, level."""
    import cv2

    (cx, cy), (long, short), angle = rect
    cx, cy, long, short = (v / scale for v in (cx, cy, long, short))
    width, height = int(long * 1.1), int(short * 1.5)
    matrix = cv2.getRotationMatrix2D((cx, cy), angle, 1.0)
    matrix[0, 2] += width / 2 - cx
    matrix[1, 2] += height / 2 - cy
    strip = cv2.warpAffine(image, matrix, (width, height), borderValue=(255, 255, 255))
    return np.ascontiguousarray(strip)


def pale_ink(
    image: np.ndarray, faces: Sequence[tuple[int, int, int, int]] = (), *, portrait: float = 0.0
) -> np.ndarray:
    """Where a pale grey watermark is printed, as a mask of the picture scaled to
    ``WORK_SIDE`` (see the module's docstring). ``faces`` (boxes) are left out with
    their hair, and with ``portrait`` > 0 the whole portrait around them: that many face
    widths to each side, and as many heights above and more below."""
    return _strokes(*_pale_pixels(image), faces, portrait)


def _pale_pixels(image: np.ndarray) -> tuple[np.ndarray, float]:
    """Pixels of pale, colourless ink (print painted over), at ``WORK_SIDE``; and the scale."""
    import cv2

    scale = WORK_SIDE / max(image.shape[:2])
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB).astype(np.float32)
    lightness = lab[..., 0]
    paper = cv2.morphologyEx(lightness, cv2.MORPH_CLOSE, np.ones((PAPER_KERNEL,) * 2, np.uint8))
    darker = np.clip(paper - lightness, 0, 255).astype(np.uint8)
    printed = cv2.dilate((darker >= PRINT_FROM).astype(np.uint8), np.ones((3, 3), np.uint8))
    filled = cv2.inpaint(darker, printed, 3, cv2.INPAINT_TELEA)
    chroma = np.hypot(lab[..., 1] - 128, lab[..., 2] - 128)
    pale = (filled > PALE_FROM) & (filled < PRINT_FROM) & (chroma < PALE_CHROMA)
    return np.asarray(pale, np.uint8), scale


def _strokes(
    pixels: np.ndarray,
    scale: float,
    faces: Sequence[tuple[int, int, int, int]],
    portrait: float,
) -> np.ndarray:
    """Pale pixels outside the faces (or portraits) that form strokes of a mark."""
    import cv2

    mask = _outside(pixels, scale, faces, portrait)
    mask = np.asarray(cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((STROKE,) * 2, np.uint8)))
    # Areas thicker than any stroke (a photo's plain background, a shadow) are no letters.
    solid = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (THICKEST, THICKEST))
    areas = cv2.dilate(cv2.morphologyEx(mask, cv2.MORPH_OPEN, solid), np.ones((7, 7), np.uint8))
    mask[areas > 0] = 0
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))


def _mask_as_print(mask: np.ndarray) -> np.ndarray:
    grey = np.where(mask > 0, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(np.stack([grey] * 3, axis=-1))


def stamp_strips(image: np.ndarray) -> Iterator[np.ndarray]:
    """Long strokes of coloured ink (a stamped word), each cut out level, as printed
    and turned half round, largest first."""
    small, scale = _small(image)
    mask = (coloured_ink(small) > INK_ABOVE).astype(np.uint8)
    yield from _strips(image, mask, scale)


def _strips(image: np.ndarray, mask: np.ndarray, scale: float) -> Iterator[np.ndarray]:
    """Each long stroke of ``mask`` (found at ``scale`` of ``image``) cut out of
    ``image`` level, as printed and turned half round, largest first."""
    import cv2

    if mask.mean() < LEAST_INK:
        return
    side = max(3, int(JOIN * max(mask.shape)))
    joined = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((side, side), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined)
    order: list[int] = list(np.argsort(-stats[1:, cv2.CC_STAT_AREA]) + 1) if count > 1 else []
    taken = 0
    for label in order:
        if stats[label, cv2.CC_STAT_AREA] < 0.004 * mask.size or taken >= MAX_STRIPS:
            break
        ys, xs = np.nonzero(labels == label)
        (cx, cy), (w, h), angle = cv2.minAreaRect(np.column_stack([xs, ys]).astype(np.float32))
        if w < h:
            w, h, angle = h, w, angle + 90
        if w < 2.5 * h:
            continue
        taken += 1
        strip = _level(image, ((cx, cy), (w, h), angle), scale)
        yield strip
        yield np.ascontiguousarray(strip[::-1, ::-1])


def read_coloured_stamps(
    image: np.ndarray, reader: TextReader, faces: Sequence[tuple[int, int, int, int]] = ()
) -> list[str]:
    """What the red or magenta stamps on ``image`` say: the separated ink read as a page,
    then each of its strokes read level. Empty, at the cost of one colour conversion, when
    the page carries no such ink outside the portraits around ``faces`` (boxes): lips,
    skin in warm light and a photo's backdrop stand out on the red axis too, and read as
    nothing. A stamp that crosses a portrait is read whole."""
    small, scale = _small(image)
    ink = coloured_ink(small)
    red = (ink > INK_ABOVE).astype(np.uint8)
    if _outside(red, scale, faces, PORTRAIT, below=PORTRAIT_BELOW).mean() < LEAST_INK:
        return []
    return _texts(_read_ink(_as_print(ink), reader, _strips(image, red, scale)))


def _outside(
    mask: np.ndarray,
    scale: float,
    faces: Sequence[tuple[int, int, int, int]],
    portrait: float,
    *,
    below: float = 1.6,
) -> np.ndarray:
    """``mask`` (at ``scale`` of the picture) without the ``faces`` (boxes) and their hair,
    and with ``portrait`` > 0 without the whole portrait around them: that many face widths
    to each side, as many heights above and ``below`` times as many below."""
    outside = mask.copy()
    for left, top, right, bottom in faces:
        width, height = right - left, bottom - top
        side, above, under = (
            (portrait * width, portrait * height, below * portrait * height)
            if portrait
            else (0.3 * width, 0.6 * height, 0.3 * height)
        )
        outside[
            max(0, int((top - above) * scale)) : int((bottom + under) * scale),
            max(0, int((left - side) * scale)) : int((right + side) * scale),
        ] = 0
    return outside


def read_watermarks(
    image: np.ndarray, reader: TextReader, faces: Sequence[tuple[int, int, int, int]] = ()
) -> list[str]:
    """What pale grey watermarks on ``image`` say; ``faces`` (boxes) are left out of the
    search. Pale ink is read when some lies outside the portraits (whose backdrop and hair
    are full of it): the layer as a page, since a word may cross the portrait, and each
    long stroke of it outside them, level. This costs about as much as reading the page
    itself, so :mod:`openkyc.analysis.identity` asks for it only when nothing cheaper
    showed a specimen and the document would otherwise be accepted."""
    pixels, work_scale = _pale_pixels(image)
    outside = _strokes(pixels, work_scale, faces, PORTRAIT)
    if outside.mean() < LEAST_INK:
        return []
    pale = _mask_as_print(_strokes(pixels, work_scale, faces, 0.0))
    return _texts(_read_ink(pale, reader, _strips(_mask_as_print(outside), outside, 1.0)))


def _texts(texts: list[str]) -> list[str]:
    return [text for text in texts if text.strip()]


def _read_ink(layer: np.ndarray, reader: TextReader, strips: Iterator[np.ndarray]) -> list[str]:
    return [line.text for line in reader.read(layer)] + _read_strips(reader, strips)


def _read_strips(reader: TextReader, strips: Iterator[np.ndarray]) -> list[str]:
    texts = []
    for strip in strips:
        whole = TextLine("", (0, 0, strip.shape[1], strip.shape[0]), 0.0)
        texts += [line.text for line in reader.reread(strip, [whole])]
    return texts
