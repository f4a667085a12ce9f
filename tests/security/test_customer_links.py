"""A customer link or token writes nothing once its request has ended: no upload, no
document, no liveness session, no frame of a session it opened before."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient

from tests.analysis import poses
from tests.fixtures import kyc
from tests.fixtures.storefront import bearer, customer_token
from tests.web.test_conventions import assert_problem


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/files", {"file": base64.b64encode(kyc.png_bytes()).decode(), "tags": ["kyc"]}),
        ("POST", "/storefront/kyc-documents", {"documentType": "identity-proof", "fileIds": []}),
        ("POST", "/storefront/kyc-liveness-sessions", {}),
    ],
)
@pytest.mark.parametrize("ending", ["rejected", "deleted"])
def test_an_ended_request_takes_nothing_from_its_customer(
    api: TestClient,
    client: TestClient,
    method: str,
    path: str,
    body: dict[str, object],
    ending: str,
) -> None:
    customer_id = kyc.customer(api)
    request = kyc.kyc_request(api, customer_id, "identity-proof", maxAttempts=1)
    token = bearer(customer_token(api, request))
    if ending == "rejected":
        kyc.reject(api, kyc.document(api, customer_id, "identity-proof", request["id"])["id"])
        assert api.get(f"/kyc-requests/{request['id']}").json()["status"] == "failed"
    else:
        assert api.delete(f"/kyc-requests/{request['id']}").status_code == 204
    files_before = len(api.get("/files").json())
    refused = client.request(method, path, json=body, headers=token)
    # An ended request answers 409; a deleted one is not found for its customer any more.
    assert_problem(refused, 409 if ending == "rejected" else 404)
    assert len(api.get("/files").json()) == files_before


@pytest.mark.parametrize("ending", ["rejected", "accepted", "deleted"])
def test_a_liveness_session_opened_before_the_end_takes_no_more_frames(
    api: TestClient, client: TestClient, ending: str
) -> None:
    customer_id = kyc.customer(api)
    request = kyc.kyc_request(api, customer_id, "identity-proof", maxAttempts=1)
    token = bearer(customer_token(api, request))
    opened = client.post(
        "/storefront/kyc-liveness-sessions", json={"kycRequestId": request["id"]}, headers=token
    )
    assert opened.status_code == 201, opened.text
    path = f"/storefront/kyc-liveness-sessions/{opened.json()['id']}"
    frame = {**token, "Content-Type": "image/jpeg"}
    picture = poses.jpeg(poses.posed("collins", "centre"))
    assert client.post(f"{path}/frames?step=0", content=picture, headers=frame).status_code == 200
    document = kyc.document(api, customer_id, "identity-proof", request["id"])["id"]
    if ending == "rejected":
        kyc.reject(api, document)
    elif ending == "accepted":
        kyc.accept(api, document)
    else:
        assert api.delete(f"/kyc-requests/{request['id']}").status_code == 204
    ended = api.get(f"/kyc-requests/{request['id']}")
    expected = {"rejected": "failed", "accepted": "fulfilled", "deleted": 404}[ending]
    assert (ended.json()["status"] if ended.is_success else ended.status_code) == expected
    refused = client.post(f"{path}/frames?step=1", content=picture, headers=frame)
    assert_problem(refused, 404 if ending == "deleted" else 409)
    assert_problem(
        client.post(f"{path}/finish", headers=token), 404 if ending == "deleted" else 409
    )
    if ending != "deleted":
        assert client.get(path, headers=token).json()["frameCount"] == 1
