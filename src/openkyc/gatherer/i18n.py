"""The gatherer's languages: English, French and Spanish, chosen from the browser's
``Accept-Language`` unless the customer picked one."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

LOCALES = ("en", "fr", "es")
DEFAULT = "en"
_FOLDER = Path(__file__).parent / "locales"


def _ranges(header: str) -> list[tuple[float, str]]:
    ranked = []
    for position, part in enumerate(header.split(",")):
        language, _, parameters = part.strip().partition(";")
        quality = 1.0
        if parameters.strip().startswith("q="):
            try:
                quality = float(parameters.strip()[2:])
            except ValueError:
                quality = 0.0
        if language:
            # Earlier ranges win ties, as the header lists them by preference.
            ranked.append((quality - position * 1e-6, language.strip().lower()))
    return sorted(ranked, reverse=True)


def negotiate(
    accept_language: str | None, chosen: str | None = None, default: str | None = None
) -> str:
    """The customer's choice if it is one of ours, else the best match of the header, else
    the merchant's default language."""
    if chosen in LOCALES:
        return str(chosen)
    for quality, language in _ranges(accept_language or ""):
        base = language.split("-")[0]
        if quality > 0 and base in LOCALES:
            return base
    return default if default in LOCALES else DEFAULT


@cache
def messages(locale: str) -> dict[str, Any]:
    """Every text of the pages in one language (English fills any gap)."""
    english = json.loads((_FOLDER / f"{DEFAULT}.json").read_text(encoding="utf-8"))
    if locale == DEFAULT:
        return dict(english)
    own = json.loads((_FOLDER / f"{locale}.json").read_text(encoding="utf-8"))
    return _merged(english, own)


def _merged(base: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in own.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merged(base[key], value)
        else:
            merged[key] = value
    return merged
