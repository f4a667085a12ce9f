"""What an uploaded file really is, decided from its bytes alone.

Names and declared content types are never trusted: a file is a JPEG because Pillow decodes it
as one. Every image is decoded in full before it is accepted (a truncated or corrupt image is
refused), after its header's pixel count has been checked against the limit, so a small file
that claims a huge canvas (a decompression bomb) is refused before any pixel is allocated.
A PDF's pages are measured the same way: a page that would render past the pixel limit at the
analyser's resolution is refused. The full decodes of all uploads in the process share one
memory budget: an upload whose pixels do not fit waits until others are done, so many
concurrent uploads cannot take more than the budget between them.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import pillow_heif
import pypdfium2
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()


@dataclass(frozen=True)
class FileType:
    extension: str
    mime: str


JPEG = FileType("jpg", "image/jpeg")
PNG = FileType("png", "image/png")
GIF = FileType("gif", "image/gif")
WEBP = FileType("webp", "image/webp")
HEIC = FileType("heic", "image/heic")
HEIF = FileType("heif", "image/heif")
PDF = FileType("pdf", "application/pdf")
FILE_TYPES = (JPEG, PNG, GIF, WEBP, HEIC, HEIF, PDF)
SUPPORTED = "JPEG, PNG, GIF, WebP, HEIC/HEIF or PDF"
_DAMAGED = "the image cannot be decoded: it is truncated or damaged"

# Pillow decoders tried, and nothing else (no TIFF, BMP, AVIF, PSD, …). MPO is what Pillow
# calls a JPEG carrying extra frames, as phone cameras write them.
_PILLOW_TYPES = {"JPEG": JPEG, "MPO": JPEG, "PNG": PNG, "GIF": GIF, "WEBP": WEBP, "HEIF": HEIF}
_PILLOW_FORMATS = ["JPEG", "PNG", "GIF", "WEBP", "HEIF"]
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
_HEIF_BRANDS = {b"mif1", b"msf1", b"heif"}
_SAVE_FORMATS = {JPEG: "JPEG", PNG: "PNG", GIF: "GIF", WEBP: "WEBP"}

# PDFium is not thread-safe, and uploads are handled on a thread pool.
_PDFIUM_LOCK = threading.Lock()

# Resolution the analyser renders PDF pages at; a page's pixel count is counted at it.
PDF_RENDER_DPI = 150

IMAGE_SIZE = re.compile(r"^([1-9][0-9]{1,3})x([1-9][0-9]{1,3})$")
MIN_SIDE, MAX_SIDE = 10, 2000


class ContentRefused(Exception):
    """The bytes are not a file openkyc accepts; the message tells the client why."""


@dataclass(frozen=True)
class Content:
    """The facts recorded about an accepted file."""

    type: FileType
    size: int
    sha1: str
    width: int | None
    height: int | None
    # EXIF tags of an image, or the page count of a PDF, named as exiftool names them.
    metadata: dict[str, Any] | None


class DecodeBudget:
    """Bytes of decoded pixels the process may hold at once. A decode reserves its share
    before it starts (one larger than the whole budget waits to run alone)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.in_use = 0
        self._changed = threading.Condition()

    @contextmanager
    def reserve(self, amount: int) -> Iterator[None]:
        amount = min(amount, self.capacity)
        with self._changed:
            self._changed.wait_for(lambda: self.in_use + amount <= self.capacity)
            self.in_use += amount
        try:
            yield
        finally:
            with self._changed:
                self.in_use -= amount
                self._changed.notify_all()


_BUDGETS: dict[int, DecodeBudget] = {}


def decode_budget(capacity: int) -> DecodeBudget:
    """The process's budget of that capacity (one per configured size)."""
    return _BUDGETS.setdefault(capacity, DecodeBudget(capacity))


def inspect_content(data: bytes, max_pixels: int, decode_bytes: int = 0) -> Content:
    """Identify, decode-check and describe an upload; raises ContentRefused. ``decode_bytes``
    is the process-wide memory budget of full decodes (0: none)."""
    if not data:
        raise ContentRefused("the file is empty")
    sha1 = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    if data.startswith(b"%PDF-"):
        return Content(PDF, len(data), sha1, None, None, _pdf_metadata(data, max_pixels))
    budget = decode_budget(decode_bytes) if decode_bytes > 0 else None
    file_type, width, height, exif = _inspect_image(data, max_pixels, budget)
    return Content(file_type, len(data), sha1, width, height, exif)


def _open_image(data: bytes, max_pixels: int) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS)
    except Image.DecompressionBombError as error:
        # Pillow's own, higher limit tripped before ours could look at the size.
        raise ContentRefused(
            f"the image claims more than {max_pixels} pixels (a decompression bomb)"
        ) from error
    except UnidentifiedImageError as error:
        if _has_image_signature(data):
            raise ContentRefused(_DAMAGED) from error
        raise ContentRefused(f"the file type is not accepted: send {SUPPORTED}") from error
    except Exception as error:
        raise ContentRefused(_DAMAGED) from error


def _has_image_signature(data: bytes) -> bool:
    """Whether the bytes start like one of the accepted image types (to tell a damaged image
    from a file of another type)."""
    return (
        data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a"))
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
        or (data[4:8] == b"ftyp" and (data[8:12] in _HEIC_BRANDS or data[8:12] in _HEIF_BRANDS))
    )


def _inspect_image(
    data: bytes, max_pixels: int, budget: DecodeBudget | None
) -> tuple[FileType, int, int, dict[str, Any] | None]:
    # The header alone (no pixels yet) says the type, size and memory a decode takes.
    with _open_image(data, max_pixels) as image:
        width, height = image.size
        if width * height > max_pixels:
            raise ContentRefused(
                f"the image is {width}x{height} pixels, more than the limit of {max_pixels}"
            )
        file_type = _image_type(image.format, data)
        needed = width * height * (1 if image.mode in ("1", "L", "P") else 4)
    with budget.reserve(needed) if budget else nullcontext():
        return file_type, width, height, _decode_in_full(data, max_pixels)


def _decode_in_full(data: bytes, max_pixels: int) -> dict[str, Any] | None:
    with _open_image(data, max_pixels) as image:
        _check_decodes(image)
    with _open_image(data, max_pixels) as image:
        try:
            image.load()
        except Exception as error:
            raise ContentRefused(_DAMAGED) from error
        return exif_tags(image)


def _image_type(pillow_format: str | None, data: bytes) -> FileType:
    file_type = _PILLOW_TYPES.get(pillow_format or "")
    if file_type is None:
        raise ContentRefused(f"the file type is not accepted: send {SUPPORTED}")
    if file_type is HEIF and data[8:12] in _HEIC_BRANDS:
        return HEIC
    return file_type


def _check_decodes(image: Image.Image) -> None:
    # verify() checks what load() does not (PNG chunk checksums); it spends the image.
    try:
        image.verify()
    except Exception as error:
        raise ContentRefused(_DAMAGED) from error


def _pdf_metadata(data: bytes, max_pixels: int) -> dict[str, Any]:
    with _PDFIUM_LOCK:
        try:
            document = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError as error:
            if "password" in str(error).lower():
                raise ContentRefused("the PDF is password-protected") from error
            raise ContentRefused("the PDF cannot be read: it is damaged or not a PDF") from error
        try:
            pages = len(document)
            if pages:
                document[0].close()
            for index in range(pages):
                _check_page_size(index, document.get_page_size(index), max_pixels)
        except pypdfium2.PdfiumError as error:
            raise ContentRefused("the PDF cannot be read: its pages are damaged") from error
        finally:
            document.close()
    if not pages:
        raise ContentRefused("the PDF has no pages")
    return {"PageCount": pages}


def _check_page_size(index: int, size: tuple[float, float], max_pixels: int) -> None:
    width, height = size
    scale = PDF_RENDER_DPI / 72
    if (width * scale) * (height * scale) > max_pixels:
        raise ContentRefused(
            f"page {index + 1} of the PDF is {width:.0f}x{height:.0f} points: at "
            f"{PDF_RENDER_DPI} dpi that is more than the limit of {max_pixels} pixels"
        )


_SKIPPED_TAGS = {"ExifOffset", "GPSInfo", "InteropOffset", "MakerNote", "PrintImageMatching"}
_MAX_TEXT = 512


def exif_tags(image: Image.Image) -> dict[str, Any] | None:
    """An image's EXIF as a JSON-safe dict of readable tag names (binary values left out)."""
    exif = image.getexif()
    tags: dict[str, Any] = {}
    sources = (
        (exif, ExifTags.TAGS),
        (exif.get_ifd(ExifTags.IFD.Exif), ExifTags.TAGS),
        (exif.get_ifd(ExifTags.IFD.GPSInfo), ExifTags.GPSTAGS),
    )
    for values, names in sources:
        for tag, value in values.items():
            name = names.get(tag)
            safe = _json_safe(value)
            if name and name not in _SKIPPED_TAGS and safe is not None:
                tags[name] = safe
    return tags or None


def _json_safe(value: Any) -> Any:
    if isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return value.replace("\x00", "").strip()[:_MAX_TEXT]
    if isinstance(value, bytes):
        text = value.rstrip(b"\x00")
        if text.isascii() and all(32 <= byte < 127 for byte in text):
            return text.decode("ascii")[:_MAX_TEXT]
        return None
    if isinstance(value, tuple | list):
        items = [_json_safe(item) for item in value]
        return items if all(item is not None for item in items) else None
    try:
        number = float(value)  # IFDRational and other numbers
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def parse_image_size(text: str | None) -> tuple[int, int] | None:
    """``WxH`` within 10..2000 on each side, or None for anything else."""
    match = IMAGE_SIZE.match(text or "")
    if not match:
        return None
    width, height = int(match.group(1)), int(match.group(2))
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        return None
    return width, height


def resized_image(data: bytes, file_type: FileType, box: tuple[int, int]) -> tuple[bytes, FileType]:
    """The image scaled down to fit ``box`` (aspect kept, never enlarged), upright, without
    its metadata. HEIC/HEIF come back as JPEG, which every viewer shows."""
    out_type = file_type if file_type in _SAVE_FORMATS else JPEG
    # Stored bytes were checked on upload.
    with Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS) as original:
        image = ImageOps.exif_transpose(original)
    image.thumbnail(box)
    if out_type is JPEG and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=_SAVE_FORMATS[out_type])
    return buffer.getvalue(), out_type
