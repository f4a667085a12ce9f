from __future__ import annotations

from openkyc.enums import WireEnum


class TagType(WireEnum):
    """What a tag labels."""

    CUSTOMER = "customer"
    KYC_DOCUMENT = "kyc-document"
    AML_CHECK = "aml-check"
