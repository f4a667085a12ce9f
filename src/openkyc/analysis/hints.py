"""What to tell the customer so that the next upload passes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from openkyc.analysis.models import Check, Hint, QualityFinding

__all__ = ["CAPTURE_HINTS", "QUALITY_HINTS", "hints_for"]

QUALITY_HINTS = {
    "blur": "The photo is blurred: hold the camera steady and retake it in focus.",
    "glare": "Light reflects on the document: retake it without glare, away from lamps "
    "and without flash.",
    "dark": "The photo is too dark: retake it in better light.",
    "cut-off": "Part of the document is outside the photo: include all four corners.",
}
# What the quality gate (:mod:`openkyc.analysis.gate`) asks for besides a better photo.
CAPTURE_HINTS = {
    "not-an-image": "This file is not a picture or a PDF we can open: send a JPEG, PNG, HEIC, "
    "WebP or PDF.",
    "too-small": "The picture is too small to read: send the photo as the camera took it.",
    "not-a-document": "This is not a picture of a document: photograph the document asked for.",
    "selfie-as-document": "This is a photo of a face, not of the document: photograph the "
    "document itself.",
    "document-as-selfie": "This is a photo of a document, not a selfie: take a photo of your face.",
    "selfie-no-face": "Take a selfie with your whole face visible, facing the camera.",
    "unreadable": "We could not read the document: photograph it flat, in focus and in good light.",
    "mrz-not-read": "Make sure the whole document is visible, including the lines of "
    "characters at the bottom.",
}
_CHECKS = {
    ("isIdentityDocument", "unreadable"): (
        "unreadable",
        "We could not read the document: photograph it flat, in focus and in good light.",
    ),
    ("expirationDate", "expired"): ("expired", "The document has expired: upload a valid one."),
    ("expirationDate", "not-found"): (
        "mrz-not-read",
        "Make sure the whole document is visible, including the lines of characters at the bottom.",
    ),
    ("hasMatchingFaceProof", "no-face-on-selfie"): (
        "selfie-no-face",
        "Take a selfie with your whole face visible, facing the camera.",
    ),
    ("hasMatchingFaceProof", "face-proof-missing"): ("selfie-missing", "Add a selfie."),
    ("hasMatchingFaceProof", "no-face-on-document"): (
        "portrait-not-seen",
        "Make sure the photo on the document is visible.",
    ),
    ("mrzChecksum", "unreadable"): (
        "mrz-not-read",
        "Make sure the whole document is visible, including the lines of characters at the bottom.",
    ),
    ("hasMatchingFaceProof", "face-uncertain"): (
        "selfie-unclear",
        "Take the selfie facing the camera in even light, and photograph the document so that "
        "its portrait is sharp and free of glare.",
    ),
    ("isPhotocopy", None): ("photocopy", "Photograph the original document, not a copy."),
    ("firstName", "mismatch"): (
        "name-mismatch",
        "The name on the document is not the name on your account: upload your own document.",
    ),
    ("lastName", "mismatch"): (
        "name-mismatch",
        "The name on the document is not the name on your account: upload your own document.",
    ),
    ("dateOfBirth", "mismatch"): (
        "dob-mismatch",
        "The date of birth on the document is not the one on your account: upload your own "
        "document.",
    ),
    ("date", "too-old"): ("too-old", "Upload a document issued within the last three months."),
    ("date", "not-found"): ("date-not-read", "Make sure the date of the document is visible."),
    ("line1", "not-found"): (
        "address-not-read",
        "Make sure your name and address are visible on the document.",
    ),
}


# A field two readings disagree on, or a check digit that failed: most often a misreading.
_RETAKE = (
    "retake",
    "Some details could not be read with certainty: retake the photo flat, in focus, in good "
    "light and without glare, with the whole document in the frame.",
)


def hints_for(
    checks: Iterable[Check],
    quality: Iterable[QualityFinding],
    subtypes_allowed: Sequence[str] | None = None,
) -> list[Hint]:
    """Hints for the picture's problems first, then for the checks that failed."""
    hints: dict[str, Hint] = {}
    for finding in quality:
        hints.setdefault(finding.kind, Hint(finding.kind, QUALITY_HINTS[finding.kind]))
    for check in checks:
        if not check.failed:
            continue
        if check.name == "documentSubtype" and check.reason == "not-allowed" and subtypes_allowed:
            hints.setdefault(
                "subtype", Hint("subtype", "Upload one of: " + ", ".join(subtypes_allowed) + ".")
            )
        found = _CHECKS.get((check.name, check.reason)) or _CHECKS.get((check.name, None))
        if (check.reason or "").startswith(("uncertain", "check-digit")):
            found = _RETAKE
        if found:
            hints.setdefault(found[0], Hint(*found))
    return list(hints.values())
