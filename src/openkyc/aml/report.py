"""The compliance screening report: one PDF with a customer's KYC and AML results, written
with fpdf2 from plain values (no database here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from rigour.text.translit import ascii_text

from openkyc.wire import format_time


@dataclass(frozen=True)
class KycResult:
    document_id: str
    document_type: str
    status: str
    reviewer: str | None
    updated: datetime


@dataclass(frozen=True)
class ReportData:
    organization: str
    customer_id: str
    person: dict[str, str | None]
    generated: datetime
    kyc: Sequence[KycResult] = ()
    # Each AML check as its wire form (status, source, priority, hits with matchDetails).
    checks: Sequence[dict[str, Any]] = field(default_factory=list)


def _text(value: object) -> str:
    """Text the PDF's core font can show: Latin-1 as it is, other scripts transliterated."""
    text = "" if value is None else str(value)
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        return ascii_text(text)


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 8, f"openkyc compliance screening report - page {self.page_no()}", align="C")


def _line(pdf: FPDF, text: str, size: float = 10, style: str = "") -> None:
    pdf.set_font("Helvetica", style=style, size=size)
    pdf.multi_cell(0, size * 0.55, _text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    _line(pdf, text, 13, "B")
    pdf.ln(1)


def build(data: ReportData) -> bytes:
    """The report's bytes."""
    pdf = _Pdf(format="A4")
    pdf.set_title(_text(f"Compliance screening report {data.customer_id}"))
    pdf.set_creator("openkyc")
    pdf.add_page()
    name = " ".join(p for p in (data.person.get("firstName"), data.person.get("lastName")) if p)
    _line(pdf, "Compliance screening report", 11)
    _line(pdf, name or data.customer_id, 22, "B")
    _line(pdf, f"Customer {data.customer_id} of {data.organization}", 9)
    _line(pdf, f"Generated {format_time(data.generated)}", 9)
    _heading(pdf, "Customer data")
    for label, key in (
        ("Date of birth", "dob"),
        ("Address", "address"),
        ("City", "city"),
        ("Region", "region"),
        ("Postal code", "postalCode"),
        ("Country", "country"),
    ):
        _line(pdf, f"{label}: {data.person.get(key) or '-'}")
    _kyc(pdf, data.kyc)
    _aml(pdf, data.checks)
    return bytes(pdf.output())


def _kyc(pdf: FPDF, results: Sequence[KycResult]) -> None:
    _heading(pdf, f"KYC documents ({len(results)})")
    if not results:
        _line(pdf, "No KYC document was provided.")
    for result in results:
        reviewer = f", reviewed by {result.reviewer}" if result.reviewer else ""
        _line(
            pdf,
            f"{result.document_type} {result.document_id}: {result.status}{reviewer} "
            f"({format_time(result.updated)})",
        )


def _aml(pdf: FPDF, checks: Sequence[dict[str, Any]]) -> None:
    _heading(pdf, f"AML checks ({len(checks)})")
    if not checks:
        _line(pdf, "The customer was never screened.")
    for check in checks:
        reviewer = f", reviewed by {check['reviewerName']}" if check.get("reviewerName") else ""
        _line(
            pdf,
            f"{check['id']} ({check['source']}, {check['createdTime']}): {check['status']}, "
            f"priority {check.get('priority') or '-'}{reviewer}",
            10,
            "B",
        )
        provenance = check.get("provenance")
        if provenance:
            _line(
                pdf,
                f"Status inherited from AML check {provenance['inheritedFromAmlCheckId']}, "
                f"which a person decided ({', '.join(provenance['reasons'])})",
                9,
            )
        if not check["hits"]:
            _line(pdf, f"No hits ({check.get('noMatchReason') or 'no_hits_found'}).")
        for hit in check["hits"]:
            _hit(pdf, hit)


def _hit(pdf: FPDF, hit: dict[str, Any]) -> None:
    name = " ".join(p for p in (hit.get("firstName"), hit.get("lastName")) if p)
    _line(
        pdf,
        f"- {name}: {', '.join(hit['sourceType']) or 'listed'} on {hit['source']}, "
        f"confidence {hit['confidence']}",
    )
    details = hit.get("matchDetails") or {}
    facts = [
        f"born {', '.join(hit['dob'])}" if hit.get("dob") else "",
        f"nationality {hit['nationality']}" if hit.get("nationality") else "",
        f"legal basis {'; '.join(hit['legalBasis'])}" if hit.get("legalBasis") else "",
    ]
    if any(facts):
        _line(pdf, "  " + "; ".join(f for f in facts if f), 9)
    if details:
        reasons = [*details.get("matchCriteria", []), *details.get("confidenceFactors", [])]
        _line(pdf, "  why: " + ", ".join(reasons), 8)
