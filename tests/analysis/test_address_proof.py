"""The real analyser on address documents: PDFs with and without a text layer, photos."""

from __future__ import annotations

from datetime import date

import pytest

from openkyc.analysis import AddressAnalysis, Engines, InputFile, Person, analyze_address

from .conftest import TODAY
from .documents import (
    Holder,
    bill_image,
    bill_lines,
    encode,
    eu_licence,
    pdf_with_text,
    photographed,
    scanned_pdf,
    us_licence,
)

pytestmark = pytest.mark.slow

ADDRESS = ["12 Harbour Street", "London SE1 7PB"]


def run(engines: Engines, person: Person, data: bytes, **options: object) -> AddressAnalysis:
    return analyze_address([InputFile(data)], person, today=TODAY, engines=engines, **options)  # type: ignore[arg-type]


def failures(result: AddressAnalysis) -> dict[str, str | None]:
    return {check.name: check.reason for check in result.checks if check.failed}


def recent_bill(name: str = "Ms Eileen Collins", issued: date = date(2026, 5, 2)) -> list[str]:
    return bill_lines(name, ADDRESS, issued)


def test_a_recent_pdf_bill_in_the_customers_name_is_accepted(
    engines: Engines, customer: Person
) -> None:
    result = run(engines, customer, pdf_with_text(recent_bill()))
    assert failures(result) == {}
    assert result.decision == "accepted" and result.score == 100
    assert result.parsed_data["textSource"] == "pdf-text"
    assert result.matches == {
        "firstName": "Eileen",
        "lastName": "Collins",
        "line1": "12 Harbour Street",
        "city": "London",
        "region": None,
        "postalCode": "SE1 7PB",
        "wordCount": result.matches["wordCount"],
        "uniqueWords": result.matches["uniqueWords"],
        "date": "2026-05-02T00:00:00+00:00",
        "phone": "+44 20 7946 0123",
        "documentSubtype": "utility-bill",
        "isTampered": False,
    }
    assert result.matches["wordCount"] >= result.matches["uniqueWords"] > 20


def test_a_bill_in_someone_elses_name_is_rejected(engines: Engines, customer: Person) -> None:
    result = run(engines, customer, pdf_with_text(recent_bill("Mr Walter Hopper")))
    assert failures(result) == {"firstName": "mismatch", "lastName": "mismatch"}
    assert result.decision == "rejected"
    assert result.rejection is not None and result.rejection.type == "name-mismatch"


def test_a_bill_for_another_address_is_not_accepted(engines: Engines, customer: Person) -> None:
    lines = bill_lines("Ms Eileen Collins", ["7 Mill Lane", "Leeds LS1 4AP"], date(2026, 5, 2))
    result = run(engines, customer, pdf_with_text(lines))
    assert failures(result) == {"line1": "mismatch", "city": "mismatch", "postalCode": "mismatch"}
    assert result.decision == "rejected"
    assert result.rejection is not None and result.rejection.type == "document-not-matching"


def test_an_old_bill_goes_to_review_with_a_hint(engines: Engines, customer: Person) -> None:
    result = run(engines, customer, pdf_with_text(recent_bill(issued=date(2025, 12, 1))))
    assert failures(result) == {"date": "too-old"}
    assert result.decision == "pending"
    assert [hint.code for hint in result.hints] == ["too-old"]
    longer = run(
        engines,
        customer,
        pdf_with_text(recent_bill(issued=date(2025, 12, 1))),
        max_address_age_days=365,
    )
    assert longer.decision == "accepted"


def test_a_pdf_edited_after_it_was_issued_is_tampering(engines: Engines, customer: Person) -> None:
    data = pdf_with_text(recent_bill(), producer="iLovePDF", modified="D:20260520120000Z")
    result = run(engines, customer, data)
    assert failures(result) == {"isTampered": "edited-with:ilovepdf"}
    assert result.parsed_data["tamperSignals"] == [
        "edited-with:ilovepdf",
        "modified-after-creation",
    ]
    assert result.rejection is not None and result.rejection.type == "tampered-document"


def test_a_scanned_pdf_without_text_layer_is_read_by_ocr(
    engines: Engines, customer: Person
) -> None:
    result = run(engines, customer, scanned_pdf(bill_image(recent_bill())))
    assert result.parsed_data["textSource"] == "ocr"
    assert failures(result) == {}
    assert result.decision == "accepted"


def test_a_photo_of_a_bill_is_read(engines: Engines, customer: Person) -> None:
    photo = photographed(bill_image(recent_bill()), tilt=0.08)
    result = run(engines, customer, encode(photo))
    assert result.decision == "accepted", failures(result)
    assert result.matches["date"] == "2026-05-02T00:00:00+00:00"


def test_a_blank_page_goes_to_review(engines: Engines, customer: Person) -> None:
    result = run(engines, customer, scanned_pdf(bill_image([])))
    assert result.decision == "pending"
    assert all(not check.conclusive for check in result.checks if check.failed)
    assert "address-not-read" in [hint.code for hint in result.hints]


def accepted_licence(engines: Engines, person: Person, card: object) -> AddressAnalysis:
    """The analysis of a licence that proves ``person``'s address (it has no phone)."""
    result = run(engines, person, encode(card))  # type: ignore[arg-type]
    assert failures(result) == {"phone": "not-found"}
    assert result.decision == "accepted"
    assert result.matches["documentSubtype"] == "driver-license"
    return result


def test_a_us_licence_proves_the_address_its_barcode_holds(engines: Engines) -> None:
    """Issued years ago, but valid: the barcode's name and address are the customer's."""
    _, back = us_licence(Holder())
    city = "Sacramento"
    person = Person("Eileen", "Collins", line1="12 Harbour Street", city=city, postal_code="95822")
    accepted_licence(engines, person, back)
    elsewhere = Person("Eileen", "Collins", line1="7 Mill Lane", city=city)
    assert "line1" in failures(run(engines, elsewhere, encode(back)))


def test_an_eu_licence_proves_the_address_of_its_field_8(engines: Engines) -> None:
    address = "12 HARBOUR STREET, LONDON SE1 7PB"
    person = Person("Eileen", "Collins", line1="12 Harbour Street", postal_code="SE1 7PB")
    accepted_licence(engines, person, eu_licence(Holder(), address=address))
    expired = eu_licence(Holder(expiry_date=date(2026, 3, 1)), address=address)
    assert failures(run(engines, person, encode(expired)))["date"] == "expired"
