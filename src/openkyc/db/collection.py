"""Rebilly's collection queries (``filter``, ``sort``) compiled to SQL.

Filter syntax: ``field:value`` clauses joined by ``;`` (AND); values joined by ``,`` (OR);
a value starting with ``!`` is excluded; ``a..b``, ``a..`` and ``..b`` are ranges on numbers,
dates and date-times; ``"quoted values"`` may hold the special characters; ``null`` matches a
missing value. Text matches ignore case. A date-time stands for the whole span its precision
names (``2026-03-01T10:15:30Z`` is that second, as every time is shown), so a time copied from a
response finds its record, as an exact value and as either bound of a range. Every field is
typed: a value of the wrong type, an unknown field or a range on text is a validation error
naming ``filter``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, false, func, literal, not_, or_, select, true

from openkyc.errors import ValidationFailed

Kind = Literal["text", "keyword", "integer", "number", "datetime", "date", "boolean"]
RANGE_KINDS = {"integer", "number", "datetime", "date"}


@dataclass(frozen=True)
class Value:
    """One value of a filter clause: an exact value or a range, possibly negated."""

    negated: bool
    low: Any = None
    high: Any = None
    is_range: bool = False


@dataclass(frozen=True)
class Field:
    """A field a collection can be filtered or sorted by, and the SQL it stands for."""

    name: str
    column: Any
    kind: Kind = "keyword"
    sortable: bool = True
    filterable: bool = True
    # For fields not held in one column (tags): builds the condition for one exact value.
    matcher: Callable[[Any], ColumnElement[bool]] | None = None


@dataclass
class FieldSet:
    fields: dict[str, Field] = field(default_factory=dict)

    @classmethod
    def of(cls, *fields: Field) -> FieldSet:
        return cls({f.name: f for f in fields})

    def sortable(self) -> list[str]:
        return sorted(name for name, f in self.fields.items() if f.sortable)

    def filterable(self) -> list[str]:
        return sorted(name for name, f in self.fields.items() if f.filterable)


# A filter is a few conditions a person or a program wrote, not a query language: these bound
# the SQL it becomes (SQLite refuses expression trees deeper than 1000).
MAX_FILTER_CLAUSES = 50
MAX_FILTER_VALUES = 500


def _split(text: str, separator: str) -> list[str]:
    """Split on a separator outside of single or double quotes."""
    parts, current, quote, escaped = [], [], "", False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\" and quote:
            current.append(char)
            escaped = True
        elif quote:
            current.append(char)
            quote = "" if char == quote else quote
        elif char in "\"'":
            current.append(char)
            quote = char
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if quote:
        raise _invalid("filter", "a quoted value is not closed")
    parts.append("".join(current))
    return parts


def _unquote(raw: str) -> tuple[str, bool]:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        inner = raw[1:-1]
        return inner.replace("\\" + raw[0], raw[0]).replace("\\\\", "\\"), True
    return raw, False


def _invalid(name: str, message: str) -> ValidationFailed:
    return ValidationFailed.field(name, message)


def _convert(f: Field, raw: str, quoted: bool) -> Any:
    if not quoted and raw == "null":
        return None
    if raw == "" and f.kind not in ("text", "keyword"):
        raise _invalid("filter", f"{f.name} needs a value")
    try:
        return _CONVERTERS[f.kind](raw)
    except (ValueError, InvalidOperation, OverflowError) as error:
        raise _invalid("filter", f"{f.name} expects {_KIND_WORDS[f.kind]}, not {raw!r}") from error


@dataclass(frozen=True)
class Instant:
    """A date-time as written: from ``start`` up to, not including, ``end``."""

    start: datetime
    end: datetime


_CLOCK = re.compile(r"[Tt ](\d{2}):?(\d{2})?:?(\d{2})?(?:[.,](\d+))?")


def _parse_datetime(raw: str) -> Instant:
    parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    start = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    clock = _CLOCK.search(raw)
    if clock is None:  # a date alone: that day
        return Instant(start, start + timedelta(days=1))
    _, minutes, seconds, fraction = clock.groups()
    if fraction is not None:
        span = timedelta(microseconds=10 ** (6 - min(len(fraction), 6)))
    elif seconds is not None:
        span = timedelta(seconds=1)
    else:
        span = timedelta(minutes=1) if minutes is not None else timedelta(hours=1)
    return Instant(start, start + span)


def _parse_boolean(raw: str) -> bool:
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise ValueError(raw)


def _parse_integer(raw: str) -> int:
    if not raw.lstrip("-").isdigit() or len(raw) > 20:
        raise ValueError(raw)
    value = int(raw)
    if not -(2**63) <= value < 2**63:  # what every database compares without overflowing
        raise ValueError(raw)
    return value


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "text": str,
    "keyword": str,
    "integer": _parse_integer,
    "number": Decimal,
    "datetime": _parse_datetime,
    "date": lambda raw: date.fromisoformat(raw).isoformat(),
    "boolean": _parse_boolean,
}
_KIND_WORDS = {
    "text": "text",
    "keyword": "text",
    "integer": "an integer",
    "number": "a number",
    "datetime": "an ISO 8601 date-time",
    "date": "a YYYY-MM-DD date",
    "boolean": "true or false",
}


def parse_value(f: Field, raw: str) -> Value:
    raw = raw.strip()
    negated = raw.startswith("!")
    if negated:
        raw = raw[1:]
    if raw.startswith("@"):
        raise _invalid("filter", "value lists (@name) are not supported")
    text, quoted = _unquote(raw)
    if not quoted and ".." in text:
        if f.kind not in RANGE_KINDS:
            raise _invalid("filter", f"{f.name} does not accept a range")
        low_raw, _, high_raw = text.partition("..")
        if not low_raw and not high_raw:
            raise _invalid("filter", f"the range of {f.name} needs a bound")
        low = _convert(f, low_raw, False) if low_raw else None
        high = _convert(f, high_raw, False) if high_raw else None
        return Value(negated, low, high, is_range=True)
    return Value(negated, _convert(f, text, quoted))


def _exact(f: Field, value: Any) -> ColumnElement[bool]:
    if f.matcher is not None:
        return f.matcher(value)
    if value is None:
        return f.column.is_(None)
    if f.kind == "text":
        return func.lower(f.column) == value.lower()
    if isinstance(value, Instant):
        return and_(f.column >= value.start, f.column < value.end)
    return f.column == value


def _condition(f: Field, value: Value) -> ColumnElement[bool]:
    if not value.is_range:
        return _exact(f, value.low)
    bounds = []
    low, high = value.low, value.high
    if low is not None:
        bounds.append(f.column >= (low.start if isinstance(low, Instant) else low))
    if high is not None:
        bounds.append(f.column < high.end if isinstance(high, Instant) else f.column <= high)
    return and_(*bounds)


def _clause(f: Field, values: Sequence[Value]) -> ColumnElement[bool]:
    included = [_condition(f, v) for v in values if not v.negated]
    excluded = [_condition(f, v) for v in values if v.negated]
    parts: list[ColumnElement[bool]] = []
    if included:
        parts.append(or_(*included))
    for condition in excluded:
        # A missing value is not the excluded value: keep such rows.
        keep_missing = f.column.is_(None) if f.matcher is None else false()
        parts.append(or_(keep_missing, not_(condition)))
    return and_(*parts) if parts else true()


def text_search(text: str, *columns: Any) -> ColumnElement[bool]:
    """``q``: the text anywhere in any of the columns, ignoring case. ``%`` and ``_`` are the
    characters themselves, never wildcards."""
    needle = text.lower()
    return or_(*(func.lower(column).contains(needle, autoescape=True) for column in columns))


def filter_clause(fields: FieldSet, text: str | None) -> ColumnElement[bool]:
    """The SQL condition of a ``filter`` query parameter."""
    if not text or not text.strip():
        return true()
    conditions, values = [], 0
    clauses = [clause for clause in _split(text, ";") if clause.strip()]
    if len(clauses) > MAX_FILTER_CLAUSES:
        raise _invalid("filter", f"at most {MAX_FILTER_CLAUSES} clauses are allowed")
    for clause in clauses:
        name, colon, raw_values = clause.partition(":")
        name = name.strip()
        if not colon:
            raise _invalid("filter", f"{clause.strip()!r} is not of the form field:value")
        f = fields.fields.get(name)
        if f is None or not f.filterable:
            known = ", ".join(fields.filterable())
            raise _invalid("filter", f"cannot filter by {name!r}; filterable fields: {known}")
        raws = _split(raw_values, ",")
        values += len(raws)
        if values > MAX_FILTER_VALUES:
            raise _invalid("filter", f"at most {MAX_FILTER_VALUES} values are allowed in all")
        conditions.append(_clause(f, [parse_value(f, raw) for raw in raws]))
    return and_(*conditions)


def order_by(
    fields: FieldSet, sort: Iterable[str], default: Sequence[str] = ("-createdTime",)
) -> list[Any]:
    """ORDER BY expressions of a ``sort`` parameter, with the id as the final tie-breaker."""
    terms = [term.strip() for item in sort for term in item.split(",") if term.strip()]
    terms = terms or list(default)
    clauses, seen = [], set()
    for term in terms:
        name = term.lstrip("-+")
        f = fields.fields.get(name)
        if f is None or not f.sortable:
            known = ", ".join(fields.sortable())
            raise _invalid("sort", f"cannot sort by {name!r}; sortable fields: {known}")
        if name in seen:
            continue
        seen.add(name)
        column = func.lower(f.column) if f.kind == "text" else f.column
        clauses.append(column.desc() if term.startswith("-") else column.asc())
    if "id" not in seen and "id" in fields.fields:
        descending = terms[0].startswith("-")
        id_column = fields.fields["id"].column
        clauses.append(id_column.desc() if descending else id_column.asc())
    return clauses


@dataclass(frozen=True)
class CollectionQuery:
    """What a client asked of a collection: a page, a filter, an order, a search text."""

    limit: int = 100
    offset: int = 0
    filter: str | None = None
    sort: tuple[str, ...] = ()
    q: str | None = None


# A full page's count stops this many rows past the page: a total is exact up to there, and a
# page of a collection of millions costs what a page of thousands does. Offsets stop at 1,000
# (web.collections.MAX_PAGE), so counting much further tells a client nothing it can page to;
# at 10,000 the count was most of a list's time on a table of a million rows.
COUNT_AHEAD = 1_000


class AtLeast(int):
    """A count that stopped at its limit: the collection has at least this many members."""


def fetch_page(
    session: Any,
    statement: Any,
    fields: FieldSet,
    query: CollectionQuery,
    default_sort: Sequence[str] = ("-createdTime",),
) -> tuple[list[Any], int]:
    """One page of a filtered, sorted collection and the number of members of the filter."""
    statement = statement.where(filter_clause(fields, query.filter))
    ordered = statement.order_by(*order_by(fields, query.sort, default_sort))
    rows = list(session.scalars(ordered.limit(query.limit).offset(query.offset)).all())
    return rows, _total(session, statement, query, len(rows))


def _total(session: Any, statement: Any, query: CollectionQuery, found: int) -> int:
    """The page tells the total when it is not full (nothing more to count); otherwise count,
    but no further than ``COUNT_AHEAD`` past the page."""
    if 0 < found < query.limit or (found == 0 < query.limit and query.offset == 0):
        return query.offset + found
    limit = query.offset + query.limit + COUNT_AHEAD
    bounded = statement.order_by(None).with_only_columns(literal(1), maintain_column_froms=True)
    bounded = bounded.limit(limit + 1).subquery()
    counted = int(session.scalar(select(func.count()).select_from(bounded)) or 0)
    return AtLeast(limit) if counted > limit else counted
