"""Name, birth date and place comparison on plain values."""

from __future__ import annotations

from datetime import date

import pytest

from openkyc.aml.enums import BirthMatch, PlaceMatch
from openkyc.aml.matching import (
    ListName,
    Place,
    best_name,
    compare_birth,
    compare_place,
    index_keys,
    name_tokens,
)


def quality(first: str, last: str, *names: str) -> tuple[str, tuple[str, ...]] | None:
    listed = [ListName(name_tokens(n), alias=i > 0) for i, n in enumerate(names)]
    found = best_name(name_tokens(first), name_tokens(last), listed)
    return (str(found.quality), found.criteria) if found else None


def test_names_are_ascii_tokens_without_titles() -> None:
    assert name_tokens("Dr. José Müller-Lüdenscheidt") == ("jose", "muller", "ludenscheidt")
    assert name_tokens("Владимир Путин") == ("vladimir", "putin")
    assert name_tokens("习近平") == ("xi", "jin", "ping")
    assert name_tokens("Ἀλέξανδρος") == ("alexandros",)


@pytest.mark.parametrize(
    ("first", "last", "listed", "expected"),
    [
        (
            "John",
            "Smith",
            "John Smith",
            ("exactMatch", ("match_exact_name", "match_exact_full_name")),
        ),
        ("Smith", "John", "John Smith", ("exactMatch", ("match_exact_name",))),
        # Written in another script: transliterated, then the same tokens.
        (
            "Ivan",
            "Petrov",
            "Иван Петров",
            ("exactMatch", ("match_exact_name", "match_exact_full_name")),
        ),
        # Chinese names in Latin letters, written together or apart.
        ("Xi", "Jinping", "习近平", ("exactMatch", ("match_exact_name",))),
        ("Jon", "Smyth", "John Smith", ("inexactMatch", ("match_phonetic_first_name",))),
        ("J", "Smith", "John Smith", ("inexactMatch", ())),
        # A patronymic the customer leaves out.
        ("Vladimir", "Putin", "Владимир Владимирович Путин", ("inexactMatch", ())),
        # Two typos: a swap in one token, a wrong letter in the other.
        ("Jonathan", "Smithres", "Jonathon Smithers", ("inexactMatch", ())),
        ("Vladimir", "Poutine", "Vladimir Putin", ("inexactMatch", ("match_phonetic_last_name",))),
        # Arabic script loses its vowels; the consonants still match.
        (
            "Mohamed",
            "Bin Salman",
            "محمد بن سلمان",
            ("inexactMatch", ("match_phonetic_first_name", "match_phonetic_last_name")),
        ),
        ("Anna", "Petrova", "Anna Ivanova", None),
        ("Jane", "Smith", "John Smith", ("weakMatch", ())),
        ("Pedro", "Alvarez", "John Smith", None),
    ],
)
def test_name_quality(first: str, last: str, listed: str, expected: object) -> None:
    assert quality(first, last, listed) == expected


def test_an_alias_match_says_so_and_the_main_name_wins_a_tie() -> None:
    assert quality("Vanya", "Petroff", "Ivan Petrov", "Vanya Petroff") == (
        "exactMatch",
        ("match_aka_exact_name", "match_aka_exact_full_name"),
    )
    assert quality("Ivan", "Petrov", "Ivan Petrov", "Ivan Petrov") == (
        "exactMatch",
        ("match_exact_name", "match_exact_full_name"),
    )


def test_three_typos_are_too_many_for_an_inexact_match() -> None:
    assert quality("Jonsthen", "Smithres", "Jonathon Smithers") == ("weakMatch", ())


def test_index_keys_are_shared_by_spellings_that_sound_alike() -> None:
    assert index_keys(name_tokens("Mohammed Salman")) & index_keys(name_tokens("Muhammad Salman"))
    assert index_keys(name_tokens("Smith")) == index_keys(name_tokens("Smyth"))
    assert not index_keys(name_tokens("Pedro")) & index_keys(name_tokens("Smith"))


@pytest.mark.parametrize(
    ("dob", "listed", "expected"),
    [
        (date(1970, 3, 15), ["1970-03-15"], BirthMatch.DOB),
        (date(1970, 3, 15), ["1970"], BirthMatch.YOB),
        (date(1970, 3, 15), ["1970-07-01"], BirthMatch.YOB),
        (date(1970, 3, 15), ["1971-03-15"], BirthMatch.INEXACT_YOB),
        (date(1970, 3, 15), ["1969"], BirthMatch.INEXACT_YOB),
        (date(1970, 3, 15), ["1975-03-15"], BirthMatch.MISMATCH),
        (None, ["1970-03-15"], BirthMatch.NO_DOB),
        (date(1970, 3, 15), [], BirthMatch.NO_DOB),
    ],
)
def test_birth_dates(dob: date | None, listed: list[str], expected: BirthMatch) -> None:
    assert compare_birth(dob, listed) == expected


def test_places() -> None:
    customer = Place(countries=frozenset({"RU"}), cities=frozenset({"moscow"}))
    listed = Place(countries=frozenset({"RU"}), cities=frozenset({"moscow"}))
    assert compare_place(customer, listed).address == PlaceMatch.ADDRESS_MATCH
    assert compare_place(customer, listed).country == PlaceMatch.MATCHING_COUNTRY
    assert compare_place(customer, listed).criteria == ("match_exact_city", "match_exact_country")
    elsewhere = Place(countries=frozenset({"FR"}), texts=("10 rue de rivoli paris",))
    result = compare_place(customer, elsewhere)
    assert (result.address, result.country) == (
        PlaceMatch.ADDRESS_MISMATCH,
        PlaceMatch.MISMATCHING_COUNTRY,
    )
    assert compare_place(Place(), listed).address == PlaceMatch.NO_ADDRESS
    assert compare_place(Place(), listed).country == PlaceMatch.NO_COUNTRY
    national = Place(nationalities=frozenset({"RU"}))
    assert compare_place(customer, national).criteria == ("match_fuzzy_nationality",)
    in_text = Place(texts=("tverskaya 1 moscow",))
    assert compare_place(customer, in_text).criteria == ("match_exact_city",)
