from __future__ import annotations

from typing import Any

from openkyc.db.models import AmlSettingsRow
from openkyc.db.repository import TenantSettingsRepository


class AmlSettingsRepository(TenantSettingsRepository[AmlSettingsRow]):
    model = AmlSettingsRow

    def save(self, settings: dict[str, Any]) -> tuple[AmlSettingsRow, bool]:
        """Store the settings; True when this is the organization's first change."""
        row = self.get()
        if row is None:
            row = AmlSettingsRow(
                organization_id=self.organization_id, settings=settings, revision=0
            )
            return self.add(row), True
        row.settings = settings
        row.revision += 1
        self.session.flush()
        return row, False
