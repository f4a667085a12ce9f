"""Secrets kept to be sent again are sealed: unreadable and unalterable without the
deployment's secret key; a worker with another key says so instead of sending wrong values."""

from __future__ import annotations

import pytest

from openkyc.sealing import SealBroken, Sealer
from openkyc.webhooks.outgoing import Credential, Subscription
from openkyc.webhooks.queue import Claimed
from openkyc.webhooks.sender import Sender
from openkyc.webhooks.tasks import DeliveryConfig, attempt_delivery, opened

KEY = "deployment-secret-" + "k" * 30
SECRET = "whsec_" + "Q" * 43 + "="


def test_a_sealed_value_opens_with_its_key_only() -> None:
    sealer = Sealer(KEY)
    sealed = sealer.seal(SECRET)
    assert sealed is not None and sealed.startswith("sealed:1:") and SECRET not in sealed
    assert sealer.seal(SECRET) != sealed  # a fresh nonce each time
    assert sealer.open(sealed) == SECRET
    assert Sealer(KEY).open(sealed) == SECRET  # the key, not the object, opens it
    with pytest.raises(SealBroken, match="another OPENKYC_SECRET_KEY"):
        Sealer("another-" + KEY).open(sealed)
    tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    with pytest.raises(SealBroken):
        sealer.open(tampered)


def test_after_a_change_of_key_the_previous_one_still_opens_until_sealed_anew() -> None:
    old = Sealer("old-" + KEY).seal(SECRET)
    rotated = Sealer(KEY, previous=["old-" + KEY])
    assert rotated.open(old) == SECRET and not rotated.is_current(old)
    anew = rotated.seal(rotated.open(old))
    assert rotated.is_current(anew) and Sealer(KEY).open(anew) == SECRET
    assert not rotated.is_current("s3cret") and rotated.is_current(None)


def test_values_stored_before_sealing_read_back_as_they_are() -> None:
    assert Sealer(KEY).open("s3cret") == "s3cret"
    assert Sealer(KEY).open(None) is None and Sealer(KEY).seal(None) is None


def _claimed(sealer: Sealer) -> Claimed:
    credential = Credential("crd_1", "127.0.0.1", "basic", "shop", sealer.seal("s3cret"), "active")
    subscription = Subscription(
        id="hook_1",
        organization_id="org_1",
        url="http://127.0.0.1:9/hooks",
        method="POST",
        headers=[],
        body_template=None,
        signing_secret=sealer.seal(SECRET),
        credential=credential,
    )
    return Claimed(
        "log_1", "org_1", "hook_1", "evt_1", 0, None, {"eventType": "x"}, subscription, True
    )


def test_the_worker_opens_the_secrets_it_sends() -> None:
    claimed = _claimed(Sealer(KEY))
    assert claimed.subscription is not None
    plain = opened(claimed.subscription, Sealer(KEY))
    assert plain.signing_secret == SECRET
    assert plain.credential is not None and plain.credential.password == "s3cret"


@pytest.mark.parametrize("worker_key", ["another-" + KEY, None])
def test_a_worker_without_the_key_fails_the_delivery_saying_why(worker_key: str | None) -> None:
    config = DeliveryConfig(sealer=Sealer(worker_key) if worker_key else None)
    sender = Sender(1.0, 1.0)
    try:
        attempt = attempt_delivery(_claimed(Sealer(KEY)), sender, config)
    finally:
        sender.close()
    assert attempt.final and not attempt.sent
    assert attempt.answer.error is not None and "sealed" in attempt.answer.error
