"""aml: pair keys in the watchlists' index

Each name of a list entry is also indexed by pairs of its tokens' keys, so a customer's
candidates are found without reading every entry that shares a common first name. The
entries loaded before get theirs from the tokens they keep, keyed as the matcher keyed
them when this revision was written: the functions are copied here, so that a later change
of the matcher cannot change what this revision writes.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from rigour.text.phonetics import metaphone

from openkyc.db.migrations.list_keys import add_keys, keys

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# The pair keys of a name's tokens, as this revision defines them.
PAIRED_TOKENS = 6
TYPO_ENDS = 4


def _skeleton(token: str) -> str:
    """The first letter and the consonants after it, repeats collapsed."""
    return re.sub(r"(.)\1+", r"\1", token[:1] + re.sub(r"[aeiouy]", "", token[1:]))


def _token_keys(token: str) -> list[str]:
    if len(token) < 2:
        return []
    code = metaphone(token) if len(token) >= 3 else ""
    return [*([f"m:{code}"[:40]] if code else []), f"s:{_skeleton(token)}"[:40]]


def _part(key: str) -> str:
    return key.replace(":", "", 1)[:18]


def pair_keys(tokens: Sequence[str]) -> set[str]:
    """A key of each of two tokens, and one token's consonants with the other's first or
    last two letters, for every two of the name's first tokens."""
    usable = list(dict.fromkeys(t for t in tokens if len(t) >= 2))[:PAIRED_TOKENS]
    found: set[str] = set()

    def add(one: str, other: str) -> None:
        low, high = sorted((one, other))
        found.add(f"p:{low}|{high}")

    for a, b in itertools.combinations(usable, 2):
        for key_a in _token_keys(a):
            for key_b in _token_keys(b):
                add(_part(key_a), _part(key_b))
        for whole, typed in ((a, b), (b, a)):
            if len(typed) >= TYPO_ENDS:
                add(f"s{_skeleton(whole)}"[:18], f"<{typed[:2]}")
                add(f"s{_skeleton(whole)}"[:18], f">{typed[-2:]}")
    return found


def upgrade() -> None:
    add_keys(op.get_bind(), pair_keys)


def downgrade() -> None:
    op.execute(sa.delete(keys).where(keys.c.key.like("p:%")))
