"""The real analyser (rapidocr, dlib) on identity documents the tests draw themselves."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image, ImageDraw, ImageOps

from openkyc.analysis import (
    DEFAULT_IDENTITY_SETTINGS,
    Engines,
    IdentityAnalysis,
    InputFile,
    Person,
    UnreadableFile,
    UnsupportedInput,
    analyze_identity,
    find_duplicate,
    with_duplicate,
)

from .conftest import TODAY
from .documents import (
    Holder,
    blurred,
    encode,
    font,
    id_card,
    pale_page_with_a_grey_portrait,
    passport,
    photographed,
    printed_date,
    selfie,
    td2,
    td3,
)

pytestmark = pytest.mark.slow


def run(engines: Engines, person: Person, *files: InputFile, **options: object) -> IdentityAnalysis:
    return analyze_identity(list(files), person, today=TODAY, engines=engines, **options)  # type: ignore[arg-type]


def front(image: Image.Image, fmt: str = "JPEG", **options: object) -> InputFile:
    return InputFile(encode(image, fmt, **options), "id-front")


def own_selfie(name: str = "collins") -> InputFile:
    return InputFile(encode(selfie(name)), "face-proof")


def failures(result: IdentityAnalysis) -> dict[str, str | None]:
    return {check.name: check.reason for check in result.checks if check.failed}


@pytest.fixture(scope="module")
def genuine(engines: Engines) -> IdentityAnalysis:
    customer = Person("Eileen", "Collins", dob=date(1986, 11, 19), country="GB")
    return run(engines, customer, front(passport(Holder())), own_selfie())


def test_a_genuine_passport_with_the_customers_selfie_is_accepted(
    genuine: IdentityAnalysis,
) -> None:
    assert genuine.decision == "accepted"
    assert genuine.score == 100
    assert failures(genuine) == {}
    assert genuine.rejection is None
    assert genuine.hints == ()


def test_the_matches_follow_the_contract(genuine: IdentityAnalysis) -> None:
    matches = genuine.matches
    assert matches["firstName"] == "Eileen" and matches["lastName"] == "Collins"
    assert matches["dateOfBirth"] == "1986-11-19T00:00:00+00:00"
    assert matches["expirationDate"] == "2031-03-01T00:00:00+00:00"
    assert matches["issueDate"] == "2021-03-02T00:00:00+00:00"
    assert matches["documentNumber"] == "X4821937"
    assert matches["nationality"] == "GB" and matches["issuanceCountry"] == "GB"
    assert matches["sex"] == "F" and matches["documentSubtype"] == "passport"
    assert matches["mrzChecksumValid"] is True and matches["hasMinimalAge"] is True
    assert matches["hasMatchingFaceProof"] is True and matches["containsImage"] is True
    assert matches["isTampered"] is False and matches["isPublishedOnline"] is False


def test_the_parsed_data_holds_the_mrz(genuine: IdentityAnalysis) -> None:
    mrz = genuine.parsed_data["mrz"]
    assert mrz["format"] == "TD3"
    assert mrz["lines"] == td3(Holder())
    assert genuine.parsed_data["faceDistance"] < 0.4


def test_fingerprints_identify_the_document_and_the_portrait(genuine: IdentityAnalysis) -> None:
    prints = genuine.fingerprints
    assert prints.document is not None and len(prints.document) == 64
    assert prints.portrait_hash is not None and len(prints.portrait_hash) == 16
    assert prints.portrait_embedding is not None and len(prints.portrait_embedding) == 128


def test_a_duplicate_the_service_finds_rejects_it(genuine: IdentityAnalysis) -> None:
    result = with_duplicate(genuine, DEFAULT_IDENTITY_SETTINGS, reason="duplicate-document")
    assert result.decision == "rejected"
    assert result.rejection is not None and result.rejection.type == "document-duplicate"
    assert failures(result) == {"isPublishedOnline": "duplicate-document"}


def test_someone_elses_selfie_is_rejected(engines: Engines, customer: Person) -> None:
    result = run(engines, customer, front(passport(Holder())), own_selfie("hopper"))
    assert failures(result) == {"hasMatchingFaceProof": "face-mismatch"}
    assert result.decision == "rejected"
    assert result.rejection is not None and result.rejection.type == "third-party-or-mismatch"
    assert result.parsed_data["faceDistance"] > 0.6


def _grey_portrait(
    page: Image.Image, box: tuple[int, int, int, int] = (60, 130, 400, 560)
) -> Image.Image:
    page.paste(page.crop(box).convert("L").convert("RGB"), box[:2])
    return page


def test_a_grey_portrait_is_compared_with_the_selfie_in_grey(
    engines: Engines, customer: Person
) -> None:
    colour_selfie = InputFile(encode(selfie("collins"), "PNG"), "face-proof")
    grey_selfie = InputFile(
        encode(selfie("collins").convert("L").convert("RGB"), "PNG"), "face-proof"
    )
    grey = front(_grey_portrait(passport(Holder())))
    with_colour = run(engines, customer, grey, colour_selfie)
    with_grey = run(engines, customer, grey, grey_selfie)
    assert with_colour.decision == "accepted"
    assert with_colour.parsed_data["faceDistance"] == pytest.approx(
        with_grey.parsed_data["faceDistance"], abs=0.005
    )
    # A colour portrait keeps the selfie's colour: a grey selfie lands further from it.
    colour = front(passport(Holder()))
    assert (
        run(engines, customer, colour, colour_selfie).parsed_data["faceDistance"]
        < run(engines, customer, colour, grey_selfie).parsed_data["faceDistance"] - 0.05
    )


@pytest.mark.parametrize("level", [1, 2, 3])
def test_someone_elses_selfie_never_matches_a_grey_portrait(
    engines: Engines, customer: Person, level: int
) -> None:
    grey = front(_grey_portrait(passport(Holder())))
    result = run(engines, customer, grey, own_selfie("hopper"), match_level=level)
    assert "hasMatchingFaceProof" in failures(result)
    assert result.decision != "accepted"


def test_a_passport_in_another_name_is_rejected(engines: Engines) -> None:
    other = Person("Grace", "Hopper", dob=date(1986, 11, 19))
    result = run(engines, other, front(passport(Holder())))
    assert failures(result) == {"firstName": "mismatch", "lastName": "mismatch"}
    assert result.rejection is not None and result.rejection.type == "name-mismatch"


def test_another_birth_date_is_rejected(engines: Engines, customer: Person) -> None:
    holder = Holder(birth_date=date(1988, 11, 19))
    result = run(engines, customer, front(passport(holder)))
    assert failures(result) == {"dateOfBirth": "mismatch"}
    assert result.rejection is not None and result.rejection.type == "dob-mismatch"


def test_an_expired_passport_is_rejected(engines: Engines, customer: Person) -> None:
    holder = Holder(issue_date=date(2015, 3, 2), expiry_date=date(2025, 3, 1))
    result = run(engines, customer, front(passport(holder)))
    assert failures(result) == {"expirationDate": "expired"}
    assert result.decision == "rejected"
    assert result.rejection is not None and result.rejection.type == "document-expired"
    assert [hint.code for hint in result.hints] == ["expired"]


def test_an_underage_customer_is_rejected_by_the_age_of_their_state(engines: Engines) -> None:
    holder = Holder(birth_date=date(2006, 1, 10))  # 20 on TODAY
    adult_here = Person("Eileen", "Collins", dob=holder.birth_date, country="GB")
    result = run(engines, adult_here, front(passport(holder)))
    assert result.decision == "accepted"
    from openkyc.analysis import IdentitySettings, LocationOverride, MinimumAgeSettings

    us_rules = IdentitySettings(
        DEFAULT_IDENTITY_SETTINGS.weights,
        minimum_age=MinimumAgeSettings(18, (LocationOverride("US", 21),)),
    )
    in_us = Person("Eileen", "Collins", dob=holder.birth_date, country="US", region="NY")
    result = run(engines, in_us, front(passport(holder)), settings=us_rules)
    assert failures(result) == {"hasMinimalAge": "under-21"}
    assert result.rejection is not None and result.rejection.type == "underage-person"
    assert result.matches["hasMinimalAge"] is False


def test_a_broken_mrz_check_digit_goes_to_review(engines: Engines, customer: Person) -> None:
    lines = td3(Holder())
    broken = [lines[0], lines[1][:27] + str((int(lines[1][27]) + 1) % 10) + lines[1][28:]]
    result = run(engines, customer, front(passport(Holder(), broken)))
    assert failures(result) == {
        "mrzChecksum": "check-digit:composite,expiry_date",
        "expirationDate": "uncertain",  # the printed expiry does not satisfy the check digit
    }
    assert result.decision == "pending"
    assert result.matches["mrzChecksumValid"] is False
    assert [hint.code for hint in result.hints] == ["retake"]


def test_a_printed_birth_date_the_mrz_contradicts_asks_for_a_retake(
    engines: Engines, customer: Person
) -> None:
    page = passport(Holder(birth_date=date(1996, 11, 19)), td3(Holder()))
    result = run(engines, Person("Eileen", "Collins", dob=date(1996, 11, 19)), front(page))
    assert failures(result) == {"dateOfBirth": "uncertain"}
    assert result.decision == "pending"
    assert result.parsed_data["uncertain"] == ["birth_date"]
    assert [hint.code for hint in result.hints] == ["retake"]


def test_a_picture_saved_by_an_image_editor_is_tampering(
    engines: Engines, customer: Person
) -> None:
    exif = Image.Exif()
    exif[0x0131] = "Adobe Photoshop 25.0 (Windows)"
    result = run(engines, customer, front(passport(Holder()), exif=exif.tobytes()))
    assert failures(result) == {"isTampered": "edited-with:photoshop"}
    assert result.rejection is not None and result.rejection.type == "tampered-document"
    assert result.matches["isDigitallyTampered"] is True


def test_a_selfie_saved_by_an_image_editor_does_not_make_the_document_tampered(
    engines: Engines, customer: Person
) -> None:
    exif = Image.Exif()
    exif[0x0131] = "Adobe Photoshop Lightroom Classic 13.1"
    retouched = InputFile(encode(selfie("collins"), exif=exif.tobytes()), "face-proof")
    result = run(engines, customer, front(passport(Holder())), retouched)
    assert result.decision == "accepted", failures(result)
    assert result.matches["isTampered"] is False
    assert result.matches["isDigitallyTampered"] is False
    assert result.parsed_data["tamperSignals"] == []
    assert result.parsed_data["selfies"] == [
        {"index": 1, "software": "Adobe Photoshop Lightroom Classic 13.1"}
    ]


def test_a_passport_photographed_at_an_angle_is_read(engines: Engines, customer: Person) -> None:
    result = run(engines, customer, front(photographed(passport(Holder()))), own_selfie())
    assert result.decision == "accepted", failures(result)
    assert result.parsed_data["pages"][0]["cornersFound"] is True


def test_a_passport_upside_down_is_turned_and_read(engines: Engines, customer: Person) -> None:
    result = run(engines, customer, front(passport(Holder()).rotate(180)))
    assert result.decision == "accepted", failures(result)
    assert result.parsed_data["pages"][0]["rotation"] == 180


@pytest.mark.parametrize("degrees", [88, 272])
def test_an_id_card_front_lying_sideways_is_turned_and_its_portrait_found(
    engines: Engines, customer: Person, degrees: int
) -> None:
    # The reader turns each tall line before reading it, so one way round a sideways
    # front reads about as well as upright: its portrait still lies sideways.
    card_front, card_back = id_card(Holder())
    result = run(
        engines,
        customer,
        front(card_front.rotate(degrees, expand=True, fillcolor=(60, 55, 50))),
        InputFile(encode(card_back), "id-back"),
        own_selfie(),
    )
    assert result.parsed_data["pages"][0]["rotation"] == round(degrees / 90) * 90
    assert result.matches["containsImage"] is True
    assert result.decision == "accepted", failures(result)


def test_a_blurred_photo_goes_to_review_with_a_hint(engines: Engines, customer: Person) -> None:
    result = run(engines, customer, front(blurred(passport(Holder()))))
    assert result.decision == "pending"
    assert result.rejection is None
    assert "blur" in [finding.kind for finding in result.quality]
    assert result.hints[0].code == "blur"
    assert all(not check.conclusive for check in result.checks if check.failed)


def test_a_heic_photo_is_read(engines: Engines, customer: Person) -> None:
    result = run(engines, customer, front(passport(Holder()), "HEIF"), own_selfie())
    assert result.decision == "accepted", failures(result)


def test_an_id_card_front_and_back_are_read_together(engines: Engines, customer: Person) -> None:
    card_front, card_back = id_card(Holder())
    result = run(
        engines, customer, front(card_front), InputFile(encode(card_back), "id-back"), own_selfie()
    )
    assert result.parsed_data["mrz"]["format"] == "TD1"
    assert result.matches["documentSubtype"] == "id-card"
    assert failures(result) == {"issueDate": "not-found"}  # this card prints none
    assert result.decision == "accepted"


def test_a_td2_card_is_read(engines: Engines, customer: Person) -> None:
    result = run(engines, customer, front(passport(Holder(), td2(Holder()), title="IDENTITY CARD")))
    assert result.parsed_data["mrz"]["format"] == "TD2"
    assert result.matches["documentSubtype"] == "id-card"
    assert result.decision == "accepted", failures(result)


def test_a_subtype_that_was_not_requested_goes_to_review(
    engines: Engines, customer: Person
) -> None:
    result = run(
        engines, customer, front(passport(Holder())), subtypes_allowed=["id-card", "driver-license"]
    )
    assert failures(result) == {"documentSubtype": "not-allowed"}
    assert result.decision == "pending"
    assert [hint.code for hint in result.hints] == ["subtype"]


def test_the_icao_specimen_is_rejected(engines: Engines) -> None:
    icao = Holder(
        surname="ERIKSSON",
        given_names="ANNA MARIA",
        number="L898902C3",
        issuer="UTO",
        nationality="UTO",
        birth_date=date(1974, 8, 12),
        expiry_date=date(2032, 4, 15),
    )
    person = Person("Anna", "Eriksson", dob=date(1974, 8, 12))
    result = run(engines, person, front(passport(icao)))
    assert failures(result) == {"isPublishedOnline": "published-specimen"}
    assert result.rejection is not None and result.rejection.type == "document-invalid"


def test_a_picture_registered_as_published_is_rejected(
    engines: Engines, customer: Person, genuine: IdentityAnalysis
) -> None:
    reference = genuine.fingerprints.page_hash
    assert reference is not None
    result = run(engines, customer, front(passport(Holder())), known_references=[reference])
    assert failures(result) == {"isPublishedOnline": "matches-reference"}


def test_a_photocopy_goes_to_review(engines: Engines, customer: Person) -> None:
    copy = ImageOps.grayscale(passport(Holder())).convert("RGB")
    result = run(engines, customer, front(copy))
    assert failures(result) == {"isPhotocopy": "no-colour"}
    assert result.decision == "pending"


def test_a_pale_page_with_a_grey_portrait_is_no_photocopy(
    engines: Engines, customer: Person
) -> None:
    """Taken as a strong JPEG, the print's colour faded, only the paper's pale tint is
    left: that is colour still. The same page copied in grey is a photocopy."""
    page = pale_page_with_a_grey_portrait()
    result = run(engines, customer, front(page, quality=25), own_selfie())
    assert "isPhotocopy" not in failures(result)
    assert result.matches["isPhotocopy"] is False
    copy = ImageOps.grayscale(page).convert("RGB")
    copied = run(engines, customer, front(copy, quality=25), own_selfie())
    assert failures(copied)["isPhotocopy"] == "no-colour"
    assert copied.decision != "accepted"


def test_a_missing_selfie_counts_only_when_required(engines: Engines, customer: Person) -> None:
    result = run(engines, customer, front(passport(Holder())), face_proof_required=True)
    assert failures(result) == {"hasMatchingFaceProof": "face-proof-missing"}
    assert result.decision == "pending"


def test_a_selfie_without_a_face_goes_to_review(engines: Engines, customer: Person) -> None:
    wall = InputFile(encode(Image.new("RGB", (600, 800), (120, 110, 100))), "face-proof")
    result = run(engines, customer, front(passport(Holder())), wall)
    assert failures(result) == {"hasMatchingFaceProof": "no-face-on-selfie"}
    assert result.decision == "pending"
    assert "selfie-no-face" in [hint.code for hint in result.hints]


def test_a_document_cut_off_by_the_frame_is_reported(engines: Engines, customer: Person) -> None:
    page = passport(Holder())
    cut = page.crop((120, 0, page.width, page.height))
    result = run(engines, customer, front(cut))
    assert "cut-off" in [finding.kind for finding in result.quality]
    assert result.decision != "accepted"


def test_a_visual_zone_without_mrz_is_still_read(engines: Engines, customer: Person) -> None:
    page = passport(Holder())
    ImageDraw.Draw(page).rectangle((0, 680, page.width, page.height), fill=(236, 232, 220))
    ImageDraw.Draw(page).text((60, 760), "DRIVING LICENCE", font=font(30), fill="black")
    result = run(engines, customer, front(page))
    assert result.parsed_data["mrz"] is None
    assert "mrzChecksum" not in {check.name for check in result.checks}
    assert result.matches["dateOfBirth"] == "1986-11-19T00:00:00+00:00"
    assert result.matches["lastName"] == "Collins"


def test_bytes_that_are_no_picture_raise_unreadable_file(
    engines: Engines, customer: Person
) -> None:
    with pytest.raises(UnreadableFile) as raised:
        run(engines, customer, front(passport(Holder())), InputFile(b"not a picture", None))
    assert raised.value.index == 1


def test_a_selfie_alone_is_not_a_document(engines: Engines, customer: Person) -> None:
    with pytest.raises(UnsupportedInput):
        run(engines, customer, own_selfie())
    with pytest.raises(UnsupportedInput):
        run(engines, customer, InputFile(io.BytesIO(b"x").getvalue(), "passport"))


def test_printed_dates_are_what_the_page_shows() -> None:
    assert printed_date(date(1986, 11, 19)) == "19 NOV 1986"


def test_duplicates_are_found_by_document_or_by_portrait(
    engines: Engines, customer: Person, genuine: IdentityAnalysis
) -> None:
    mine = genuine.fingerprints
    same_document = run(engines, customer, front(photographed(passport(Holder()))))
    renewed = run(engines, customer, front(passport(Holder(number="Y7730025"))))
    someone_else = run(
        engines,
        Person("Grace", "Hopper"),
        front(
            passport(
                Holder(surname="HOPPER", given_names="GRACE", number="Z1002003", portrait="hopper")
            )
        ),
    )
    assert find_duplicate(mine, [same_document.fingerprints]) == "duplicate-document"
    assert find_duplicate(mine, [renewed.fingerprints]) == "duplicate-portrait"
    assert find_duplicate(mine, [someone_else.fingerprints]) is None


def test_a_12_megapixel_phone_photo_is_read(engines: Engines, customer: Person) -> None:
    photo = photographed(passport(Holder()))
    phone = photo.resize((4000, round(4000 * photo.height / photo.width)))
    result = run(engines, customer, front(phone), own_selfie())
    assert result.decision == "accepted", failures(result)
