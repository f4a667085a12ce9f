"""MRZ check digits, layouts, repair and parsing on plain strings."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openkyc.analysis import mrz_check_digit, parse_mrz

from .documents import Holder, french_id, mrv, td1, td2, td3

TODAY = date(2026, 6, 1)
# ICAO Doc 9303 part 4's own example passport.
ICAO_TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]


@pytest.mark.parametrize(
    ("value", "digit"),
    [
        ("L898902C3", "6"),
        ("740812", "2"),
        ("120415", "9"),
        ("ZE184226B<<<<<", "1"),
        ("D23145890", "7"),
        ("<<<<<<", "0"),
        ("AB2134<<<", "5"),
    ],
)
def test_check_digits_of_icao_examples(value: str, digit: str) -> None:
    assert mrz_check_digit(value) == digit


def test_parses_the_icao_passport() -> None:
    result = parse_mrz(ICAO_TD3, today=TODAY)
    assert result is not None
    assert result.format == "TD3"
    assert result.valid
    assert (result.surname, result.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert result.fields["document_number"] == "L898902C3"
    assert result.fields["nationality"] == "UTO"
    assert result.birth_date == date(1974, 8, 12)
    assert result.expiry_date == date(2012, 4, 15)
    assert result.fields["optional_data"] == "ZE184226B"


def test_a_wrong_birth_date_check_digit_is_reported() -> None:
    broken = [ICAO_TD3[0], ICAO_TD3[1][:19] + "3" + ICAO_TD3[1][20:]]
    result = parse_mrz(broken, today=TODAY)
    assert result is not None
    assert not result.valid
    assert result.checks["check_birth_date"] is False
    assert result.checks["check_composite"] is False
    assert result.checks["check_document_number"] is True


def test_repairs_letters_read_in_digit_positions_and_misread_fillers() -> None:
    ocr = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<KK<<<<<<<<<<<",
        "L898902C36UT07408I22F12O4159ZE184226B<<<<<1O",
    ]
    result = parse_mrz(ocr, today=TODAY)
    assert result is not None
    assert result.lines == tuple(ICAO_TD3)
    assert result.valid


def test_runs_of_fillers_read_as_letters_to_a_lines_end_are_fillers() -> None:
    """A moire turns the fillers after the names and in empty optional data into letters:
    in the names three of one letter to the end is no name; in optional data, which may
    hold any letters, only the check digits that then hold tell."""
    ocr = [
        "IDNLDRX58073029<KKKKKKKKSASAKS",
        "6706164M3007181NLD<<<<<<<<<<<2",
        "HALVORSEN<<RAFAELSSSSSSSSSSSSS",
    ]
    result = parse_mrz(ocr, today=TODAY)
    assert result is not None and result.valid
    assert (result.surname, result.given_names) == ("HALVORSEN", "RAFAEL")
    assert result.lines[0] == "IDNLDRX58073029" + "<" * 15
    # Optional data that its check digit protects is kept, letters and all.
    first, second = "IDNLDRX58073029AAA7<<<<<<<<<<<", "6706164M3007181NLD<<<<<<<<<<<"
    composite = mrz_check_digit(first[5:] + second[:7] + second[8:15] + second[18:29])
    kept = parse_mrz([first, second + composite, ocr[2]], today=TODAY)
    assert kept is not None and kept.valid and kept.lines[0] == first


def test_a_filler_too_many_or_too_few_is_absorbed() -> None:
    longer = parse_mrz([ICAO_TD3[0] + "<", ICAO_TD3[1]], today=TODAY)
    shorter = parse_mrz([ICAO_TD3[0][:-3], ICAO_TD3[1]], today=TODAY)
    assert longer is not None and longer.valid and longer.lines[0] == ICAO_TD3[0]
    assert shorter is not None and shorter.valid and shorter.lines[0] == ICAO_TD3[0]


def test_document_number_o_and_zero_are_told_apart_by_the_check_digit() -> None:
    holder = Holder(number="K682T8YLO")
    lines = td3(holder)
    misread = [lines[0], lines[1].replace("K682T8YLO", "K682T8YL0")]
    result = parse_mrz(misread, today=TODAY)
    assert result is not None and result.valid
    assert result.fields["document_number"] == "K682T8YLO"


def test_td1_long_document_number_continues_in_optional_data() -> None:
    lines = [
        "I<UTOD23145890<7349<<<<<<<<<<<",
        "3407127M9507122UTO<<<<<<<<<<<2",
        "STEVENSON<<PETER<JOHN<<<<<<<<<",
    ]
    result = parse_mrz(lines, today=TODAY)
    assert result is not None
    assert result.fields["document_number"] == "D23145890734"
    assert result.checks["check_document_number"] is True
    assert result.valid


@pytest.mark.parametrize(
    ("make", "fmt"),
    [
        (td3, "TD3"),
        (td1, "TD1"),
        (td2, "TD2"),
        (lambda h: mrv(h, 44), "MRVA"),
        (lambda h: mrv(h, 36), "MRVB"),
    ],
)
def test_every_icao_layout_round_trips(make: object, fmt: str) -> None:
    holder = Holder()
    result = parse_mrz(make(holder), today=TODAY)  # type: ignore[operator]
    assert result is not None
    assert result.format == fmt
    assert result.valid
    assert result.surname == "COLLINS"
    assert result.given_names == "EILEEN MARIE"
    assert result.birth_date == holder.birth_date
    assert result.expiry_date == holder.expiry_date
    assert result.fields["document_number"] == holder.number


names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=10)
numbers = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=6, max_size=9)
births = st.dates(min_value=date(1930, 1, 1), max_value=date(2025, 12, 31))
expiries = st.dates(min_value=date(2000, 1, 1), max_value=date(2070, 12, 31))


@given(
    surname=names,
    given_name=names,
    number=numbers,
    birth=births,
    expiry=expiries,
    layout=st.sampled_from([td1, td2, td3]),
)
def test_any_well_formed_mrz_parses_back_to_its_fields(
    surname: str, given_name: str, number: str, birth: date, expiry: date, layout: object
) -> None:
    holder = Holder(
        surname=surname, given_names=given_name, number=number, birth_date=birth, expiry_date=expiry
    )
    result = parse_mrz(layout(holder), today=TODAY)  # type: ignore[operator]
    assert result is not None and result.valid
    assert result.fields["document_number"] == number
    assert result.birth_date == birth
    assert result.expiry_date == expiry
    assert (result.surname, result.given_names) == (surname, given_name)


@given(birth=births, position=st.integers(0, 5), delta=st.integers(1, 9))
def test_changing_any_birth_date_digit_breaks_a_check_digit(
    birth: date, position: int, delta: int
) -> None:
    lines = td3(Holder(birth_date=birth))
    digit = int(lines[1][13 + position])
    forged = lines[1][: 13 + position] + str((digit + delta) % 10) + lines[1][14 + position :]
    result = parse_mrz([lines[0], forged], today=TODAY)
    assert result is not None
    assert not result.valid


def test_lines_of_no_icao_layout_are_not_an_mrz() -> None:
    assert parse_mrz(["HELLO<<WORLD"], today=TODAY) is None


@pytest.mark.parametrize(
    ("state", "misread"),
    [
        ("LUX", "LU<"),
        ("LUX", "LUK"),
        ("LUX", "1UX"),
        ("GBR", "688"),
    ],
)
def test_a_misread_nationality_next_to_its_issuer_is_the_issuers(state: str, misread: str) -> None:
    lines = td3(Holder(issuer=state, nationality=state))
    broken = [lines[0], lines[1][:10] + misread + lines[1][13:]]
    result = parse_mrz(broken, today=TODAY)
    assert result is not None and result.valid
    assert result.fields["nationality"] == state


def test_two_letters_off_is_not_repaired() -> None:
    lines = td3(Holder(issuer="LUX", nationality="LUX"))
    result = parse_mrz([lines[0], lines[1][:10] + "IUK" + lines[1][13:]], today=TODAY)
    assert result is not None and result.fields["nationality"] == "IUK"


def test_a_real_foreign_nationality_is_kept() -> None:
    lines = td3(Holder(issuer="GBR", nationality="IRL"))
    result = parse_mrz(lines, today=TODAY)
    assert result is not None and result.fields["nationality"] == "IRL"


def test_codes_printed_in_digits_and_a_digit_in_the_document_code_stay() -> None:
    card = td1(Holder(nationality="132"))
    card[0] = "C1" + card[0][2:]
    result = parse_mrz(card, today=TODAY)
    assert result is not None
    assert result.fields["nationality"] == "132"
    assert result.fields["document_code"] == "C1"


def test_the_french_identity_card_of_1988_has_a_layout_of_its_own() -> None:
    result = parse_mrz(french_id(Holder()), today=TODAY)
    assert result is not None and result.format == "FRA-ID" and result.valid
    assert result.fields["document_number"] == "880692310285"
    assert (result.surname, result.given_names) == ("COLLINS", "EILEEN MARIE")
    assert result.birth_date == date(1986, 11, 19) and result.expiry_date is None
    assert result.fields["nationality"] == "FRA"
    misread = french_id(Holder())
    misread[1] = misread[1][:30] + "2" + misread[1][31:]  # one birth date digit
    broken = parse_mrz(misread, today=TODAY)
    assert broken is not None
    assert not broken.checks["check_birth_date"] and not broken.checks["check_composite"]


def test_a_td2_document_of_france_is_no_french_identity_card() -> None:
    holder = Holder(issuer="FRA", nationality="FRA")
    result = parse_mrz(td2(holder), today=TODAY)
    assert result is not None and result.format == "TD2" and result.valid
