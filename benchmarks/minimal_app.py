"""The baseline of `api.py`: the least a FastAPI + SQLAlchemy ORM app does to answer
`GET /customers/{id}` as openkyc does, on the same database and the same row.

Three statements, as openkyc makes: the API key by the digest of `REB-APIKEY`, the customer by
organization and id, its tags. A session dependency, an authentication dependency and the
endpoint, all plain functions (FastAPI runs each in its thread pool). No problem documents, no
rate limit, no links beyond `self`, no field selection: what any app of this stack pays.

    python benchmarks/minimal_app.py DATABASE_URL PORT

No ``from __future__ import annotations`` here: FastAPI resolves each dependency from its
annotation, and the dependencies are local to ``create_app``, out of reach of a string.
"""

import hashlib
import sys
from collections.abc import Iterator
from typing import Annotated, Any

import uvicorn
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from sqlalchemy import and_, select
from sqlalchemy.orm import Session, sessionmaker

from openkyc.db.models import ApiKey, Customer, CustomerTag, Tag
from openkyc.db.session import make_engine


def create_app(url: str) -> FastAPI:
    app = FastAPI()
    sessions = sessionmaker(make_engine(url), expire_on_commit=False)

    def session() -> Iterator[Session]:
        with sessions() as opened:
            yield opened

    def organization(
        db: Annotated[Session, Depends(session)], reb_apikey: Annotated[str, Header()]
    ) -> str:
        digest = hashlib.sha256(reb_apikey.encode()).hexdigest()
        key = db.scalars(select(ApiKey).where(ApiKey.secret_hash == digest)).one_or_none()
        if key is None:
            raise HTTPException(401)
        return key.organization_id

    @app.get("/customers/{customer_id}")
    def get_customer(
        customer_id: str,
        request: Request,
        db: Annotated[Session, Depends(session)],
        organization_id: Annotated[str, Depends(organization)],
    ) -> dict[str, Any]:
        customer = db.get(Customer, (organization_id, customer_id))
        if customer is None:
            raise HTTPException(404)
        tags = db.scalars(
            select(Tag)
            .join(
                CustomerTag,
                and_(
                    CustomerTag.organization_id == Tag.organization_id,
                    CustomerTag.tag_id == Tag.id,
                ),
            )
            .where(CustomerTag.organization_id == organization_id)
            .where(CustomerTag.customer_id == customer_id)
        )
        return {
            "id": customer.id,
            "email": customer.email,
            "firstName": customer.first_name,
            "lastName": customer.last_name,
            "organizationId": customer.organization_id,
            "primaryAddress": customer.primary_address,
            "customFields": customer.custom_fields,
            "revision": customer.revision,
            "createdTime": customer.created_time.isoformat(),
            "updatedTime": customer.updated_time.isoformat(),
            "tags": [{"id": t.id, "name": t.name} for t in tags],
            "_links": [{"rel": "self", "href": str(request.url)}],
        }

    return app


if __name__ == "__main__":
    uvicorn.run(
        create_app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning"
    )
