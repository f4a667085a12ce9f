"""Driving licences: the AAMVA barcode of North American cards, read from a PDF417 the test
draws with zxing-cpp's writer, and the numbered fields of EU licences."""

from __future__ import annotations

from datetime import date

import pytest

from openkyc.analysis import Engines, IdentityAnalysis, InputFile, Person, analyze_identity
from openkyc.analysis.licences import numbered_fields, parse_aamva

from .conftest import TODAY
from .documents import Holder, aamva_payload, encode, eu_licence, selfie, us_licence

CUSTOMER = Person("Eileen", "Collins", dob=date(1986, 11, 19), country="US")


def failures(result: IdentityAnalysis) -> dict[str, str | None]:
    return {check.name: check.reason for check in result.checks if check.failed}


def test_an_aamva_record_gives_the_holder_and_the_address() -> None:
    record = parse_aamva(aamva_payload(Holder()))
    assert record is not None
    assert (record.kind, record.issuer_id, record.version) == ("DL", "636014", 10)
    assert (record.surname, record.given_names) == ("COLLINS", "EILEEN MARIE")
    assert record.number == "X4821937" and record.sex == "F"
    assert record.birth_date == date(1986, 11, 19)  # MMDDCCYY in the US
    assert record.expiry_date == date(2031, 3, 1) and record.issue_date == date(2021, 3, 2)
    assert (record.line1, record.city, record.region) == ("12 HARBOUR STREET", "SACRAMENTO", "CA")
    assert record.postal_code == "95822" and record.country == "USA"


def test_an_old_canadian_record_names_the_holder_in_one_field() -> None:
    text = (
        "@\n\x1e\rANSI 636012030001DL00290190"
        "DLDAACOLLINS,EILEEN,MARIE\nDBB19861119\nDBA20310301\nDAQC1234-56789\n"
        "DCGCAN\nDAJON\nDAKK1A 0B1\r"
    )
    record = parse_aamva(text)
    assert record is not None
    assert (record.surname, record.given_names) == ("COLLINS", "EILEEN MARIE")
    assert record.birth_date == date(1986, 11, 19)  # CCYYMMDD in Canada
    assert (record.country, record.region, record.postal_code) == ("CAN", "ON", "K1A 0B1")


@pytest.mark.parametrize("text", ["", "HELLO WORLD", "https://example.org/ticket/42", "@\nANSI 1"])
def test_other_barcodes_are_no_licence(text: str) -> None:
    assert parse_aamva(text) is None


def test_the_numbered_fields_of_an_eu_licence_are_read() -> None:
    lines = [
        "DRIVING LICENCE",
        "1. COLLINS",
        "2.",
        "2. EILEEN MARIE",
        "3. 19.11.1986 LONDON",
        "4a. 02.03.2021 4b. 01.03.2031",
        "4c. DVLA",
        "5. COLLI861196EM9AB",
    ]
    fields = numbered_fields(lines)
    assert fields["1"] == "COLLINS" and fields["2"] == "EILEEN MARIE"
    assert fields["4a"] == "02.03.2021" and fields["4b"] == "01.03.2031"
    assert fields["5"] == "COLLI861196EM9AB"


def test_numbered_lines_of_other_documents_are_no_licence() -> None:
    assert numbered_fields(["1. Surname", "2. Given names", "3. Date of birth"]) == {}
    assert numbered_fields(["1. PAY 84.20 GBP", "2. THANK YOU"]) == {}


def run(engines: Engines, person: Person, *files: InputFile) -> IdentityAnalysis:
    return analyze_identity(list(files), person, today=TODAY, engines=engines)


@pytest.mark.slow
def test_a_us_licence_is_read_from_its_barcode(engines: Engines) -> None:
    front, back = us_licence(Holder())
    result = run(
        engines,
        CUSTOMER,
        InputFile(encode(front), "id-front"),
        InputFile(encode(back), "id-back"),
        InputFile(encode(selfie()), "face-proof"),
    )
    assert result.decision == "accepted", failures(result)
    matches = result.matches
    assert matches["documentSubtype"] == "driver-license"
    assert matches["documentNumber"] == "X4821937"
    assert matches["dateOfBirth"] == "1986-11-19T00:00:00+00:00"
    assert matches["expirationDate"] == "2031-03-01T00:00:00+00:00"
    assert matches["issuanceCountry"] == "US" and matches["issuanceRegion"] == "CA"
    barcode = result.parsed_data["barcode"]
    assert barcode["format"] == "AAMVA" and barcode["kind"] == "DL"
    assert barcode["address"]["line1"] == "12 HARBOUR STREET"
    assert barcode["address"]["postalCode"] == "95822"


@pytest.mark.slow
def test_a_barcode_in_another_name_is_a_firm_mismatch(engines: Engines) -> None:
    """The barcode is a protected source, like an MRZ whose check digits hold."""
    _, back = us_licence(Holder(surname="HOPPER", given_names="GRACE"))
    result = run(engines, CUSTOMER, InputFile(encode(back), "id-back"))
    assert failures(result)["lastName"] == "mismatch"
    assert result.decision == "rejected"


@pytest.mark.slow
def test_a_front_and_a_back_of_two_licences_leave_the_number_uncertain(
    engines: Engines,
) -> None:
    front, _ = us_licence(Holder(number="Y7700412"))
    _, back = us_licence(Holder())
    result = run(
        engines, CUSTOMER, InputFile(encode(front), "id-front"), InputFile(encode(back), "id-back")
    )
    assert "document_number" in result.parsed_data["uncertain"]
    assert result.decision == "pending"


@pytest.mark.slow
def test_an_eu_licence_is_read_from_its_numbered_fields(engines: Engines) -> None:
    holder = Holder(number="COLLI861196EM9AB")
    result = run(engines, CUSTOMER, InputFile(encode(eu_licence(holder)), "id-front"))
    assert result.matches["documentSubtype"] == "driver-license"
    assert result.parsed_data["surname"] == "COLLINS"
    assert result.parsed_data["dateOfBirth"] == date(1986, 11, 19)
    assert result.parsed_data["expirationDate"] == date(2031, 3, 1)
    assert result.parsed_data["issueDate"] == date(2021, 3, 2)
    assert result.parsed_data["documentNumber"] == "COLLI861196EM9AB"
    assert result.decision == "accepted", failures(result)


@pytest.mark.slow
def test_an_eu_licence_in_another_birth_date_waits_for_a_person(engines: Engines) -> None:
    """Printed fields alone carry no check digit: a difference is not a firm mismatch."""
    holder = Holder(birth_date=date(1968, 11, 19), number="COLLI681196EM9AB")
    result = run(engines, CUSTOMER, InputFile(encode(eu_licence(holder)), "id-front"))
    assert failures(result).get("dateOfBirth") == "mismatch"
    assert result.decision == "pending"
