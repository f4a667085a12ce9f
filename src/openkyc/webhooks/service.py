"""Rules for webhooks: subscriptions bound to a credential of their host, a signing secret
shown once, filters checked when saved, previews sent at once, deliveries resent on demand."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.db.collection import CollectionQuery
from openkyc.db.ids import is_valid_id, new_id
from openkyc.db.models import Webhook, WebhookDelivery, WebhookSettings
from openkyc.errors import Forbidden, InvalidField, NotFound, ValidationFailed
from openkyc.sealing import SealBroken, Sealer
from openkyc.service_credentials import service as credentials
from openkyc.webhooks import queue
from openkyc.webhooks.enums import WebhookStatus
from openkyc.webhooks.outgoing import Subscription, credential_problem, outgoing, request_body
from openkyc.webhooks.repository import (
    DeliveryRepository,
    SettingsRepository,
    WebhookRepository,
    every_webhook,
)
from openkyc.webhooks.resources import RESOURCE_TYPES, FilterChecks
from openkyc.webhooks.schemas import WebhookIn, WebhookSettingsIn
from openkyc.webhooks.sender import Answer, Sender
from openkyc.webhooks.signing import new_signing_secret
from openkyc.webhooks.tasks import DeliveryConfig, opened


def page(
    session: Session, organization_id: str, query: CollectionQuery
) -> tuple[list[Webhook], int]:
    return WebhookRepository(session, organization_id).page(query)


def get(session: Session, organization_id: str, webhook_id: str) -> Webhook:
    hook = WebhookRepository(session, organization_id).get(webhook_id)
    if hook is None:
        raise NotFound.resource("Webhook", webhook_id)
    return hook


def _resource_types(events_filter: list[str]) -> list[str]:
    """The resources the subscribed events are about (all of them for every event)."""
    chosen = {name for name in RESOURCE_TYPES for t in events_filter if t.startswith(name + "-")}
    return sorted(chosen) or sorted(RESOURCE_TYPES)


def _check_filter(data: WebhookIn, checks: FilterChecks) -> None:
    """The filter must be one at least one subscribed resource's collection understands."""
    if not data.filter:
        return
    problems: list[ValidationFailed] = []
    for resource_type in _resource_types(data.eventsFilter):
        try:
            checks[resource_type](data.filter)
            return
        except ValidationFailed as problem:
            problems.append(problem)
    raise ValidationFailed.field("filter", problems[0].invalid_fields[0].message)


def _credential(session: Session, organization_id: str, data: WebhookIn) -> Any:
    """The credential named by ``credentialHash``, which must be for the URL's host."""
    try:
        credential = credentials.get(session, organization_id, data.credentialHash)
    except NotFound as missing:
        raise ValidationFailed.field("credentialHash", "no such webhook credential") from missing
    host = httpx.URL(data.url).host
    if credential.host.lower() != host.lower():
        raise ValidationFailed.field(
            "credentialHash", f"the credential is for {credential.host}, not {host}"
        )
    return credential


def _check(session: Session, organization_id: str, data: WebhookIn, checks: FilterChecks) -> None:
    _credential(session, organization_id, data)
    _check_filter(data, checks)


def _apply(hook: Webhook, data: WebhookIn, sealer: Sealer) -> None:
    hook.url = data.url
    hook.method = data.method
    hook.events_filter = list(dict.fromkeys(data.eventsFilter))
    hook.headers = [header.model_dump() for header in data.headers]
    hook.credential_id = data.credentialHash
    hook.body_template = data.body
    hook.filter = data.filter or None
    if data.signingSecret:
        hook.signing_secret = sealer.seal(data.signingSecret)
    if data.status == WebhookStatus.ACTIVE and hook.status != WebhookStatus.ACTIVE:
        # Reactivated by a person: its failing record starts afresh.
        hook.failing_since = hook.deactivation_time = hook.deactivation_reason = None
    hook.status = data.status


def create(
    session: Session,
    organization_id: str,
    data: WebhookIn,
    sealer: Sealer,
    checks: FilterChecks,
    webhook_id: str = "",
) -> tuple[Webhook, str | None]:
    """A new subscription, and its signing secret when openkyc generated it (shown once; the
    stored secret is sealed). ``checks`` are the collections' checks of its ``filter``."""
    _check(session, organization_id, data, checks)
    now = clock.now()
    generated = None if data.signingSecret else new_signing_secret()
    hook = Webhook(
        id=webhook_id or new_id("hook"),
        organization_id=organization_id,
        revision=0,
        created_time=now,
        updated_time=now,
        status=data.status,
    )
    _apply(hook, data, sealer)  # seals a secret the merchant chose
    if generated:
        hook.signing_secret = sealer.seal(generated)
    return WebhookRepository(session, organization_id).add(hook), generated


def upsert(
    session: Session,
    organization_id: str,
    webhook_id: str,
    data: WebhookIn,
    sealer: Sealer,
    checks: FilterChecks,
) -> tuple[Webhook, bool, str | None]:
    """Replace a subscription's settings (its secret stays unless one is given), or create it
    with this id. Returns the webhook, whether it was created, and a generated secret."""
    if not is_valid_id(webhook_id):
        raise ValidationFailed.field("id", "must be 1-50 letters, digits or @~-._")
    hook = WebhookRepository(session, organization_id).get(webhook_id)
    if hook is None:
        created, secret = create(session, organization_id, data, sealer, checks, webhook_id)
        return created, True, secret
    _check(session, organization_id, data, checks)
    _apply(hook, data, sealer)
    hook.touch()
    session.flush()
    return hook, False, None


def delete(session: Session, organization_id: str, webhook_id: str) -> None:
    """Delete a subscription with its delivery log; deliveries not yet made are dropped."""
    WebhookRepository(session, organization_id).delete(get(session, organization_id, webhook_id))


def get_delivery(session: Session, organization_id: str, delivery_id: str) -> WebhookDelivery:
    delivery = DeliveryRepository(session, organization_id).get(delivery_id)
    if delivery is None:
        raise NotFound.resource("Webhook tracking log", delivery_id)
    return delivery


def deliveries(
    session: Session, organization_id: str, query: CollectionQuery
) -> tuple[list[WebhookDelivery], int]:
    return DeliveryRepository(session, organization_id).page(query)


def resend(session: Session, organization_id: str, delivery_id: str) -> WebhookDelivery:
    """Send a delivery again now: one more attempt for one that ended (delivered or failed),
    the next retry brought forward for one waiting; one being sent is left alone."""
    delivery = get_delivery(session, organization_id, delivery_id)
    if delivery.status == queue.SENDING:
        return delivery
    if delivery.status != queue.PENDING:
        delivery.status = queue.PENDING
        delivery.max_attempts = delivery.attempt + 1
    delivery.run_after = delivery.updated_time = clock.now()
    session.flush()
    queue.announce(session)
    return delivery


def get_settings(session: Session, organization_id: str) -> WebhookSettings | None:
    return SettingsRepository(session, organization_id).get()


def put_settings(
    session: Session, organization_id: str, data: WebhookSettingsIn, opt_in_allowed: bool
) -> WebhookSettings:
    """Let (or stop) the organization's webhooks reach loopback and private networks, where
    the operator allows organizations to choose."""
    if data.allowPrivateNetworks and not opt_in_allowed:
        raise Forbidden("This deployment does not let organizations deliver to private networks")
    repository = SettingsRepository(session, organization_id)
    settings = repository.get()
    now = clock.now()
    if settings is None:
        settings = WebhookSettings(organization_id=organization_id, created_time=now)
        repository.add(settings)
    settings.allow_private_networks = data.allowPrivateNetworks
    settings.updated_time = now
    session.flush()
    return settings


def _answer_problem(answer: Answer) -> str:
    if answer.error:
        return answer.error
    return f"the receiver answered {answer.status}"


def preview(
    session: Session,
    organization_id: str,
    data: WebhookIn,
    config: DeliveryConfig,
    checks: FilterChecks,
    sample: dict[str, Any],
) -> Answer:
    """Send one request now as the subscription would, with the organization's latest event
    it would receive (or ``sample``). Anything but a 2xx answer is an error naming the URL;
    nothing is stored."""
    credential = _credential(session, organization_id, data)
    _check_filter(data, checks)
    event = WebhookRepository(session, organization_id).latest_event(data.eventsFilter)
    payload = event.payload if event is not None else sample
    subscription = Subscription(
        id="preview",
        organization_id=organization_id,
        url=data.url,
        method=data.method,
        headers=[header.model_dump() for header in data.headers],
        body_template=data.body,
        signing_secret=data.signingSecret,
        credential=queue.credential_of(credential),
    )
    try:
        subscription = opened(subscription, config.sealer)
    except SealBroken as broken:
        raise ValidationFailed.field("credentialHash", str(broken)) from broken
    problem = credential_problem(subscription, httpx.URL(data.url).host)
    if problem:
        raise ValidationFailed.field("credentialHash", problem)
    settings = get_settings(session, organization_id)
    policy = config.policy(bool(settings and settings.allow_private_networks))
    message_id = event.id if event is not None else new_id("evt")
    body = request_body(subscription, payload)
    sender = Sender(config.connect_timeout, config.timeout)
    try:
        answer = sender.send(outgoing(subscription, message_id, body, policy, clock.timestamp()))
    finally:
        sender.close()
    if not answer.ok:
        raise ValidationFailed([InvalidField("url", _answer_problem(answer))])
    return answer


def seal_stored_secrets(session: Session, sealer: Sealer) -> int:
    """Seal anew, under the current key, the signing secrets and passwords (of every
    organization) that an earlier openkyc stored as given or that a previous key sealed; how
    many. Run at start, after the migrations; a value no key opens is left for its owner to
    enter again (its deliveries say why they are not sent)."""

    def anew(stored: str | None) -> str | None:
        if sealer.is_current(stored):
            return None
        try:
            return sealer.seal(sealer.open(stored))
        except SealBroken:
            return None

    sealed = 0
    for hook in every_webhook(session):
        if (secret := anew(hook.signing_secret)) is not None:
            hook.signing_secret, sealed = secret, sealed + 1
    for credential in credentials.every_credential_with_password(session):
        if (password := anew(credential.password)) is not None:
            credential.password, sealed = password, sealed + 1
    session.flush()
    return sealed
