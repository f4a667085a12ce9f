"""The base of every domain repository: one organization's rows of one model.

A repository is made for one organization and reads and writes only that organization's
rows: every statement it builds starts from ``scoped()``, ``get`` looks a row up by the
(organization, id) key, and ``add`` and ``delete`` refuse a row of another organization."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from sqlalchemy import Select, literal, select
from sqlalchemy.orm import InstrumentedAttribute, Mapped, Session

from openkyc.db.base import ResourceMixin
from openkyc.db.collection import (
    CollectionQuery,
    FieldSet,
    fetch_page,
    filter_clause,
    text_search,
)
from openkyc.db.models import WebhookDelivery

# A row of one organization with an id: every ``ResourceMixin`` model, and the delivery log,
# whose rows are keyed by their id alone.
M = TypeVar("M", bound=ResourceMixin | WebhookDelivery)


class OtherTenant(Exception):
    """A row of another organization was handed to a repository: a defect, never a
    client's error."""


class TenantRepository(Generic[M]):
    """Subclasses name their ``model``, the ``fields`` their collection filters and sorts by,
    and the ``search`` columns the ``q`` parameter looks in (none: ``q`` is not offered)."""

    model: type[M]
    fields: ClassVar[FieldSet | None] = None
    search: ClassVar[tuple[InstrumentedAttribute[Any], ...]] = ()
    default_sort: ClassVar[tuple[str, ...]] = ("-createdTime",)

    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def scoped(self) -> Select[M]:
        """Every row of the organization this repository may see: where queries start."""
        return select(self.model).where(self.model.organization_id == self.organization_id)

    def get(self, row_id: str, *, for_update: bool = False) -> M | None:
        """The organization's row by id (from the session when it holds it already). A
        repository whose ``scoped()`` hides some of the organization's rows overrides this
        with ``get_scoped``."""
        row: M | None = self.session.get(
            self.model, (self.organization_id, row_id), with_for_update=for_update or None
        )
        return row

    def get_scoped(self, row_id: str, *, for_update: bool = False) -> M | None:
        """The row by id among those ``scoped()`` lets this repository see."""
        statement = self.scoped().where(self.model.id == row_id)
        if for_update:
            statement = statement.with_for_update()
        return self.session.scalars(statement).one_or_none()

    def get_many(self, row_ids: Collection[str]) -> list[M]:
        """The organization's rows among these ids (another organization's ids find nothing)."""
        statement = self.scoped().where(self.model.id.in_(list(row_ids)))
        return list(self.session.scalars(statement))

    def page(
        self, query: CollectionQuery, statement: Select[M] | None = None
    ) -> tuple[list[M], int]:
        """One page of the collection (``filter``, ``sort``, ``q``, ``limit``, ``offset``)
        and the number of rows that match, counted no further than needed."""
        assert self.fields is not None, f"{type(self).__name__} names no fields"
        statement = self.scoped() if statement is None else statement
        if query.q and self.search:
            statement = statement.where(text_search(query.q, *self.search))
        return fetch_page(self.session, statement, self.fields, query, self.default_sort)

    def matches(self, row_id: str, text: str) -> bool:
        """Whether the organization's row, as it is now, passes a ``filter`` of the
        collection (webhook filters; an unknown field is a ValidationFailed)."""
        assert self.fields is not None, f"{type(self).__name__} names no fields"
        statement = select(literal(1)).where(
            self.model.organization_id == self.organization_id,
            self.model.id == row_id,
            filter_clause(self.fields, text),
        )
        return self.session.scalar(statement) is not None

    def add(self, row: M) -> M:
        self._ensure_mine(row)
        self.session.add(row)
        self.session.flush()
        return row

    def add_many(self, rows: Sequence[M]) -> list[M]:
        """Add rows in one flush (a fan-out of many rows)."""
        if not rows:
            return []
        for row in rows:
            self._ensure_mine(row)
        self.session.add_all(rows)
        self.session.flush()
        return list(rows)

    def delete(self, row: M) -> None:
        self._ensure_mine(row)
        self.session.delete(row)
        self.session.flush()

    def _ensure_mine(self, row: M) -> None:
        if row.organization_id is None:
            row.organization_id = self.organization_id
        elif row.organization_id != self.organization_id:
            raise OtherTenant(f"{type(row).__name__} {row.id} is not of {self.organization_id}")


class OrganizationRow(Protocol):
    """A row that is the organization's one of its kind (its settings), keyed by it."""

    organization_id: Mapped[str]


S = TypeVar("S", bound=OrganizationRow)


class TenantSettingsRepository(Generic[S]):
    """The base of the settings repositories: one organization's row of a model keyed by the
    organization alone; another organization's row can neither be read nor added."""

    model: type[S]

    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def get(self) -> S | None:
        """The organization's row, or None while it has kept the defaults."""
        row: S | None = self.session.get(self.model, self.organization_id)
        return row

    def add(self, row: S) -> S:
        if row.organization_id != self.organization_id:
            raise OtherTenant(f"{type(row).__name__} is not of {self.organization_id}")
        self.session.add(row)
        self.session.flush()
        return row
