"""The quality gate over HTTP, with the real analyser on pictures the tests draw: a picture
that cannot be analysed is refused at once with the hint that fixes it, nothing is created,
no attempt is used and nobody is asked to review it; a good one becomes a document that goes
to the analyser."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from openkyc.config import Settings
from openkyc.db.session import Database, sqlite_writer_lock
from openkyc.jobs.pool import InlineRunner
from openkyc.kyc.documents import analysis
from openkyc.kyc.documents.gate import CaptureGate
from openkyc.storage.local import LocalStorage
from openkyc.web.app import create_app
from openkyc.wire import Links
from tests.analysis import documents as drawn
from tests.fixtures import kyc
from tests.fixtures.storefront import bearer, customer_token, customer_upload
from tests.fixtures.tenants import make_tenant
from tests.web.test_conventions import assert_problem

T = TypeVar("T")

pytestmark = pytest.mark.slow


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Documents are analysed (the gate is on); the gate runs in the request's thread."""
    return settings.model_copy(update={"auto_analysis": True, "gate_processes": 0})


def _passport_photo() -> Image.Image:
    return drawn.photographed(drawn.passport(drawn.Holder()))


def _blank() -> bytes:
    return drawn.encode(Image.new("RGB", (1200, 850), "white"), "PNG")


def _noise() -> Image.Image:
    pixels = np.random.default_rng(7).integers(0, 256, (700, 1000, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


def _request(api: TestClient, *types: str, **options: Any) -> tuple[dict[str, Any], str]:
    request = kyc.kyc_request(api, kyc.customer(api), *types, **options)
    return request, customer_token(api, request)


def _send(
    client: TestClient, token: str, data: bytes, tags: list[str], subtype: str
) -> tuple[str, Any]:
    file_id = customer_upload(client, token, tags, data)
    document_type = "identity-proof" if "id-front" in tags else "address-proof"
    body = {"documentType": document_type, "documentSubtype": subtype, "fileIds": [file_id]}
    return file_id, client.post("/storefront/kyc-documents", json=body, headers=bearer(token))


def _documents(client: TestClient, token: str, request: dict[str, Any]) -> tuple[str, list]:
    found = client.get(
        f"/storefront/kyc-requests/{request['id']}?expand=documents", headers=bearer(token)
    ).json()
    return found["status"], found["_embedded"]["documents"]


def test_a_blurred_passport_is_refused_with_its_hint_and_uses_no_attempt(
    api: TestClient, client: TestClient
) -> None:
    request, token = _request(api, "identity-proof", maxAttempts=1)
    blurred = drawn.encode(drawn.blurred(_passport_photo(), 4))
    file_id, response = _send(client, token, blurred, ["kyc", "id-front"], "passport")
    problem = assert_problem(response, 422)
    assert problem["type"] == "/problems/retake-needed"
    message = "The photo is blurred: hold the camera steady and retake it in focus."
    assert problem["hints"] == [
        {"fileId": file_id, "code": "blur", "message": message, "retake": True}
    ]
    assert problem["invalidFields"] == [{"field": "fileIds.0", "message": message}]
    assert _documents(client, token, request) == ("gathering", [])
    assert api.get("/kyc-documents").json() == []  # nothing for a reviewer
    # The one attempt is still there: the sharp photo becomes the document, analysed next.
    _, response = _send(
        client, token, drawn.encode(_passport_photo()), ["kyc", "id-front"], "passport"
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "in-progress"
    assert _documents(client, token, request)[1][0]["status"] == "in-progress"


@pytest.mark.parametrize(
    ("picture", "code", "retake"),
    [
        (lambda: drawn.encode(drawn.selfie()), "selfie-as-document", True),
        (lambda: drawn.encode(drawn.darkened(_passport_photo())), "dark", True),
        (lambda: drawn.encode(drawn.glare_spot(_passport_photo())), "glare", True),
        (_blank, "not-a-document", False),
        (lambda: drawn.encode(_noise(), "PNG"), "not-a-document", False),
        (lambda: drawn.encode(Image.new("RGB", (1, 1), "white"), "PNG"), "too-small", True),
    ],
    ids=["selfie", "dark", "glare", "blank", "noise", "one-pixel"],
)
def test_a_picture_that_shows_no_usable_passport_is_refused_at_once(
    api: TestClient, client: TestClient, picture: Any, code: str, retake: bool
) -> None:
    request, token = _request(api, "identity-proof")
    _, response = _send(client, token, picture(), ["kyc", "id-front"], "passport")
    problem = assert_problem(response, 422)
    assert [(h["code"], h["retake"]) for h in problem["hints"]] == [(code, retake)]
    assert _documents(client, token, request) == ("gathering", [])


def test_an_empty_pdf_is_refused_when_it_is_uploaded(api: TestClient, client: TestClient) -> None:
    request, token = _request(api, "address-proof")
    body = {"file": base64.b64encode(drawn.pageless_pdf()).decode(), "tags": ["kyc"]}
    problem = assert_problem(client.post("/files", json=body, headers=bearer(token)), 422)
    assert problem["invalidFields"][0]["field"] == "file"
    assert _documents(client, token, request) == ("gathering", [])


def test_a_blurred_bill_is_refused_and_a_pdf_bill_goes_to_the_analyser(
    api: TestClient, client: TestClient
) -> None:
    request, token = _request(api, "address-proof")
    lines = drawn.bill_lines(
        "Ada Lovelace", ["12 Harbour Street", "London", "SE1 7PB"], date(2026, 5, 1)
    )
    photo = drawn.encode(drawn.blurred(drawn.photographed(drawn.bill_image(lines)), 5))
    _, response = _send(client, token, photo, ["kyc"], "utility-bill")
    assert [h["code"] for h in assert_problem(response, 422)["hints"]] == ["blur"]
    _, response = _send(client, token, drawn.pdf_with_text(lines), ["kyc"], "utility-bill")
    assert response.status_code == 201, response.text
    assert _documents(client, token, request)[1][0]["status"] == "in-progress"


def test_the_merchants_own_uploads_are_not_gated(api: TestClient) -> None:
    customer_id = kyc.customer(api)
    blurred = drawn.encode(drawn.blurred(_passport_photo(), 4))
    upload = api.post(
        "/files",
        json={
            "file": base64.b64encode(blurred).decode(),
            "tags": ["kyc", "id-front"],
        },
    )
    assert upload.status_code == 201, upload.text
    body = {
        "customerId": customer_id,
        "documentType": "identity-proof",
        "fileIds": [upload.json()["id"]],
    }
    response = api.post("/kyc-documents", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "in-progress"


def _waiting_for_a_person(
    database: Database, organization_id: str, document: dict[str, Any]
) -> None:
    """What the analysis job does when the analyser cannot decide: the document waits for a
    person, ``pending`` and undecided, and its customer may still replace its files."""
    payload = {"documentId": document["id"], "fileIds": document["fileIds"]}
    with database.write_sessionmaker.begin() as session:
        analysis.unanalysable(
            session, organization_id, payload, "the analyser could not decide", Links("x")
        )


def _patch_files(client: TestClient, token: str, document_id: str, file_id: str) -> Any:
    return client.patch(
        f"/storefront/kyc-documents/{document_id}",
        json={"fileIds": [file_id]},
        headers=bearer(token),
    )


def test_new_files_for_a_waiting_document_pass_the_gate_too(
    api: TestClient, client: TestClient, database: Database, tenant: Any
) -> None:
    _, token = _request(api, "identity-proof", maxAttempts=1)
    _, created = _send(
        client, token, drawn.encode(_passport_photo()), ["kyc", "id-front"], "passport"
    )
    assert created.status_code == 201, created.text
    document = created.json()
    _waiting_for_a_person(database, tenant.organization_id, document)
    blurred = customer_upload(
        client, token, ["kyc", "id-front"], drawn.encode(drawn.blurred(_passport_photo(), 4))
    )
    problem = assert_problem(_patch_files(client, token, document["id"], blurred), 422)
    assert problem["type"] == "/problems/retake-needed"
    assert [(h["fileId"], h["code"]) for h in problem["hints"]] == [(blurred, "blur")]
    kept = api.get(f"/kyc-documents/{document['id']}").json()
    assert (kept["status"], kept["fileIds"]) == ("pending", document["fileIds"])
    # A sharp photo replaces the waiting one and goes to the analyser again.
    sharp = customer_upload(
        client, token, ["kyc", "id-front"], drawn.encode(_passport_photo()), seed=3
    )
    changed = _patch_files(client, token, document["id"], sharp)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["status"], changed.json()["fileIds"]) == ("in-progress", [sharp])


class _Watching:
    """The gate's runner in the request's thread (the real check), which looks, each time the
    gate runs, whether the request holds the database: on SQLite the process's write lock, on
    PostgreSQL the lock of the document being changed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.inline = InlineRunner()
        self.document_id: str | None = None
        self.seen: list[bool] = []

    def _free(self) -> bool:
        writers = sqlite_writer_lock(self.engine)
        if writers is not None:
            if not writers.acquire(blocking=False):
                return False
            writers.release()
            return True
        try:
            with self.engine.connect() as connection:
                connection.execute(
                    text("SELECT id FROM kyc_documents WHERE id = :id FOR UPDATE NOWAIT"),
                    {"id": self.document_id},
                )
                connection.rollback()
            return True
        except OperationalError:
            return False

    def run(self, function: Callable[..., T], *args: Any) -> T:
        self.seen.append(self._free())
        return self.inline.run(function, *args)

    def start(self) -> None:
        return None

    def shutdown(self) -> None:
        return None


@pytest.fixture
def own_connections(
    engines: dict[str, Engine], backend: str, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, TestClient, Database, _Watching, str]]:
    """The app on the real engine (a connection per session, as in production), its gate
    watched by :class:`_Watching`: the merchant's client, the customer's, the database."""
    database = Database.from_engine(engines[backend])
    app = create_app(settings, database, LocalStorage(tmp_path / "own-files"))
    watching = _Watching(engines[backend])
    app.state.capture_gate = CaptureGate(watching)
    tenant = make_tenant(database, "Gate Watchers")
    base = "http://openkyc.test"
    with (
        TestClient(app, base, raise_server_exceptions=False, headers=tenant.headers) as api,
        TestClient(app, base, raise_server_exceptions=False) as anon,
    ):
        yield api, anon, database, watching, tenant.organization_id


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_the_gate_runs_while_the_request_holds_nothing_in_the_database(
    own_connections: tuple[TestClient, TestClient, Database, _Watching, str],
) -> None:
    api, client, database, watching, organization_id = own_connections
    request = kyc.kyc_request(api, kyc.customer(api), "identity-proof")
    token = customer_token(api, request)
    _, created = _send(
        client, token, drawn.encode(_passport_photo()), ["kyc", "id-front"], "passport"
    )
    assert created.status_code == 201, created.text
    document = created.json()
    _waiting_for_a_person(database, organization_id, document)
    watching.document_id = document["id"]
    blurred = customer_upload(
        client, token, ["kyc", "id-front"], drawn.encode(drawn.blurred(_passport_photo(), 4))
    )
    response = _patch_files(client, token, document["id"], blurred)
    assert [h["code"] for h in assert_problem(response, 422)["hints"]] == ["blur"]
    assert watching.seen == [True, True]
