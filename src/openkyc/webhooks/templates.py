"""Body templates: ``{{placeholders}}`` filled from the event.

A placeholder is a dotted path into the event's payload, whose embedded resources are also
reachable by name: ``{{eventType}}``, ``{{kycDocumentId}}``, ``{{kycDocument.status}}``,
``{{customer.primaryAddress.firstName}}``, ``{{kycDocument.fileIds.0}}``. One that leads nowhere
renders as an empty string; objects and lists render as JSON."""

from __future__ import annotations

import json
import re
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def template_context(payload: dict[str, Any]) -> dict[str, Any]:
    embedded = payload.get("_embedded")
    return {**payload, **(embedded if isinstance(embedded, dict) else {})}


def _lookup(context: Any, path: str) -> Any:
    value = context
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def render(template: str, payload: dict[str, Any]) -> str:
    context = template_context(payload)
    return PLACEHOLDER.sub(lambda match: _text(_lookup(context, match.group(1))), template)
