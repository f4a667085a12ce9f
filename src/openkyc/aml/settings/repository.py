from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from openkyc.db.models import AmlSettingsRow


class AmlSettingsRepository:
    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def get(self) -> AmlSettingsRow | None:
        return self.session.get(AmlSettingsRow, self.organization_id)

    def save(self, settings: dict[str, Any]) -> tuple[AmlSettingsRow, bool]:
        """Store the settings; True when this is the organization's first change."""
        row = self.get()
        if row is None:
            row = AmlSettingsRow(
                organization_id=self.organization_id, settings=settings, revision=0
            )
            self.session.add(row)
            self.session.flush()
            return row, True
        row.settings = settings
        row.revision += 1
        self.session.flush()
        return row, False
