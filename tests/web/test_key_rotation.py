"""Changing the deployment's secret key: with the old one in OPENKYC_PREVIOUS_SECRET_KEYS,
customer links and file permalinks it signed keep working; without it they stop."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from openkyc.db.session import Database
from openkyc.storage.local import LocalStorage
from openkyc.web.app import create_app
from tests.files.helpers import settings_with, upload
from tests.fixtures import images, kyc
from tests.fixtures.storefront import link_token
from tests.fixtures.tenants import Tenant

OLD, NEW = "old-secret-" + "o" * 32, "new-secret-" + "n" * 32


@contextmanager
def served(
    tmp_path: Path, database: Database, tenant: Tenant, key: str, previous: str = ""
) -> Iterator[TestClient]:
    settings = settings_with(tmp_path, secret_key=key, previous_secret_keys=previous)
    app = create_app(settings, database, LocalStorage(tmp_path / "files"))
    with TestClient(app, base_url="http://openkyc.test", headers=tenant.headers) as client:
        yield client


def test_links_signed_with_the_previous_key_still_work_until_it_is_dropped(
    tmp_path: Path, database: Database, tenant: Tenant
) -> None:
    with served(tmp_path, database, tenant, OLD) as before:
        request = kyc.kyc_request(before, kyc.customer(before), "identity-proof")
        logo = upload(before, images.png(40, 30), isPublic=True, name="logo.png")
    old_link = link_token(request)
    old_permalink = next(x["href"] for x in logo["_links"] if x["rel"] == "permalink")

    with served(tmp_path, database, tenant, NEW, previous=f" {OLD} ") as rotated:
        exchanged = rotated.post(f"/authentication-tokens/{old_link}/exchange", json={})
        assert exchanged.status_code == 201, exchanged.text
        assert rotated.get(old_permalink).status_code == 200
        # What is issued now is signed with the new key.
        fresh = rotated.get(f"/kyc-requests/{request['id']}").json()
        assert link_token(fresh) != old_link

    with served(tmp_path, database, tenant, NEW) as dropped:
        gone = dropped.post(f"/authentication-tokens/{old_link}/exchange", json={})
        assert gone.status_code == 404
        assert dropped.get(old_permalink).status_code == 404
        new_link = link_token(fresh)
        assert (
            dropped.post(f"/authentication-tokens/{new_link}/exchange", json={}).status_code == 201
        )
