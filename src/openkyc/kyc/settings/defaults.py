"""The settings every organization starts with: the analyser's own defaults, so the scoring a
merchant sees and the scoring the analyser was tuned with are one and the same.
(:mod:`openkyc.analysis.settings` explains each weight.)"""

from __future__ import annotations

from typing import Any

from openkyc.analysis import DEFAULT_ADDRESS_SETTINGS, DEFAULT_IDENTITY_SETTINGS

IDENTITY_WEIGHTS: dict[str, int] = dict(DEFAULT_IDENTITY_SETTINGS.weights)
ADDRESS_WEIGHTS: dict[str, int] = dict(DEFAULT_ADDRESS_SETTINGS.weights)
THRESHOLDS: dict[str, int] = {
    "rejectBelow": DEFAULT_IDENTITY_SETTINGS.thresholds.reject_below,
    "acceptAbove": DEFAULT_IDENTITY_SETTINGS.thresholds.accept_above,
}
ADDRESS_THRESHOLDS: dict[str, int] = {
    "rejectBelow": DEFAULT_ADDRESS_SETTINGS.thresholds.reject_below,
    "acceptAbove": DEFAULT_ADDRESS_SETTINGS.thresholds.accept_above,
}
DEFAULT_MINIMUM_AGE = DEFAULT_IDENTITY_SETTINGS.minimum_age.default_minimum_age


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
        "addressProof": {"weights": dict(ADDRESS_WEIGHTS), "thresholds": dict(ADDRESS_THRESHOLDS)},
        "uiVersion": "1",
        "fourEyes": False,
    }
