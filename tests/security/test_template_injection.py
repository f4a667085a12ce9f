"""A webhook body template that is JSON is filled as JSON: whatever a customer typed into a
field (quotes, backslashes, braces, line breaks) stays a value and never adds a key."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from openkyc.webhooks.templates import render
from tests.fixtures import kyc, webhooks
from tests.webhooks.conftest import Live, live  # noqa: F401 (the fixture)
from tests.webhooks.receivers import running, wait_for

HOSTILE_NAMES = [
    'Eve", "approved": true, "x": "',
    "Eve\\",
    'Eve\\", "approved": true}',
    "Eve\n}{",
    "{{customer.id}}",
    "Ève \u2603 \U0001f600",
]
TEMPLATE = '{"who": "{{customer.primaryAddress.firstName}}", "approved": false, "n": {{x.y}}}'


def _payload(first_name: str) -> dict[str, object]:
    return {
        "eventType": "customer-created",
        "_embedded": {"customer": {"id": "cus_1", "primaryAddress": {"firstName": first_name}}},
    }


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_value_inside_a_json_string_is_escaped(name: str) -> None:
    body = json.loads(render(TEMPLATE, _payload(name)))
    assert body == {"who": name, "approved": False, "n": None}


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_value_outside_any_string_becomes_one_json_value(name: str) -> None:
    template = '{"who": {{customer.primaryAddress.firstName}}, "customer": {{customer}}}'
    body = json.loads(render(template, _payload(name)))
    assert body["who"] == name and body["customer"]["primaryAddress"]["firstName"] == name
    assert set(body) == {"who", "customer"}


def test_a_template_that_is_not_json_is_filled_as_written() -> None:
    assert render("name={{customer.primaryAddress.firstName}}", _payload('a"b')) == 'name=a"b'


@pytest.mark.parametrize("name", HOSTILE_NAMES[:3])
def test_a_customers_name_cannot_add_a_key_to_a_delivered_body(
    live: Callable[..., AbstractContextManager[Live]],  # noqa: F811
    name: str,
) -> None:
    with running() as receiver, live() as app:
        webhooks.subscribe(
            app.api,
            receiver.url(),
            eventsFilter=["customer-created"],
            body='{"who": "{{customer.primaryAddress.firstName}}", "approved": false}',
        )
        kyc.customer(app.api, first=name)
        wait_for(lambda: len(receiver.received) == 1)
        assert json.loads(receiver.received[0].body) == {"who": name, "approved": False}
