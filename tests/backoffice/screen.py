"""A person at the back office, through real HTTP: signs in with the form, reads the form
token of each page and sends forms as a browser does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from tests.fixtures.people import PASSWORD

FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
BASE = "https://openkyc.test"


def form_token(page: Response) -> str:
    found = FORM_TOKEN.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


class Screen:
    def __init__(self, client: TestClient) -> None:
        self.client = client

    def sign_in(self, email: str, password: str = PASSWORD, **extra: str) -> Response:
        form = self.client.get("/backoffice/signin")
        assert form.status_code == 200, form.text
        body = {"email": email, "password": password, "csrf_token": form_token(form), **extra}
        return self.client.post("/backoffice/signin", data=body, follow_redirects=False)

    def get(self, path: str, **params: object) -> Response:
        return self.client.get(path, params=params, follow_redirects=False)

    def send(self, page: str, target: str, /, **fields: str) -> Response:
        """Open ``page``, then send its form to ``target`` with the page's form token."""
        opened = self.get(page)
        assert opened.status_code == 200, opened.text
        return self.client.post(
            target, data={"csrf_token": form_token(opened), **fields}, follow_redirects=False
        )


@contextmanager
def screen(app: FastAPI, email: str | None = None) -> Iterator[Screen]:
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as client:
        person = Screen(client)
        if email is not None:
            signed = person.sign_in(email)
            assert signed.status_code == 303, signed.text
        yield person
