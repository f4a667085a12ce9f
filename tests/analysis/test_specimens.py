"""Specimens: the stamp words in many languages, however they are printed, and the
published identities kept as data."""

from __future__ import annotations

from datetime import date

import pytest
from PIL import ImageDraw

from openkyc.analysis import Engines, InputFile, Person, analyze_identity
from openkyc.analysis.specimens import fold, marking_in, specimen_data, specimen_reason

from .conftest import TODAY
from .documents import Holder, encode, font, passport, photographed, stamped


@pytest.mark.parametrize(
    "read",
    [
        "SPECIMEN",
        "Spécimen",
        "ESPÉCIMEN",
        "MUSTER",
        "CAMPIONE",
        "PAVYZDYS / SPECIMEN",
        "O6PA3EU",  # ОБРАЗЕЦ as OCR trained on Latin letters reads it
        "ОБРАЗЕЦ",
        "VZOR",
        "WZÓR",
        "MINTA",
        "NÄYTE",
        "PRØVE",
        "EXEMPLAR",
        "MODELO",
        "S P E C I M E N",
        "SPECIMEM",  # one slip in a long word
    ],
)
def test_stamp_words_are_found_in_the_pages_text(read: str) -> None:
    assert marking_in(["REPUBLIC OF NOWHERE", read]) is not None


@pytest.mark.parametrize(
    "read",
    [
        "MÜNSTER",  # a German place of birth, one letter from MUSTER
        "MUSTERMANN STRASSE",  # a word containing one is not one
        "MINISTERE DES AFFAIRES ETRANGERES",
        "SPECIAL ADMINISTRATIVE REGION",
        "PASSPORT PASSEPORT REISEPASS",
        "MODEL",
    ],
)
def test_ordinary_words_are_no_stamp(read: str) -> None:
    assert marking_in([read]) is None


def test_a_stamp_read_apart_allows_more_slips() -> None:
    assert marking_in(["SPECHMENE"]) is None
    assert marking_in(["SPECHMENE"], stamp=True) == fold("SPECIMEN")
    assert marking_in(["IMEN"], stamp=True) is None


def test_published_identities_are_data() -> None:
    data = specimen_data()
    assert ("L898902C3", "740812") in data.identities
    reason = specimen_reason(
        "", document_number="L898902C3", birth_date="740812", issuer="GBR", surname="X"
    )
    assert reason == "published-specimen"
    assert specimen_reason("", document_number=None, birth_date=None, issuer="UTO", surname="")
    assert specimen_reason(
        "", document_number=None, birth_date=None, issuer="D", surname="Mustermann"
    ) == ("specimen-holder")


def _analyse(engines: Engines, image: object) -> str | None:
    """The reason ``isPublishedOnline`` failed (a stamp may also hide a printed date)."""
    person = Person("Eileen", "Collins", dob=date(1986, 11, 19), country="GB")
    file = InputFile(encode(image), "id-front")  # type: ignore[arg-type]
    result = analyze_identity([file], person, today=TODAY, engines=engines)
    assert result.decision == "rejected"
    assert result.rejection is not None and result.rejection.type == "document-invalid"
    return next(c.reason for c in result.checks if c.name == "isPublishedOnline" and c.failed)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("word", "angle", "hollow"),
    [("SPECIMEN", 32, False), ("PAVYZDYS", 48, True), ("CAMPIONE", -25, False)],
)
def test_a_red_stamp_at_an_angle_makes_a_specimen(
    engines: Engines, word: str, angle: float, hollow: bool
) -> None:
    page = stamped(passport(Holder()), word, angle=angle, hollow=hollow)
    assert _analyse(engines, page) == "specimen-marking"


@pytest.mark.slow
def test_a_faint_stamp_on_a_photographed_page_makes_a_specimen(engines: Engines) -> None:
    page = stamped(passport(Holder()), "SPECIMEN", angle=20, opacity=0.35)
    assert _analyse(engines, photographed(page)) == "specimen-marking"


@pytest.mark.slow
def test_red_print_that_is_no_stamp_is_not_a_specimen(engines: Engines) -> None:
    page = passport(Holder())
    draw = ImageDraw.Draw(page)
    draw.text((700, 40), "REPUBLIC OF NOWHERE", fill=(200, 30, 40), font=font(40))
    draw.ellipse((1000, 560, 1180, 680), outline=(200, 30, 40), width=8)
    person = Person("Eileen", "Collins", dob=date(1986, 11, 19), country="GB")
    result = analyze_identity(
        [InputFile(encode(page), "id-front")], person, today=TODAY, engines=engines
    )
    assert result.decision == "accepted"
    assert result.parsed_data["specimen"] is None
