"""A download is saved under a name whose extension is what its bytes are, as an attachment,
never sniffed: a client-given `evil.html` cannot make a browser render it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.files.helpers import upload
from tests.fixtures import images


@pytest.mark.parametrize(
    ("name", "saved"),
    [
        ("evil.html", "evil.png"),
        ("evil.HTM", "evil.png"),
        ("evil.svg", "evil.png"),
        ("evil.png.html", "evil.png.png"),
        ("evil", "evil.png"),
        (".html", ".html.png"),
        ("photo.png", "photo.png"),
    ],
)
def test_the_saved_name_takes_the_type_of_the_bytes(api: TestClient, name: str, saved: str) -> None:
    created = upload(api, images.png(), name=name)
    response = api.get(f"/files/{created['id']}/download")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="{saved}"')
    assert response.headers["X-Content-Type-Options"] == "nosniff"
