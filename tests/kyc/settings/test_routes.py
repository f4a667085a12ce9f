from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.fixtures import kyc
from tests.web.test_conventions import assert_problem


def test_defaults_are_served_until_changed(api: TestClient) -> None:
    settings = api.get("/kyc-settings").json()
    assert settings["uiVersion"] == "1"
    assert settings["identityProof"]["thresholds"] == {"rejectBelow": 50, "acceptAbove": 90}
    assert settings["identityProof"]["minimumAgeSettings"] == {
        "defaultMinimumAge": 18,
        "locationOverrides": [],
    }
    assert settings["identityProof"]["weights"]["hasMatchingFaceProof"] == 60
    assert settings["identityProof"]["weights"]["dateOfBirth"] == 51
    assert settings["addressProof"]["weights"]["line1"] == 30


def test_put_replaces_and_fills_what_is_left_out(api: TestClient) -> None:
    body = {
        "identityProof": {
            "weights": {"firstName": 50},
            "thresholds": {"rejectBelow": 40, "acceptAbove": 90},
            "minimumAgeSettings": {
                "defaultMinimumAge": 18,
                "locationOverrides": [
                    {"country": "US", "minimumAge": 21},
                    {"country": "US", "state": "AL", "minimumAge": 19},
                ],
            },
        },
        "uiVersion": "2",
    }
    saved = api.put("/kyc-settings", json=body)
    assert saved.status_code == 200, saved.text
    settings = api.get("/kyc-settings").json()
    assert settings == saved.json()
    assert settings["identityProof"]["weights"]["firstName"] == 50
    assert settings["identityProof"]["weights"]["lastName"] == 30
    assert settings["identityProof"]["minimumAgeSettings"]["locationOverrides"][1] == {
        "country": "US",
        "state": "AL",
        "minimumAge": 19,
    }
    assert settings["addressProof"]["thresholds"] == {"rejectBelow": 50, "acceptAbove": 90}
    assert settings["uiVersion"] == "2"


def test_documents_keep_the_settings_they_were_scored_with(api: TestClient) -> None:
    customer_id = kyc.customer(api)
    before = kyc.document(api, customer_id, "address-proof")
    api.put("/kyc-settings", json={"addressProof": {"weights": {"line1": 70}}})
    after = kyc.document(api, customer_id, "address-proof")
    assert api.get(f"/kyc-documents/{before['id']}").json()["settings"]["weights"]["line1"] == 30
    assert after["settings"]["weights"]["line1"] == 70
    assert kyc.document(api, customer_id, "funds-proof")["settings"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"identityProof": {"weights": {"firstName": 101}}}, "identityProof.weights.firstName"),
        ({"identityProof": {"weights": {"shoeSize": 5}}}, "identityProof.weights.shoeSize"),
        (
            {"addressProof": {"thresholds": {"rejectBelow": 90, "acceptAbove": 60}}},
            "addressProof.thresholds",
        ),
        (
            {"identityProof": {"minimumAgeSettings": {"defaultMinimumAge": 0}}},
            "identityProof.minimumAgeSettings.defaultMinimumAge",
        ),
        (
            {
                "identityProof": {
                    "minimumAgeSettings": {
                        "locationOverrides": [{"country": "usa", "minimumAge": 21}]
                    }
                }
            },
            "identityProof.minimumAgeSettings.locationOverrides.0.country",
        ),
        (
            {
                "identityProof": {
                    "minimumAgeSettings": {
                        "locationOverrides": [
                            {"country": "US", "minimumAge": 21},
                            {"country": "US", "minimumAge": 20},
                        ]
                    }
                }
            },
            "identityProof.minimumAgeSettings",
        ),
        ({"uiVersion": "3"}, "uiVersion"),
    ],
)
def test_every_range_is_validated(api: TestClient, body: dict, field: str) -> None:
    problem = assert_problem(api.put("/kyc-settings", json=body), 422)
    assert field in [f["field"] for f in problem["invalidFields"]]
    assert api.get("/kyc-settings").json()["uiVersion"] == "1"
