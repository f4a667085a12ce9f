"""Picture quality, perspective and file decoding, without any model."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageEnhance

from openkyc.analysis import InputFile, UnreadableFile
from openkyc.analysis.imaging import is_grayscale, load_page, quality_findings, straighten

from .documents import (
    Holder,
    blurred,
    encode,
    glare_spot,
    pale_page_with_a_grey_portrait,
    passport,
    pdf_with_text,
    photographed,
)


def kinds(image: Image.Image) -> list[str]:
    page = load_page(InputFile(encode(image)), 0)
    return [finding.kind for finding in quality_findings(page, photo=True)]


@pytest.fixture(scope="module")
def page() -> Image.Image:
    return passport(Holder())


def test_a_clean_page_has_no_quality_problem(page: Image.Image) -> None:
    assert kinds(page) == []


def test_blur_is_found(page: Image.Image) -> None:
    assert kinds(blurred(page)) == ["blur"]


def test_glare_is_found(page: Image.Image) -> None:
    shiny = page.copy()
    ImageDraw.Draw(shiny).ellipse((500, 200, 800, 450), fill="white")
    assert kinds(shiny) == ["glare"]


def test_darkness_is_found(page: Image.Image) -> None:
    assert kinds(ImageEnhance.Brightness(page).enhance(0.2)) == ["dark"]


def test_a_pdf_text_layer_is_not_judged_as_a_photo(page: Image.Image) -> None:
    assert quality_findings(load_page(InputFile(pdf_with_text(["x"])), 0), photo=False) == []


def test_a_photographed_page_is_straightened_to_its_own_shape(page: Image.Image) -> None:
    photo = np.asarray(photographed(page))
    flat, found = straighten(photo)
    assert found
    height, width = flat.shape[:2]
    assert abs(width / height - page.width / page.height) < 0.12


def test_a_flat_scan_is_left_as_it_is(page: Image.Image) -> None:
    image = np.asarray(page)
    flat, found = straighten(image)
    assert not found and flat is image


def test_colour_tells_a_photocopy(page: Image.Image) -> None:
    assert not is_grayscale(np.asarray(page))
    assert is_grayscale(np.asarray(page.convert("L").convert("RGB")))


@pytest.mark.parametrize("quality", [92, 25])
def test_a_pale_page_is_no_photocopy_after_a_strong_jpeg_or_glare(quality: int) -> None:
    """A strong JPEG fades the coloured print and glare washes it out, leaving the pale
    paper's tint, which is colour; a grey copy of the same page, however taken, has none."""
    page = pale_page_with_a_grey_portrait()
    for picture in (page, glare_spot(page)):
        taken = load_page(InputFile(encode(picture, quality=quality)), 0).image
        copy = picture.convert("L").convert("RGB")
        copied = load_page(InputFile(encode(copy, quality=quality)), 0).image
        assert (is_grayscale(taken), is_grayscale(copied)) == (False, True)


def test_exif_orientation_is_applied(page: Image.Image) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways, to be shown turned 90 degrees clockwise
    stored = page.rotate(90, expand=True)
    loaded = load_page(InputFile(encode(stored, exif=exif.tobytes())), 0)
    assert loaded.image.shape[:2] == (page.height, page.width)


@pytest.mark.parametrize("data", [b"", b"GIF89a broken", b"%PDF-1.4 broken"])
def test_broken_files_are_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableFile):
        load_page(InputFile(data), 0)


def test_white_paper_around_or_inside_a_scan_is_no_glare(page: Image.Image) -> None:
    scan = Image.new("RGB", (page.width + 300, page.height + 400), "white")
    scan.paste(page, (150, 200))
    assert kinds(scan) == []
    card = Image.new("RGB", page.size, "white")
    ImageDraw.Draw(card).rectangle(
        (0, 0, page.width - 1, page.height - 1), outline="black", width=6
    )
    card.paste(page.crop((40, 680, page.width - 40, 820)), (40, 680))
    card.paste(page.crop((60, 120, 700, 600)), (60, 120))
    assert "glare" not in kinds(card)
