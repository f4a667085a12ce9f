"""Outlines and straightening: an implausible outline is not used, and a portrait the
picture shows is never lost to straightening."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from PIL import Image, ImageDraw

from openkyc.analysis import Engines, InputFile, Person, TextLine, analyze_identity
from openkyc.analysis.imaging import plausible_quad
from openkyc.analysis.mrz import parse_mrz
from openkyc.analysis.reading import _better, text_skew
from openkyc.analysis.zones import find_mrz

from .conftest import TODAY
from .documents import Holder, encode, id_card, made_up_check_digits, passport, td1, td3


def corners(*points: tuple[float, float]) -> np.ndarray:
    return np.array(points, np.float32)


def test_a_card_seen_at_an_angle_is_a_plausible_outline() -> None:
    assert plausible_quad(corners((0, 0), (1000, 0), (1000, 640), (0, 640)))
    assert plausible_quad(corners((80, 30), (1010, 0), (1040, 660), (40, 610)))


@pytest.mark.parametrize(
    "quad",
    [
        ((0, 0), (1000, 0), (1000, 640), (600, 90)),  # one corner hundreds of pixels off
        ((0, 0), (476, 0), (476, 113), (0, 113)),  # a strip, not a document
        ((0, 0), (1000, 0), (1400, 640), (400, 640)),  # corners far from square
    ],
)
def test_an_implausible_outline_is_not_used(quad: tuple[tuple[float, float], ...]) -> None:
    assert not plausible_quad(corners(*quad))


@pytest.mark.slow
def test_a_light_card_keeps_its_portrait_when_an_inner_frame_looks_like_the_outline(
    engines: Engines,
) -> None:
    holder = Holder()
    card_front, card_back = id_card(holder, td1(holder))
    desk = (220, 232, 236)  # the card's own colour: its edge does not show
    photo = Image.new("RGB", (card_front.width + 140, card_front.height + 160), desk)
    photo.paste(card_front, (70, 80))
    # A dark panel around the printed fields, large enough to pass for the card itself.
    ImageDraw.Draw(photo).rectangle((410, 150, 1120, 700), outline=(30, 40, 60), width=7)
    person = Person("Eileen", "Collins", dob=date(1986, 11, 19), country="GB")
    files = [InputFile(encode(photo), "id-front"), InputFile(encode(card_back), "id-back")]
    result = analyze_identity(files, person, today=TODAY, engines=engines)
    assert result.matches["containsImage"] is True
    assert result.parsed_data["pages"][0]["cornersFound"] is False
    assert result.decision == "accepted"


def tilted_line(text: str, left: float, top: float, length: float, degrees: float) -> TextLine:
    """A line as the reader outlines it on a page tilted by ``degrees`` (negative: rising)."""
    angle = math.radians(degrees)
    dx, dy = math.cos(angle), math.sin(angle)
    height = 30.0
    quad = (
        (left, top),
        (left + length * dx, top + length * dy),
        (left + length * dx - height * dy, top + length * dy + height * dx),
        (left - height * dy, top + height * dx),
    )
    xs, ys = [x for x, _ in quad], [y for _, y in quad]
    return TextLine(text, (min(xs), min(ys), max(xs), max(ys)), 0.99, quad)


def test_the_tilt_of_a_page_is_measured_from_its_lines() -> None:
    lines = [
        tilted_line("PASSPORT", 100, 300, 500, -12),
        tilted_line("P<GBRCOLLINS<<EILEEN<MARIE<<<<<<<<<<<<<<<<<<", 80, 900, 900, -11.8),
        tilted_line("X4821937<9GBR8611194F3103016<<<<<<<<<<<<<<<0", 90, 960, 900, -12.1),
    ]
    assert text_skew(lines) == pytest.approx(-11.8, abs=0.5)


def test_a_level_page_and_a_lone_slanted_line_are_not_turned() -> None:
    level = [tilted_line("Surname", 10, y, 300, 0.3) for y in (10, 60, 110)]
    assert abs(text_skew(level)) < 1
    # One stamp across the page is no tilt of the page; nor is a line standing upright.
    lone = [tilted_line("SPECIMEN", 10, 10, 600, -30), tilted_line("Surname", 10, 300, 300, 0)]
    assert text_skew(lone) == 0
    assert text_skew([tilted_line("VERTICAL", 10, 10, 600, -90)] * 3) == 0


def box(text: str, left: float, top: float, right: float, bottom: float) -> TextLine:
    return TextLine(text, (left, top, right, bottom), 0.99)


def test_the_mrz_of_a_card_beside_its_other_side_is_assembled_on_its_own() -> None:
    """The front's printed fields share rows with the back's MRZ lines (measured boxes of
    such a photo): a printed date is no part of the MRZ line beside it."""
    holder = Holder()
    mrz = td1(holder)
    lines = [
        box("IDENTITY CARD GBR", 73, 64, 432, 105),
        box("COLLINS", 411, 160, 642, 205),
        box("Date of birth", 411, 304, 553, 342),
        box("19.11.1986", 411, 333, 609, 378),
        box("X4821937", 411, 419, 620, 464),
        box(mrz[0], 1129, 439, 1855, 480),
        box("Expiry", 411, 477, 486, 512),
        box("01.03.2031", 411, 506, 609, 551),
        box(mrz[1], 1126, 503, 1858, 554),
        box(mrz[2], 1118, 567, 1863, 621),
    ]
    found = find_mrz(lines, today=TODAY)
    assert found is not None and list(found.lines) == mrz and found.valid


def test_two_documents_mrzs_are_not_mixed() -> None:
    """A passport's MRZ and, beside it, another card's: each is assembled from its column."""
    passport_lines, card_lines = td3(Holder()), td1(Holder(number="Y1234567"))
    lines = [
        box(passport_lines[0], 40, 700, 1180, 740),
        box(card_lines[0], 1400, 690, 2150, 730),
        box(passport_lines[1], 40, 752, 1180, 792),
        box(card_lines[1], 1400, 742, 2150, 782),
        box(card_lines[2], 1400, 794, 2150, 834),
    ]
    found = find_mrz(lines, today=TODAY)
    assert found is not None and found.valid
    assert list(found.lines) in (passport_lines, card_lines)


def light_desk(*pictures: Image.Image, beside: bool) -> Image.Image:
    """Pictures laid on a desk of nearly their own colour (no outline to find), side by
    side or one above the other."""
    gap = 60
    if beside:
        size = (
            sum(p.width for p in pictures) + gap * (len(pictures) + 1),
            max(p.height for p in pictures) + 2 * gap,
        )
    else:
        size = (
            max(p.width for p in pictures) + 2 * gap,
            sum(p.height for p in pictures) + gap * (len(pictures) + 1),
        )
    desk = Image.new("RGB", size, (232, 234, 230))
    at = gap
    for picture in pictures:
        desk.paste(picture, (at, gap) if beside else (gap, at))
        at += (picture.width if beside else picture.height) + gap
    return desk


CUSTOMER = Person("Eileen", "Collins", dob=date(1986, 11, 19), country="GB")


@pytest.mark.slow
@pytest.mark.parametrize("degrees", [12, -9])
def test_a_passport_photographed_askew_on_a_light_desk_is_read(
    engines: Engines, degrees: float
) -> None:
    page = light_desk(passport(Holder()), beside=True).rotate(
        degrees, expand=True, fillcolor=(232, 234, 230)
    )
    result = analyze_identity(
        [InputFile(encode(page), "id-front")], CUSTOMER, today=TODAY, engines=engines
    )
    assert result.parsed_data["pages"][0]["cornersFound"] is False
    assert result.parsed_data["mrz"]["lines"] == td3(Holder())
    assert result.decision == "accepted", [c for c in result.checks if c.failed]


@pytest.mark.slow
@pytest.mark.parametrize("beside", [True, False], ids=["side-by-side", "front-above-back"])
def test_a_card_photographed_with_both_sides_in_one_picture_is_read(
    engines: Engines, beside: bool
) -> None:
    card_front, card_back = id_card(Holder())
    photo = light_desk(card_front, card_back, beside=beside)
    result = analyze_identity(
        [InputFile(encode(photo), "id-front")], CUSTOMER, today=TODAY, engines=engines
    )
    assert result.parsed_data["mrz"]["lines"] == td1(Holder())
    assert result.matches["containsImage"] is True
    assert result.decision == "accepted", [c for c in result.checks if c.failed]


@pytest.mark.slow
def test_a_passport_photographed_from_afar_is_read_and_its_portrait_found(
    engines: Engines,
) -> None:
    """A data page 260 pixels wide (print three pixels high) is enlarged before it is read:
    its MRZ verifies and its portrait is found, so the holder is accepted."""
    page = passport(Holder())
    small = page.resize((260, round(page.height * 260 / page.width)), Image.Resampling.LANCZOS)
    person = Person("Eileen", "Collins", dob=date(1986, 11, 19), country="GB")
    result = analyze_identity(
        [InputFile(encode(small), "id-front")], person, today=TODAY, engines=engines
    )
    assert result.decision == "accepted"
    assert result.matches["documentNumber"] == "X4821937"
    assert result.matches["containsImage"] is True


def test_a_first_line_that_lost_fillers_to_the_reader_still_pairs_with_the_second() -> None:
    """OCR drops a few of the fillers that fill most of a passport's first MRZ line: read
    40 characters long beside a second line of 44, it is still that line."""
    mrz = td3(Holder())
    lines = [box(mrz[0][:40], 40, 700, 1080, 740), box(mrz[1], 40, 752, 1180, 792)]
    found = find_mrz(lines, today=TODAY)
    assert found is not None and found.valid and list(found.lines) == mrz
    # Two lines of a card's three are no MRZ of two lines.
    card = td1(Holder())
    assert (
        find_mrz([box(card[0], 40, 700, 800, 740), box(card[1], 40, 752, 800, 792)], today=TODAY)
        is None
    )


def test_fillers_read_upside_down_never_win_over_the_page_the_right_way_up() -> None:
    """A page read upside down turns its MRZ's fillers into ``>``; what that parses into
    can have a check digit hold by chance (fillers over fillers), and still ranks after
    the reading the right way up whose made-up check digits all fail."""
    made_up = made_up_check_digits(td1(Holder()), (0, 14), (1, 6), (1, 14))
    upright = [box(line, 40, 700 + 52 * i, 800, 740 + 52 * i) for i, line in enumerate(made_up)]
    upside_down = [box(">" * 20 + "010A>>010A", 40, 700, 800, 740)]
    right_way, wrong_way = (
        find_mrz(upright, today=TODAY),
        parse_mrz(
            ["<" * 20 + "010A<<010A", "0" + "<" * 11 + "4752201008<0401002", "<" * 30],
            today=TODAY,
        ),
    )
    assert right_way is not None and wrong_way is not None
    assert sum(wrong_way.checks.values()) > sum(right_way.checks.values())
    assert _better(upright, right_way, upside_down, wrong_way)
    assert not _better(upside_down, wrong_way, upright, right_way)
