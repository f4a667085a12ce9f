"""Stored bytes that follow the database transaction recording them.

Bytes cannot join a database transaction, so they are written before the row and removed again
if the row never commits; and removed only after the commit that deletes their row. Either way
no committed row ever points at missing bytes, and no bytes outlive a rolled-back upload.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from openkyc.storage.base import Storage

log = logging.getLogger(__name__)

_ON_COMMIT = "openkyc.storage.on_commit"
_ON_ROLLBACK = "openkyc.storage.on_rollback"

Action = Callable[[], None]


def put_until_rollback(session: Session, storage: Storage, key: str, data: bytes) -> None:
    """Store ``data`` now; remove it again unless the session's transaction commits."""
    storage.put(key, data)
    _actions(session, _ON_ROLLBACK).append(lambda: storage.delete(key))


def delete_after_commit(session: Session, storage: Storage, key: str) -> None:
    """Remove the bytes once the session's transaction has committed; keep them otherwise."""
    _actions(session, _ON_COMMIT).append(lambda: storage.delete(key))


def _actions(session: Session, name: str) -> list[Action]:
    if _ON_COMMIT not in session.info:
        session.info[_ON_COMMIT], session.info[_ON_ROLLBACK] = [], []
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_transaction_end", _after_transaction_end)
    actions: list[Action] = session.info[name]
    return actions


def _after_commit(session: Session) -> None:
    session.info[_ON_ROLLBACK].clear()
    _run(session.info[_ON_COMMIT])


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # After a commit both lists are already empty; anything left means no commit happened
    # (rollback, failed commit, or a session closed without committing).
    if transaction.parent is None:
        session.info[_ON_COMMIT].clear()
        _run(session.info[_ON_ROLLBACK])


def _run(actions: list[Action]) -> None:
    pending, actions[:] = list(actions), []
    for action in pending:
        try:
            action()
        except Exception:
            # The transaction's outcome stands; leftover bytes are harmless, a crash is not.
            log.exception("could not clean up stored bytes after the transaction ended")
