"""Name and address matching at each match level (2 strict, 1 moderate, 3 basic)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openkyc.analysis import name_matches
from openkyc.analysis.names import address_line_matches, normalize, postal_code_matches


@pytest.mark.parametrize(
    ("customer", "document"),
    [
        ("José", "JOSE"),  # accents
        ("Müller", "MUELLER"),  # ICAO writes Ü as UE
        ("Müller", "MULLER"),  # ... or as U
        ("Jean-Pierre", "JEAN PIERRE"),  # hyphens
        ("Jean-Pierre", "JEANPIERRE"),
        ("Anna", "ANNA MARIA"),  # the document has a middle name the customer left out
        ("Maria Anna", "ANNA MARIA"),  # order
        ("O'Brien", "O BRIEN"),
        ("Strauß", "STRAUSS"),
        ("Søren", "SOEREN"),
    ],
)
def test_strict_match_forgives_spelling_conventions(customer: str, document: str) -> None:
    assert name_matches(customer, document, 2)


@pytest.mark.parametrize(
    ("customer", "document"),
    [
        ("Eileen", "EILEN"),
        ("Jon", "JOHN"),
        ("Anna", "HANNAH"),
        ("Collins", "COLLINGS"),
    ],
)
def test_strict_match_refuses_a_different_spelling(customer: str, document: str) -> None:
    assert not name_matches(customer, document, 2)


def test_moderate_match_accepts_a_one_letter_slip_but_not_another_name() -> None:
    assert name_matches("Eileen", "EILEN", 1)
    assert name_matches("Collins", "COLLINGS", 1)
    assert not name_matches("Eileen", "GRACE", 1)


def test_basic_match_needs_only_one_word() -> None:
    assert name_matches("Maria Garcia Lopez", "GARCIA", 3)
    assert not name_matches("Maria Garcia Lopez", "GARCIA", 2)
    assert not name_matches("Eileen", "GRACE", 3)


def test_nothing_matches_a_name_that_was_not_read() -> None:
    assert not name_matches("Eileen", None)
    assert not name_matches("Eileen", "")


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèüöñ- ", min_size=1, max_size=20))
def test_a_name_always_matches_itself_in_capitals(name: str) -> None:
    if normalize(name):
        assert name_matches(name, name.upper(), 2)


def test_address_line_needs_the_house_number_at_every_level() -> None:
    lines = ["Ms Eileen Collins", "12 Harbour Street", "London SE1 7PB"]
    assert address_line_matches("12 Harbour St", lines, 2)
    assert address_line_matches("12 Harbour Street", lines, 2)
    assert not address_line_matches("14 Harbour Street", lines, 3)
    assert not address_line_matches("12 Seaside Avenue", lines, 2)


def test_postal_codes_ignore_spaces_and_basic_accepts_the_outward_code() -> None:
    assert postal_code_matches("SE1 7PB", "London SE17PB", 2)
    assert postal_code_matches("75001", "75001 Paris", 2)
    assert not postal_code_matches("75002", "75001 Paris", 2)
    assert postal_code_matches("SE1 7PB", "London SE1 9ZZ", 3)
    assert not postal_code_matches("SE1 7PB", "London SE1 9ZZ", 2)
