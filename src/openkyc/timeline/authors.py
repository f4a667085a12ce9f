"""Who a unit of work acts for: bound to the session by the web layer (the caller) or left
unbound by background work (openkyc itself), and read by whatever records the change."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from openkyc.timeline.enums import TriggeredBy

_KEY = "openkyc.author"


@dataclass(frozen=True)
class Author:
    id: str
    name: str
    triggered_by: TriggeredBy

    def to_wire(self) -> dict[str, str]:
        return {"userId": self.id, "userFullName": self.name}


SYSTEM = Author("openkyc", "openkyc", TriggeredBy.SYSTEM)


def bind(session: Session, author: Author) -> None:
    session.info[_KEY] = author


def current(session: Session) -> Author:
    author = session.info.get(_KEY)
    return author if isinstance(author, Author) else SYSTEM
