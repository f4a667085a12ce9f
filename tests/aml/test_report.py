"""The compliance screening report: a PDF attached to the customer, whose rendered pages
show the customer's name, each hit and the KYC results."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pypdfium2
from fastapi.testclient import TestClient

from openkyc.analysis.engines import RapidOcrReader
from openkyc.db.session import Database
from tests.fixtures import kyc, watchlists
from tests.fixtures.payloads import customer_body
from tests.web.test_conventions import assert_problem


def _pages(pdf: bytes, folder: Path) -> tuple[list[Path], str]:
    """Each page rendered to PNG, and the text the pages carry."""
    document = pypdfium2.PdfDocument(pdf)
    pngs, text = [], []
    for number, page in enumerate(document):
        path = folder / f"page-{number + 1}.png"
        page.render(scale=2).to_pil().save(path)
        pngs.append(path)
        text.append(page.get_textpage().get_text_range())
    document.close()
    return pngs, "\n".join(text)


def test_the_report_is_a_pdf_attached_to_the_customer(
    api: TestClient, database: Database, tmp_path: Path
) -> None:
    watchlists.load(database, watchlists.full_export(tmp_path))
    body = customer_body(first="Ivan", last="Petrov", dob="1970-03-15", country="RU")
    customer_id = api.post("/customers", json=body).json()["id"]
    document = kyc.document(api, customer_id, "address-proof")
    [check] = api.get("/aml-checks", params={"filter": f"customerId:{customer_id}"}).json()
    api.post(f"/aml-checks/{check['id']}/review", json={"status": "confirmed-match"})

    response = api.post(f"/customers/{customer_id}/compliance-screening-report")
    assert response.status_code == 201, response.text
    attachment = response.json()
    assert (attachment["relatedType"], attachment["relatedId"]) == ("customer", customer_id)
    assert attachment["name"].startswith(f"compliance-screening-report-{customer_id}-")
    assert response.headers["location"].endswith(f"/attachments/{attachment['id']}")
    listed = api.get("/attachments", params={"filter": f"relatedId:{customer_id}"}).json()
    assert [a["id"] for a in listed] == [attachment["id"]]
    download = api.get(f"/files/{attachment['fileId']}/download")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"

    pngs, text = _pages(download.content, tmp_path)
    assert pngs
    # The name, read back from the first page's picture.
    first = np.asarray(__import__("PIL.Image", fromlist=["Image"]).open(pngs[0]).convert("RGB"))
    header = first[: first.shape[0] // 6]
    read = " ".join(line.text for line in RapidOcrReader().read(header))
    assert "Ivan Petrov" in read
    for expected in (
        "Ivan Petrov",
        f"address-proof {document['id']}",
        f"{check['id']} (sign-up",
        "confirmed-match",
        "- Ivan Petrov: sanctions on test-list, confidence very-strong",
        "legal basis EU 269/2014",
        "match_exact_full_name",
    ):
        assert expected in text, expected


def test_the_report_says_where_an_inherited_status_comes_from(
    api: TestClient, database: Database, tmp_path: Path
) -> None:
    watchlists.load(database, watchlists.full_export(tmp_path))
    body = customer_body(first="Ivan", last="Petrov", dob="1970-03-15", country="RU")
    first = api.post("/customers", json=body).json()["id"]
    [source] = api.get("/aml-checks", params={"filter": f"customerId:{first}"}).json()
    api.post(f"/aml-checks/{source['id']}/review", json={"status": "false-positive"})
    copy = api.post("/customers", json=body).json()["id"]
    [check] = api.get("/aml-checks", params={"filter": f"customerId:{copy}"}).json()
    attachment = api.post(f"/customers/{copy}/compliance-screening-report").json()
    pdf = api.get(f"/files/{attachment['fileId']}/download").content
    _, text = _pages(pdf, tmp_path)
    flat = " ".join(text.split())  # lines wrap where the page ends them
    assert f"{check['id']} (sign-up" in flat
    assert "false-positive, priority p0, reviewed by bot" in flat
    assert (
        f"Status inherited from AML check {source['id']}, which a person decided "
        "(customer_duplicated_by_person_exact_match)"
    ) in flat


def test_a_report_of_no_customer_is_a_404(api: TestClient) -> None:
    assert_problem(api.post("/customers/cus_nobody/compliance-screening-report"), 404)
    assert api.get("/attachments").json() == []
