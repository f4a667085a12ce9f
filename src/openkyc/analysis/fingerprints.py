"""Comparing one document's fingerprints with other customers' to find a duplicate.

The service keeps every analysed document's :class:`Fingerprints` and, for a new one,
passes those of the organization's other customers here; a hit goes back through
:func:`openkyc.analysis.with_duplicate`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from openkyc.analysis.models import Fingerprints
from openkyc.analysis.specimens import hash_distance

__all__ = ["PORTRAIT_BITS", "PORTRAIT_DISTANCE", "find_duplicate"]

# The same printed portrait photographed twice stays within these: dlib's embedding
# distance for one person is mostly 0.2-0.5, so 0.35 asks for the same picture rather
# than the same face; a 64-bit perceptual hash moves by a few bits between two photos.
PORTRAIT_DISTANCE = 0.35
PORTRAIT_BITS = 10


def _same_portrait(mine: Fingerprints, theirs: Fingerprints) -> bool:
    if mine.portrait_embedding and theirs.portrait_embedding:
        distance = np.linalg.norm(
            np.array(mine.portrait_embedding) - np.array(theirs.portrait_embedding)
        )
        if distance <= PORTRAIT_DISTANCE:
            return True
    if mine.portrait_hash and theirs.portrait_hash:
        return hash_distance(mine.portrait_hash, theirs.portrait_hash) <= PORTRAIT_BITS
    return False


def find_duplicate(mine: Fingerprints, others: Iterable[Fingerprints]) -> str | None:
    """``duplicate-document`` when another customer's document has the same number and
    birth date, ``duplicate-portrait`` when it carries the same portrait, else None."""
    for theirs in others:
        if mine.document and mine.document == theirs.document:
            return "duplicate-document"
        if _same_portrait(mine, theirs):
            return "duplicate-portrait"
    return None
