"""Body templates: ``{{placeholders}}`` filled from the event.

A placeholder is a dotted path into the event's payload, whose embedded resources are also
reachable by name: ``{{eventType}}``, ``{{kycDocumentId}}``, ``{{kycDocument.status}}``,
``{{customer.primaryAddress.firstName}}``, ``{{kycDocument.fileIds.0}}``. One that leads nowhere
renders as an empty string; objects and lists render as JSON.

A template that is JSON (an object or an array once its placeholders are values) is filled as
JSON: a placeholder inside a string gets the value escaped for that string, one outside any
string gets the value as a JSON value (text quoted, nothing as ``null``), so no customer-given
text (a name with a quote) can change the document's structure."""

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
    if not _is_json(template):
        return PLACEHOLDER.sub(lambda match: _text(_lookup(context, match.group(1))), template)
    return _render_json(template, context)


def _is_json(template: str) -> bool:
    """A JSON document once its placeholders are values (``{{eventType}}`` alone is not)."""
    try:
        return isinstance(json.loads(PLACEHOLDER.sub("null", template)), dict | list)
    except ValueError:
        return False


def _render_json(template: str, context: dict[str, Any]) -> str:
    out, position, in_string = [], 0, False
    for match in PLACEHOLDER.finditer(template):
        literal = template[position : match.start()]
        in_string = _ends_inside_string(literal, in_string)
        out.append(literal)
        value = _lookup(context, match.group(1))
        if in_string:
            out.append(json.dumps(_text(value), ensure_ascii=False)[1:-1])
        else:
            out.append(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str))
        position = match.end()
    out.append(template[position:])
    return "".join(out)


def _ends_inside_string(literal: str, in_string: bool) -> bool:
    """Whether JSON text that starts inside a string (or not) ends inside one."""
    escaped = False
    for char in literal:
        if escaped:
            escaped = False
        elif in_string and char == "\\":
            escaped = True
        elif char == '"':
            in_string = not in_string
    return in_string
