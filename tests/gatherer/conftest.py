"""The browser and the running openkyc the gatherer's walks share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import Engine

from openkyc.analysis import default_engines, warm_up
from openkyc.db.session import Database
from tests.fixtures.tools import require
from tests.gatherer.browser import CHROMIUM, launch
from tests.gatherer.live import Merchant, running_openkyc


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require(CHROMIUM, "the gatherer's walks run in Debian's Chromium (apt-get install chromium)")
    warm_up(default_engines())  # the first upload then measures the analysis, not the loading
    with sync_playwright() as playwright:
        launched = launch(playwright)
        yield launched
        launched.close()


@pytest.fixture
def live(engines: dict[str, Engine], backend: str, tmp_path: Path) -> Iterator[Merchant]:
    """openkyc running with its worker and analyser, and a merchant of its own."""
    with running_openkyc(engines[backend], tmp_path) as url:
        yield Merchant(url, Database.from_engine(engines[backend]))
