"""What a delivery attempt keeps of an exchange with a receiver, made safe to store and to
show: text any database keeps (NUL written as ``\\u0000``, unpaired surrogates replaced),
bounded in length, and headers bounded in number. The receiver is outside openkyc's control,
so nothing it sends may stop an attempt from being recorded."""

from __future__ import annotations

from collections.abc import Mapping

# Characters kept of a body or an error, and of a header's name and value together.
KEPT_TEXT = 16 * 1024
KEPT_HEADERS = 64
KEPT_HEADER_TEXT = 1024


def storable_text(value: str | None, limit: int = KEPT_TEXT) -> str | None:
    """``value`` as text every database stores, at most ``limit`` characters."""
    if value is None:
        return None
    text = value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\\u0000")
    return text[:limit]


def storable_headers(headers: Mapping[str, str] | None) -> dict[str, str] | None:
    """The first ``KEPT_HEADERS`` headers, each name and value storable and bounded."""
    if headers is None:
        return None
    kept: dict[str, str] = {}
    for name, value in list(headers.items())[:KEPT_HEADERS]:
        safe_name = storable_text(str(name), KEPT_HEADER_TEXT) or ""
        room = max(0, KEPT_HEADER_TEXT - len(safe_name))
        kept[safe_name] = storable_text(str(value), room) or ""
    return kept
