from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.responses import JSONResponse

from openkyc.flows import tagging
from openkyc.tags import service
from openkyc.tags.enums import TagType
from openkyc.tags.schemas import (
    TAG_PATTERN,
    AmlCheckIds,
    CustomerIds,
    KycDocumentIds,
    TagIn,
    TagOut,
    TagRename,
)
from openkyc.timeline import authors
from openkyc.web.collections import Collection, Fields, member_response, page_response
from openkyc.web.deps import RequestLinks, ResourceIdPath, SecretKeyAuth, Session
from openkyc.web.routing import OneHopRoute

router = APIRouter(prefix="/tags", tags=["Tags"], route_class=OneHopRoute)
DOCUMENT, CUSTOMER = TagType.KYC_DOCUMENT, TagType.CUSTOMER
TagPath = Annotated[str, Path(max_length=255, pattern=TAG_PATTERN, description="Name of the tag.")]


@router.get("", operation_id="GetTagCollection", response_model=list[TagOut])
def list_tags(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, query: Collection, fields: Fields
) -> JSONResponse:
    """The organization's tags."""
    tags, total = service.page(session, auth.organization_id, query)
    return page_response([TagOut.of(t, links) for t in tags], total, query, fields)


@router.post("", operation_id="PostTag", status_code=201, response_model=TagOut)
def create_tag(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, body: TagIn
) -> JSONResponse:
    """Create a tag for customers or KYC documents; names are unique whatever the case."""
    out = TagOut.of(service.create(session, auth.organization_id, body), links)
    return member_response(out, status_code=201, location=out.links[0].href)


@router.get("/{tag}", operation_id="GetTag", response_model=TagOut)
def get_tag(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, tag: TagPath
) -> JSONResponse:
    """One tag, by name."""
    return member_response(TagOut.of(service.get(session, auth.organization_id, tag), links))


@router.patch("/{tag}", operation_id="PatchTag", response_model=TagOut)
def rename_tag(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, tag: TagPath, body: TagRename
) -> JSONResponse:
    """Rename a tag; what it is applied to keeps it."""
    return member_response(
        TagOut.of(service.rename(session, auth.organization_id, tag, body.name), links)
    )


@router.delete("/{tag}", operation_id="DeleteTag", status_code=204)
def delete_tag(auth: SecretKeyAuth, session: Session, tag: TagPath) -> Response:
    """Delete a tag and remove it from everything it was applied to."""
    service.delete(session, auth.organization_id, tag)
    return Response(status_code=204)


@router.post("/{tag}/kyc-documents", operation_id="PostTagKycDocumentCollection", status_code=204)
def tag_kyc_documents(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, tag: TagPath, body: KycDocumentIds
) -> Response:
    """Tag KYC documents (created as a `kyc-document` tag on first use)."""
    tagging.tag_many(
        session,
        auth.organization_id,
        tag,
        DOCUMENT,
        body.kycDocumentIds,
        links,
        authors.of(auth),
        add=True,
    )
    return Response(status_code=204)


@router.delete(
    "/{tag}/kyc-documents", operation_id="DeleteTagKycDocumentCollection", status_code=204
)
def untag_kyc_documents(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, tag: TagPath, body: KycDocumentIds
) -> Response:
    """Remove the tag from KYC documents."""
    tagging.tag_many(
        session,
        auth.organization_id,
        tag,
        DOCUMENT,
        body.kycDocumentIds,
        links,
        authors.of(auth),
        add=False,
    )
    return Response(status_code=204)


@router.post(
    "/{tag}/kyc-documents/{kycDocumentId}", operation_id="PostTagKycDocument", status_code=204
)
def tag_kyc_document(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    tag: TagPath,
    kycDocumentId: ResourceIdPath,
) -> Response:
    """Tag one KYC document."""
    tagging.tag_one(
        session,
        auth.organization_id,
        tag,
        DOCUMENT,
        kycDocumentId,
        links,
        authors.of(auth),
        add=True,
    )
    return Response(status_code=204)


@router.delete(
    "/{tag}/kyc-documents/{kycDocumentId}", operation_id="DeleteTagKycDocument", status_code=204
)
def untag_kyc_document(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    tag: TagPath,
    kycDocumentId: ResourceIdPath,
) -> Response:
    """Remove the tag from one KYC document."""
    tagging.tag_one(
        session,
        auth.organization_id,
        tag,
        DOCUMENT,
        kycDocumentId,
        links,
        authors.of(auth),
        add=False,
    )
    return Response(status_code=204)


@router.post("/{tag}/customers", operation_id="PostTagCustomerCollection", status_code=204)
def tag_customers(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, tag: TagPath, body: CustomerIds
) -> Response:
    """Tag customers (created as a `customer` tag on first use)."""
    tagging.tag_many(
        session,
        auth.organization_id,
        tag,
        CUSTOMER,
        body.customerIds,
        links,
        authors.of(auth),
        add=True,
    )
    return Response(status_code=204)


@router.delete("/{tag}/customers", operation_id="DeleteTagCustomerCollection", status_code=204)
def untag_customers(
    auth: SecretKeyAuth, session: Session, links: RequestLinks, tag: TagPath, body: CustomerIds
) -> Response:
    """Remove the tag from customers."""
    tagging.tag_many(
        session,
        auth.organization_id,
        tag,
        CUSTOMER,
        body.customerIds,
        links,
        authors.of(auth),
        add=False,
    )
    return Response(status_code=204)


@router.post("/{tag}/customers/{customerId}", operation_id="PostTagCustomer", status_code=204)
def tag_customer(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    tag: TagPath,
    customerId: ResourceIdPath,
) -> Response:
    """Tag one customer."""
    tagging.tag_one(
        session, auth.organization_id, tag, CUSTOMER, customerId, links, authors.of(auth), add=True
    )
    return Response(status_code=204)


@router.delete("/{tag}/customers/{customerId}", operation_id="DeleteTagCustomer", status_code=204)
def untag_customer(
    auth: SecretKeyAuth,
    session: Session,
    links: RequestLinks,
    tag: TagPath,
    customerId: ResourceIdPath,
) -> Response:
    """Remove the tag from one customer."""
    tagging.tag_one(
        session, auth.organization_id, tag, CUSTOMER, customerId, links, authors.of(auth), add=False
    )
    return Response(status_code=204)


@router.post("/{tag}/aml-checks", operation_id="PostTagAmlCheckCollection", status_code=204)
def tag_aml_checks(
    auth: SecretKeyAuth, session: Session, tag: TagPath, body: AmlCheckIds
) -> Response:
    """Tag AML checks (created as an `aml-check` tag on first use); checks that have it
    already are left alone."""
    tagging.tag_aml_checks(session, auth.organization_id, tag, body.amlCheckIds, add=True)
    return Response(status_code=204)


@router.delete("/{tag}/aml-checks", operation_id="DeleteTagAmlCheckCollection", status_code=204)
def untag_aml_checks(
    auth: SecretKeyAuth, session: Session, tag: TagPath, body: AmlCheckIds
) -> Response:
    """Remove the tag from AML checks."""
    tagging.tag_aml_checks(session, auth.organization_id, tag, body.amlCheckIds, add=False)
    return Response(status_code=204)


@router.post("/{tag}/aml-checks/{amlCheckId}", operation_id="PostTagAmlCheck", status_code=204)
def tag_aml_check(
    auth: SecretKeyAuth, session: Session, tag: TagPath, amlCheckId: ResourceIdPath
) -> Response:
    """Tag one AML check."""
    tagging.tag_aml_check(session, auth.organization_id, tag, amlCheckId, add=True)
    return Response(status_code=204)


@router.delete("/{tag}/aml-checks/{amlCheckId}", operation_id="DeleteTagAmlCheck", status_code=204)
def untag_aml_check(
    auth: SecretKeyAuth, session: Session, tag: TagPath, amlCheckId: ResourceIdPath
) -> Response:
    """Remove the tag from one AML check."""
    tagging.tag_aml_check(session, auth.organization_id, tag, amlCheckId, add=False)
    return Response(status_code=204)
