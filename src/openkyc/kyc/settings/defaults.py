"""The settings every organization starts with.

Each weight is what a failed check costs out of 100. With ``acceptAbove`` 80, any check worth
more than 20 points keeps a document from automatic acceptance on its own: a name, birth date
or face that does not match, an expired, underage, tampered or published (specimen) document.
"""

from __future__ import annotations

from typing import Any

IDENTITY_WEIGHTS: dict[str, int] = {
    "containsImage": 30,
    "isIdentityDocument": 50,
    "isPublishedOnline": 60,
    "firstName": 30,
    "lastName": 30,
    "expirationDate": 40,
    "dateOfBirth": 40,
    "issueDate": 5,
    "hasMinimalAge": 60,
    "hasMatchingFaceProof": 40,
    "nationality": 5,
    "documentSubtype": 10,
    "isTampered": 60,
    "isPhotocopy": 30,
    "mrzChecksum": 30,
}
ADDRESS_WEIGHTS: dict[str, int] = {
    "firstName": 30,
    "lastName": 30,
    "line1": 30,
    "city": 15,
    "region": 5,
    "postalCode": 20,
    "date": 40,
    "phone": 5,
    "documentSubtype": 10,
    "isTampered": 60,
}
THRESHOLDS: dict[str, int] = {"rejectBelow": 50, "acceptAbove": 80}
DEFAULT_MINIMUM_AGE = 18


def default_settings() -> dict[str, Any]:
    return {
        "identityProof": {
            "weights": dict(IDENTITY_WEIGHTS),
            "thresholds": dict(THRESHOLDS),
            "minimumAgeSettings": {
                "defaultMinimumAge": DEFAULT_MINIMUM_AGE,
                "locationOverrides": [],
            },
        },
        "addressProof": {"weights": dict(ADDRESS_WEIGHTS), "thresholds": dict(THRESHOLDS)},
        "uiVersion": "1",
    }
