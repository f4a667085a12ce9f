"""aml: pair keys of a token with another's first three and last three letters

A first name with a surname's first or last two letters is shared by thousands of entries
of a list of a million, so a customer whose surname has a typo near one end found the entry
only by chance. Each name of a list entry is now also indexed by a token's consonants with
another token's first three and last three letters (``<<`` and ``>>``). The entries loaded
before get theirs from the tokens they keep, keyed as the matcher keyed them when this
revision was written: the functions are copied here, so that a later change of the matcher
cannot change what this revision writes.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from openkyc.db.migrations.list_keys import add_keys, keys

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

# The keys this revision adds, as it defines them: pairs of a name's first PAIRED_TOKENS
# tokens, the ends of tokens of TYPO_LONG_ENDS letters or more.
PAIRED_TOKENS, TYPO_LONG_ENDS = 6, 5
VOWELS, REPEATS = re.compile("[aeiouy]"), re.compile(r"(.)\1+")


def _skeleton(token: str) -> str:
    """The first letter and the consonants after it, repeats collapsed."""
    return REPEATS.sub(r"\1", token[:1] + VOWELS.sub("", token[1:]))


def long_ends_keys(tokens: Sequence[str]) -> set[str]:
    """For every two of the name's first tokens, one's consonants with the other's first
    three and last three letters."""
    usable = list(dict.fromkeys(t for t in tokens if len(t) >= 2))[:PAIRED_TOKENS]
    found: set[str] = set()
    for a, b in itertools.combinations(usable, 2):
        for whole, typed in ((a, b), (b, a)):
            if len(typed) >= TYPO_LONG_ENDS:
                for end in (f"<<{typed[:3]}", f">>{typed[-3:]}"):
                    low, high = sorted((f"s{_skeleton(whole)}"[:18], end))
                    found.add(f"p:{low}|{high}")
    return found


def upgrade() -> None:
    add_keys(op.get_bind(), long_ends_keys)


def downgrade() -> None:
    op.execute(
        sa.delete(keys).where(
            keys.c.key.like("p:%"), keys.c.key.like("%<<%") | keys.c.key.like("%>>%")
        )
    )
