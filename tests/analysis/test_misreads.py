"""Misreadings the MRZ's check digits cannot catch, on documents the tests draw: the
visual zone repairs them, or they make the document wait for a better picture; they
never pass as accepted, tampered or a mismatch."""

from __future__ import annotations

from datetime import date

import pytest

from openkyc.analysis import Engines, IdentityAnalysis, InputFile, Person, analyze_identity

from .conftest import TODAY
from .documents import (
    Holder,
    card_back,
    encode,
    french_id,
    glared,
    made_up_check_digits,
    passport,
    td3,
)

pytestmark = pytest.mark.slow

EILEEN = Person("Eileen", "Collins", dob=date(1986, 11, 19), country="GB")


def run(engines: Engines, page: object, person: Person = EILEEN) -> IdentityAnalysis:
    file = InputFile(encode(page), "id-front")  # type: ignore[arg-type]
    return analyze_identity([file], person, today=TODAY, engines=engines)


def failures(result: IdentityAnalysis) -> dict[str, str | None]:
    return {check.name: check.reason for check in result.checks if check.failed}


def test_a_number_misread_with_valid_check_digits_is_taken_from_the_visual_zone(
    engines: Engines,
) -> None:
    holder = Holder(number="BD0002028")
    misread = td3(holder.but(number="800002028"))  # B->8 and D->0 keep every check digit
    result = run(engines, passport(holder, misread))
    assert result.decision == "accepted"
    assert result.matches["documentNumber"] == "BD0002028"
    as_printed = run(engines, passport(holder))
    assert result.fingerprints.document == as_printed.fingerprints.document


def test_a_printed_field_glare_cut_short_confirms_the_verified_mrz(engines: Engines) -> None:
    """Glare washes out the end of the printed surname (``COLLIN``) and the first digit of
    the birth date (``9 NOV 1986``): what the visual zone still shows agrees with the MRZ,
    so the genuine holder is accepted rather than asked for another picture."""
    page = glared(passport(Holder()), (540, 125, 640, 185), (425, 318, 472, 375))
    result = run(engines, page)
    assert result.decision == "accepted"
    assert result.parsed_data["surname"] == "COLLINS"
    assert result.parsed_data["dateOfBirth"] == date(1986, 11, 19)


def test_a_confusable_number_nothing_settles_asks_for_a_retake(engines: Engines) -> None:
    holder = Holder(number="800002028")
    result = run(engines, passport(holder, viz={"Passport No": "-"}))
    assert failures(result) == {"mrzChecksum": "uncertain:document-number"}
    assert result.decision == "pending"
    assert result.fingerprints.document is None
    assert [hint.code for hint in result.hints] == ["retake"]


def test_a_name_the_mrz_lost_letters_of_is_repaired_from_the_visual_zone(
    engines: Engines,
) -> None:
    holder = Holder(surname="KOWALSKA", given_names="GUENTER")
    lines = td3(holder)
    misread = [lines[0].replace("KOWALSKA<<GUENTER", "KOWA<SKA<<G<ENTER"), lines[1]]
    person = Person("Guenter", "Kowalska", dob=holder.birth_date)
    result = run(engines, passport(holder, misread), person)
    assert result.decision == "accepted"
    assert result.parsed_data["surname"] == "KOWALSKA"
    assert result.parsed_data["givenNames"] == "GUENTER"


def test_fillers_read_as_letters_are_no_name_mismatch(engines: Engines) -> None:
    lines = td3(Holder())
    misread = [lines[0].replace("COLLINS<<EILEEN", "COLLINSCCEILEEN"), lines[1]]
    result = run(engines, passport(Holder(), misread, viz={"Surname": "-"}))
    assert failures(result) == {"lastName": "uncertain"}
    assert result.decision == "pending"
    assert result.rejection is None


def test_printed_labels_assembled_into_an_mrz_are_discarded(engines: Engines) -> None:
    labels = [
        "P<GBRSMITH<<FODELSEOR<<<<<<<<<<<<<<<<<<<<<<<<",
        "GEBUATSTI1GBR8611190F3103012<<<<<<<<<<<<<<<5",
    ]
    result = run(engines, passport(Holder(), labels))
    assert result.parsed_data["mrzDiscarded"] is True
    assert result.parsed_data["mrz"] is None
    assert failures(result) == {"mrzChecksum": "unreadable"}
    assert result.decision == "pending"
    assert result.rejection is None
    assert "mrz-not-read" in [hint.code for hint in result.hints]


def test_a_different_name_in_a_verified_mrz_is_still_a_mismatch(engines: Engines) -> None:
    holder = Holder(surname="HOPPER", given_names="GRACE")
    result = run(engines, passport(holder))
    assert failures(result) == {"firstName": "mismatch", "lastName": "mismatch"}
    assert result.decision == "rejected"
    assert result.rejection is not None and result.rejection.type == "name-mismatch"


def test_a_letter_read_as_a_digit_with_a_cancelling_slip_is_reported_as_printed(
    engines: Engines,
) -> None:
    """``A`` read as ``4`` and ``0`` as ``O`` cancel in the check digit: the number the
    visual zone prints (itself with one character misread) is reported, and held as
    uncertain rather than trusted."""
    holder = Holder(number="A2040611")
    misread = td3(holder.but(number="4204O611"))
    result = run(engines, passport(holder, misread, viz={"Passport No": "A2040O11"}))
    assert result.matches["documentNumber"] == "A2040611"
    assert failures(result) == {"mrzChecksum": "uncertain:document-number"}
    assert result.decision == "pending"
    assert result.fingerprints.document is None


def test_an_mrz_printed_with_made_up_check_digits_reports_its_number_as_uncertain(
    engines: Engines,
) -> None:
    """An MRZ laid out as one but whose check digits mostly fail (as samples print them),
    on a page that prints neither number nor birth date elsewhere: its number and birth
    date are the best reading to report, and decide nothing, not even for a customer born
    on another day."""
    holder = Holder()
    lines = made_up_check_digits(td3(holder), (1, 9), (1, 19), (1, 43))
    page = passport(holder, lines, viz={"Passport No": "-", "Date of birth": "-"})
    someone_else = Person("Eileen", "Collins", dob=date(1990, 1, 2), country="GB")
    for person in (EILEEN, someone_else):
        result = run(engines, page, person)
        assert result.parsed_data["mrzDiscarded"] is True
        assert result.matches["documentNumber"] == "X4821937"
        assert result.parsed_data["dateOfBirth"] == holder.birth_date
        assert {"document_number", "birth_date"} <= set(result.parsed_data["uncertain"])
        assert failures(result)["dateOfBirth"] == "uncertain"
        assert result.decision == "pending"
        assert result.rejection is None
        assert result.fingerprints.document is None


def test_labels_assembled_into_an_mrz_report_no_number(engines: Engines) -> None:
    labels = [
        "P<GBRSMITH<<FODELSEOR<<<<<<<<<<<<<<<<<<<<<<<<",
        "GEBUATSTI1GBR8611190F3103012<<<<<<<<<<<<<<<5",
    ]
    result = run(engines, passport(Holder(), labels, viz={"Passport No": "-"}))
    assert result.parsed_data["mrzDiscarded"] is True
    assert result.matches["documentNumber"] in (None, "-")


def test_the_french_identity_card_of_1988_is_read(engines: Engines) -> None:
    """France's former national identity card follows no ICAO layout: a twelve-character
    number and the given names on the second line, no expiry date (the customer is asked
    for nothing the card cannot show, and a person decides)."""
    result = run(engines, card_back(french_id(Holder())))
    mrz = result.parsed_data["mrz"]
    assert mrz is not None and mrz["format"] == "FRA-ID" and mrz["valid"]
    assert result.matches["documentNumber"] == "880692310285"
    assert result.parsed_data["dateOfBirth"] == date(1986, 11, 19)
    assert result.parsed_data["surname"] == "COLLINS"
    assert result.parsed_data["givenNames"] == "EILEEN MARIE"
    assert result.matches["nationality"] == "FR"
    assert result.rejection is None
