"""Files that show no document at all are rejected as such, with one hint that says so
and none about glare, blur or photocopies."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from openkyc.analysis import Engines, InputFile, Person, analyze_identity

from .conftest import TODAY
from .documents import encode, pageless_pdf

pytestmark = pytest.mark.slow


def _noise() -> Image.Image:
    pixels = np.random.default_rng(7).integers(0, 256, (700, 1000, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


@pytest.mark.parametrize(
    "data",
    [
        encode(Image.new("RGB", (1200, 850), "white"), "PNG"),
        encode(Image.new("RGB", (1200, 850), (128, 128, 128))),
        encode(_noise(), "PNG"),
        encode(Image.new("RGB", (1, 1), "white"), "PNG"),
        pageless_pdf(),
    ],
    ids=["blank", "grey", "noise", "one-pixel", "pdf-without-pages"],
)
def test_a_file_without_a_document_is_rejected_as_invalid(engines: Engines, data: bytes) -> None:
    result = analyze_identity(
        [InputFile(data, "id-front")], Person("Eileen", "Collins"), today=TODAY, engines=engines
    )
    assert result.decision == "rejected"
    assert result.rejection is not None and result.rejection.type == "document-invalid"
    failed = {check.name: check.reason for check in result.checks if check.failed}
    assert failed["isIdentityDocument"] == "not-a-document"
    assert "isPhotocopy" not in failed
    assert [hint.code for hint in result.hints] == ["not-a-document"]
    assert result.quality == ()
