"""The quality gate on pictures the tests draw: good captures pass, each bad one is refused
with the one hint that fixes it, and nothing in the bytes makes it raise."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from PIL import Image

from openkyc.analysis import CaptureProblem, Engines, InputFile, check_capture

from . import documents as drawn

pytestmark = pytest.mark.slow

IDENTITY, ADDRESS = "identity-proof", "address-proof"


def _noise() -> Image.Image:
    pixels = np.random.default_rng(7).integers(0, 256, (700, 1000, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


def _passport_photo() -> Image.Image:
    return drawn.photographed(drawn.passport(drawn.Holder()))


def _bill() -> Image.Image:
    return drawn.bill_image(
        drawn.bill_lines(
            "Eileen Collins", ["12 Harbour Street", "London", "SE1 7PB"], date(2026, 5, 1)
        )
    )


def _problems(engines: Engines, files: list[InputFile], kind: str, subtype: str) -> list:
    return [
        (p.file_index, p.code, p.retake)
        for p in check_capture(files, kind, subtype, engines=engines).problems
    ]


def test_good_captures_of_every_kind_pass(engines: Engines) -> None:
    front, back = drawn.id_card(drawn.Holder())
    card = [
        InputFile(drawn.encode(drawn.photographed(front)), "id-front"),
        InputFile(drawn.encode(drawn.photographed(back)), "id-back"),
        InputFile(drawn.encode(drawn.selfie()), "face-proof"),
    ]
    assert _problems(engines, card, IDENTITY, "id-card") == []
    passport = [InputFile(drawn.encode(_passport_photo()), "id-front")]
    assert _problems(engines, passport, IDENTITY, "passport") == []
    flat = [InputFile(drawn.encode(drawn.passport(drawn.Holder()), "PNG"), "id-front")]
    assert _problems(engines, flat, IDENTITY, "passport") == []
    bill_photo = [InputFile(drawn.encode(drawn.photographed(_bill())))]
    assert _problems(engines, bill_photo, ADDRESS, "utility-bill") == []
    bill_pdf = [
        InputFile(
            drawn.pdf_with_text(
                drawn.bill_lines("Eileen Collins", ["12 Harbour Street"], date(2026, 5, 1))
            )
        )
    ]
    assert _problems(engines, bill_pdf, ADDRESS, "utility-bill") == []


@pytest.mark.parametrize(
    ("picture", "code"),
    [
        (lambda: drawn.blurred(_passport_photo(), 4), "blur"),
        (lambda: drawn.darkened(_passport_photo()), "dark"),
        (lambda: drawn.glare_spot(_passport_photo()), "glare"),
        (lambda: drawn.cut(_passport_photo(), right=0.3), "cut-off"),
        (lambda: drawn.cut(_passport_photo(), bottom=0.3), "mrz-not-read"),
        (lambda: drawn.selfie(), "selfie-as-document"),
    ],
    ids=["blurred", "dark", "glare", "cut-off-side", "mrz-cut-off", "selfie-for-passport"],
)
def test_a_bad_passport_photo_is_refused_with_the_hint_that_fixes_it(
    engines: Engines, picture: object, code: str
) -> None:
    image = picture()  # type: ignore[operator]
    files = [InputFile(drawn.encode(image), "id-front")]
    assert _problems(engines, files, IDENTITY, "passport") == [(0, code, True)]


@pytest.mark.parametrize("light", [0.2, 0.12, 0.08])
def test_a_dim_photo_asks_for_light_and_for_focus_only_when_blurred(
    engines: Engines, light: float
) -> None:
    """Judged as the camera's exposure would show it: dimness alone makes no edge shallow."""
    sharp = drawn.darkened(drawn.photographed(drawn.id_card(drawn.Holder())[0]), light)
    files = [InputFile(drawn.encode(sharp), "id-front")]
    assert _problems(engines, files, IDENTITY, "id-card") == [(0, "dark", True)]
    blurred = drawn.darkened(drawn.blurred(_passport_photo(), 4), light)
    files = [InputFile(drawn.encode(blurred), "id-front")]
    assert _problems(engines, files, IDENTITY, "passport") == [(0, "blur", True), (0, "dark", True)]


@pytest.mark.parametrize("centre", [(0.4, 0.35), (0.5, 0.5), (0.6, 0.6)])
def test_a_reflection_on_white_paper_is_found_by_the_print_it_washes_out(
    engines: Engines, centre: tuple[float, float]
) -> None:
    """On paper already white, a reflection shows only as print fading away around it;
    the white paper of the same page, bounded by print at full darkness, is no glare."""
    page = drawn.whitened(drawn.passport(drawn.Holder()))
    clean = [InputFile(drawn.encode(page), "id-front")]
    assert "glare" not in {code for _, code, _ in _problems(engines, clean, IDENTITY, "passport")}
    shone = [InputFile(drawn.encode(drawn.glare_spot(page, centre=centre)), "id-front")]
    assert _problems(engines, shone, IDENTITY, "passport") == [(0, "glare", True)]


@pytest.mark.parametrize(
    ("data", "code", "retake"),
    [
        (drawn.encode(Image.new("RGB", (1200, 850), "white"), "PNG"), "not-a-document", False),
        (drawn.encode(Image.new("RGB", (1200, 850), (128, 128, 128))), "not-a-document", False),
        (drawn.encode(_noise(), "PNG"), "not-a-document", False),
        (drawn.encode(Image.new("RGB", (1, 1), "white"), "PNG"), "too-small", True),
        (drawn.pageless_pdf(), "not-a-document", False),
        (b"", "not-an-image", False),
        (b"GIF89a not really", "not-an-image", False),
    ],
    ids=["blank", "grey", "noise", "one-pixel", "pdf-without-pages", "empty", "garbage"],
)
def test_a_file_without_a_document_is_refused_at_once(
    engines: Engines, data: bytes, code: str, retake: bool
) -> None:
    for kind in (IDENTITY, ADDRESS):
        files = [InputFile(data, "id-front" if kind == IDENTITY else None)]
        assert _problems(engines, files, kind, "passport") == [(0, code, retake)]


def test_the_selfie_slot_wants_a_face_and_the_document_slot_a_document(engines: Engines) -> None:
    passport = drawn.encode(_passport_photo())
    files = [InputFile(passport, "id-front"), InputFile(passport, "face-proof")]
    assert _problems(engines, files, IDENTITY, "passport") == [(1, "document-as-selfie", True)]
    room = drawn.selfie().crop((0, 700, 900, 1100))  # the camera pointed below the face
    files = [InputFile(passport, "id-front"), InputFile(drawn.encode(room), "face-proof")]
    assert _problems(engines, files, IDENTITY, "passport") == [(1, "selfie-no-face", True)]


def test_a_blurred_bill_photo_asks_for_a_sharp_one(engines: Engines) -> None:
    files = [InputFile(drawn.encode(drawn.blurred(drawn.photographed(_bill()), 5)))]
    [problem] = check_capture(files, ADDRESS, "utility-bill", engines=engines).problems
    assert problem == CaptureProblem(
        0, "blur", "The photo is blurred: hold the camera steady and retake it in focus.", True
    )
