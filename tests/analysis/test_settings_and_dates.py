"""Minimum ages by place, ages on a day, and dates as documents print them."""

from __future__ import annotations

from datetime import date

import pytest

from openkyc.analysis import LocationOverride, MinimumAgeSettings, age_on, minimum_age_for
from openkyc.analysis.address import document_date, find_phone, guess_address_subtype
from openkyc.analysis.dates import find_dates

AGES = MinimumAgeSettings(
    18,
    (
        LocationOverride("US", 21),
        LocationOverride("US", 19, "AL"),
        LocationOverride("CA", 19, "BC"),
    ),
)


@pytest.mark.parametrize(
    ("country", "region", "age"),
    [
        ("US", "AL", 19),
        ("US", "al", 19),
        ("US", "NY", 21),
        ("US", None, 21),
        ("CA", "BC", 19),
        ("CA", "ON", 18),
        ("GB", None, 18),
        (None, None, 18),
    ],
)
def test_state_beats_country_beats_default(
    country: str | None, region: str | None, age: int
) -> None:
    assert minimum_age_for(AGES, country, region) == age


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (date(2008, 6, 1), date(2026, 6, 1), 18),
        (date(2008, 6, 2), date(2026, 6, 1), 17),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
    ],
)
def test_age_counts_whole_years(birth: date, today: date, age: int) -> None:
    assert age_on(birth, today) == age


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Date of birth 19 NOV 1986", date(1986, 11, 19)),
        ("19 NOV/NOV 1986", date(1986, 11, 19)),
        ("Statement date: 2026-03-01", date(2026, 3, 1)),
        ("Issued 01.03.2026", date(2026, 3, 1)),
        ("le 1 mars 2026", date(2026, 3, 1)),
        ("March 1, 2026", date(2026, 3, 1)),
        ("13/02/2026", date(2026, 2, 13)),
        ("7. Mai 2014", date(2014, 5, 7)),
        ("Invoice Date: August 3 , 2014", date(2014, 8, 3)),
    ],
)
def test_finds_dates_in_printed_forms(text: str, expected: date) -> None:
    assert [found.value for found in find_dates(text)] == [expected]


def test_numeric_dates_read_month_first_for_us_documents() -> None:
    assert find_dates("03/01/2026", month_first=True)[0].value == date(2026, 3, 1)
    assert find_dates("03/01/2026")[0].value == date(2026, 1, 3)


def test_document_date_prefers_a_labelled_date_and_ignores_due_dates() -> None:
    lines = ["Statement date: 2026-03-01", "Previous bill 2026-02-01", "Payment due 2026-07-15"]
    assert document_date(lines, date(2026, 6, 1)) == date(2026, 3, 1)
    assert document_date(["Paid 2026-02-01", "Due 2026-07-15"], date(2026, 6, 1)) == date(
        2026, 2, 1
    )
    assert document_date(["no date here"], date(2026, 6, 1)) is None


def test_issuer_phone_prefers_a_labelled_number_and_skips_dates() -> None:
    lines = ["Account 2026-03-01", "Customer service: +44 20 7946 0123"]
    assert find_phone(lines) == "+44 20 7946 0123"
    assert find_phone(["Tel. 06051 916 44 10"]) == "06051 916 44 10"
    assert find_phone(["Date 01.03.2026", "Amount 84.20"]) is None


@pytest.mark.parametrize(
    "line",
    [
        "Total 0.00 0.00 0.00",
        "Invoice INV/2023/03/0008",
        "Seattle, WA 98109-5210, US",
        "Account 7781 2290 11",
    ],
)
def test_amounts_codes_and_unlabelled_numbers_are_no_phone(line: str) -> None:
    assert find_phone([line]) is None


@pytest.mark.parametrize(
    ("text", "subtype"),
    [
        ("NORTHWIND ENERGY LTD electricity bill", "utility-bill"),
        ("Account statement IBAN GB00 0000", "bank-statement"),
        ("Rechnung ... IBAN DE30 5075", "utility-bill"),
        ("Tenancy agreement between the landlord", "lease-agreement"),
        ("Hello world", None),
    ],
)
def test_address_subtype_from_wording(text: str, subtype: str | None) -> None:
    assert guess_address_subtype(text) == subtype


def test_address_fields_the_customer_lacks_are_not_checked() -> None:
    from openkyc.analysis import DEFAULT_ADDRESS_SETTINGS, Person
    from openkyc.analysis.address import AddressFacts, address_checks

    facts = AddressFacts(
        lines=("Ms Eileen Collins", "12 Harbour Street", "Kowloon"),
        document_date=date(2026, 5, 1),
        phone="+852 2345 6789",
        subtype="utility-bill",
    )
    hong_kong = Person("Eileen", "Collins", line1="12 Harbour Street", city="Kowloon")
    checks = address_checks(facts, hong_kong, DEFAULT_ADDRESS_SETTINGS, today=date(2026, 6, 1))
    assert {check.name for check in checks} == {
        "firstName",
        "lastName",
        "line1",
        "city",
        "date",
        "phone",
        "documentSubtype",
        "isTampered",
    }
    assert not any(check.failed for check in checks)
    nowhere = address_checks(
        facts, Person("Eileen", "Collins"), DEFAULT_ADDRESS_SETTINGS, today=date(2026, 6, 1)
    )
    line1 = next(check for check in nowhere if check.name == "line1")
    assert (line1.failed, line1.reason, line1.conclusive) == (
        True,
        "customer-address-missing",
        False,
    )


def test_contract_settings_round_trip_and_keep_defaults_for_what_is_left_out() -> None:
    from openkyc.analysis import (
        DEFAULT_IDENTITY_SETTINGS,
        address_settings_from_contract,
        identity_settings_from_contract,
        settings_to_contract,
    )

    data = {
        "weights": {"firstName": 10},
        "thresholds": {"acceptAbove": 95},
        "minimumAgeSettings": {
            "defaultMinimumAge": 21,
            "locationOverrides": [{"country": "US", "state": "AL", "minimumAge": 19}],
        },
    }
    settings = identity_settings_from_contract(data)
    assert settings.weights == {**DEFAULT_IDENTITY_SETTINGS.weights, "firstName": 10}
    assert (settings.thresholds.reject_below, settings.thresholds.accept_above) == (50, 95)
    assert minimum_age_for(settings.minimum_age, "US", "AL") == 19
    assert minimum_age_for(settings.minimum_age, "GB") == 21
    assert identity_settings_from_contract(settings_to_contract(settings)) == settings
    assert identity_settings_from_contract(None) == DEFAULT_IDENTITY_SETTINGS
    address = address_settings_from_contract({"thresholds": {"rejectBelow": 40}})
    assert settings_to_contract(address)["thresholds"] == {"rejectBelow": 40, "acceptAbove": 90}
    assert "minimumAgeSettings" not in settings_to_contract(address)
