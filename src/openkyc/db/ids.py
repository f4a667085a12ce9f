"""Resource ids: a type prefix and a ULID, sortable by creation like Rebilly's own."""

from __future__ import annotations

import re

from ulid import ULID

# Rebilly's `^[@~\-.\w]+$` as JSON Schema reads it: `\w` is ASCII there, Unicode in Python
# and in pydantic, so the letters are spelled out.
ID_PATTERN = re.compile(r"^[@~\-.A-Za-z0-9_]{1,50}$")


def new_id(prefix: str) -> str:
    return f"{prefix}_{ULID()}"


def is_valid_id(value: str) -> bool:
    return bool(ID_PATTERN.fullmatch(value))
