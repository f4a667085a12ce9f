"""Specimens: the stamp words in many languages, however they are printed, and the
published identities kept as data."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from PIL import Image, ImageDraw

from openkyc.analysis import Engines, InputFile, Person, analyze_identity
from openkyc.analysis.engines import TextLine, TextReader
from openkyc.analysis.specimens import (
    UNCERTAIN_MARKING,
    fold,
    marking_in,
    specimen_data,
    specimen_reason,
)
from openkyc.analysis.stamps import read_coloured_stamps

from .conftest import TODAY
from .documents import Holder, encode, face, font, passport, photographed, stamped


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


def test_a_stamp_that_lost_its_first_or_last_letters_on_the_portrait_still_counts() -> None:
    assert marking_in(["PECIMEN"], stamp=True) == fold("SPECIMEN")
    assert marking_in(["FACSIMI"], stamp=True) == fold("FACSIMILE")
    # Five or six letters are weak evidence, found only when asked for.
    assert marking_in(["CIMEN"], stamp=True) is None
    assert marking_in(["CIMEN"], stamp=True, loose=True) == fold("SPECIMEN")
    assert marking_in(["USTER"], stamp=True, loose=True) == fold("MUSTER")
    assert marking_in(["SPECI"], stamp=True, loose=True) == fold("SPECIMEN")
    # Only read apart from the print, only five letters and most of the word at least.
    assert marking_in(["CIMEN"], loose=True) is None
    assert marking_in(["STER", "CIME"], stamp=True, loose=True) is None
    assert marking_in(["CLUSTER", "TIME"], stamp=True, loose=True) is None


@pytest.mark.parametrize(
    "read",
    [
        "ECAME",  # a label misread, one slip from ESPECIME's end ECIME
        "EXEMPT",  # one slip from EXEMPLAR's start EXEMPL (EXEMPI as folded)
        "SPACIM",  # one slip from SPECIMEN's start SPECIM
    ],
)
def test_a_part_of_a_stamp_word_under_seven_letters_must_be_read_exactly(read: str) -> None:
    assert marking_in([read], stamp=True, loose=True) is None


def test_only_firm_evidence_of_a_stamp_makes_a_specimen() -> None:
    def reason(stamp: str) -> str | None:
        return specimen_reason(
            "",
            document_number=None,
            birth_date=None,
            issuer=None,
            surname=None,
            stamp_text=[stamp],
        )

    assert reason("SPECIMEN") == reason("SPECHMENE") == reason("PECIMEN") == "specimen-marking"
    assert reason("MUSTER") == "specimen-marking"
    # A short word with a slip, a short part, a long part with a slip: a person decides.
    # A purple "Given names" label read "Clmen" folds to CIMEN, SPECIMEN's end.
    weak = ["TUSTER", "Clmen gme4", "USTER", "FACSIMX"]
    assert [reason(read) for read in weak] == [UNCERTAIN_MARKING] * 4
    # A short part with a slip: nothing.
    assert reason("EXEMPT") is None
    assert reason("ecame饿 um点e") is None


def test_an_m_read_as_its_strokes_is_an_m() -> None:
    assert marking_in(["IvIUSTER"], stamp=True) == fold("MUSTER")
    assert fold("IVIUSTER") == fold("MUSTER")


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
    """The reason ``isPublishedOnline`` failed (a stamp may also hide a printed date): a
    firm one rejects the document, weak evidence leaves it to a person."""
    person = Person("Eileen", "Collins", dob=date(1986, 11, 19), country="GB")
    file = InputFile(encode(image), "id-front")  # type: ignore[arg-type]
    result = analyze_identity([file], person, today=TODAY, engines=engines)
    check = next(c for c in result.checks if c.name == "isPublishedOnline" and c.failed)
    if check.reason == UNCERTAIN_MARKING:
        assert result.decision == "pending" and not check.conclusive
    else:
        assert result.decision == "rejected"
        assert result.rejection is not None and result.rejection.type == "document-invalid"
    return check.reason


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
@pytest.mark.parametrize("angle", [20, -15, -30])
def test_a_red_stamp_across_the_portrait_makes_a_specimen(engines: Engines, angle: float) -> None:
    """Red on the portrait alone is no stamp (see below); a stamp printed across the
    portrait is read whole."""
    page = stamped(passport(Holder()), "SPECIMEN", angle=angle, centre=(0.22, 0.42))
    assert _analyse(engines, page) == "specimen-marking"


class _CountingReader:
    """The real reader, counting what it is asked to read."""

    def __init__(self, reader: TextReader) -> None:
        self.reader, self.reads = reader, 0

    def read(self, image: np.ndarray) -> list[TextLine]:
        self.reads += 1
        return self.reader.read(image)

    def reread(self, image: np.ndarray, lines: list[TextLine]) -> list[TextLine]:
        self.reads += 1
        return self.reader.reread(image, lines)


@pytest.mark.slow
def test_red_on_the_portrait_alone_is_no_stamp_and_costs_no_reading(engines: Engines) -> None:
    """Lips, skin in warm light and a red photo backdrop stand out on the red axis as a
    stamp's ink does: the page is read for stamps only when such ink lies outside the
    portrait."""

    def reads(page: Image.Image) -> int:
        counting = _CountingReader(engines.text)
        person = Person("Eileen", "Collins", dob=date(1986, 11, 19), country="GB")
        file = InputFile(encode(page), "id-front")
        result = analyze_identity(
            [file], person, today=TODAY, engines=Engines(counting, engines.faces)
        )
        assert result.decision == "accepted", result.checks
        assert result.parsed_data["specimen"] is None
        return counting.reads

    def page(portrait: Image.Image, backdrop: tuple[int, int, int]) -> Image.Image:
        drawn = passport(Holder(portrait=""))
        draw = ImageDraw.Draw(drawn)
        draw.rectangle((50, 30, 700, 90), fill=(236, 232, 220))  # the title in black
        draw.text((60, 40), "PASSPORT  GBR", fill=(20, 20, 20), font=font(40))
        draw.rectangle((60, 130, 400, 560), fill=backdrop)
        drawn.paste(portrait.resize((260, 330)), (100, 180))
        return drawn

    warm = page(face("collins"), (190, 70, 60))
    grey = page(face("collins").convert("L").convert("RGB"), (150, 150, 150))
    assert reads(warm) == reads(grey)


def test_red_ink_below_a_second_portrait_is_still_read(engines: Engines) -> None:
    """Each portrait is left out by its own size: a second face (a card's small ghost
    portrait) does not hide the stamp beneath it."""
    page = Image.new("RGB", (1000, 700), (236, 232, 220))
    ImageDraw.Draw(page).text((560, 480), "SPECIMEN", fill=(215, 40, 50), font=font(60))
    counting = _CountingReader(engines.text)
    faces = [(50, 50, 150, 150), (600, 50, 700, 150)]
    stamps = read_coloured_stamps(np.asarray(page), counting, faces)
    assert counting.reads >= 1
    assert any("SPECIMEN" in fold(text) for text in stamps)


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


@pytest.mark.slow
def test_a_coloured_label_that_reads_like_part_of_a_stamp_word_is_no_specimen(
    engines: Engines,
) -> None:
    """Coloured print of the document's own is read with its stamps: a word one slip from
    the start of a stamp word (``EXEMPT``, ``EXEMPLAR``) is no evidence of a specimen."""
    page = passport(Holder())
    ImageDraw.Draw(page).text((700, 40), "FEE EXEMPT", fill=(200, 30, 40), font=font(40))
    person = Person("Eileen", "Collins", dob=date(1986, 11, 19), country="GB")
    file = InputFile(encode(page), "id-front")
    result = analyze_identity([file], person, today=TODAY, engines=engines)
    assert "FEE EXEMPT" in result.parsed_data["stamps"]
    assert result.parsed_data["specimen"] is None
    assert result.decision == "accepted"


@pytest.mark.slow
def test_a_stamp_word_cut_by_the_portrait_is_still_found(engines: Engines) -> None:
    """The portrait printed over a stamp hides the letters on it: what is left of the
    word (``CIMEN``) is weak evidence, so the document waits for a person."""
    page = stamped(passport(Holder()), "SPECIMEN", angle=0, centre=(0.45, 0.4))
    page.paste(face("collins").resize((340, 430)), (60, 130))
    person = Person("Eileen", "Collins", dob=date(1986, 11, 19), country="GB")
    file = InputFile(encode(page), "id-front")
    result = analyze_identity([file], person, today=TODAY, engines=engines)
    assert not any("SPECIMEN" in fold(text) for text in result.parsed_data["stamps"])
    assert result.parsed_data["specimen"] == UNCERTAIN_MARKING
    assert result.decision == "pending"
    published = next(c for c in result.checks if c.name == "isPublishedOnline")
    assert (published.failed, published.conclusive) == (True, False)
    assert result.matches["isPublishedOnline"] is False


@pytest.mark.slow
@pytest.mark.parametrize(
    ("word", "angle", "scale", "found"),
    [
        # The portrait hides the word's first letters: USTER, TUSTER, CIMEN are read.
        ("MUSTER", 0, 1.0, UNCERTAIN_MARKING),
        ("MUSTER", -12, 0.5, UNCERTAIN_MARKING),
        ("SPECIMEN", 12, 1.0, UNCERTAIN_MARKING),
        ("MUSTER", 30, 0.5, "specimen-marking"),
    ],
)
def test_a_grey_watermark_is_found_at_any_size(
    engines: Engines, word: str, angle: float, scale: float, found: str
) -> None:
    """A pale grey word across the page (over the print and the portrait), as residence
    permits' specimens carry it, however large the picture is."""
    grey = (128, 128, 128)
    page = stamped(passport(Holder()), word, angle=angle, colour=grey, opacity=0.3, size=150)
    page = page.resize((int(page.width * scale), int(page.height * scale)))
    assert _analyse(engines, page) == found


@pytest.mark.slow
def test_grey_guilloches_and_a_grey_portrait_are_no_watermark(engines: Engines) -> None:
    page = passport(Holder(portrait="")).convert("RGB")
    draw = ImageDraw.Draw(page)
    for x in range(0, page.width, 14):  # fine grey lines across the page, as guilloches are
        draw.arc((x - 300, 200, x + 300, 800), 200, 340, fill=(175, 175, 170), width=2)
    page.paste(face("collins").convert("L").convert("RGB").resize((340, 430)), (60, 130))
    person = Person("Eileen", "Collins", dob=date(1986, 11, 19), country="GB")
    result = analyze_identity(
        [InputFile(encode(page), "id-front")], person, today=TODAY, engines=engines
    )
    assert result.parsed_data["specimen"] is None
    assert result.matches["isPublishedOnline"] is False


@pytest.mark.slow
def test_a_grey_watermark_is_looked_for_only_on_a_document_that_would_be_accepted(
    engines: Engines,
) -> None:
    """Reading pale ink costs about as much as reading the page: a document that waits for
    a person or is rejected for something else (here a birth date that is not the
    customer's) is decided without it, and is never accepted for that."""
    grey = (128, 128, 128)
    page = stamped(passport(Holder()), "MUSTER", angle=0, colour=grey, opacity=0.3, size=150)
    person = Person("Eileen", "Collins", dob=date(1986, 11, 20), country="GB")
    file = InputFile(encode(page), "id-front")
    result = analyze_identity([file], person, today=TODAY, engines=engines)
    assert result.decision == "rejected"
    assert result.rejection is not None and result.rejection.type == "dob-mismatch"
    assert result.parsed_data["specimen"] is None
    assert not any("MUST" in text.upper() for text in result.parsed_data["stamps"])
    # The customer's own birth date: read, and found (the portrait hides the M).
    assert _analyse(engines, page) == UNCERTAIN_MARKING
