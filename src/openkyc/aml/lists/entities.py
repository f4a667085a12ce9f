"""Watchlist entries read from FollowTheMoney entities (the format OpenSanctions and other
publishers export).

A file holds one JSON object a line: an entity, or in a delta a change
``{"op": "ADD" | "MOD" | "DEL", "entity": {...}}``. People and organizations are what is
screened; the sanctions, addresses and identity documents that describe them come as
entities of their own that point at them (a plain export) or nested inside them (a nested
export), and both are read. The library of the format cleans the values: dates, countries."""

from __future__ import annotations

import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.schema import Schema

from openkyc.aml.enums import SourceType
from openkyc.aml.matching import name_keys, name_tokens, place_text

# The entity's topics that say which kind of list it is on.
TOPIC_SOURCE_TYPES: dict[str, SourceType] = {
    "sanction": SourceType.SANCTIONS,
    "sanction.linked": SourceType.SANCTIONS,
    "sanction.control": SourceType.SANCTIONS,
    "sanction.counter": SourceType.SANCTIONS,
    "asset.frozen": SourceType.SANCTIONS,
    "role.pep": SourceType.PEP,
    "role.pep.frmr": SourceType.PEP,
    "role.pep.intl": SourceType.PEP,
    "role.pep.natl": SourceType.PEP,
    "role.rca": SourceType.PEP,
    "gov.head": SourceType.PEP,
    "gov.soe": SourceType.STATE_OWNED_ENTERPRISE,
    "reg.action": SourceType.ENFORCEMENTS,
    "reg.warn": SourceType.ENFORCEMENTS,
    "wanted": SourceType.ENFORCEMENTS,
    "debarment": SourceType.ENFORCEMENTS,
    "corp.disqual": SourceType.ENFORCEMENTS,
    "export.control": SourceType.ENFORCEMENTS,
    "crime": SourceType.ADVERSE_MEDIA,
    "poi": SourceType.ADVERSE_MEDIA,
}
CRIME_PREFIX = "crime."
SCREENED = model.get("LegalEntity")
MAX_VALUES = 50


class EntityFileError(ValueError):
    """A line of the file is not a FollowTheMoney entity or change."""


def source_types(topics: Iterable[str]) -> list[str]:
    found = {TOPIC_SOURCE_TYPES[t] for t in topics if t in TOPIC_SOURCE_TYPES}
    if any(t.startswith(CRIME_PREFIX) for t in topics):
        found.add(SourceType.ADVERSE_MEDIA)
    return sorted(str(t) for t in found)


@dataclass
class Change:
    """One line of a file: an entity to add or replace, or the id of one to remove."""

    op: str
    data: dict[str, Any]


def read_changes(lines: Iterable[str]) -> Iterator[Change]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise EntityFileError(f"line {number}: not JSON ({error.msg})") from error
        if not isinstance(data, dict):
            raise EntityFileError(f"line {number}: not a JSON object")
        op = str(data.get("op", "ADD")).upper()
        entity = data.get("entity", data) if "op" in data else data
        if op not in {"ADD", "MOD", "DEL"} or not isinstance(entity, dict) or not entity.get("id"):
            raise EntityFileError(f"line {number}: neither an entity nor an ADD/MOD/DEL change")
        if op != "DEL" and not entity.get("schema"):
            raise EntityFileError(f"line {number}: the entity has no schema")
        yield Change(op, entity)


def _schema(data: dict[str, Any]) -> Schema | None:
    return model.get(str(data.get("schema") or ""))


def _proxy(data: dict[str, Any]) -> tuple[EntityProxy, list[dict[str, Any]]]:
    """The entity with plain values, and the entities nested in its properties."""
    plain: dict[str, list[Any]] = {}
    nested: list[dict[str, Any]] = []
    for name, values in (data.get("properties") or {}).items():
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, dict):
                nested.append(value)
            elif isinstance(value, str):
                plain.setdefault(name, []).append(value)
    try:
        proxy = model.get_proxy(
            {"id": data["id"], "schema": data["schema"], "properties": plain}, cleaned=False
        )
    except Exception as error:  # the library raises its own errors for an unknown property
        raise EntityFileError(f"entity {data.get('id')}: {error}") from error
    return proxy, nested


@dataclass
class Related:
    """What other entities say about a screened one: sanctions, addresses, documents."""

    sanctions: list[EntityProxy] = field(default_factory=list)
    addresses: list[EntityProxy] = field(default_factory=list)
    documents: list[EntityProxy] = field(default_factory=list)


class RelatedIndex:
    """The describing entities of a file, found by the entity they describe."""

    def __init__(self) -> None:
        self.by_target: dict[str, Related] = defaultdict(Related)
        self.addresses: dict[str, EntityProxy] = {}

    def add(self, data: dict[str, Any]) -> None:
        schema = _schema(data)
        if schema is None or schema.is_a(SCREENED):
            return
        proxy, _ = _proxy(data)
        self._add_proxy(proxy)

    def _add_proxy(self, proxy: EntityProxy, target: str | None = None) -> None:
        if proxy.schema.is_a("Sanction"):
            for entity_id in [target] if target else proxy.get("entity"):
                self.by_target[entity_id].sanctions.append(proxy)
        elif proxy.schema.is_a("Identification"):
            for entity_id in [target] if target else proxy.get("holder"):
                self.by_target[entity_id].documents.append(proxy)
        elif proxy.schema.is_a("Address") and proxy.id:
            self.addresses[proxy.id] = proxy
            if target:
                self.by_target[target].addresses.append(proxy)

    def related(self, proxy: EntityProxy, nested: list[dict[str, Any]]) -> Related:
        found = Related()
        known = self.by_target.get(proxy.id or "")
        if known is not None:
            found = Related(list(known.sanctions), list(known.addresses), list(known.documents))
        found.addresses += [
            self.addresses[a] for a in proxy.get("addressEntity") if a in self.addresses
        ]
        local = RelatedIndex()
        for data in nested:
            if _schema(data) is not None and data.get("id"):
                inner, _ = _proxy(data)
                local._add_proxy(inner, proxy.id)
        extra = local.by_target.get(proxy.id or "")
        if extra is not None:
            found.sanctions += extra.sanctions
            found.addresses += extra.addresses
            found.documents += extra.documents
        return found


def is_screened(data: dict[str, Any]) -> bool:
    schema = _schema(data)
    return schema is not None and schema.is_a(SCREENED)


@dataclass(frozen=True)
class EntryData:
    """A list entry ready to store: what is matched, what a reviewer sees, its index keys."""

    entity_id: str
    schema: str
    caption: str
    names: list[dict[str, Any]]
    birth_dates: list[str]
    places: dict[str, Any]
    hit: dict[str, Any]
    keys: frozenset[str]

    @functools.cached_property
    def digest(self) -> str:
        content = [self.names, self.birth_dates, self.places, self.hit]
        text = json.dumps(content, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def _values(proxy: EntityProxy, *names: str) -> list[str]:
    found: list[str] = []
    for name in names:
        if name in proxy.schema.properties:
            found += [v for v in proxy.get(name) if v not in found]
    return found[:MAX_VALUES]


def _split_person(proxy: EntityProxy, full: str) -> tuple[str, str | None]:
    first = " ".join(_values(proxy, "firstName", "secondName", "middleName"))
    last = " ".join(_values(proxy, "lastName"))
    if first and last:
        return first, last
    parts = full.split()
    if len(parts) < 2:
        return full, None
    return " ".join(parts[:-1]), parts[-1]


def _alias(full: str, person: bool, authenticity: str) -> dict[str, Any]:
    parts = full.split()
    if person and len(parts) >= 2:
        return {
            "firstName": " ".join(parts[:-1]),
            "lastName": parts[-1],
            "authenticity": authenticity,
        }
    return {"firstName": full, "lastName": None, "authenticity": authenticity}


def entry_from(data: dict[str, Any], related: RelatedIndex) -> EntryData:
    """The list entry of a screened entity (a person, company, organization…)."""
    proxy, nested = _proxy(data)
    found = related.related(proxy, nested)
    person = proxy.schema.is_a("Person")
    primary = _values(proxy, "name") or [proxy.caption]
    aliases = [(a, "strong") for a in _values(proxy, "alias", "previousName")]
    aliases += [(a, "weak") for a in _values(proxy, "weakAlias")]
    names: list[dict[str, Any]] = [
        {"tokens": list(name_tokens(n)), "alias": False} for n in primary
    ]
    first, last = _split_person(proxy, primary[0]) if person else (primary[0], None)
    if person and (first, last) != (primary[0], None):
        names.append({"tokens": list(name_tokens(first, last)), "alias": False})
    names += [{"tokens": list(name_tokens(a)), "alias": True} for a, _ in aliases]
    names = [n for i, n in enumerate(names) if n["tokens"] and n not in names[:i]]
    addresses = _addresses(proxy, found)
    hit = {
        "firstName": first,
        "lastName": last,
        "sourceType": source_types(proxy.get("topics")),
        "gender": _first(proxy, "gender") if person else None,
        "title": _values(proxy, "position") or None,
        "type": "individual" if person else "entity",
        "legalBasis": _legal_basis(proxy, found),
        "regime": next(iter(_authorities(found)), None),
        "nationality": ", ".join(c.upper() for c in _values(proxy, "nationality", "citizenship")),
        "address": addresses,
        "dob": _values(proxy, "birthDate"),
        "aliases": [_alias(a, person, authenticity) for a, authenticity in aliases],
        "passport": _passports(proxy, found),
        "comments": next(iter(_values(proxy, "notes", "summary", "description")), None),
        "metadata": _provenance(data, proxy),
    }
    entry = EntryData(
        entity_id=str(proxy.id),
        schema=proxy.schema.name,
        caption=proxy.caption[:500],
        names=names,
        birth_dates=_values(proxy, "birthDate"),
        places=_places(proxy, addresses),
        hit=hit,
        keys=frozenset(k for n in names for k in name_keys(n["tokens"])),
    )
    return entry


def _provenance(data: dict[str, Any], proxy: EntityProxy) -> dict[str, Any]:
    """Where the entry comes from, as the publisher says: its id there (to look it up),
    the datasets that list it, the pages it was read from, when it was first seen and last
    changed. ``last_seen`` is left out: it moves with every export, and a hit that changed
    would be screened again."""
    found: dict[str, Any] = {"lookupId": str(proxy.id)}
    datasets = [str(d) for d in data.get("datasets") or [] if isinstance(d, str)]
    if datasets:
        found["datasets"] = datasets[:MAX_VALUES]
    if urls := _values(proxy, "sourceUrl"):
        found["sourceUrl"] = urls
    for field_name, key in (("first_seen", "firstSeen"), ("last_change", "lastChange")):
        if isinstance(data.get(field_name), str):
            found[key] = data[field_name][:40]
    return found


def _authorities(found: Related) -> list[str]:
    return [a for s in found.sanctions for a in s.get("authority")]


def _legal_basis(proxy: EntityProxy, found: Related) -> list[str]:
    basis = _values(proxy, "program")
    for sanction in found.sanctions:
        for value in [*sanction.get("program"), *sanction.get("provisions")]:
            if value not in basis:
                basis.append(value)
    return basis[:MAX_VALUES]


def _passports(proxy: EntityProxy, found: Related) -> list[dict[str, Any]]:
    passports = [{"number": n, "registrationDate": None} for n in _values(proxy, "passportNumber")]
    for document in found.documents:
        for number in document.get("number"):
            start = _first(document, "startDate")
            passport = {"number": number, "registrationDate": start[:10] if start else None}
            passports = [p for p in passports if p["number"] != number] + [passport]
    return passports[:MAX_VALUES]


def _first(proxy: EntityProxy, *names: str) -> str | None:
    for name in names:
        if name in proxy.schema.properties and (values := proxy.get(name)):
            return str(values[0])
    return None


def _addresses(proxy: EntityProxy, found: Related) -> list[dict[str, Any]]:
    addresses: list[dict[str, Any]] = []
    for address in found.addresses:
        addresses.append(
            {
                "address": _first(address, "street", "full"),
                "address2": _first(address, "street2"),
                "city": _first(address, "city"),
                "region": _first(address, "region", "state"),
                "country": _first(address, "country"),
                "postalCode": _first(address, "postalCode"),
                "birthplace": False,
            }
        )
    for text in _values(proxy, "address"):
        if not any(text in (a["address"], a.get("full")) for a in addresses):
            addresses.append(_text_address(text, False))
    for text in _values(proxy, "birthPlace"):
        addresses.append(_text_address(text, True))
    return addresses[:MAX_VALUES]


def _text_address(text: str, birthplace: bool) -> dict[str, Any]:
    return {
        "address": text,
        "address2": None,
        "city": None,
        "region": None,
        "country": None,
        "postalCode": None,
        "birthplace": birthplace,
    }


def _places(proxy: EntityProxy, addresses: list[dict[str, Any]]) -> dict[str, Any]:
    countries = set(_values(proxy, "country", "birthCountry", "jurisdiction", "mainCountry"))
    countries |= {a["country"] for a in addresses if a["country"]}
    return {
        "countries": sorted(c.upper() for c in countries),
        "nationalities": sorted(c.upper() for c in _values(proxy, "nationality", "citizenship")),
        "cities": sorted({place_text(a["city"]) for a in addresses if a["city"]}),
        "regions": sorted({place_text(a["region"]) for a in addresses if a["region"]}),
        "postalCodes": sorted({place_text(a["postalCode"]) for a in addresses if a["postalCode"]}),
        "streets": sorted({place_text(a["address"]) for a in addresses if a["address"]}),
        "texts": sorted({place_text(a["address"]) for a in addresses if a["address"]}),
    }


def read_file(handle: TextIO) -> list[Change]:
    """Every change of a file (entities of a full export are ADDs)."""
    return list(read_changes(handle))
