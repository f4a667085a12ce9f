"""Liveness sessions through the storefront API: the challenge, the frames, the check by
the real worker and analyser, and the selfie it keeps for the identity document."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from openkyc.config import Settings
from openkyc.db.models import KycLivenessSession
from openkyc.db.session import Database
from openkyc.db.types import utcnow
from openkyc.kyc.liveness.service import new_challenge
from openkyc.storage.local import LocalStorage
from openkyc.users.enums import Role
from openkyc.web.app import create_app
from tests.analysis import documents as drawn
from tests.analysis import poses
from tests.backoffice.screen import Screen
from tests.fixtures import kyc
from tests.fixtures.people import stored_person
from tests.fixtures.storefront import bearer, customer_token, customer_upload
from tests.fixtures.tenants import make_tenant
from tests.fixtures.waiting import until
from tests.web.test_conventions import assert_problem

LIVE_IDENTITY = [
    {"type": "identity-proof", "faceProofRequired": True, "faceLivenessRequired": True}
]


def test_every_challenge_starts_facing_the_camera_and_asks_for_both_turns() -> None:
    seen = set()
    for _ in range(300):
        challenge = new_challenge()
        seen.add(tuple(challenge))
        assert challenge[0] == "centre" and len(challenge) == 5
        assert {"turn-left", "turn-right"} <= set(challenge)
        assert all(a != b for a, b in pairwise(challenge))
    assert len(seen) > 30  # random, not a handful of fixed sequences


@pytest.fixture
def customer_id(api: TestClient) -> str:
    return kyc.customer(api)


@pytest.fixture
def token(api: TestClient, customer_id: str) -> str:
    response = api.post(
        "/kyc-requests", json={"customerId": customer_id, "documents": LIVE_IDENTITY}
    )
    return customer_token(api, response.json())


def own_request_id(api: TestClient, customer_id: str) -> str:
    return str(
        api.get("/kyc-requests", params={"filter": f"customerId:{customer_id}"}).json()[0]["id"]
    )


def create(client: TestClient, token: str, request_id: str) -> dict[str, Any]:
    response = client.post(
        "/storefront/kyc-liveness-sessions",
        json={"kycRequestId": request_id},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_session_has_its_own_challenge_for_the_tokens_request(
    api: TestClient, client: TestClient, customer_id: str, token: str
) -> None:
    request_id = own_request_id(api, customer_id)
    session = create(client, token, request_id)
    assert (session["status"], session["kycRequestId"], session["customerId"]) == (
        "pending",
        request_id,
        customer_id,
    )
    assert session["sessionId"] == session["id"] and session["id"].startswith("kyc_liv_")
    assert session["challenge"][0] == "centre" and session["frameCount"] == 0
    assert session["referenceImage"] is None
    assert [link["rel"] for link in session["_links"]] == ["self", "kycRequest"]
    fetched = client.get(
        f"/storefront/kyc-liveness-sessions/{session['id']}", headers=bearer(token)
    )
    assert fetched.json()["challenge"] == session["challenge"]
    other = kyc.kyc_request(api, customer_id, "identity-proof")
    refused = client.post(
        "/storefront/kyc-liveness-sessions",
        json={"kycRequestId": other["id"]},
        headers=bearer(token),
    )
    assert assert_problem(refused, 422)["invalidFields"][0]["field"] == "kycRequestId"


def test_a_request_without_identity_proof_has_no_liveness(
    api: TestClient, client: TestClient, customer_id: str
) -> None:
    request = kyc.kyc_request(api, customer_id, "address-proof")
    token = customer_token(api, request)
    response = client.post(
        "/storefront/kyc-liveness-sessions",
        json={"kycRequestId": request["id"]},
        headers=bearer(token),
    )
    assert_problem(response, 422)


def test_frames_are_pictures_of_a_step_until_the_session_is_finished(
    api: TestClient, client: TestClient, customer_id: str, token: str
) -> None:
    session = create(client, token, own_request_id(api, customer_id))
    path = f"/storefront/kyc-liveness-sessions/{session['id']}"
    frame = poses.jpeg(poses.posed("collins", "centre"))
    headers = {**bearer(token), "Content-Type": "image/jpeg"}
    added = client.post(f"{path}/frames?step=0", content=frame, headers=headers)
    assert added.status_code == 200, added.text
    assert added.json()["frameCount"] == 1
    assert_problem(client.post(f"{path}/frames?step=9", content=frame, headers=headers), 422)
    assert_problem(
        client.post(f"{path}/frames?step=1", content=b"%PDF-1.4 no", headers=headers), 422
    )
    finished = client.post(f"{path}/finish", headers=bearer(token))
    assert finished.status_code == 200 and finished.json()["status"] == "pending"
    assert_problem(client.post(f"{path}/frames?step=1", content=frame, headers=headers), 409)
    assert_problem(client.post(f"{path}/finish", headers=bearer(token)), 409)


def test_another_customers_session_is_not_found(
    api: TestClient, client: TestClient, customer_id: str, token: str
) -> None:
    session = create(client, token, own_request_id(api, customer_id))
    other_customer = kyc.customer(api, first="Grace")
    other = api.post(
        "/kyc-requests", json={"customerId": other_customer, "documents": LIVE_IDENTITY}
    )
    theirs = customer_token(api, other.json())
    path = f"/storefront/kyc-liveness-sessions/{session['id']}"
    assert_problem(client.get(path, headers=bearer(theirs)), 404)
    assert_problem(client.post(f"{path}/finish", headers=bearer(theirs)), 404)


def test_a_session_not_finished_in_time_is_abandoned(
    api: TestClient, client: TestClient, database: Database, customer_id: str, token: str
) -> None:
    session = create(client, token, own_request_id(api, customer_id))
    with database.write_sessionmaker() as db:
        db.execute(
            update(KycLivenessSession)
            .where(KycLivenessSession.id == session["id"])
            .values(expiration_time=utcnow())
        )
        db.commit()
    path = f"/storefront/kyc-liveness-sessions/{session['id']}"
    fetched = client.get(path, headers=bearer(token)).json()
    assert fetched["status"] == "abandoned" and "timed out" in fetched["failureReason"]
    assert_problem(client.post(f"{path}/finish", headers=bearer(token)), 409)


# -- checked by the running worker ------------------------------------------------------


@pytest.fixture
def running(live: Live) -> tuple[TestClient, TestClient]:
    """The merchant's client and the customer's, of an app with its worker and analyser."""
    return live.merchant, live.customer


@dataclass(frozen=True)
class Live:
    merchant: TestClient
    customer: TestClient
    database: Database
    organization_id: str


@pytest.fixture
def live(engines: dict[str, Engine], backend: str, tmp_path: Path) -> Iterator[Live]:
    """An app with its worker and analyser, on committed transactions."""
    database = Database.from_engine(engines[backend])
    tenant = make_tenant(database, f"Live {uuid.uuid4().hex[:6]}")
    settings = Settings(
        allowed_hosts=("openkyc.test", "testserver"),
        data_dir=tmp_path / "data",
        secret_key="test-secret-" + "x" * 32,
        expiry_interval_seconds=0,
        analysis_processes=0,
        gate_processes=0,
    )
    app = create_app(settings, database, LocalStorage(tmp_path / "files"))
    with TestClient(app, base_url="http://openkyc.test", headers=tenant.headers) as merchant:
        customer = TestClient(app, base_url="http://openkyc.test")
        yield Live(merchant, customer, database, tenant.organization_id)


def _checked(client: TestClient, token: str, session_id: str) -> dict[str, Any]:
    def checked() -> dict[str, Any] | None:
        found = client.get(f"/storefront/kyc-liveness-sessions/{session_id}", headers=bearer(token))
        return dict(found.json()) if found.json()["status"] != "pending" else None

    return until(checked, 60, f"the check of {session_id}")


def _record(
    client: TestClient, token: str, session: dict[str, Any], frames: list[tuple[bytes, int]]
) -> dict[str, Any]:
    headers = {**bearer(token), "Content-Type": "image/jpeg"}
    path = f"/storefront/kyc-liveness-sessions/{session['id']}"
    for data, step in frames:
        assert (
            client.post(f"{path}/frames?step={step}", content=data, headers=headers).status_code
            == 200
        )
    assert client.post(f"{path}/finish", headers=bearer(token)).status_code == 200
    return _checked(client, token, session["id"])


def _live_request(merchant: TestClient, **person: Any) -> tuple[dict[str, Any], str]:
    customer_id = kyc.customer(merchant, **person)
    body = {"customerId": customer_id, "documents": LIVE_IDENTITY}
    request = merchant.post("/kyc-requests", json=body).json()
    return request, customer_token(merchant, request)


def test_a_live_customer_passes_and_the_selfie_proves_the_identity_document(
    running: tuple[TestClient, TestClient],
) -> None:
    merchant, customer = running
    request, token = _live_request(merchant, first="Eileen", last="Collins", dob="1986-11-19")
    session = create(customer, token, request["id"])
    frames = poses.sequence("collins", session["challenge"], 2)
    checked = _record(customer, token, session, frames)
    assert checked["status"] == "succeeded", checked
    selfie = checked["referenceFileId"]
    assert checked["referenceImage"] == f"http://openkyc.test/files/{selfie}/download"
    assert merchant.get(f"/files/{selfie}").json()["tags"] == ["kyc", "face-proof"]
    picture = drawn.encode(drawn.passport(drawn.Holder()))
    passport = customer_upload(customer, token, ["kyc", "id-front"], picture)
    body = {
        "documentType": "identity-proof",
        "documentSubtype": "passport",
        "fileIds": [passport, selfie],
    }
    created = customer.post("/storefront/kyc-documents", json=body, headers=bearer(token))
    assert created.status_code == 201, created.text
    document = kyc.decided(merchant, created.json()["id"])
    assert document["status"] == "accepted", document["documentMatches"]
    data = document["documentMatches"]["data"]
    assert (data["hasMatchingFaceProof"], data["hasCompletedFaceLiveness"]) == (True, True)


def test_a_still_of_each_pose_stays_for_the_reviewer_of_the_customer_only(live: Live) -> None:
    merchant, customer = live.merchant, live.customer
    request, token = _live_request(merchant, first="Eileen", last="Collins", dob="1986-11-19")
    session = create(customer, token, request["id"])
    checked = _record(customer, token, session, poses.sequence("collins", session["challenge"], 3))
    assert checked["status"] == "succeeded", checked
    with live.database.write_sessionmaker() as db:
        stored = db.get(KycLivenessSession, (live.organization_id, session["id"]))
        assert stored is not None
        stills = list(stored.stills or [])
    # One still of each pose asked for, in the challenge's order, each a file of the customer.
    assert [(s["step"], s["pose"]) for s in stills] == list(enumerate(session["challenge"]))
    for still in stills:
        file = merchant.get(f"/files/{still['fileId']}").json()
        assert file["tags"] == ["kyc", "liveness-still"]
        assert merchant.get(f"/files/{still['fileId']}/download").content[:2] == b"\xff\xd8"
    picture = drawn.encode(drawn.passport(drawn.Holder()))
    passport = customer_upload(customer, token, ["kyc", "id-front"], picture)
    body = {"documentType": "identity-proof", "fileIds": [passport, checked["referenceFileId"]]}
    created = customer.post("/storefront/kyc-documents", json=body, headers=bearer(token))
    assert created.status_code == 201, created.text
    # This test's data is committed: its reviewer has a name of its own, so another test's
    # Rita is never a person of two organizations.
    _, rhea = stored_person(
        live.database, live.organization_id, "Rhea", f"Still{uuid.uuid4().hex[:6]}", Role.REVIEWER
    )
    reviewer = Screen(TestClient(merchant.app, base_url="http://openkyc.test"))
    assert reviewer.sign_in(rhea.email).status_code == 303
    page = reviewer.get(f"/backoffice/documents/{created.json()['id']}").text
    shown = re.findall(
        r'class="liveness-still" src="/backoffice/files/([^"]+)" alt="([^"]+)"', page
    )
    assert [file_id for file_id, _ in shown] == [s["fileId"] for s in stills]
    assert shown[1][1] == f"Face check {session['id']}, step 2: {session['challenge'][1]}"
    first = reviewer.get(f"/backoffice/files/{stills[0]['fileId']}")
    assert (first.status_code, first.headers["content-type"]) == (200, "image/jpeg")
    # Another organization's reviewer finds neither the stills nor the page.
    other = make_tenant(live.database, f"Other {uuid.uuid4().hex[:6]}")
    _, eve = stored_person(
        live.database, other.organization_id, "Eve", f"Else{uuid.uuid4().hex[:6]}", Role.REVIEWER
    )
    stranger = Screen(TestClient(merchant.app, base_url="http://openkyc.test"))
    assert stranger.sign_in(eve.email).status_code == 303
    assert stranger.get(f"/backoffice/files/{stills[0]['fileId']}").status_code == 404
    assert stranger.get(f"/backoffice/documents/{created.json()['id']}").status_code == 404


def test_a_still_picture_fails_the_check_and_its_frames_are_not_kept(
    running: tuple[TestClient, TestClient], tmp_path: Path
) -> None:
    merchant, customer = running
    request, token = _live_request(merchant)
    session = create(customer, token, request["id"])
    still = poses.jpeg(poses.posed("collins", "centre"))
    checked = _record(customer, token, session, [(still, step) for step in range(5)])
    assert (checked["status"], checked["failureReason"]) == ("failed", "still-image")
    assert "referenceFileId" not in checked
    assert _no_frames_left(tmp_path / "files", seconds=5)


def _no_frames_left(folder: Path, seconds: float) -> bool:
    """No frame stored any more; they go right after the decision's commit."""
    return until(
        lambda: not [p for p in folder.rglob("*") if p.is_file() and "liveness" in p.parts],
        seconds,
        "the frames to be deleted",
    )
