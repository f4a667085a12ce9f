"""What a delivery sends and when it retries, as plain values: bodies, templates, headers,
the log's view of them, the back-off schedule and Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from openkyc.files.fetch import FetchPolicy
from openkyc.webhooks.outgoing import (
    Credential,
    Subscription,
    logged_headers,
    outgoing,
    request_body,
)
from openkyc.webhooks.queue import RetryPolicy
from openkyc.webhooks.sender import retry_after_seconds
from openkyc.webhooks.templates import render

PAYLOAD = {
    "eventType": "kyc-document-accepted",
    "kycDocumentId": "kyc_doc_1",
    "_embedded": {
        "kycDocument": {"id": "kyc_doc_1", "fileIds": ["file_1", "file_2"], "score": 87},
        "customer": {"primaryAddress": {"firstName": "Grace"}, "hasFulfilledKyc": True},
    },
}
POLICY = FetchPolicy(timeout=5, max_redirects=0, max_bytes=1024)


def _subscription(**fields: object) -> Subscription:
    values: dict = {
        "id": "hook_1",
        "organization_id": "org_1",
        "url": "https://hooks.example.com/kyc",
        "method": "POST",
        "headers": [],
        "body_template": None,
        "signing_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "credential": None,
        **fields,
    }
    return Subscription(**values)


@pytest.mark.parametrize(
    ("template", "rendered"),
    [
        ("{{eventType}}", "kyc-document-accepted"),
        ("{{ kycDocument.id }}/{{kycDocumentId}}", "kyc_doc_1/kyc_doc_1"),
        ("{{kycDocument.fileIds.1}} {{kycDocument.fileIds.9}}", "file_2 "),
        ("{{customer.primaryAddress.firstName}}!", "Grace!"),
        ("{{customer.hasFulfilledKyc}} {{kycDocument.score}}", "true 87"),
        ("{{kycDocument.fileIds}}", '["file_1","file_2"]'),
        ("Hello {{invalid.placeholder}}!", "Hello !"),
        ("no placeholders {single}", "no placeholders {single}"),
    ],
)
def test_templates_fill_placeholders_from_the_event(template: str, rendered: str) -> None:
    assert render(template, PAYLOAD) == rendered


def test_the_default_body_is_the_events_payload_and_get_sends_none() -> None:
    assert request_body(_subscription(), PAYLOAD).startswith('{"eventType":"kyc-document-accepted"')
    assert request_body(_subscription(method="GET"), PAYLOAD) == ""
    templated = _subscription(body_template="id={{kycDocumentId}}")
    assert request_body(templated, PAYLOAD) == "id=kyc_doc_1"


def test_headers_are_the_subscriptions_active_ones_around_openkycs_own() -> None:
    subscription = _subscription(
        headers=[
            {"name": "content-type", "value": "text/plain", "status": "active"},
            {"name": "X-Off", "value": "1", "status": "inactive"},
            {"name": "Webhook-Signature", "value": "v1,forged", "status": "active"},
            {"name": "Authorization", "value": "Bearer t0ken", "status": "active"},
        ],
        credential=Credential("crd_1", "hooks.example.com", "basic", "shop", "s3cret", "active"),
    )
    request = outgoing(subscription, "evt_1", "hello", POLICY, now=1_700_000_000)
    assert request.headers == {
        "User-Agent": request.headers["User-Agent"],
        "content-type": "text/plain",
        "Authorization": "Bearer t0ken",
        "webhook-id": "evt_1",
        "webhook-timestamp": "1700000000",
        "webhook-signature": request.headers["webhook-signature"],
    }
    assert request.headers["User-Agent"].startswith("openkyc-webhooks/")
    assert request.auth == ("basic", "shop", "s3cret") and request.body == b"hello"
    shown = logged_headers(request)
    assert shown["Authorization"] == "Basic [hidden]" and "s3cret" not in str(shown)
    assert shown["webhook-signature"] == request.headers["webhook-signature"]


def test_a_subscription_without_a_secret_sends_unsigned() -> None:
    request = outgoing(_subscription(signing_secret=None), "evt_1", "{}", POLICY, now=0)
    assert "webhook-signature" not in request.headers


def test_the_default_schedule_reaches_days_and_retries_spread() -> None:
    policy = RetryPolicy()
    schedule = policy.schedule()
    assert len(schedule) == 12 and schedule[:4] == [5, 15, 45, 135]
    assert schedule[-3:] == [86400, 86400, 86400]
    assert 3 * 86400 < sum(schedule) < 4 * 86400
    waits = {round(policy.delay(3), 3) for _ in range(200)}
    assert len(waits) > 100 and min(waits) >= 45 * 0.75 and max(waits) <= 45 * 1.25
    assert policy.delay(12) <= 86400 * 1.25


def test_retry_after_is_honoured_up_to_the_longest_wait() -> None:
    policy = RetryPolicy(base_seconds=1, max_delay_seconds=600)
    assert 120 <= policy.delay(1, retry_after=120) <= 120
    assert policy.delay(1, retry_after=86400) == 600
    now = datetime(2026, 1, 1, tzinfo=UTC)
    later = (now + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert retry_after_seconds(later, now) == 90
    assert retry_after_seconds("30") == 30
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
