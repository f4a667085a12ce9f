"""Cross-checks between the MRZ and the visual zone: pure rules, plain values."""

from __future__ import annotations

from datetime import date

import pytest

from openkyc.analysis.crosscheck import (
    number_alternatives,
    plausible_mrz,
    reconcile,
    resolve_name,
    resolve_number,
    skeleton,
    well_formed,
    with_unverified,
)
from openkyc.analysis.identity import near_miss
from openkyc.analysis.mrz import MrzResult, parse_mrz
from openkyc.analysis.zones import VisualZone

from .conftest import TODAY
from .documents import Holder, made_up_check_digits, td1, td3


def mrz_of(lines: list[str]) -> MrzResult:
    parsed = parse_mrz(lines, today=TODAY)
    assert parsed is not None
    return parsed


def test_two_confusable_slips_can_keep_every_check_digit() -> None:
    misread = mrz_of(td3(Holder(number="800002028")))
    assert misread.valid
    assert "BD0002028" in number_alternatives(misread)
    assert skeleton("BD0002028") == skeleton("800002028")


def test_the_visual_zone_settles_a_confusable_number() -> None:
    misread = mrz_of(td3(Holder(number="800002028")))
    assert resolve_number(misread, "Passport No\nBD 0002028") == ("BD0002028", True)


def test_a_confusable_number_nothing_settles_is_uncertain() -> None:
    misread = mrz_of(td3(Holder(number="800002028")))
    assert resolve_number(misread, "PASSPORT") == ("800002028", False)


def test_a_printed_number_cut_short_settles_it_when_no_rival_shares_what_it_shows() -> None:
    """Glare took the end of the printed number: the start it shows is the MRZ's and no
    other number the check digits allow (``NXZ32322I``) starts so."""
    read = mrz_of(td3(Holder(number="NX2323221")))
    assert resolve_number(read, "PASSPORT") == ("NX2323221", False)
    assert resolve_number(read, "Passport No.\nNX23232") == ("NX2323221", True)
    assert resolve_number(read, "Passport No.\n23221") == ("NX2323221", True)
    # A part every rival shares, or that is not the MRZ's, settles nothing.
    rival = mrz_of(td3(Holder(number="800002028")))
    assert resolve_number(rival, "Passport No\n02028") == ("800002028", False)
    assert resolve_number(read, "Passport No.\nNX23235") == ("NX2323221", False)


def test_a_plain_number_with_a_true_check_digit_is_certain() -> None:
    assert resolve_number(mrz_of(td3(Holder())), "") == ("X4821937", True)
    assert resolve_number(mrz_of(td1(Holder())), "Document No X4821937") == ("X4821937", True)


def test_a_number_with_three_slips_is_repaired_only_by_a_printed_one() -> None:
    lines = td3(Holder(number="BD0002028"))
    misread = mrz_of([lines[0], "8D0002O28" + lines[1][9:]])
    # One more swap makes every check digit hold, with a number that was never printed.
    assert misread.valid and misread.fields["document_number"] == "8D000ZO28"
    assert resolve_number(misread, "BD0002028") == ("BD0002028", True)
    assert resolve_number(misread, "") == ("8D000ZO28", False)


@pytest.mark.parametrize(
    ("machine", "printed", "expected"),
    [
        ("G ENTER", "GÜNTER", ("GÜNTER", True)),
        ("KOWA SKA", "Kowalska", ("KOWALSKA", True)),
        ("COLLINS", "Collins", ("COLLINS", True)),
        ("EILEEN MAR", "EILEEN MARIE", ("EILEEN MAR", True)),  # cut at the line's end
        ("CASTELLANOS", "CASTELL", ("CASTELLANOS", True)),  # the printed line's end lost
        ("CASTELLANOS", "TELLANOS", ("CASTELLANOS", True)),  # ... or its start
        ("CASTELLANOS", "CAST", ("CASTELLANOS", False)),  # too little of it to confirm
        ("CASTELLANOS", "CASTELO", ("CASTELLANOS", False)),
        ("KOWAISKA", "KOWALSKA", ("KOWAISKA", False)),
        ("COLLINS", None, ("COLLINS", True)),
        (None, "COLLINS", ("COLLINS", True)),
    ],
)
def test_names_are_repaired_from_the_visual_zone(
    machine: str | None, printed: str | None, expected: tuple[str, bool]
) -> None:
    assert resolve_name(machine, printed, printed or "") == expected


def test_a_name_the_label_paired_wrongly_is_confirmed_elsewhere_in_the_visual_zone() -> None:
    assert resolve_name("MAUS", "KETTY", "Surname\nMaus\nKETTY") == ("MAUS", True)


def test_filler_read_as_letters_leaves_the_names_uncertain() -> None:
    lines = td3(Holder())
    misread = mrz_of([lines[0].replace("COLLINS<<", "COLLINSCC"), lines[1]])
    assert misread.given_names == ""
    assert reconcile(misread, VisualZone()).uncertain == {"surname"}
    printed = VisualZone(surname="COLLINS", given_names="EILEEN MARIE", text="COLLINS")
    fields = reconcile(misread, printed)
    assert fields.uncertain == {"surname"}
    assert fields.given_names == "EILEEN MARIE"


def test_a_birth_date_the_two_zones_disagree_on_is_uncertain() -> None:
    mrz = mrz_of(td3(Holder()))
    printed = VisualZone(birth_date=date(1996, 11, 19), dates=(date(1996, 11, 19),))
    fields = reconcile(mrz, printed)
    assert fields.birth_date == date(1986, 11, 19)
    assert fields.uncertain == {"birth_date"}
    agreeing = VisualZone(birth_date=date(1986, 11, 19), dates=(date(1986, 11, 19),))
    assert reconcile(mrz, agreeing).uncertain == frozenset()


def test_a_printed_date_that_lost_its_first_digit_confirms_a_verified_one() -> None:
    mrz = mrz_of(td3(Holder(birth_date=date(1990, 5, 18))))
    cut = VisualZone(birth_date=date(1990, 5, 8), dates=(date(1990, 5, 8),))
    assert reconcile(mrz, cut).uncertain == frozenset()
    other = VisualZone(birth_date=date(1990, 5, 28), dates=(date(1990, 5, 28),))
    assert reconcile(mrz, other).uncertain == {"birth_date"}


def test_a_printed_date_that_satisfies_a_failed_check_digit_is_taken() -> None:
    lines = td3(Holder())
    misread = mrz_of([lines[0], lines[1][:13] + "861I94" + lines[1][19:]])
    assert misread.checks["check_birth_date"] is False or misread.birth_date != date(1986, 11, 19)
    printed = VisualZone(birth_date=date(1986, 11, 19), dates=(date(1986, 11, 19),))
    assert reconcile(misread, printed).birth_date == date(1986, 11, 19)
    assert "birth_date" not in reconcile(misread, printed).uncertain


def test_lines_whose_check_digits_mostly_fail_are_no_mrz() -> None:
    labels = [
        "P<GBRFODELSEOR<<GEBURTSTAG<<<<<<<<<<<<<<<<<<<",
        "GEBUATSTI7GBR8611190F3103010<<<<<<<<<<<<<<<2",
    ]
    assert not plausible_mrz(mrz_of(labels))
    assert plausible_mrz(mrz_of(td3(Holder())))


@pytest.mark.parametrize(
    ("expected", "read", "near"),
    [
        ("Guenter", "G ENTER", True),
        ("Kowalska", "KOWA SKA", True),
        ("Collins", "COLUNS", True),
        ("Collins", "SMITH", False),
        ("Li", "LU", False),
    ],
)
def test_a_near_miss_is_a_misreading_not_a_mismatch(expected: str, read: str, near: bool) -> None:
    assert near_miss(expected, read) is near


def test_a_letter_and_a_digit_slip_that_cancel_are_settled_by_the_nearest_printed_number() -> None:
    misread = mrz_of(td3(Holder(number="4204O611")))  # A2040611 as OCR read it
    assert misread.valid
    assert "A2040611" in number_alternatives(misread)
    assert resolve_number(misread, "Passport No\nA2040611") == ("A2040611", True)
    # The printed number itself misread once: the best reading, not a certain one.
    assert resolve_number(misread, "Passport No\nA2040O11") == ("A2040611", False)
    # Nothing printed: the one number so shaped (letters, then digits) the check digits
    # allow, where the MRZ's has a letter between digits; still not a certain one.
    assert resolve_number(misread, "PASSPORT") == ("A2040611", False)
    other = mrz_of(td3(Holder(number="XXQ00O00")))
    assert resolve_number(other, "PASSPORT") == ("XX000000", False)
    # A number shaped as numbers are is reported as read when nothing settles it.
    assert resolve_number(mrz_of(td3(Holder(number="800002028"))), "") == ("800002028", False)


def test_lines_laid_out_as_an_mrz_with_made_up_check_digits_are_well_formed() -> None:
    made_up = mrz_of(made_up_check_digits(td1(Holder()), (0, 14), (1, 6), (1, 29)))
    assert not plausible_mrz(made_up)
    assert well_formed(made_up)
    labels = [
        "P<GBRFODELSEOR<<GEBURTSTAG<<<<<<<<<<<<<<<<<<<",
        "GEBUATSTI7GBR8611190F3103010<<<<<<<<<<<<<<<2",
    ]
    assert not well_formed(mrz_of(labels))


def test_an_unverified_mrz_fills_only_what_the_visual_zone_lacks_and_as_uncertain() -> None:
    made_up = mrz_of(made_up_check_digits(td1(Holder()), (0, 14), (1, 6), (1, 29)))
    fields = with_unverified(reconcile(None, VisualZone()), made_up)
    assert (fields.document_number, fields.birth_date) == ("X4821937", date(1986, 11, 19))
    assert fields.uncertain == {"document_number", "birth_date"}
    assert fields.surname is None
    printed = VisualZone(document_number="X4821937", birth_date=date(1986, 11, 19))
    assert with_unverified(reconcile(None, printed), made_up).uncertain == frozenset()
