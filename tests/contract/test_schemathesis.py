"""schemathesis against a live openkyc on both backends: no 5xx, and no response that breaks
the OpenAPI document the server serves.

Every operation of the document gets schemathesis's explicit-example, coverage and fuzzing
phases, with valid and invalid data, a secret key of a fresh organization per operation and
all the default checks of ``call_and_validate`` (not_a_server_error, status_code_conformance,
content_type_conformance, response_schema_conformance, response_headers_conformance,
negative_data_rejection, positive_data_acceptance, allow_header_conformance, ...).

The document is rendered from the app when this module is imported, since schemathesis makes
one test per operation at collection time; ``test_served_document_is_the_one_tested`` pins it
to what the live server serves at ``/openapi.json``. (``schemathesis.pytest.from_fixture``
would load it from the live server directly, but it breaks on pytest 9.2, which no longer has
``Node._nodeid``.)
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case, Response
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

import openkyc
from openkyc.config import Settings
from openkyc.web.app import create_app
from tests.fixtures.live import Live

# Examples per operation and phase: the whole module (2 backends) takes about a minute and a
# half on 2 cores. Set OPENKYC_SCHEMATHESIS_EXAMPLES for a deeper search.
MAX_EXAMPLES = int(os.environ.get("OPENKYC_SCHEMATHESIS_EXAMPLES", "60"))

# Rules the document cannot state in JSON Schema: (field, message) of the 422 that answers
# schema-valid data breaking them. A 422 whose every invalid field is one of these is the
# documented answer, so the check that schema-valid data is accepted does not apply to it;
# every other 422 to schema-valid data still fails the test. A message is a text the answer
# contains or, compiled, a pattern the whole answer matches.
FILTER_MESSAGES = re.compile(
    r"'.*' is not of the form field:value"
    r"|cannot filter by '.*'; filterable fields: .*"
    r"|\S+ expects .+, not '.*'"
    r"|\S+ needs a value"
    r"|\S+ does not accept a range"
    r"|the range of \S+ needs a bound"
    r"|value lists \(@name\) are not supported"
    r"|a quoted value is not closed",
    re.S,
)
FILE_IDS_MESSAGES = re.compile(
    r"no file .* (in this organization|uploaded by this customer)"
    r"|a document needs at least one file"
    r"|a file may appear once"
    r"|an identity file needs the tags kyc and one of id-front, id-back, face-proof"
    r"|an identity document needs a file tagged id-front"
    r"|each of id-front, id-back and face-proof may appear once",
    re.S,
)
# What the bytes of a file say, whether sent or fetched from a URL.
CONTENT_MESSAGES = (
    r"the file is empty"
    r"|the file type is not accepted: send JPEG, PNG, GIF, WebP, HEIC/HEIF or PDF"
    r"|the image cannot be decoded: it is truncated or damaged"
    r"|the image claims more than \d+ pixels \(a decompression bomb\)"
    r"|the image is \d+x\d+ pixels, more than the limit of \d+"
    r"|the PDF is password-protected"
    r"|the PDF cannot be read: (it is damaged or not a PDF|its pages are damaged)"
    r"|the PDF has no pages"
    r"|page \d+ of the PDF is .+ pixels"
)
FILE_MESSAGES = re.compile(
    r"is not valid base64"
    r"|send the file in a form part named `file`"
    r"|the request has no file: send it as the body, base64 JSON, a URL or a form"
    r"|" + CONTENT_MESSAGES,
    re.S,
)
# A URL that is refused before it is fetched, or fetched and found wanting; a webhook's URL
# whose preview is not answered with a 2xx.
URL_MESSAGES = re.compile(
    r"it is not a valid URL"
    r"|only http and https URLs are fetched"
    r"|the URL has no host"
    r"|URLs with credentials are not fetched"
    r"|the host .* (cannot be resolved|is refused: .+)"
    r"|the server answered \d+"
    r"|the server did not answer within [\d.]+s"
    r"|the file could not be fetched \(.+\)"
    r"|the URL redirects more than \d+ times"
    r"|the file is larger than \d+ bytes"
    r"|send either `file` or `url`, not both"
    r"|no answer within [\d.]+s"
    r"|the receiver answered \d+"
    r"|the connection (failed|was lost)"
    r"|the receiver broke the HTTP protocol"
    r"|" + CONTENT_MESSAGES,
    re.S,
)
SIGNING_SECRET_MESSAGES = re.compile(
    r"Value error, (the part after whsec_ must be base64|the key must be \d+ to \d+ bytes"
    r"|a signing secret starts with whsec_)",
    re.S,
)


def exactly(pattern: str) -> re.Pattern[str]:
    """A message with variable parts (ids, names, numbers): the whole message must match."""
    return re.compile(pattern, re.S)


# Each rule names its field(s) and its message: a text the message must equal, or a pattern
# the whole message must match (an id, a name or a number varies; the words do not).
RULES_BEYOND_THE_SCHEMA: list[tuple[str, str | re.Pattern[str]]] = [
    # Small languages (Rebilly's filter syntax, each resource's sortable fields and expandable
    # relations), typed as plain strings as in Rebilly's own document and described in words.
    (r"filter", FILTER_MESSAGES),
    (r"sort", exactly(r"cannot sort by ('.*'|\".*\"); sortable fields: .*")),
    (r"expand", exactly(r"cannot expand .+; this resource expands .*")),
    # Depends on what is stored: references to the organization's customers, files, requests
    # and documents, and what a request still allows.
    (r"customerId|targetCustomerId", exactly(r"no customer .* in this organization")),
    # An attachment's file and customer, or the organization's own id (which the document
    # cannot know) for `relatedType: organization`.
    (r"fileId", exactly(r"no file .* in this organization")),
    (r"relatedId", exactly(r"no customer .* in this organization")),
    (r"relatedId", exactly(r"must be this organization's own id, not .*")),
    (r"requestId", exactly(r"no KYC request .* for this customer")),
    (r"fileIds(\.\d+)?", FILE_IDS_MESSAGES),
    (r"credentialHash", "no such webhook credential"),
    (r"(kycDocumentIds|customerIds|amlCheckIds)\.\d+", exactly(r".* was not found")),
    (r"documentType", exactly(r"KYC request \S+ does not ask for \S+")),
    (r"documentSubtype", exactly(r"the request allows .+")),
    # Rules across fields or items that JSON Schema cannot say: one entry per document type,
    # thresholds in order, a file's bytes that are a supported, sound image or PDF.
    (r"documents", "each document type may be requested once"),
    (r"(identityProof|addressProof)\.thresholds", "rejectBelow must not be above acceptAbove"),
    (
        r"documents\.\d+",
        "faceProofRequired and faceLivenessRequired apply to identity-proof only",
    ),
    (r"identityProof\.minimumAgeSettings", "each country, or country and state, may appear once"),
    # A report's period ends no earlier than it starts (the start by default this month's).
    (r"periodEnd", "must not be before periodStart"),
    # A histogram's period cut in buckets of the aggregation period: at most ten thousand.
    (r"aggregationPeriod", exactly(r"the period has more than \d+ buckets of it")),
    (r"file", FILE_MESSAGES),
    # Depends on the network: a URL to fetch that does not answer, or answers something else.
    (r"url", URL_MESSAGES),
    # A webhook's signing secret is `whsec_` and a base64 key of 24 to 64 bytes, whose padding
    # and length a pattern cannot check; a credential's type in the body must be the path's.
    (r"signingSecret", SIGNING_SECRET_MESSAGES),
    (r"type", "must be webhook, as in the path"),
    # Depends on the clock.
    (r"expiredTime|expirationTime", "must be in the future"),
    # The gatherer's brand colour must keep white text readable (WCAG AA), a ratio no pattern says.
    (r"(.+\.)?primaryColor", "white text on this colour has a contrast under 4.5:1 (WCAG AA)"),
    # A logo's bytes must be the small picture its data URL names.
    (r"(.+\.)?logo", "the logo is not a picture that opens (PNG, JPEG or WebP)"),
    (r"(.+\.)?logo", "the logo is larger than 64 KB"),
    # A date-time at the calendar's very ends, which a time-zone offset would carry outside it.
    (r".+", "must be a date-time between the years 2 and 9998"),
    # Depends on what is stored: a custom event type's name is the organization's once, and
    # never a system event's; a user's email likewise (one organization may have several).
    (r"name", "a custom event type of this name exists"),
    (r"name", "must not be the name of a system event"),
    (r"organizationId", "this email belongs to several organizations: name one"),
    # Depends on what is stored: an existing key keeps its type.
    (r"type", "the type of an existing key cannot change"),
    # Depends on the credentials used: what a key or token yields stays within what they
    # hold (their operations and addresses), and a token lives at most as long as allowed.
    (r"permissions|acl", exactly(r"the credentials used do not hold: .+")),
    (r"acl", "a key with limited permissions can only create keys with an ACL"),
    (r"allowedIps", exactly(r"must list only addresses this key is allowed from: .*")),
    (r"expiredTime", exactly(r"must be at most \d+ seconds ahead")),
    (r"expiredTime", "must not outlive the token used"),
    # Rebilly's document says it in words: only public addresses.
    (r"allowedIps", exactly(r".+ is a private network; list public addresses")),
    # PostgreSQL keeps no U+0000 in text or jsonb; free-form objects (`customFields`) cannot
    # carry a pattern, so the API description states it in words for every field.
    (r".+", "must not contain the NUL character (U+0000)"),
    (r".+", "must not contain the NUL character"),
    # `format: email` admits names reserved by RFC 6761 (`a@b.test`), which never get mail.
    (
        r"email|notificationEmails\.\d+|primaryAddress\.emails\.\d+\.value",
        "value is not a valid email address: The part after the @-sign is a special-use or "
        "reserved name that cannot be used with email.",
    ),
]


def _document() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            Settings(data_dir=Path(folder), database_url="sqlite://", secret_key="x" * 40)
        )
        document = app.openapi()
        app.state.database.dispose()
    return document


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT)


def test_each_rule_beyond_the_schema_is_a_message_openkyc_gives() -> None:
    """The allow-list excuses exact messages: each fixed one is written so in the code (the
    email rule's is the email validator's)."""
    code = "\n".join(p.read_text() for p in Path(openkyc.__file__).parent.rglob("*.py"))
    source = re.sub(r'"\s*\n\s*f?"', "", code)  # strings continued on the next line
    fixed = [m for _, m in RULES_BEYOND_THE_SCHEMA if isinstance(m, str)]
    assert [m for m in fixed if m not in source and "valid email" not in m] == []


def test_served_document_is_the_one_tested(live: Live) -> None:
    # Rendering the document takes a second of CPU: allow for a loaded machine.
    assert httpx.get(f"{live.base_url}/openapi.json", timeout=60).json() == DOCUMENT


def _says(answer: str, message: str | re.Pattern[str]) -> bool:
    """Whether ``answer`` is exactly the rule's message (after pydantic's "Value error, ")."""
    if isinstance(message, str):
        return message in (answer, answer.removeprefix("Value error, "))
    # A validator's own message comes after pydantic's "Value error, ".
    return any(
        message.fullmatch(text) is not None
        for text in (answer, answer.removeprefix("Value error, "))
    )


def _is_rule_beyond_the_schema(response: Response) -> bool:
    if response.status_code != 422:
        return False
    fields = response.json().get("invalidFields") or []
    return bool(fields) and all(
        any(
            re.fullmatch(name, field["field"]) and _says(field["message"], message)
            for name, message in RULES_BEYOND_THE_SCHEMA
        )
        for field in fields
    )


# RFC 9110: a header name is a token; a value holds no control character but tab.
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _is_http(headers: Mapping[str, Any] | None) -> bool:
    """Whether the generated headers make a well-formed HTTP message. Fuzzing sometimes adds
    ones that do not (`C9q;`, `content-length: #g`); the HTTP server refuses those with a plain
    400 before openkyc sees the request."""
    for name, value in (headers or {}).items():
        text = str(value)
        if not HEADER_NAME.fullmatch(name) or any(
            (ord(c) < 32 and c != "\t") or ord(c) == 127 for c in text
        ):
            return False
        if name.lower() == "content-length" and not text.isdigit():
            return False
    return True


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    # One organization per operation on purpose: the live server is never rolled back, and
    # what one example creates is data the next may read.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_operation_conforms(case: Case, live: Live) -> None:
    response = case.call(base_url=live.base_url, headers=live.headers)
    if not _is_http(case.headers):
        # Not HTTP: refused by the server's parser, nothing of it reaches the application.
        assert (response.status_code, response.text) == (400, "Invalid HTTP request received.")
        return
    excluded: list[Any] = [positive_data_acceptance] if _is_rule_beyond_the_schema(response) else []
    if response.status_code == 413:
        # A body above the endpoint's size limit is refused before it is read, valid or not.
        body = response.request.body
        assert isinstance(body, bytes | str) and len(body) > Settings().max_body_bytes
        excluded += [positive_data_acceptance, negative_data_rejection]
    if case.media_type == "multipart/form-data":
        # A form carries text only: a field of another type (an object, a number) arrives as
        # its JSON text, which is a valid string; the server cannot tell it was meant otherwise.
        excluded.append(negative_data_rejection)
    case.validate_response(
        response,
        excluded_checks=excluded,
        headers=live.headers,
        transport_kwargs={"base_url": live.base_url, "headers": live.headers},
    )
