"""The byte-level rules, without HTTP or a database."""

from __future__ import annotations

import io

import pytest
from PIL import Image, TiffImagePlugin

from openkyc.files.content import exif_tags, parse_image_size


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("700x700", (700, 700)),
        ("10x2000", (10, 2000)),
        ("9x100", None),
        ("100x2001", None),
        ("100X100", None),
        (" 100x100", None),
        ("1e2x100", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_image_size(text: str | None, size: tuple[int, int] | None) -> None:
    assert parse_image_size(text) == size


def test_exif_values_are_made_json_safe() -> None:
    image = Image.new("RGB", (4, 4))
    exif = image.getexif()
    exif[0x010F] = "Maker\x00 "  # Make, NUL-padded
    exif[0x011A] = TiffImagePlugin.IFDRational(1, 0)  # XResolution with no denominator
    exif[0x011B] = TiffImagePlugin.IFDRational(300, 1)  # YResolution
    exif.get_ifd(0x8769)[0x9286] = b"\xff\xfe binary comment"  # UserComment
    exif.get_ifd(0x8769)[0xA420] = b"ID123"  # ImageUniqueID as bytes
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    with Image.open(buffer) as saved:
        assert exif_tags(saved) == {"Make": "Maker", "YResolution": 300.0, "ImageUniqueID": "ID123"}


def test_no_exif_is_none() -> None:
    assert exif_tags(Image.new("RGB", (4, 4))) is None
