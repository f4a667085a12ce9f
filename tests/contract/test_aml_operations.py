"""Rebilly's AML operations are served at Rebilly's paths, with its operation ids, success
statuses and field names, so a client written for Rebilly finds them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract.test_schemathesis import DOCUMENT

# (method, path, operationId, success status) of Rebilly's AML operations.
OPERATIONS = [
    ("get", "/aml-checks", "GetAmlCheckCollection", "200"),
    ("get", "/aml-checks/{id}", "GetAmlCheck", "200"),
    ("post", "/aml-checks/{id}/start-review", "PostAmlCheckStartReview", "201"),
    ("post", "/aml-checks/{id}/stop-review", "PostAmlCheckStopReview", "201"),
    ("post", "/aml-checks/{id}/review", "PostAmlCheckReview", "201"),
    ("get", "/aml-settings", "GetAmlSettings", "200"),
    ("put", "/aml-settings", "PutAmlSettings", "200"),
    ("post", "/tags/{tag}/aml-checks", "PostTagAmlCheckCollection", "204"),
    ("delete", "/tags/{tag}/aml-checks", "DeleteTagAmlCheckCollection", "204"),
    ("post", "/tags/{tag}/aml-checks/{amlCheckId}", "PostTagAmlCheck", "204"),
    ("delete", "/tags/{tag}/aml-checks/{amlCheckId}", "DeleteTagAmlCheck", "204"),
    (
        "post",
        "/customers/{id}/compliance-screening-report",
        "PostCustomerComplianceScreeningReport",
        "201",
    ),
    ("get", "/experimental/reports/aml-checks", "GetAmlCheckReport", "200"),
    (
        "get",
        "/experimental/reports/aml-checks-inherited-summary",
        "GetAmlInheritedMatchSummaryReport",
        "200",
    ),
    ("get", "/experimental/histograms/aml-checks", "GetHistogramAmlCheckReport", "200"),
]


def _schema(reference: dict[str, Any]) -> dict[str, Any]:
    name = reference["$ref"].rsplit("/", 1)[-1]
    return dict(DOCUMENT["components"]["schemas"][name])


def _response_schema(path: str, method: str, status: str) -> dict[str, Any]:
    content = DOCUMENT["paths"][path][method]["responses"][status]["content"]
    schema = content["application/json"]["schema"]
    return _schema(schema["items"] if schema.get("type") == "array" else schema)


@pytest.mark.parametrize(("method", "path", "operation_id", "status"), OPERATIONS)
def test_each_operation_is_served(method: str, path: str, operation_id: str, status: str) -> None:
    operation = DOCUMENT["paths"][path][method]
    assert operation["operationId"] == operation_id
    assert status in operation["responses"]


def test_an_aml_check_has_rebilly_s_fields() -> None:
    check = _response_schema("/aml-checks/{id}", "get", "200")
    assert {
        "id",
        "createdTime",
        "updatedTime",
        "websiteId",
        "reviewerId",
        "reviewerType",
        "reviewerName",
        "reviewStartTime",
        "reviewTime",
        "priority",
        "source",
        "status",
        "customer",
        "hits",
        "tags",
        "provenance",
        "noMatchReason",
        "noMatchDetails",
        "_links",
    } <= set(check["properties"])
    hit = _schema(check["properties"]["hits"]["items"])
    assert {
        "firstName",
        "lastName",
        "source",
        "sourceType",
        "gender",
        "title",
        "type",
        "legalBasis",
        "regime",
        "confidence",
        "nationality",
        "address",
        "dob",
        "aliases",
        "passport",
        "comments",
        "metadata",
        "matchDetails",
    } <= set(hit["properties"])


def test_the_settings_have_rebilly_s_matrix() -> None:
    settings = _response_schema("/aml-settings", "get", "200")
    confidence = _schema(settings["properties"]["confidence"])
    assert set(confidence["properties"]) == {"dob", "noDob", "yob", "inexactYob"}
    no_dob = _schema(confidence["properties"]["noDob"])
    assert set(no_dob["properties"]) == {"exactMatch", "inexactMatch", "weakMatch"}
    compound = _schema(no_dob["properties"]["weakMatch"])
    assert set(compound["properties"]) == {"addressMatch", "addressMismatch", "noAddress"}
    priority = _schema(settings["properties"]["priority"])
    assert set(priority["properties"]) == {
        "pep",
        "enforcements",
        "stateOwnedEnterprise",
        "sanctions",
        "adverseMedia",
    }
    review = DOCUMENT["paths"]["/aml-checks/{id}/review"]["post"]["requestBody"]
    body = _schema(review["content"]["application/json"]["schema"])
    assert body["properties"]["status"]["enum"] == ["confirmed-match", "false-positive"]
