"""Reading the coloured stamps printed over a document (``SPECIMEN`` in red, at an angle).

Such a stamp is faint against the document's own print, crosses it at any angle and is
often printed as hollow letters, so an ordinary reading of the page misses it or reads
it as noise. Its colour gives it away: in the Lab colour space red and magenta ink stand
far above the page on the ``a*`` axis, where black print, blue guilloches and skin tones
do not. We separate that ink into a picture of its own (dark on white), read it, and
also cut out each long stroke of ink, turn it level (both ways up) and read it again,
which reads a stamp at 30 or 60 degrees that line detection does not.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from openkyc.analysis.engines import TextLine, TextReader

__all__ = ["coloured_ink", "read_stamps", "stamp_strips"]

INK_ABOVE = 12.0  # a* above the page's median: red or magenta ink
LEAST_INK = 0.002  # share of the picture; less is a seal or a flag, not a stamp
WORK_SIDE = 800
MAX_STRIPS = 3


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


def stamp_strips(image: np.ndarray) -> Iterator[np.ndarray]:
    """Long strokes of coloured ink (a stamped word), each cut out level, as printed
    and turned half round, largest first."""
    import cv2

    small, scale = _small(image)
    mask = (coloured_ink(small) > INK_ABOVE).astype(np.uint8)
    if mask.mean() < LEAST_INK:
        return
    side = max(3, int(0.035 * max(mask.shape)))
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


def read_stamps(image: np.ndarray, reader: TextReader) -> list[str]:
    """What the coloured stamps on ``image`` say: the separated ink read as a page, then
    each stamped stroke read level. Empty when the page carries no such ink."""
    small, _ = _small(image)
    ink = coloured_ink(small)
    if (ink > INK_ABOVE).mean() < LEAST_INK:
        return []
    texts = [line.text for line in reader.read(_as_print(ink))]
    for strip in stamp_strips(image):
        whole = TextLine("", (0, 0, strip.shape[1], strip.shape[0]), 0.0)
        texts += [line.text for line in reader.reread(strip, [whole])]
    return [text for text in texts if text.strip()]
