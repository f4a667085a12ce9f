"""SQL functions that need different text on SQLite and PostgreSQL, so that queries using them
read the same in Python and give the same figures on both backends."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
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
