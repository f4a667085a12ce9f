"""Deleting a file that KYC documents may stand on, and sweeping stored bytes no row names."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.errors import ValidationFailed
from openkyc.files import service
from openkyc.kyc.documents import service as documents
from openkyc.kyc.liveness import service as liveness
from openkyc.storage import Storage, StoredObject


def delete_file(session: Session, storage: Storage, organization_id: str, file_id: str) -> None:
    """Delete a file unless it is the evidence of a KYC document: a decision must keep what it
    was made on, so such a file stays as long as the document does."""
    service.get(session, organization_id, file_id)  # 404 first for a file that is not there
    backed = documents.backed_by_file(session, organization_id, file_id)
    if backed:
        raise ValidationFailed.field(
            "id",
            f"the file is evidence of the KYC document {', '.join(backed[:5])}"
            f"{' and others' if len(backed) > 5 else ''} and cannot be deleted",
        )
    service.delete(session, storage, organization_id, file_id)


@dataclass
class Sweep:
    """What a sweep of the stored bytes found: how many objects it listed, and the orphans it
    removed (or, in a dry run, would remove)."""

    listed: int = 0
    orphans: list[StoredObject] = field(default_factory=list)

    @property
    def orphan_bytes(self) -> int:
        return sum(orphan.size for orphan in self.orphans)


# Keys looked up in the database per query.
SWEEP_BATCH = 500


def sweep_orphan_bytes(
    session: Session, storage: Storage, grace: timedelta, *, dry_run: bool = False
) -> Sweep:
    """Remove stored bytes that no row refers to: a file's bytes or a liveness frame whose
    transaction never committed (a crash between the two), a temporary upload a crash left
    half-written, a deleted record's bytes that could not be removed at the time. Only objects
    last written more than ``grace`` ago are looked at, so an upload in flight, whose bytes
    are written before its row commits, is never touched."""
    cutoff = clock.now() - grace
    sweep = Sweep()
    old: list[StoredObject] = []
    for stored in storage.listing():
        sweep.listed += 1
        if stored.modified < cutoff:
            old.append(stored)
        if len(old) == SWEEP_BATCH:
            _sweep_batch(session, storage, old, sweep, dry_run)
            old = []
    _sweep_batch(session, storage, old, sweep, dry_run)
    return sweep


def _sweep_batch(
    session: Session, storage: Storage, batch: list[StoredObject], sweep: Sweep, dry_run: bool
) -> None:
    in_use = _keys_in_use(session, [stored.key for stored in batch])
    for stored in batch:
        if stored.key in in_use:
            continue
        if not dry_run:
            storage.delete(stored.key)
        sweep.orphans.append(stored)


def _keys_in_use(session: Session, keys: list[str]) -> set[str]:
    """Keys begin with their organization's id: each organization is asked about its own."""
    by_organization: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        by_organization[key.split("/")[0]].append(key)
    in_use: set[str] = set()
    for organization_id, its_keys in by_organization.items():
        in_use |= service.stored_keys_in_use(session, organization_id, its_keys)
        in_use |= liveness.frame_keys_in_use(session, organization_id, its_keys)
    return in_use
