"""Standard Webhooks signatures, against the specification's published test vector."""

from __future__ import annotations

import pytest

from openkyc.webhooks import signing

# The test vector the Standard Webhooks libraries share.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MESSAGE_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
BODY = b'{"test": 2432232314}'
SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_signature_matches_the_specifications_vector() -> None:
    assert signing.signature(SECRET, MESSAGE_ID, TIMESTAMP, BODY) == SIGNATURE
    assert signing.signature_headers(SECRET, MESSAGE_ID, BODY, TIMESTAMP + 0.9) == {
        "webhook-id": MESSAGE_ID,
        "webhook-timestamp": str(TIMESTAMP),
        "webhook-signature": SIGNATURE,
    }


def _headers(signature: str = SIGNATURE, timestamp: int = TIMESTAMP) -> dict[str, str]:
    return {
        "Webhook-Id": MESSAGE_ID,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": signature,
    }


def test_receivers_verify_and_reject_forgeries_and_replays() -> None:
    assert signing.verify(SECRET, _headers(), BODY, now=TIMESTAMP + 299)
    assert signing.verify(SECRET, _headers(f"v1,bogus= {SIGNATURE}"), BODY, now=TIMESTAMP)
    assert not signing.verify(SECRET, _headers(), BODY + b" ", now=TIMESTAMP)
    assert not signing.verify(SECRET, _headers(), BODY, now=TIMESTAMP + 301)
    assert not signing.verify(SECRET, _headers(timestamp=TIMESTAMP + 1), BODY, now=TIMESTAMP)
    other = signing.new_signing_secret()
    assert not signing.verify(other, _headers(), BODY, now=TIMESTAMP)
    assert not signing.verify(SECRET, {}, BODY, now=TIMESTAMP)


def test_new_secrets_are_random_32_byte_keys() -> None:
    first, second = signing.new_signing_secret(), signing.new_signing_secret()
    assert first.startswith("whsec_") and first != second
    assert len(signing.signing_key(first)) == 32


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "a signing secret starts with whsec_"),
        ("whsec_not base64!", "the part after whsec_ must be base64"),
        ("whsec_c2hvcnQ=", "the key must be 24 to 64 bytes"),
    ],
)
def test_malformed_secrets_are_refused(secret: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        signing.signing_key(secret)
