"""Loading a watchlist: a full export replaces what a source held, a delta changes it.

The file is read twice: first for the entities that describe others (sanctions, addresses,
identity documents), then for the people and organizations screened, written in batches.
What changed is returned as the index keys it touched, so the customers those keys find can
be screened again (ongoing monitoring)."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.aml import matching
from openkyc.aml.lists.entities import (
    Change,
    EntryData,
    RelatedIndex,
    is_screened,
    read_changes,
)
from openkyc.aml.lists.reading import readers
from openkyc.aml.lists.repository import ListRepository
from openkyc.db.ids import new_id
from openkyc.errors import ValidationFailed

BATCH = 2000
SOURCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"


@dataclass
class LoadResult:
    source: str
    added: int = 0
    modified: int = 0
    unchanged: int = 0
    removed: int = 0
    # The token keys of each entry added, changed (before and after) or removed: the
    # customers whose names share enough of one may now match differently.
    changed_names: set[frozenset[str]] = field(default_factory=set)

    @property
    def changed_keys(self) -> set[str]:
        return {key for keys in self.changed_names for key in keys}

    @property
    def changed(self) -> int:
        return self.added + self.modified + self.removed


class Progress(Protocol):
    def start(self, total: int) -> None: ...

    def advance(self, done: int) -> None: ...


def _tokens_only(key_sets: Iterable[frozenset[str]]) -> set[frozenset[str]]:
    """The keys of single tokens, the ones a customer is known by (not pair keys)."""
    return {frozenset(k for k in keys if not matching.is_pair_key(k)) for keys in key_sets}


def _lines(path: Path) -> Iterable[str]:
    with path.open(encoding="utf-8") as handle:
        yield from handle


def load(
    session: Session,
    path: Path,
    source: str,
    *,
    delta: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH,
    workers: int = 1,
) -> LoadResult:
    """Load a file of FollowTheMoney entities into the named source, ``batch_size``
    entities a batch, read by ``workers`` processes (one: this one)."""
    if not re.fullmatch(SOURCE_PATTERN, source):
        raise ValidationFailed.field("source", "letters, digits, . _ - (at most 100)")
    related = RelatedIndex()
    total = 0
    for change in read_changes(_lines(path)):
        if change.op != "DEL" and not is_screened(change.data):
            related.add(change.data)
        else:
            total += 1
    if progress is not None:
        progress.start(total)
    loader = _Loader(session, source, new_id("load"), progress, batch_size)
    with readers(related, workers) as read:
        # The next batches are read while this one is written.
        pending: deque[tuple[list[Change], Future[list[EntryData | None]]]] = deque()
        for batch in _batches(read_changes(_lines(path)), batch_size):
            pending.append((batch, read([None if c.op == "DEL" else c.data for c in batch])))
            if len(pending) > max(workers, 1):
                done, entries = pending.popleft()
                loader.apply(done, entries.result())
        for done, entries in pending:
            loader.apply(done, entries.result())
    if not delta:
        loader.remove_unseen()
    return loader.result


def _batches(changes: Iterable[Change], size: int) -> Iterator[list[Change]]:
    """The changes of screened entities (and deletions) in batches; an entity named twice
    in a batch keeps its last change."""
    batch: dict[str, Change] = {}
    for change in changes:
        if change.op == "DEL" or is_screened(change.data):
            batch.pop(str(change.data["id"]), None)
            batch[str(change.data["id"])] = change
        if len(batch) >= size:
            yield list(batch.values())
            batch = {}
    if batch:
        yield list(batch.values())


class _Loader:
    """Applies a file's changes batch by batch: what is new is added, what changed is
    rewritten with its keys replaced, what a delta deletes is removed, each set in a few
    statements."""

    def __init__(
        self,
        session: Session,
        source: str,
        load_id: str,
        progress: Progress | None,
        batch_size: int = BATCH,
    ) -> None:
        self.session = session
        self.repository = ListRepository(session)
        self.source = source
        self.load_id = load_id
        self.progress = progress
        self.result = LoadResult(source)
        # Entries stored before and named by the file: a full load keeps them.
        self.seen: set[int] = set()
        # Entries written when the tables' statistics were last refreshed: they are
        # refreshed each time the load has doubled that (a few times in a million).
        self.batch_size = batch_size
        self.analysed_at = 0

    def apply(self, batch: list[Change], entries: list[EntryData | None]) -> None:
        """Apply a batch of changes, each with its entry as read (None for a deletion)."""
        stored = self.repository.stored(self.source, {str(c.data["id"]) for c in batch})
        now = clock.now()
        removed: list[int] = []
        new: list[tuple[dict[str, Any], frozenset[str]]] = []
        changed: list[tuple[int, dict[str, Any], frozenset[str]]] = []
        for change, data in zip(batch, entries, strict=True):
            known = stored.get(str(change.data["id"]))
            if data is None:
                if known is not None:
                    removed.append(known.id)
                continue
            if known is None:
                row = {
                    "entity_id": data.entity_id,
                    "created_time": now,
                    **self._columns(data, now),
                }
                new.append((row, data.keys))
                continue
            self.seen.add(known.id)
            if known.digest == data.digest:
                self.result.unchanged += 1
            else:
                changed.append((known.id, self._columns(data, now), data.keys))
        # What the entries removed or changed were indexed by, and what the new and changed
        # ones are: the customers either could match are screened again.
        before = self.repository.keys_by_entry(removed + [i for i, _, _ in changed])
        after = [keys for _, keys in new] + [keys for _, _, keys in changed]
        self.result.changed_names |= _tokens_only([*before, *after])
        self.repository.remove(removed)
        self.repository.change_many(changed)
        self.repository.add_many(self.source, new)
        self.result.removed += len(removed)
        self.result.modified += len(changed)
        self.result.added += len(new)
        written = self.result.added + self.result.modified
        if written >= 2 * max(self.analysed_at, self.batch_size):
            self.repository.analyse()
            self.analysed_at = written
        if self.progress is not None:
            self.progress.advance(len(batch))

    def _columns(self, data: EntryData, now: datetime) -> dict[str, Any]:
        return {
            "schema": data.schema,
            "caption": data.caption,
            "names": data.names,
            "birth_dates": data.birth_dates,
            "places": data.places,
            "hit": data.hit,
            "digest": data.digest,
            "load_id": self.load_id,
            "updated_time": now,
        }

    def remove_unseen(self) -> None:
        """After a full export: the source's entries it did not name are gone."""
        written = self.repository.not_written(self.source, self.load_id)
        gone = [entry_id for entry_id in written if entry_id not in self.seen]
        for start in range(0, len(gone), BATCH):
            part = gone[start : start + BATCH]
            self.result.changed_names |= _tokens_only(self.repository.keys_by_entry(part))
            self.repository.remove(part)
        self.result.removed += len(gone)


def sources(session: Session) -> list[tuple[str, int]]:
    """Each source loaded and how many entries it holds."""
    return ListRepository(session).sources()


def candidates(session: Session, tokens: Sequence[str]) -> list[Any]:
    """The entries worth comparing with a name of these tokens (id, source, entity_id,
    names, birth_dates, places, digest), found through the index."""
    return ListRepository(session).candidates(
        matching.index_keys(tokens), matching.pair_keys(tokens)
    )


def hits_of(session: Session, entry_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """What a reviewer is shown of each of these entries."""
    return ListRepository(session).hits_of(set(entry_ids))


def customers_matching(
    session: Session, changed_names: Iterable[frozenset[str]]
) -> list[tuple[str, str]]:
    """(organization, customer) of the customers whose name shares enough keys with one of
    these entries to be worth screening again: three keys when the entry has two tokens or
    more (two tokens, one of them perhaps misspelt), else one. A customer sharing only a
    common first name is left alone."""
    names = [(keys, 3 if len(keys) >= 4 else 1) for keys in changed_names if keys]
    return sorted(ListRepository(session).customers_sharing(names))


def count_entries(session: Session) -> int:
    return ListRepository(session).count()
