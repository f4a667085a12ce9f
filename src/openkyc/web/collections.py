"""Collection query parameters and paginated responses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Depends, Query
from fastapi.responses import JSONResponse

from openkyc.db.collection import AtLeast, CollectionQuery
from openkyc.errors import ValidationFailed
from openkyc.wire import NUL_FREE_PATTERN, WireModel

MAX_PAGE = 1000
# Both databases take OFFSET as a signed 64-bit integer; a larger one would be a server error.


async def _query(
    limit: Annotated[int, Query(ge=0, le=MAX_PAGE, description="How many items to return.")] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_PAGE, description="How many items to skip.")] = 0,
    filter: Annotated[
        str | None,
        Query(
            pattern=NUL_FREE_PATTERN,
            description="Rebilly filter: `field:value;other:a,b`, `!` negates, `a..b` ranges.",
        ),
    ] = None,
    sort: Annotated[
        str | None, Query(description="Comma-separated fields, `-` prefix for descending.")
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, pattern=NUL_FREE_PATTERN, description="Partial text search."),
    ] = None,
) -> CollectionQuery:
    return CollectionQuery(limit, offset, filter, tuple([sort]) if sort else (), q)


Collection = Annotated[CollectionQuery, Depends(_query)]


async def _expand(
    expand: Annotated[
        str | None, Query(description="Comma-separated relations to embed in `_embedded`.")
    ] = None,
) -> frozenset[str]:
    return frozenset(item.strip() for item in (expand or "").split(",") if item.strip())


Expand = Annotated[frozenset[str], Depends(_expand)]


async def _fields(
    fields: Annotated[
        str | None, Query(description="Comma-separated fields to return; `id` always comes back.")
    ] = None,
) -> tuple[str, ...] | None:
    if fields is None:
        return None
    return tuple(item.strip() for item in fields.split(",") if item.strip())


Fields = Annotated[tuple[str, ...] | None, Depends(_fields)]


def check_expand(expand: frozenset[str], allowed: Sequence[str]) -> frozenset[str]:
    unknown = sorted(expand - set(allowed))
    if unknown:
        choices = ", ".join(allowed) or "nothing"
        raise ValidationFailed.field(
            "expand", f"cannot expand {', '.join(unknown)}; this resource expands {choices}"
        )
    return expand


def _dump(model: WireModel, fields: tuple[str, ...] | None) -> dict[str, Any]:
    data = model.to_wire()
    if fields is None:
        return data
    keep = {"id", *fields}
    return {key: value for key, value in data.items() if key in keep}


def page_response(
    items: Sequence[WireModel],
    total: int,
    query: CollectionQuery,
    fields: tuple[str, ...] | None = None,
) -> JSONResponse:
    headers = {"Pagination-Limit": str(query.limit), "Pagination-Offset": str(query.offset)}
    if not isinstance(total, AtLeast):  # past its limit the count is left out, never guessed
        headers["Pagination-Total"] = str(total)
    return JSONResponse([_dump(item, fields) for item in items], headers=headers)


def member_response(
    item: WireModel,
    fields: tuple[str, ...] | None = None,
    status_code: int = 200,
    location: str | None = None,
) -> JSONResponse:
    headers = {"Location": location} if location else None
    return JSONResponse(_dump(item, fields), status_code=status_code, headers=headers)
