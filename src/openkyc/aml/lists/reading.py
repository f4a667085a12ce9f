"""Reading a file's entities into list entries, in this process or on several cores.

Reading an entity (followthemoney's cleaning of its values, its names' index keys, the
digest of what it says) costs a load more than writing it. With more than one worker the
batches are read by processes forked after the file's describing entities were indexed
(they inherit that index), while this process writes the batch before."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from openkyc.aml.lists.entities import EntryData, RelatedIndex, entry_from

# The describing entities of the file being loaded, in a worker process.
_related: RelatedIndex | None = None

Entities = Sequence[dict[str, Any] | None]


def _remember(related: RelatedIndex) -> None:
    global _related
    _related = related


def _read(related: RelatedIndex, entities: Entities) -> list[EntryData | None]:
    entries = [None if data is None else entry_from(data, related) for data in entities]
    for entry in entries:
        if entry is not None:
            entry.digest  # noqa: B018 (computed here, on this core, and sent with the entry)
    return entries


def _read_in_worker(entities: Entities) -> list[EntryData | None]:
    assert _related is not None, "the worker was started with the file's index"
    return _read(_related, entities)


class _Done(Future[list[EntryData | None]]):
    def __init__(self, entries: list[EntryData | None]) -> None:
        super().__init__()
        self.set_result(entries)


Reader = Callable[[Entities], Future[list[EntryData | None]]]


@contextmanager
def readers(related: RelatedIndex, workers: int) -> Iterator[Reader]:
    """A function that starts reading a batch of entities (None for a deletion) and
    returns the entries to come. With one worker, or where processes cannot be forked,
    the batch is read at once in this process."""
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield lambda entities: _Done(_read(related, entities))
        return
    pool: Executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_remember,
        initargs=(related,),
    )
    with pool:
        yield lambda entities: pool.submit(_read_in_worker, entities)
