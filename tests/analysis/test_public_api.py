"""The library's public surface is a promise to the service: changing it is deliberate."""

from __future__ import annotations

import ast
import pathlib

import openkyc.analysis as analysis
from openkyc.analysis import AnalysisError, ModelUnavailable, UnreadableFile, UnsupportedInput

PUBLIC = [
    "CHALLENGE_STEPS",
    "DEFAULT_ADDRESS_SETTINGS",
    "DEFAULT_IDENTITY_SETTINGS",
    "AddressAnalysis",
    "AddressSettings",
    "AnalysisError",
    "CaptureCheck",
    "CaptureProblem",
    "Check",
    "Engines",
    "Face",
    "FaceFinder",
    "Fingerprints",
    "FramePose",
    "Hint",
    "IdentityAnalysis",
    "IdentitySettings",
    "InputFile",
    "LivenessFrame",
    "LivenessResult",
    "LocationOverride",
    "MinimumAgeSettings",
    "ModelUnavailable",
    "MrzResult",
    "Person",
    "QualityFinding",
    "Rejection",
    "Score",
    "TextLine",
    "TextReader",
    "Thresholds",
    "UnreadableFile",
    "UnsupportedInput",
    "address_settings_from_contract",
    "age_on",
    "analyze_address",
    "analyze_identity",
    "check_capture",
    "check_liveness",
    "default_engines",
    "find_duplicate",
    "identity_settings_from_contract",
    "minimum_age_for",
    "mrz_check_digit",
    "name_matches",
    "parse_mrz",
    "pose_of",
    "rejection_for",
    "score_document",
    "settings_to_contract",
    "warm_up",
    "with_duplicate",
]


def test_all_lists_exactly_the_public_names() -> None:
    assert analysis.__all__ == PUBLIC
    for name in PUBLIC:
        assert getattr(analysis, name) is not None


def test_every_error_is_an_analysis_error() -> None:
    for error in (UnreadableFile, UnsupportedInput, ModelUnavailable):
        assert issubclass(error, AnalysisError)
    assert not issubclass(AnalysisError, (ValueError, OSError))


def test_the_library_imports_nothing_else_from_openkyc() -> None:
    package = pathlib.Path(analysis.__file__).parent
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("openkyc"):
                    assert name.startswith("openkyc.analysis"), (source.name, name)
