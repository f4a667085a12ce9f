"""Webhooks through the API (no worker runs here): subscriptions, the deliveries events
create for them, the tracking log, resends and the organization's delivery settings."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from openkyc.config import Settings
from openkyc.db.models import Webhook, WebhookDelivery
from openkyc.db.session import Database
from openkyc.sealing import Sealer
from openkyc.web.app import create_app
from openkyc.webhooks import signing
from tests.fixtures import kyc, webhooks
from tests.fixtures.tenants import Tenant

URL = "https://hooks.example.com/kyc"


def _body(api: TestClient, **fields: Any) -> dict[str, Any]:
    return {
        "method": "POST",
        "url": URL,
        "credentialHash": webhooks.credential(api, "hooks.example.com"),
        **fields,
    }


def _invalid(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    return [f["field"] for f in response.json()["invalidFields"]]


def _stored(database: Database, organization_id: str, webhook_id: str) -> Webhook:
    with database.sessionmaker() as session:
        hook = session.get(Webhook, (organization_id, webhook_id))
        assert hook is not None
        return hook


def _stored_secret(database: Database, settings: Settings, organization_id: str, hook_id: str):
    """The webhook's signing secret as the database holds it: sealed, never the secret."""
    sealed = _stored(database, organization_id, hook_id).signing_secret
    assert sealed.startswith("sealed:1:")
    opened = Sealer(settings.resolved_secret_key).open(sealed)
    assert opened is not None and opened not in sealed
    return opened


def test_a_webhook_is_created_with_a_secret_shown_once(
    api: TestClient, database: Database, tenant: Tenant, settings: Settings
) -> None:
    body = _body(
        api,
        eventsFilter=["kyc-document-accepted", "kyc-request-fulfilled"],
        headers=[{"name": "X-Token", "value": "t0ken"}],
        filter="status:accepted",
    )
    created = api.post("/webhooks", json=body)
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["id"].startswith("hook_")
    assert created.headers["location"] == f"http://openkyc.test/webhooks/{hook['id']}"
    assert signing.signing_key(hook["signingSecret"])
    assert {k: hook[k] for k in body} == {
        **body,
        "headers": [{"name": "X-Token", "value": "t0ken", "status": "active"}],
    }
    assert (hook["status"], hook["body"], hook["failingSince"], hook["deactivationReason"]) == (
        "active",
        None,
        None,
        None,
    )
    shown = api.get(f"/webhooks/{hook['id']}").json()
    assert "signingSecret" not in shown
    assert shown == {k: v for k, v in hook.items() if k != "signingSecret"}
    assert [h["id"] for h in api.get("/webhooks").json()] == [hook["id"]]
    stored = _stored_secret(database, settings, tenant.organization_id, hook["id"])
    assert stored == hook["signingSecret"]


def test_put_replaces_settings_keeps_the_secret_and_creates_with_an_id(
    api: TestClient, database: Database, tenant: Tenant, settings: Settings
) -> None:
    hook = api.post("/webhooks", json=_body(api)).json()
    updated = api.put(
        f"/webhooks/{hook['id']}", json=_body(api, method="PUT", status="inactive", body="{}")
    )
    assert updated.status_code == 200
    assert (updated.json()["method"], updated.json()["status"], updated.json()["body"]) == (
        "PUT",
        "inactive",
        "{}",
    )
    assert "signingSecret" not in updated.json()
    stored = _stored_secret(database, settings, tenant.organization_id, hook["id"])
    assert stored == hook["signingSecret"]
    mine = "whsec_" + "A" * 43 + "="
    rotated = api.put(f"/webhooks/{hook['id']}", json=_body(api, signingSecret=mine))
    assert "signingSecret" not in rotated.json()
    assert _stored_secret(database, settings, tenant.organization_id, hook["id"]) == mine

    created = api.put("/webhooks/my-hook", json=_body(api))
    assert created.status_code == 201
    assert created.json()["id"] == "my-hook" and created.json()["signingSecret"]
    assert created.headers["location"] == "http://openkyc.test/webhooks/my-hook"


def test_webhooks_are_validated(api: TestClient) -> None:
    assert _invalid(api.post("/webhooks", json={"method": "POST", "url": URL})) == [
        "credentialHash"
    ]
    assert _invalid(api.post("/webhooks", json=_body(api, url="ftp://hooks.example.com/"))) == [
        "url"
    ]
    assert _invalid(api.post("/webhooks", json=_body(api, method="TRACE"))) == ["method"]
    assert _invalid(api.post("/webhooks", json=_body(api, eventsFilter=["Not An Event"]))) == [
        "eventsFilter.0"
    ]
    assert _invalid(
        api.post("/webhooks", json=_body(api, headers=[{"name": "X\\nY", "value": "v"}]))
    ) == ["headers.0.name"]
    assert _invalid(api.post("/webhooks", json=_body(api, signingSecret="whsec_short"))) == [
        "signingSecret"
    ]
    other_host = {**_body(api), "credentialHash": webhooks.credential(api, "other.example.com")}
    refused = api.post("/webhooks", json=other_host)
    assert refused.json()["invalidFields"] == [
        {
            "field": "credentialHash",
            "message": "the credential is for other.example.com, not hooks.example.com",
        }
    ]
    unknown = api.post("/webhooks", json={**_body(api), "credentialHash": "crd_nope"})
    assert _invalid(unknown) == ["credentialHash"]
    # The filter is the collection filter of the subscribed events' resources.
    bad_filter = api.post(
        "/webhooks", json=_body(api, eventsFilter=["customer-created"], filter="status:accepted")
    )
    assert _invalid(bad_filter) == ["filter"]
    assert "cannot filter by 'status'" in bad_filter.json()["invalidFields"][0]["message"]
    assert api.get("/webhooks").json() == []


def test_deleting_a_webhook_deletes_its_log(api: TestClient, other_tenant: Tenant) -> None:
    hook = api.post("/webhooks", json=_body(api)).json()
    kyc.customer(api)
    assert len(webhooks.log(api)) == 1
    assert api.get(f"/webhooks/{hook['id']}", headers=other_tenant.headers).status_code == 404
    assert api.delete(f"/webhooks/{hook['id']}", headers=other_tenant.headers).status_code == 404
    assert api.delete(f"/webhooks/{hook['id']}").status_code == 204
    assert api.get(f"/webhooks/{hook['id']}").status_code == 404
    assert webhooks.log(api) == []


def test_each_event_queues_one_delivery_per_webhook_that_wants_it(api: TestClient) -> None:
    every = api.post("/webhooks", json=_body(api)).json()
    created = api.post("/webhooks", json=_body(api, eventsFilter=["customer-created"])).json()
    graces = api.post(
        "/webhooks",
        json=_body(api, eventsFilter=["customer-created"], filter="firstName:grace"),
    ).json()
    accepted = api.post("/webhooks", json=_body(api, filter="status:accepted")).json()
    off = api.post("/webhooks", json=_body(api, status="inactive")).json()

    ada = kyc.customer(api, first="Ada")
    grace = kyc.customer(api, first="Grace")
    document = kyc.accept(api, kyc.document(api, ada, "address-proof")["id"])

    def queued(hook: dict[str, Any]) -> list[tuple[str, str]]:
        log = webhooks.log(api, f"webhookId:{hook['id']}", sort="createdTime")
        return [(d["eventType"], d["entityId"]) for d in log]

    assert queued(created) == [("customer-created", ada), ("customer-created", grace)]
    assert queued(graces) == [("customer-created", grace)]
    # Customers have no status: only the document's events can match it.
    assert queued(accepted) == [("kyc-document-accepted", document["id"])]
    assert queued(off) == []
    assert [t for t, _ in queued(every)] == [
        "customer-created",
        "customer-created",
        "kyc-document-created",
        "kyc-document-accepted",
    ]


def test_the_tracking_log_shows_a_delivery_waiting_to_be_sent(api: TestClient) -> None:
    hook = api.post("/webhooks", json=_body(api, eventsFilter=["customer-created"])).json()
    customer_id = kyc.customer(api)
    [entry] = webhooks.log(api)
    assert entry["id"].startswith("hook_log_") and entry["eventId"].startswith("evt_")
    assert {k: v for k, v in entry.items() if k not in ("id", "eventId", "_links")} == {
        "status": None,
        "duration": None,
        "initiatedTime": entry["createdTime"],
        "url": None,
        "method": None,
        "request": None,
        "response": None,
        "requestHeaders": None,
        "responseHeaders": None,
        "entityId": customer_id,
        "organizationId": entry["organizationId"],
        "eventType": "customer-created",
        "source": "webhooks",
        "attempt": 0,
        "sentTime": None,
        "createdTime": entry["createdTime"],
        "updatedTime": entry["createdTime"],
        "webhookId": hook["id"],
        "deliveryStatus": "pending",
        "nextAttemptTime": entry["createdTime"],
        "error": None,
    }
    assert entry["_links"] == [
        {"rel": "self", "href": f"http://openkyc.test/tracking/webhooks/{entry['id']}"}
    ]
    assert api.get(f"/tracking/webhooks/{entry['id']}").json() == entry
    assert (
        api.get("/tracking/webhooks", params={"q": customer_id}).headers["pagination-total"] == "1"
    )
    assert api.get("/tracking/webhooks", params={"sort": "-attempt,duration"}).status_code == 200
    bad = api.get("/tracking/webhooks", params={"filter": "colour:red"})
    assert bad.status_code == 422


def test_a_resend_schedules_one_more_attempt_now(
    api: TestClient, database: Database, tenant: Tenant, other_tenant: Tenant
) -> None:
    api.post("/webhooks", json=_body(api, eventsFilter=["customer-created"]))
    kyc.customer(api)
    [entry] = webhooks.log(api)
    with database.write_sessionmaker.begin() as session:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == entry["id"])
            .values(status="failed", attempt=13, response_status=500)
        )
    path = f"/tracking/webhooks/{entry['id']}/resend"
    # Another organization neither sees the delivery nor finds it by id, filter or search.
    theirs = {"headers": other_tenant.headers}
    assert api.get(f"/tracking/webhooks/{entry['id']}", **theirs).status_code == 404
    for params in ({}, {"filter": f"id:{entry['id']}"}, {"q": entry["entityId"]}):
        assert api.get("/tracking/webhooks", params=params, **theirs).json() == []
    assert api.post(path, **theirs).status_code == 404
    assert api.post(path).status_code == 204
    resent = api.get(f"/tracking/webhooks/{entry['id']}").json()
    assert (resent["deliveryStatus"], resent["attempt"], resent["status"]) == ("pending", 13, 500)
    assert resent["nextAttemptTime"] == resent["updatedTime"]
    with database.sessionmaker() as session:
        row = session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.id == entry["id"])
        ).one()
        assert row.max_attempts == 14
    assert api.post("/tracking/webhooks/hook_log_nope/resend").status_code == 404


def test_private_networks_are_an_organizations_choice_the_operator_may_withhold(
    api: TestClient, settings: Settings, database: Database, storage: Any, tenant: Tenant
) -> None:
    shown = api.get("/webhook-settings").json()
    assert shown == {
        "allowPrivateNetworks": False,
        "updatedTime": None,
        "_links": [{"rel": "self", "href": "http://openkyc.test/webhook-settings"}],
    }
    assert api.put("/webhook-settings", json={"allowPrivateNetworks": True}).json()[
        "allowPrivateNetworks"
    ]
    assert api.get("/webhook-settings").json()["allowPrivateNetworks"] is True

    closed = settings.model_copy(update={"webhook_private_networks_opt_in": False})
    with TestClient(create_app(closed, database, storage), base_url="http://openkyc.test") as c:
        c.headers.update(tenant.headers)
        refused = c.put("/webhook-settings", json={"allowPrivateNetworks": True})
        assert refused.status_code == 403
        assert c.put("/webhook-settings", json={"allowPrivateNetworks": False}).status_code == 200


def test_the_openapi_document_has_rebillys_operation_ids(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operation_ids = {
        operation["operationId"]
        for path in document["paths"].values()
        for operation in path.values()
    }
    assert {
        "GetWebhookCollection",
        "PostWebhook",
        "GetWebhook",
        "PutWebhook",
        "DeleteWebhook",
        "PostPreviewWebhook",
        "GetTrackingWebhookCollection",
        "GetTrackingWebhook",
        "PostTrackingWebhookResendRequest",
        "GetServiceCredentialCollection",
        "PostServiceCredential",
        "GetServiceCredential",
        "PatchServiceCredential",
    } <= operation_ids
    post_credential = document["paths"]["/service-credentials/{type}"]["post"]["responses"]
    assert {"201", "303", "422"} <= post_credential.keys()
