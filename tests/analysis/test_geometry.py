"""Outlines and straightening: an implausible outline is not used, and a portrait the
picture shows is never lost to straightening."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from PIL import Image, ImageDraw

from openkyc.analysis import Engines, InputFile, Person, analyze_identity
from openkyc.analysis.imaging import plausible_quad

from .conftest import TODAY
from .documents import Holder, encode, id_card, td1


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
