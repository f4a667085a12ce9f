"""The analyser's findings stored on a document as the analyser stores them, for pages that
show or filter by them (the analyser itself has tests of its own)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from openkyc.db.models import KycDocument
from openkyc.db.session import Database


def store_findings(
    database: Database,
    organization_id: str,
    document_id: str,
    failed: dict[str, str],
    parsed: dict[str, Any] | None = None,
    unread: Collection[str] = (),
) -> int:
    """These checks failed for these reasons (those in ``unread`` only because something
    could not be read), the others passed; returns the score."""
    with database.write_sessionmaker() as session:
        document = session.get(KycDocument, (organization_id, document_id))
        assert document is not None and document.settings is not None
        weights = document.settings["weights"]
        checks = [
            {
                "name": name,
                "failed": True,
                "score": weights[name],
                "reason": reason,
                "conclusive": name not in unread,
            }
            for name, reason in failed.items()
        ]
        checks.append({"name": "isTampered", "failed": False, "score": 0, "reason": None})
        score = max(0, 100 - sum(c["score"] for c in checks))
        document.document_matches = {
            "version": "2.0",
            "score": score,
            "checkList": checks,
            "data": {},
        }
        if parsed is not None:
            document.parsed_data = {
                "version": "2.0",
                "score": score,
                "checkList": checks,
                "data": parsed,
            }
        session.commit()
    return score
