"""Every request finds its API key by the unique index on the key's digest, never by a scan."""

from __future__ import annotations

from sqlalchemy import text

from openkyc.api_keys.repository import credentials_by_secret_hash
from openkyc.api_keys.secrets import hash_secret
from openkyc.db.session import Database
from tests.fixtures.tenants import Tenant


def test_a_request_finds_its_key_by_the_index_on_its_digest(
    database: Database, tenant: Tenant
) -> None:
    with database.sessionmaker() as session:
        found = credentials_by_secret_hash(session, hash_secret(tenant.api_key))
        assert found is not None and found.organization_id == tenant.organization_id
        assert credentials_by_secret_hash(session, hash_secret(tenant.api_key + "x")) is None
        query = "SELECT organization_id FROM api_keys WHERE secret_hash = :digest"
        if session.get_bind().dialect.name == "sqlite":
            plan = session.execute(text("EXPLAIN QUERY PLAN " + query), {"digest": "d"})
            details = " ".join(str(row[-1]) for row in plan)
            # The unique constraint's own index (SQLite names it), searched, not scanned.
            assert details.startswith("SEARCH api_keys USING") and "(secret_hash=?)" in details
        else:
            # A table of a few keys is cheaper to scan; forbid that to see which index serves.
            session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = session.execute(text("EXPLAIN " + query), {"digest": "d"})
            details = " ".join(str(row[0]) for row in plan)
            assert "Index" in details and "uq_api_keys_secret_hash" in details, details
