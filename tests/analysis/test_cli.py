"""``openkyc analyze`` (here ``python -m openkyc.analysis``) on files on disk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from openkyc.analysis.cli import analyze

from .documents import Holder, bill_lines, encode, passport, pdf_with_text, selfie

pytestmark = pytest.mark.slow


@pytest.fixture
def passport_files(tmp_path: Path) -> list[str]:
    (tmp_path / "passport.jpg").write_bytes(encode(passport(Holder())))
    (tmp_path / "selfie.jpg").write_bytes(encode(selfie()))
    return [str(tmp_path / "passport.jpg"), str(tmp_path / "selfie.jpg")]


def test_analyze_prints_one_json_document_for_files_given_together(
    passport_files: list[str],
) -> None:
    result = CliRunner().invoke(
        analyze,
        [
            "--front",
            passport_files[0],
            "--selfie",
            passport_files[1],
            "--json",
            "--first-name",
            "Eileen",
            "--last-name",
            "Collins",
            "--dob",
            "1986-11-19",
            "--today",
            "2026-06-01",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["decision"] == "accepted"
    assert data["matches"]["hasMatchingFaceProof"] is True
    assert {"name": "hasMatchingFaceProof", "failed": False, "score": 0, "reason": None} in data[
        "checks"
    ]


def test_analyze_reports_each_address_file_and_why(tmp_path: Path) -> None:
    bill = tmp_path / "bill.pdf"
    bill.write_bytes(
        pdf_with_text(
            bill_lines(
                "Mr Walter Hopper", ["12 Harbour Street"], __import__("datetime").date(2026, 5, 2)
            )
        )
    )
    result = CliRunner().invoke(
        analyze,
        [
            str(bill),
            "--type",
            "address",
            "--first-name",
            "Eileen",
            "--last-name",
            "Collins",
            "--address",
            "12 Harbour Street",
            "--today",
            "2026-06-01",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "bill.pdf: rejected" in result.stdout
    assert "name-mismatch" in result.stdout


def test_runs_as_a_module_and_fails_on_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture")
    done = subprocess.run(
        [sys.executable, "-m", "openkyc.analysis", str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "broken.jpg: error: not an image or PDF" in done.stdout


def test_roles_come_from_options_not_from_file_names(tmp_path: Path) -> None:
    # A passport saved as "face.jpg" is still a document, a selfie saved as "scan.jpg"
    # still the face proof, because the options say so.
    (tmp_path / "face.jpg").write_bytes(encode(passport(Holder())))
    (tmp_path / "scan.jpg").write_bytes(encode(selfie()))
    person = ["--first-name", "Eileen", "--last-name", "Collins", "--today", "2026-06-01"]
    options = ["--front", str(tmp_path / "face.jpg"), "--selfie", str(tmp_path / "scan.jpg")]
    result = CliRunner().invoke(analyze, [*options, *person, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["decision"] == "accepted"
    assert data["matches"]["hasMatchingFaceProof"] is True
    untagged = CliRunner().invoke(analyze, [str(tmp_path / "face.jpg"), *person, "--json"])
    assert "hasMatchingFaceProof" not in {c["name"] for c in json.loads(untagged.stdout)["checks"]}


def test_no_file_is_a_usage_error() -> None:
    result = CliRunner().invoke(analyze, ["--first-name", "Eileen"])
    assert result.exit_code == 2
    assert "give FILES or --front" in result.output
