from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from openkyc.db.models import KycSettingsRow


class KycSettingsRepository:
    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def get(self) -> KycSettingsRow | None:
        return self.session.get(KycSettingsRow, self.organization_id)

    def save(self, settings: dict[str, Any]) -> KycSettingsRow:
        row = self.get()
        if row is None:
            row = KycSettingsRow(
                organization_id=self.organization_id, settings=settings, revision=0
            )
            self.session.add(row)
        else:
            row.settings = settings
            row.revision += 1
        self.session.flush()
        return row
