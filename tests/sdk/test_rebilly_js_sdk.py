"""Rebilly's official JS SDK (``rebilly-js-sdk`` from npm, pinned in package-lock.json) pointed
at a live openkyc server with its ``urls`` option and an organization id, on both backends.

Each Node script in this folder drives the SDK the way a merchant's backend would and prints
what the SDK handed back; the tests assert on it and compare it with what the API holds.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from openkyc.db.models import KycDocument
from tests.analysis import documents as drawn
from tests.conftest import BACKENDS, POSTGRES_URL
from tests.fixtures.live import Live, live_server
from tests.fixtures.tools import require
from tests.fixtures.waiting import until

SDK_DIR = Path(__file__).parent
WHY = "Rebilly's JS SDK runs on Node.js (apt-get install nodejs npm)"


def _pinned_version() -> str:
    lock = json.loads((SDK_DIR / "package-lock.json").read_text())
    return str(lock["packages"]["node_modules/rebilly-js-sdk"]["version"])


def _installed_version() -> str | None:
    manifest = SDK_DIR / "node_modules" / "rebilly-js-sdk" / "package.json"
    return json.loads(manifest.read_text())["version"] if manifest.exists() else None


@pytest.fixture(scope="session")
def node() -> str:
    require("npm", WHY)
    return require("node", WHY)


@pytest.fixture(scope="session")
def sdk(node: str) -> Path:
    """The folder of the scripts, with the pinned SDK installed by ``npm ci`` when missing."""
    if _installed_version() != _pinned_version():
        install = subprocess.run(
            [require("npm", WHY), "ci", "--no-audit", "--no-fund"],
            cwd=SDK_DIR,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert install.returncode == 0, install.stderr
    return SDK_DIR


def run_script(sdk: Path, name: str, live: Live, **extra: Any) -> dict[str, Any]:
    """Run one script against the live server; returns the JSON it printed."""
    payload = {
        "baseUrl": live.base_url,
        "organizationId": live.organization_id,
        "apiKey": live.api_key,
        **extra,
    }
    result = subprocess.run(
        [require("node", WHY), str(sdk / name)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"{name} failed:\n{result.stderr}"
    output: dict[str, Any] = json.loads(result.stdout)
    return output


def api_get(live: Live, path: str, **params: Any) -> httpx.Response:
    url = f"{live.base_url}/organizations/{live.organization_id}/{path}"
    return httpx.get(url, params=params, headers=live.headers, timeout=30)


def test_customers_through_the_sdk(sdk: Path, live: Live) -> None:
    out = run_script(sdk, "customers.mjs", live, customerId="cus-sdk-grace")

    created = out["created"]["fields"]
    assert out["created"]["status"] == 201
    assert created["id"].startswith("cus_")
    assert (created["firstName"], created["lastName"], created["email"]) == (
        "Ada",
        "Lovelace",
        "ada@example.com",
    )
    assert (created["organizationId"], created["revision"]) == (live.organization_id, 0)
    assert created == api_get(live, f"customers/{created['id']}").json()

    grace = out["createdWithId"]["fields"]
    assert out["createdWithId"]["status"] == 201
    assert (grace["id"], grace["revision"], grace["primaryAddress"]["country"]) == (
        "cus-sdk-grace",
        0,
        "US",
    )
    # The SDK's create-with-id reads first and refuses itself when the id is taken.
    assert out["createdAgain"]["name"] == "RebillyConflictError"
    assert out["fetched"] == {"status": 200, "fields": grace}

    updated = out["updated"]["fields"]
    assert out["updated"]["status"] == 200
    assert (updated["id"], updated["revision"], updated["createdTime"]) == (
        "cus-sdk-grace",
        1,
        grace["createdTime"],
    )
    assert (updated["primaryAddress"]["country"], updated["primaryAddress"]["city"]) == (
        "GB",
        "Cambridge",
    )
    assert updated == api_get(live, "customers/cus-sdk-grace").json()

    ids = {c["fields"]["lastName"]: c["fields"]["id"] for c in out["others"]}
    ids.update(Lovelace=created["id"], Hopper="cus-sdk-grace")
    first, second = out["firstPage"], out["secondPage"]
    assert (first["status"], first["total"], first["limit"], first["offset"]) == (200, 4, 2, 0)
    assert [c["id"] for c in first["items"]] == [ids["Berners-Lee"], ids["Hopper"]]
    assert (second["total"], second["limit"], second["offset"]) == (4, 2, 2)
    assert [c["id"] for c in second["items"]] == [ids["Lovelace"], ids["Turing"]]
    assert second["items"][1] == api_get(live, f"customers/{ids['Turing']}").json()


def test_customer_errors_through_the_sdk(sdk: Path, live: Live) -> None:
    other = live.server.new_tenant("Other merchant")
    out = run_script(
        sdk,
        "customer-errors.mjs",
        live,
        customerId="cus-sdk-ada",
        otherOrganizationId=other.organization_id,
    )
    assert (out["created"]["status"], out["created"]["fields"]["id"]) == (201, "cus-sdk-ada")

    assert out["notFound"] == {
        "name": "RebillyNotFoundError",
        "status": 404,
        "message": "Customer cus_missing was not found",
        "invalidFields": None,
    }
    invalid = out["invalid"]
    assert (invalid["name"], invalid["status"]) == ("RebillyValidationError", 422)
    assert sorted(f["field"] for f in invalid["invalidFields"]) == [
        "primaryAddress.country",
        "primaryAddress.dob",
    ]
    direct = httpx.post(
        f"{live.base_url}/customers",
        json={"primaryAddress": {"country": "gb", "dob": "10/12/1990"}},
        headers=live.headers,
    )
    assert invalid["invalidFields"] == direct.json()["invalidFields"]
    for name, field in (("badSort", "sort"), ("badFilter", "filter")):
        assert (out[name]["name"], out[name]["status"]) == ("RebillyValidationError", 422)
        assert [f["field"] for f in out[name]["invalidFields"]] == [field]
    assert out["badFilter"]["invalidFields"][0]["message"] == (
        "createdTime expects an ISO 8601 date-time, not 'yesterday'"
    )
    # The SDK files every 401 under RebillyForbiddenError; a 403 under the generic request error.
    assert (out["wrongKey"]["name"], out["wrongKey"]["status"]) == ("RebillyForbiddenError", 401)
    assert out["wrongKey"]["message"] == "The API key is not valid"
    assert (out["otherOrganization"]["name"], out["otherOrganization"]["status"]) == (
        "RebillyRequestError",
        403,
    )
    # The refused requests created nothing: the one customer of the script, and no more.
    listed = api_get(live, "customers")
    assert [c["id"] for c in listed.json()] == ["cus-sdk-ada"]
    other_listed = httpx.get(f"{live.base_url}/customers", headers=other.headers)
    assert other_listed.json() == []


def test_api_keys_through_the_sdk(sdk: Path, live: Live) -> None:
    out = run_script(sdk, "api-keys.mjs", live, apiKeyId="sdk-chosen-key")

    created = out["created"]["fields"]
    assert out["created"]["status"] == 201
    assert created["id"].startswith("api_key_")
    assert (created["description"], created["type"]) == ("SDK integration", "secret")
    assert created["secretKey"].startswith("sk_")
    chosen = out["createdWithId"]["fields"]
    assert (out["createdWithId"]["status"], chosen["id"]) == (201, "sdk-chosen-key")
    assert chosen["secretKey"].startswith("sk_")
    assert chosen["secretKey"] != created["secretKey"]

    listed = out["listedWithNewKey"]
    assert (listed["status"], listed["total"]) == (200, 3)
    assert [k["description"] for k in listed["items"]] == [
        "Initial key",
        "SDK integration",
        "Chosen id",
    ]
    assert [k["id"] for k in listed["items"][1:]] == [created["id"], "sdk-chosen-key"]
    assert all("secretKey" not in k for k in listed["items"])

    assert (out["deleted"]["status"], out["deletedChosen"]["status"]) == (204, 204)
    assert out["afterDelete"]["total"] == 1
    assert out["afterDelete"]["items"][0]["description"] == "Initial key"
    assert (out["deletedKeyRefused"]["name"], out["deletedKeyRefused"]["status"]) == (
        "RebillyForbiddenError",
        401,
    )
    assert (out["lastKeyKept"]["name"], out["lastKeyKept"]["status"]) == (
        "RebillyConflictError",
        409,
    )
    assert (out["deletedAgain"]["name"], out["deletedAgain"]["status"]) == (
        "RebillyNotFoundError",
        404,
    )
    assert api_get(live, "api-keys").headers["Pagination-Total"] == "1"


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_files_through_the_sdk(sdk: Path, live: Live) -> None:
    png = _png(3, 2)
    out = run_script(sdk, "files.mjs", live, png=base64.b64encode(png).decode())

    uploaded = out["uploaded"]["fields"]
    assert out["uploaded"]["status"] == 201
    assert uploaded["id"].startswith("file_")
    expected = {
        "name": "passport.png",
        "extension": "png",
        "mime": "image/png",
        "description": "Front of the passport",
        "tags": ["kyc", "id-front"],
        "size": len(png),
        "sha1": hashlib.sha1(png).hexdigest(),
        "width": 3,
        "height": 2,
    }
    assert {key: uploaded[key] for key in expected} == expected
    assert out["fetched"] == {"status": 200, "fields": uploaded}

    updated = out["updated"]["fields"]
    assert out["updated"]["status"] == 200
    assert (updated["id"], updated["sha1"], updated["size"]) == (
        uploaded["id"],
        uploaded["sha1"],
        len(png),
    )
    assert (updated["name"], updated["description"], updated["tags"]) == (
        "passport-front.png",
        "Checked",
        ["kyc", "id-front", "seen"],
    )
    assert updated == api_get(live, f"files/{uploaded['id']}").json()

    # The SDK's own bug (see files.mjs): it uploads, then fails before updating.
    assert out["uploadAndUpdate"] == {
        "name": "TypeError",
        "message": "Cannot read properties of undefined (reading 'id')",
    }
    selfie = out["uploadedAndUpdated"]["fields"]
    assert out["uploadedAndUpdated"]["status"] == 200
    # The PUT the SDK means to send leaves the name out; the name given at upload stays.
    assert (selfie["name"], selfie["description"], selfie["tags"]) == (
        "selfie.png",
        "Selfie",
        ["kyc", "face-proof"],
    )
    assert out["listed"]["total"] == 2
    assert [f["id"] for f in out["listed"]["items"]] == [selfie["id"], uploaded["id"]]
    faces = out["faceProofs"]
    assert (faces["total"], faces["limit"], [f["id"] for f in faces["items"]]) == (
        1,
        5,
        [selfie["id"]],
    )

    downloaded = out["downloaded"]
    assert (downloaded["status"], downloaded["contentType"]) == (200, "image/png")
    assert base64.b64decode(downloaded["base64"]) == png

    assert (out["notFound"]["name"], out["notFound"]["status"]) == ("RebillyNotFoundError", 404)
    assert (out["notAnImage"]["name"], out["notAnImage"]["status"]) == (
        "RebillyValidationError",
        422,
    )
    # The refused upload left no file behind.
    assert api_get(live, "files").headers["Pagination-Total"] == "2"


@pytest.fixture(scope="module", params=BACKENDS)
def reviewing_live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """A live server where documents wait for a person (no automatic analysis), so the SDK's
    reviewer actions meet documents in a known state."""
    folder = tmp_path_factory.mktemp(f"sdk-kyc-{request.param}")
    with live_server(request.param, folder, POSTGRES_URL, auto_analysis=False) as server:
        yield Live(server, server.organization_id, server.api_key)


def test_kyc_through_the_sdk(sdk: Path, reviewing_live: Live) -> None:
    live = reviewing_live
    second = httpx.post(
        f"{live.base_url}/api-keys", json={"description": "Second reviewer"}, headers=live.headers
    ).json()["secretKey"]
    out = run_script(
        sdk,
        "kyc.mjs",
        live,
        png=base64.b64encode(_png(40, 30)).decode(),
        secondApiKey=second,
        addressDocumentId="kyc-doc-sdk-bill",
    )

    # Settings: defaults, a partial PUT that keeps the rest, a refused range.
    defaults = out["defaultSettings"]["fields"]
    assert (defaults["uiVersion"], defaults["identityProof"]["thresholds"]) == (
        "1",
        {"rejectBelow": 50, "acceptAbove": 90},
    )
    settings = out["settings"]["fields"]
    assert out["savedSettings"] == {"status": 200, "fields": settings}
    assert settings["uiVersion"] == "2"
    assert settings["identityProof"]["thresholds"] == {"rejectBelow": 40, "acceptAbove": 85}
    assert settings["identityProof"]["minimumAgeSettings"]["locationOverrides"] == [
        {"country": "US", "state": "AL", "minimumAge": 19}
    ]
    assert settings["addressProof"]["weights"]["line1"] == 40
    assert (
        settings["identityProof"]["weights"]["hasMatchingFaceProof"]
        == defaults["identityProof"]["weights"]["hasMatchingFaceProof"]
    )
    assert (out["badSettings"]["name"], out["badSettings"]["status"]) == (
        "RebillyValidationError",
        422,
    )
    assert "identityProof.thresholds.acceptAbove" in [
        f["field"] for f in out["badSettings"]["invalidFields"]
    ]
    assert api_get(live, "kyc-settings").json() == settings

    # Requests.
    created = out["request"]["fields"]
    request_id = created["id"]
    assert out["request"]["status"] == 201
    assert (created["status"], created["matchLevel"]) == ("gathering", 2)
    assert [(d["type"], d["maxAttempts"]) for d in created["documents"]] == [
        ("identity-proof", 3),
        ("address-proof", 5),
    ]
    assert {"self", "documents", "gatherer"} <= {link["rel"] for link in created["_links"]}
    assert out["fetchedRequest"] == {"status": 200, "fields": created}
    patched = out["patchedRequest"]["fields"]
    assert (patched["matchLevel"], patched["reason"], patched["revision"]) == (
        3,
        "Withdrawal over the limit",
        created["revision"] + 1,
    )
    assert out["deletedRequest"] == {"status": 204}
    assert (out["deletedAgain"]["name"], out["deletedAgain"]["status"]) == (
        "RebillyNotFoundError",
        404,
    )
    unknown = out["unknownCustomer"]
    assert (unknown["name"], unknown["status"]) == ("RebillyValidationError", 422)
    assert [f["field"] for f in unknown["invalidFields"]] == ["customerId"]

    # Documents.
    identity = out["identity"]["fields"]
    assert out["identity"]["status"] == 201
    assert identity["id"].startswith("kyc_doc_")
    assert (identity["status"], identity["requestId"], identity["documentSubtype"]) == (
        "pending",
        request_id,
        "passport",
    )
    assert identity["settings"]["thresholds"] == {"rejectBelow": 40, "acceptAbove": 85}
    address = out["address"]["fields"]
    assert (out["address"]["status"], address["id"]) == (201, "kyc-doc-sdk-bill")
    assert out["createdAgain"]["name"] == "RebillyConflictError"
    assert out["fetchedDocument"]["fields"] == identity
    updated = out["updatedDocument"]["fields"]
    assert (out["updatedDocument"]["status"], updated["documentSubtype"]) == (200, "utility-bill")
    assert updated["revision"] == address["revision"] + 1
    assert (out["missingDocument"]["name"], out["missingDocument"]["status"]) == (
        "RebillyNotFoundError",
        404,
    )
    foreign = out["foreignFile"]
    assert (foreign["name"], foreign["status"]) == ("RebillyValidationError", 422)
    assert [f["field"] for f in foreign["invalidFields"]] == ["fileIds.0"]

    # The reviewer's actions.
    assert out["matches"] == {"status": 204}
    matches = out["afterMatches"]["fields"]["documentMatches"]["data"]
    assert (matches["firstName"], matches["lastName"], matches["dateOfBirth"]) == (
        "Ada",
        "Lovelace",
        "1990-12-10",
    )
    assert (out["wrongMatches"]["name"], out["wrongMatches"]["status"]) == (
        "RebillyValidationError",
        422,
    )
    started = out["startedReview"]["fields"]
    assert (out["startedReview"]["status"], started["reviewerName"]) == (201, "Bootstrap key")
    assert started["reviewStartTime"] is not None
    assert (out["heldByAnother"]["name"], out["heldByAnother"]["status"]) == (
        "RebillyConflictError",
        409,
    )
    assert out["stoppedReview"]["fields"]["reviewStartTime"] is None
    reviewed = out["reviewed"]["fields"]
    assert (reviewed["status"], reviewed["reviewerName"]) == ("pending", "Second reviewer")
    assert reviewed["reviewTime"] is not None
    rejected = out["rejected"]["fields"]
    assert (out["rejected"]["status"], rejected["status"]) == (201, "rejected")
    assert rejected["rejectionReason"] == {
        "type": "document-unreadable",
        "message": "The passport photo is blurred",
    }
    assert (out["badReason"]["name"], out["badReason"]["status"]) == (
        "RebillyValidationError",
        422,
    )
    assert out["withIdentity"]["fields"]["status"] == "pending-review"
    assert out["afterRejection"]["fields"]["status"] == "attempted"
    accepted = out["accepted"]["fields"]
    assert (accepted["status"], accepted["reviewerName"]) == ("accepted", "Second reviewer")
    assert out["partial"]["fields"]["status"] == "partial"
    assert out["addressAccepted"]["fields"]["status"] == "accepted"
    fulfilled = out["fulfilled"]["fields"]
    assert fulfilled["status"] == "fulfilled"
    assert fulfilled == api_get(live, f"kyc-requests/{request_id}").json()

    # Tags and collections.
    assert out["tagged"]["total"] == 2
    assert [d["id"] for d in out["tagged"]["items"]] == ["kyc-doc-sdk-bill", accepted["id"]]
    assert out["secondLook"]["total"] == 0
    assert api_get(live, f"kyc-documents/{identity['id']}").json()["tags"] == []
    documents = out["documents"]
    assert (documents["total"], documents["limit"]) == (3, 2)
    assert [d["id"] for d in documents["items"]] == [accepted["id"], "kyc-doc-sdk-bill"]
    embedded = documents["items"][0]["_embedded"]
    assert embedded["customer"]["id"] == created["customerId"]
    assert sorted(f["name"] for f in embedded["files"]) == ["passport-2.png", "selfie-2.png"]
    requests = out["requests"]
    assert (requests["total"], [r["id"] for r in requests["items"]]) == (1, [request_id])
    assert sorted(d["id"] for d in requests["items"][0]["_embedded"]["documents"]) == sorted(
        [identity["id"], "kyc-doc-sdk-bill", accepted["id"]]
    )
    assert (out["badFilter"]["name"], out["badFilter"]["status"]) == (
        "RebillyValidationError",
        422,
    )


def test_attachments_through_the_sdk(sdk: Path, live: Live) -> None:
    out = run_script(sdk, "attachments.mjs", live, png=base64.b64encode(_png(3, 2)).decode())
    customer_id, bill_id, licence_id = out["customerId"], out["billId"], out["licenceId"]
    bill_file = api_get(live, f"files/{bill_id}").json()

    attached = out["attached"]["fields"]
    assert out["attached"]["status"] == 201
    assert attached["id"].startswith("att_")
    expected = {
        "fileId": bill_id,
        "relatedType": "customer",
        "relatedId": customer_id,
        "name": "bill.png",
        "description": "",
        "revision": 0,
    }
    assert {key: attached[key] for key in expected} == expected
    assert attached["_embedded"] == {"file": bill_file}
    # The SDK looks the id up first, then PUTs to create, and refuses an id already taken.
    with_id = out["attachedWithId"]
    assert (with_id["status"], with_id["fields"]["id"]) == (201, "att-licence")
    assert with_id["fields"]["relatedId"] == live.organization_id
    assert (out["attachedTwice"]["name"], out["attachedTwice"]["status"]) == (
        "RebillyConflictError",
        None,
    )
    assert out["fetched"]["fields"] == {k: v for k, v in attached.items() if k != "_embedded"}

    updated = out["updated"]["fields"]
    assert (updated["name"], updated["revision"]) == ("Utility bill", 1)
    assert updated["_embedded"] == {"file": bill_file}
    of_customer = out["ofCustomer"]
    assert (of_customer["total"], [a["id"] for a in of_customer["items"]]) == (1, [attached["id"]])
    assert of_customer["items"][0]["_embedded"] == {"file": bill_file}
    assert [a["name"] for a in out["byName"]["items"]] == ["licence.png", "Utility bill"]

    refused = out["refused"]
    assert (refused["name"], refused["status"]) == ("RebillyValidationError", 422)
    assert {f["field"] for f in refused["invalidFields"]} == {"relatedType"}

    assert out["detached"] == {"succeeded": True, "status": 204}
    assert out["detachedAndDeleted"]["succeeded"] is True
    assert (out["missing"]["name"], out["missing"]["status"]) == ("RebillyNotFoundError", 404)
    assert out["left"]["total"] == 0
    # Detaching kept the bill; detachAndDelete removed the licence.
    assert api_get(live, f"files/{bill_id}").status_code == 200
    assert api_get(live, f"files/{licence_id}").status_code == 404


def _analysis_done(live: Live, document_id: str, seconds: float = 120) -> None:
    def done() -> bool:
        with live.server.database.sessionmaker() as session:
            document = session.scalars(
                select(KycDocument).where(KycDocument.id == document_id)
            ).one()
            return not document.analysis_pending

    until(done, seconds, f"the analysis of {document_id} to end")


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_person_acts_at_once_while_the_analyser_works(sdk: Path, live: Live) -> None:
    passport = drawn.encode(drawn.passport(drawn.Holder()))
    out = run_script(sdk, "review-at-once.mjs", live, passport=base64.b64encode(passport).decode())
    for walk, status in (("accept", "accepted"), ("reject", "rejected")):
        steps = out[walk]
        assert steps["created"]["status"] == 201
        assert (steps["updated"]["status"], steps["started"]["status"]) == (200, 201), steps
        assert steps["decided"] == {"succeeded": True, "status": 201}, steps["decided"]
        after = steps["after"]["fields"]
        assert (after["status"], after["notes"], after["reviewerName"]) == (
            status,
            "Checked against the phone call",
            "Initial key",
        )
        # The analysis result, whenever it comes, is kept but does not change the decision.
        _analysis_done(live, after["id"])
        final = api_get(live, f"kyc-documents/{after['id']}").json()
        assert (final["status"], final["reviewerName"]) == (status, "Initial key")
        assert final["documentMatches"]["score"] is not None
        assert final["documentMatches"]["data"]["lastName"] == "Collins"
    assert out["reject"]["after"]["fields"]["rejectionReason"] == {
        "type": "document-unreadable",
        "message": "Please photograph it in daylight",
    }
