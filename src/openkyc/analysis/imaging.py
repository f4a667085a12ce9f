"""Turning uploaded bytes into pixels and text, and judging the picture's quality."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps

from openkyc.analysis.errors import UnreadableFile
from openkyc.analysis.models import InputFile, QualityFinding

__all__ = ["Page", "load_page", "plausible_quad", "quality_findings", "rotated", "straighten"]

MAX_SIDE = 2400  # larger photos only cost time: OCR and faces work on less
PDF_DPI = 150
# Decoded pixels an image may have; checked from its header before any pixel is decoded.
MAX_PIXELS = 60_000_000

_heif_registered = False


@dataclass
class Page:
    """One uploaded file, decoded: RGB pixels, and for PDFs their text layer."""

    index: int
    tag: str | None
    image: np.ndarray
    kind: str  # "jpeg", "png", "heif", "pdf", ...
    software: str | None = None
    text_layer: str = ""
    pdf_info: dict[str, str] = field(default_factory=dict)
    pdf_revisions: int = 0


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def load_page(file: InputFile, index: int, *, pdf_pages: int = 1) -> Page:
    """Decode one file (JPEG, PNG, WebP, HEIC/HEIF or PDF) or raise UnreadableFile."""
    if not file.data:
        raise UnreadableFile("the file is empty", index=index)
    if file.data[:5] == b"%PDF-":
        return _load_pdf(file, index, pdf_pages)
    _register_heif()
    try:
        picture = Image.open(io.BytesIO(file.data))
        _check_pixels(picture.size, index)
        # JPEG decodes at 1/2, 1/4 or 1/8 scale for a fraction of the cost; keep at least
        # half of MAX_SIDE (a 4000 px phone photo decodes at 2000 px).
        picture.draft("RGB", (MAX_SIDE // 2, MAX_SIDE // 2))
        picture.load()
    except (UnreadableFile, MemoryError):
        raise
    except Exception as exc:  # Pillow raises many types for broken input
        raise UnreadableFile(f"not an image or PDF: {exc}", index=index) from exc
    software = _software(picture)
    kind = (picture.format or "unknown").lower()
    upright = ImageOps.exif_transpose(picture).convert("RGB")
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    return Page(index, file.tag, np.asarray(upright), kind, software=software)


def _check_pixels(size: tuple[int, int], index: int) -> None:
    width, height = size
    if width * height > MAX_PIXELS:
        raise UnreadableFile(
            f"the image is {width}x{height} pixels, more than the limit of {MAX_PIXELS}",
            index=index,
        )


def _render_scale(page_size: tuple[float, float]) -> float:
    """PDF_DPI, or less for a page so large that its longer side would pass MAX_SIDE pixels:
    the page's size (MediaBox) alone decides, before anything is rendered."""
    longest = max(page_size[0], page_size[1], 1.0)
    return min(PDF_DPI / 72, MAX_SIDE / longest)


def _software(picture: Image.Image) -> str | None:
    exif = picture.getexif()
    names = [exif.get(0x0131), picture.info.get("Software"), picture.info.get("software")]
    xmp = picture.info.get("xmp") or picture.info.get("XML:com.adobe.xmp")
    if isinstance(xmp, bytes):
        xmp = xmp.decode("utf-8", "ignore")
    if isinstance(xmp, str):
        match = re.search(r"CreatorTool[=>\"']+([^\"'<]+)", xmp)
        names.append(match.group(1) if match else None)
    found = [str(name).strip() for name in names if name]
    return "; ".join(found) or None


def _load_pdf(file: InputFile, index: int, pages: int) -> Page:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(file.data)
    except Exception as exc:
        raise UnreadableFile(f"not a readable PDF: {exc}", index=index) from exc
    try:
        if len(document) == 0:
            raise UnreadableFile("the PDF has no page", index=index)
        texts = [_page_text(document[i]) for i in range(min(pages, len(document)))]
        scale = _render_scale(document.get_page_size(0))
        picture = document[0].render(scale=scale).to_pil().convert("RGB")
        info = {key: str(value) for key, value in document.get_metadata_dict().items() if value}
    except (UnreadableFile, MemoryError):
        raise
    except Exception as exc:  # PDFium fails in its own ways on damaged pages
        raise UnreadableFile(f"the PDF page cannot be rendered: {exc}", index=index) from exc
    finally:
        document.close()
    software = "; ".join(v for k, v in info.items() if k in ("Producer", "Creator")) or None
    return Page(
        index,
        file.tag,
        np.asarray(picture),
        "pdf",
        software=software,
        text_layer="\n".join(texts).strip(),
        pdf_info=info,
        pdf_revisions=file.data.count(b"%%EOF"),
    )


def _page_text(page: object) -> str:
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    try:
        return str(textpage.get_text_range()).replace("\r\n", "\n")
    finally:
        textpage.close()


def _gray(image: np.ndarray, width: int = 1000) -> np.ndarray:
    import cv2

    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    scale = width / max(gray.shape[1], 1)
    if scale < 1:
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return gray


def _exposed(image: np.ndarray) -> np.ndarray:
    """The 1000 px grey copy with its brightest part (99th percentile) at white, as a
    camera's exposure would set it (up to :data:`EXPOSURE_GAIN`): a dim picture's edges
    are as steep as a bright one's, and its darkness has a hint of its own."""
    gray = _gray(image).astype(np.float32)
    top = float(np.percentile(gray, 99))
    return gray * min(255 / max(top, 1.0), EXPOSURE_GAIN)


def sharpness(image: np.ndarray) -> float:
    """How sharp the picture is: the 90th percentile of edge strength on a 1000 px copy,
    so that large plain areas (a white bill, a desk) do not count as blur."""
    import cv2

    laplacian = np.abs(cv2.Laplacian(_exposed(image), cv2.CV_32F))
    edges = laplacian[laplacian > 4]
    return float(np.percentile(edges, 90)) if edges.size > 100 else 0.0


def steepness(image: np.ndarray, tile: int = 100) -> float:
    """How steep the picture's edges are, whatever their contrast: the Laplacian over the
    gradient where there are edges, per 100 px tile of a 1000 px copy, the median tile.
    Blur makes every edge shallow; one sharp outline (a document on a dark desk) sits in a
    few tiles and cannot hide blurred print, as it does in :func:`sharpness`. On the
    evaluation pictures: 0.09 to 0.56 as they are, 0.02 to 0.08 blurred by 0.4 % of their
    size (benchmarks/hints.py)."""
    import cv2

    gray = _exposed(image)
    laplacian = np.abs(cv2.Laplacian(gray, cv2.CV_32F))
    gradient = np.abs(cv2.Sobel(gray, cv2.CV_32F, 1, 0)) + np.abs(cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    ratios = []
    for top in range(0, max(1, gray.shape[0] - tile // 2), tile):
        for left in range(0, max(1, gray.shape[1] - tile // 2), tile):
            slope = gradient[top : top + tile, left : left + tile]
            edges = slope > EDGE_GRADIENT
            if edges.sum() >= 50:
                steep = laplacian[top : top + tile, left : left + tile][edges].sum()
                ratios.append(float(steep / slope[edges].sum()))
            elif gray[top : top + tile, left : left + tile].std() > CONTENT_SPREAD:
                ratios.append(0.0)  # something is there, and not one steep edge shows it
    return float(np.median(ratios)) if len(ratios) >= 3 else 1.0


def glare(image: np.ndarray) -> float:
    """The share of the picture a reflection washes out: the larger of a blown-out spot
    (:func:`_bright_spot`) and a spot where the print fades away (:func:`_washed_out`)."""
    return max(_bright_spot(image), _washed_out(image))


def _bright_spot(image: np.ndarray) -> float:
    """The share of the picture covered by the largest glare spot: blown-out (white,
    unsaturated) and brighter than what surrounds it. White paper is no glare: a white
    area that reaches the picture's edge is the background or a scan's margin, one
    surrounded by white is the page itself, and one with print inside it (letters leave
    holes in it) is paper the light does not wash out. Measured on the evaluation scans,
    counting every white area flagged half of the clean ones (benchmarks/hints.py)."""
    import cv2

    small = cv2.resize(image, (320, max(1, int(320 * image.shape[0] / image.shape[1]))))
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    mask = ((hsv[..., 2] >= 250) & (hsv[..., 1] <= 25)).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    height, width = mask.shape
    for label in np.argsort(-stats[:, cv2.CC_STAT_AREA]):
        left, top, w, h, area = stats[label]
        if label == 0 or area < 0.005 * mask.size:
            continue
        if left == 0 or top == 0 or left + w >= width or top + h >= height:
            continue
        spot = (labels == label).astype(np.uint8)
        if float(hsv[..., 2][_ring(spot, area)].mean()) >= GLARE_SURROUNDING:
            continue
        if _solid(spot) or (area >= GLARE_HALO_AREA * mask.size and _halo(hsv[..., 2], spot)):
            return float(area / mask.size)
    return 0.0


def _washed_out(image: np.ndarray) -> float:
    """A reflection where the print fades away: a round patch clipped in every colour
    channel, around which even the darkest print is lifted towards white and darkens again
    step by step further out. White paper between printed lines stops at print at full
    darkness; a blank area of a page is bounded by print or runs into the picture's edge.
    Candidates are the widest points of the clipped area (the maxima of its distance
    transform); the darkest pixels (5th percentile) of five rings from one to two and a
    quarter of its radius must fade (see :data:`WASHED_FIRST`). The share returned is the
    patch out to twice its radius (the print that is not fully legible)."""
    import cv2

    small = cv2.resize(
        image,
        (WASHED_WIDTH, max(1, round(WASHED_WIDTH * image.shape[0] / image.shape[1]))),
        interpolation=cv2.INTER_AREA,
    )
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    clipped = (small.min(axis=2) >= WASHED_CLIPPED).astype(np.uint8)
    distance = cv2.distanceTransform(clipped, cv2.DIST_L2, 5)
    height, width = gray.shape
    smallest = WASHED_RADIUS * max(height, width)
    peaks = (distance == cv2.dilate(distance, np.ones((9, 9), np.uint8))) & (distance >= smallest)
    ys, xs = np.nonzero(peaks)
    kept: list[tuple[int, int, float]] = []
    for k in np.argsort(-distance[ys, xs])[:30]:
        y, x, radius = int(ys[k]), int(xs[k]), float(distance[ys[k], xs[k]])
        if any((y - ky) ** 2 + (x - kx) ** 2 < kr**2 for ky, kx, kr in kept):
            continue  # the same white area, seen from a narrower point
        kept.append((y, x, radius))
        profile = _ring_darkest(gray, y, x, radius)
        if profile is not None and _fades(profile):
            return float(np.pi * (2 * radius) ** 2 / gray.size)
    return 0.0


def _ring_darkest(gray: np.ndarray, y: int, x: int, radius: float) -> list[float] | None:
    """The darkest print (5th percentile) of five rings a quarter of ``radius`` wide
    from ``radius`` outwards; None when a ring runs out of the picture (a reflection lies
    on the document, which the picture shows around it)."""
    reach = int(np.ceil(2.25 * radius)) + 1
    top, left = max(0, y - reach), max(0, x - reach)
    window = gray[top : y + reach + 1, left : x + reach + 1].astype(np.float32)
    yy, xx = np.mgrid[top : top + window.shape[0], left : left + window.shape[1]]
    distance = np.sqrt((yy - y) ** 2 + (xx - x) ** 2) / radius
    darkest = []
    for inner in (1.0, 1.25, 1.5, 1.75, 2.0):
        ring = (distance >= inner) & (distance < inner + 0.25)
        whole = np.pi * ((inner + 0.25) ** 2 - inner**2) * radius**2
        if ring.sum() < 0.8 * whole:
            return None
        darkest.append(float(np.percentile(window[ring], 5)))
    return darkest


def _fades(darkest: list[float]) -> bool:
    """Print lifted next to the patch that darkens step by step outwards. A reflection's
    halo fades over a few rings; a second ring that falls off a cliff is print right next to
    white paper (on the evaluation pictures, cut down the side: 118 below the first ring;
    a reflection's, elongated ones included, at most 90)."""
    first, second, third = darkest[:3]
    return bool(
        first >= WASHED_FIRST
        and first - WASHED_STEP <= second <= first - 8
        and third <= min(first - 15, second + 5)
        and min(darkest[3:]) <= first - 40
    )


def _halo(value: np.ndarray, spot: np.ndarray) -> bool:
    """A reflection fades out: right around it the picture is still nearly white (its
    halo), where white paper stops at print. Print half washed out at a reflection's rim
    leaves it ragged, so this, not its shape, tells a large one."""
    import cv2

    near = (cv2.dilate(spot, np.ones((5, 5), np.uint8)) - spot) > 0
    return float(np.median(value[near])) >= GLARE_HALO


def _ring(spot: np.ndarray, area: int) -> np.ndarray:
    """What surrounds a spot, a little away from it: a reflection fades out over a halo as
    wide as its core (measured past the halo), printed white paper stops at a line."""
    import cv2

    reach = max(19, int(0.6 * float(np.sqrt(area))) | 1)
    near = cv2.dilate(spot, np.ones((9, 9), np.uint8))
    far = cv2.dilate(spot, np.ones((reach, reach), np.uint8))
    return (far - near) > 0


def _solid(spot: np.ndarray) -> bool:
    """A reflection is one bright patch; white paper holds print, which leaves holes in it
    and makes it ragged (a card's white background between its fields)."""
    import cv2

    contours, hierarchy = cv2.findContours(spot, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    outer = [c for c, h in zip(contours, hierarchy[0], strict=True) if h[3] < 0]
    holes = sum(1 for c, h in zip(contours, hierarchy[0], strict=True) if h[3] >= 0 and len(c) >= 3)
    if holes > GLARE_HOLES:
        return False
    outline = max(outer, key=cv2.contourArea)
    hull = cv2.contourArea(cv2.convexHull(outline))
    return bool(hull) and float(spot.sum()) >= 0.75 * hull


def brightness(image: np.ndarray) -> float:
    return float(_gray(image, 400).mean())


BLUR_BELOW = 18.0
# At most this much brighter: a picture under a tenth of the light holds so few grey levels
# that, brightened further, a blurred edge would show as steps (and look sharp).
EXPOSURE_GAIN = 5.0
STEEP_BELOW = 0.085
EDGE_GRADIENT = 40  # Sobel |dx| + |dy| of an edge, grey levels
CONTENT_SPREAD = 12  # grey-level spread of a tile that shows something (print, a face)
GLARE_ABOVE = 0.03
GLARE_SURROUNDING = 242  # brightness (HSV value) around a spot below which it stands out
# Print inside a white area (letters, lines) at 320 px leaves dozens of holes; a reflection
# that washed the print out leaves a few specks at most.
GLARE_HOLES = 6
# A spot of at least this share of the picture whose rim is at least this bright is a
# reflection whatever its shape (white paper's rim is print; on the evaluation pictures at
# most 244, a reflection's 245 to 248).
GLARE_HALO_AREA = 0.02
GLARE_HALO = 246
# A washed-out spot (:func:`_washed_out`), looked for on a copy this wide: clipped in every
# channel, at least this share of the picture's longer side in radius, its first ring's
# darkest print at least this bright (on the evaluation pictures a white area's first ring
# holds print at 149 or darker; a reflection's at 213 or brighter).
WASHED_WIDTH = 480
WASHED_CLIPPED = 248
WASHED_RADIUS = 0.04
WASHED_FIRST = 190
WASHED_STEP = 95
DARK_BELOW = 55.0


def quality_findings(page: Page, *, photo: bool) -> list[QualityFinding]:
    """Blur, glare and darkness of one page. ``photo`` is False for PDFs with a text
    layer, whose rendering has no camera to blame."""
    if not photo:
        return []
    found = []
    sharp, steep = sharpness(page.image), steepness(page.image)
    if sharp < BLUR_BELOW or steep < STEEP_BELOW:
        found.append(QualityFinding(page.index, "blur", round(min(sharp, 100 * steep), 2)))
    shine = glare(page.image)
    if shine > GLARE_ABOVE:
        found.append(QualityFinding(page.index, "glare", round(shine, 4)))
    light = brightness(page.image)
    if light < DARK_BELOW:
        found.append(QualityFinding(page.index, "dark", round(light, 1)))
    return found


def find_document_quad(image: np.ndarray) -> np.ndarray | None:
    """The four corners of a document lying on a contrasting background, if any."""
    import cv2

    gray = _gray(image, 800)
    scale = image.shape[1] / gray.shape[1]
    edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 30, 90)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    area = gray.shape[0] * gray.shape[1]
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        hull = cv2.convexHull(contour)
        quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
        if len(quad) == 4 and 0.2 * area < cv2.contourArea(quad) < 0.95 * area:
            return quad.reshape(4, 2).astype(np.float32) * scale
    return None


def plausible_quad(corners: np.ndarray) -> bool:
    """Whether ordered corners can outline a card or a passport page photographed at an
    angle: opposite sides of similar length, corners not far from square, and a shape
    between an open booklet (0.7) and an ID-1 card (1.59). A corner hundreds of pixels off
    (a light card on a white desk) fails one of these."""
    sides = [float(np.linalg.norm(corners[i] - corners[(i + 1) % 4])) for i in range(4)]
    if min(sides) < 1:
        return False
    for a, b in ((sides[0], sides[2]), (sides[1], sides[3])):
        if max(a, b) > 1.35 * min(a, b):
            return False
    for i in range(4):
        u, v = corners[i - 1] - corners[i], corners[(i + 1) % 4] - corners[i]
        cosine = float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)))
        if abs(cosine) > 0.5:  # outside 60-120 degrees
            return False
    aspect = max(sides[0], sides[2]) / max(sides[1], sides[3])
    return 0.45 <= aspect <= 2.2


def _order(quad: np.ndarray) -> np.ndarray:
    total, diff = quad.sum(axis=1), np.diff(quad, axis=1).ravel()
    return np.array(
        [
            quad[np.argmin(total)],
            quad[np.argmin(diff)],
            quad[np.argmax(total)],
            quad[np.argmax(diff)],
        ],
        np.float32,
    )


def straighten(image: np.ndarray) -> tuple[np.ndarray, bool]:
    """Undo the perspective of a document photographed at an angle; return the
    rectified document and whether its four corners were found."""
    import cv2

    quad = find_document_quad(image)
    if quad is None:
        return image, False
    corners = _order(quad)
    if not plausible_quad(corners):
        return image, False
    width = int(
        max(np.linalg.norm(corners[0] - corners[1]), np.linalg.norm(corners[3] - corners[2]))
    )
    height = int(
        max(np.linalg.norm(corners[0] - corners[3]), np.linalg.norm(corners[1] - corners[2]))
    )
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    matrix = cv2.getPerspectiveTransform(corners, target)
    return cv2.warpPerspective(image, matrix, (width, height)), True


def rotated(image: np.ndarray, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """The picture turned by ``degrees`` (positive: counter-clockwise) on a canvas large
    enough to keep every corner, the new corners filled with the colour of its edge; and the
    2x3 matrix that takes a point of the picture to the turned one."""
    import cv2

    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    cosine, sine = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_width = round(float(height * sine + width * cosine))
    new_height = round(float(height * cosine + width * sine))
    matrix[0, 2] += new_width / 2 - width / 2
    matrix[1, 2] += new_height / 2 - height / 2
    edge = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    fill = tuple(int(v) for v in np.median(edge.reshape(-1, image.shape[2]), axis=0))
    turned = cv2.warpAffine(
        image, matrix, (new_width, new_height), flags=cv2.INTER_LINEAR, borderValue=fill
    )
    return turned, matrix


GREY_CHROMA = 2.5  # Lab chroma of the most coloured twentieth of a picture: below, no colour


def is_grayscale(image: np.ndarray) -> bool:
    """A picture with no colour at all: a photocopy or a black-and-white scan.

    Colour is measured as Lab chroma (the distance from grey) on a small copy, which
    averages away the noise of single pixels. A genuine document whose only colour is a
    pale tinted paper (a grey portrait, print faded by a strong JPEG or washed out by
    glare) keeps a chroma of 4 or more where its paper shows, under the tint's own HSV
    saturation that a pale page barely reaches; a grey copy, however compressed or lit,
    has none."""
    import cv2

    size = (200, max(1, int(200 * image.shape[0] / image.shape[1])))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB)
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    return float(np.percentile(chroma, 95)) < GREY_CHROMA


def crop(image: np.ndarray, box: tuple[int, int, int, int], margin: float = 0.25) -> np.ndarray:
    """A box cut out of the image with a margin around it, clipped to the image."""
    left, top, right, bottom = box
    dx, dy = int((right - left) * margin), int((bottom - top) * margin)
    height, width = image.shape[:2]
    return image[
        max(0, top - dy) : min(height, bottom + dy), max(0, left - dx) : min(width, right + dx)
    ]


def perceptual_hash(image: np.ndarray) -> str:
    """A 64-bit DCT perceptual hash (hex), stable under rescaling and recompression."""
    import imagehash

    return str(imagehash.phash(Image.fromarray(image)))
