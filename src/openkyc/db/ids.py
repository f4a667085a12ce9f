"""Resource ids: a type prefix and a ULID, sortable by creation like Rebilly's own."""

from __future__ import annotations

import re

from ulid import ULID

ID_PATTERN = re.compile(r"^[@~\-.\w]{1,50}$")


def new_id(prefix: str) -> str:
    return f"{prefix}_{ULID()}"


def is_valid_id(value: str) -> bool:
    return bool(ID_PATTERN.match(value))
