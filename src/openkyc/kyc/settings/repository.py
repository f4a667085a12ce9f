from __future__ import annotations

from typing import Any

from openkyc.db.models import KycSettingsRow
from openkyc.db.repository import TenantSettingsRepository


class KycSettingsRepository(TenantSettingsRepository[KycSettingsRow]):
    model = KycSettingsRow

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
