"""aml: a check may inherit the status of another check of the same person

A check keeps who the customer was, hashed (the name and birth date; the primary phone
number), so that a new check finds the reviewed checks of the same person, and the check
whose status it inherited, with the reasons. The checks made before get their person's key
from the data they screened; their phone number was not kept.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from openkyc.db.types import JSONType

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

BATCH = 1000
checks = sa.table(
    "aml_checks",
    sa.column("organization_id", sa.String),
    sa.column("id", sa.String),
    sa.column("customer_data"),
    sa.column("person_key", sa.String),
)


def person_key(person: dict[str, Any]) -> str | None:
    """The key of the name and birth date screened, as openkyc.aml.checks.screening makes it
    at this revision (kept here so that this migration does what it did when written)."""

    def written(value: str | None) -> str:
        return " ".join((value or "").split()).casefold()

    first, last = written(person.get("firstName")), written(person.get("lastName"))
    dob = person.get("dob") or ""
    if not dob or not (first or last):
        return None
    text = json.dumps([first, last, dob], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def upgrade() -> None:
    op.add_column("aml_checks", sa.Column("person_key", sa.String(length=64), nullable=True))
    op.add_column("aml_checks", sa.Column("phone_key", sa.String(length=64), nullable=True))
    op.add_column("aml_checks", sa.Column("inherited_from_id", sa.String(length=50), nullable=True))
    op.add_column("aml_checks", sa.Column("inherited_reasons", JSONType, nullable=True))
    op.create_index(
        op.f("ix_aml_checks_organization_id_person_key"),
        "aml_checks",
        ["organization_id", "person_key"],
        unique=False,
    )
    op.create_index(
        op.f("ix_aml_checks_organization_id_phone_key"),
        "aml_checks",
        ["organization_id", "phone_key"],
        unique=False,
    )
    _keys_of_earlier_checks()


def _keys_of_earlier_checks() -> None:
    connection = op.get_bind()
    last = ("", "")
    while True:
        batch = connection.execute(
            sa.select(checks.c.organization_id, checks.c.id, checks.c.customer_data)
            .where(sa.tuple_(checks.c.organization_id, checks.c.id) > sa.tuple_(*last))
            .order_by(checks.c.organization_id, checks.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        for organization_id, check_id, data in batch:
            key = person_key(json.loads(data) if isinstance(data, str) else data)
            if key is not None:
                connection.execute(
                    sa.update(checks)
                    .where(checks.c.organization_id == organization_id, checks.c.id == check_id)
                    .values(person_key=key)
                )
        last = (batch[-1][0], batch[-1][1])


def downgrade() -> None:
    op.drop_index(op.f("ix_aml_checks_organization_id_phone_key"), table_name="aml_checks")
    op.drop_index(op.f("ix_aml_checks_organization_id_person_key"), table_name="aml_checks")
    with op.batch_alter_table("aml_checks") as batch:
        batch.drop_column("inherited_reasons")
        batch.drop_column("inherited_from_id")
        batch.drop_column("phone_key")
        batch.drop_column("person_key")
