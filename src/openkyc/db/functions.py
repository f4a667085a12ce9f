"""SQL functions that need different text on SQLite and PostgreSQL, so that queries using them
read the same in Python and give the same figures on both backends."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class minutes_between(FunctionElement[float]):
    """``minutes_between(end, start)``: minutes from one UTC timestamp to a later one."""

    type = Float()
    name = "minutes_between"
    inherit_cache = True


def _arguments(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    end, start = list(element.clauses)
    return compiler.process(end, **kw), compiler.process(start, **kw)


@compiles(minutes_between, "sqlite")
def _minutes_sqlite(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps timestamps as text; julianday() reads them as fractional days.
    end, start = _arguments(element, compiler, **kw)
    return f"((julianday({end}) - julianday({start})) * 1440.0)"


@compiles(minutes_between, "postgresql")
def _minutes_postgresql(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> str:
    end, start = _arguments(element, compiler, **kw)
    return f"(EXTRACT(EPOCH FROM ({end}) - ({start})) / 60.0)"


class has_failed_check(FunctionElement[bool]):
    """``has_failed_check(matches, name)``: whether a document's matches (``documentMatches``)
    list the check ``name`` as failed."""

    type = Boolean()
    name = "has_failed_check"
    inherit_cache = True


@compiles(has_failed_check, "sqlite")
def _failed_check_sqlite(element: has_failed_check, compiler: SQLCompiler, **kw: Any) -> str:
    matches, name = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"EXISTS (SELECT 1 FROM json_each({matches}, '$.checkList') AS checks "
        f"WHERE json_extract(checks.value, '$.name') = {name} "
        "AND json_extract(checks.value, '$.failed') = 1)"
    )


@compiles(has_failed_check, "postgresql")
def _failed_check_postgresql(element: has_failed_check, compiler: SQLCompiler, **kw: Any) -> str:
    # The bare containment, as the GIN index of check_list holds it (NULL, no checks, is
    # not true in a WHERE).
    matches, name = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"(({matches} -> 'checkList') @> "
        f"jsonb_build_array(jsonb_build_object('name', CAST({name} AS TEXT), 'failed', true)))"
    )


def _one_argument(cls: type[FunctionElement[Any]], dialect: str, template: str) -> None:
    """Compile a function of one argument on a dialect as ``template`` with ``{}`` for it."""

    def compile_(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
        (argument,) = (compiler.process(c, **kw) for c in element.clauses)
        return template.format(argument)

    compiles(cls, dialect)(compile_)


class check_list(FunctionElement[Any]):
    """``check_list(matches)``: the list of checks of a document's matches (PostgreSQL: the
    expression its GIN index holds, for has_failed_check)."""

    name = "check_list"
    inherit_cache = True


_one_argument(check_list, "postgresql", "({} -> 'checkList')")


class matches_score(FunctionElement[int]):
    """``matches_score(matches)``: the score of a document's matches as an integer (the
    expression the review queue's score index holds)."""

    type = Integer()
    name = "matches_score"
    inherit_cache = True


_one_argument(matches_score, "sqlite", "CAST(json_extract({}, '$.score') AS INTEGER)")
_one_argument(matches_score, "postgresql", "CAST({} ->> 'score' AS INTEGER)")


class utc_day(FunctionElement[str]):
    """``utc_day(timestamp)``: the UTC calendar day of a timestamp, as ``YYYY-MM-DD`` text."""

    type = String()
    name = "utc_day"
    inherit_cache = True


_one_argument(utc_day, "sqlite", "date({})")
_one_argument(utc_day, "postgresql", "to_char(({}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')")
