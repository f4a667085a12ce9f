"""Shared fixtures: the real engines, loaded once per test process, and the customer."""

from __future__ import annotations

from datetime import date

import pytest

from openkyc.analysis import Engines, Person, default_engines, warm_up

TODAY = date(2026, 6, 1)


@pytest.fixture(scope="session")
def engines() -> Engines:
    """rapidocr and dlib, loaded once: the tests run the real models on small images."""
    loaded = default_engines()
    warm_up(loaded)
    return loaded


@pytest.fixture
def customer() -> Person:
    """Eileen Marie Collins of London, as the merchant knows her."""
    return Person(
        first_name="Eileen",
        last_name="Collins",
        dob=date(1986, 11, 19),
        line1="12 Harbour Street",
        city="London",
        postal_code="SE1 7PB",
        country="GB",
    )
