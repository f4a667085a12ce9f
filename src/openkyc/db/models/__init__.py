"""SQLAlchemy models of every table. Import from here so that metadata is complete."""

from openkyc.db.models.aml import (
    AmlCheck,
    AmlCheckDecision,
    AmlCheckTag,
    AmlCustomerKey,
    AmlListEntry,
    AmlListKey,
    AmlSettingsRow,
    AmlSuppression,
)
from openkyc.db.models.api_key import ApiKey
from openkyc.db.models.attachment import Attachment
from openkyc.db.models.customer import Customer
from openkyc.db.models.event import OutboxEvent
from openkyc.db.models.file import File, FileTag
from openkyc.db.models.job import Job
from openkyc.db.models.kyc import (
    CustomerTag,
    KycDocument,
    KycDocumentDecision,
    KycDocumentFingerprint,
    KycDocumentTag,
    KycRequest,
    KycSettingsRow,
    Tag,
)
from openkyc.db.models.liveness import KycLivenessSession
from openkyc.db.models.organization import Organization
from openkyc.db.models.session_token import SessionToken
from openkyc.db.models.timeline import AuditChainHead, CustomerTimelineEntry, TimelineCustomEvent
from openkyc.db.models.user import User
from openkyc.db.models.webhook import ServiceCredential, Webhook, WebhookDelivery, WebhookSettings

__all__ = [
    "AmlCheck",
    "AmlCheckDecision",
    "AmlCheckTag",
    "AmlCustomerKey",
    "AmlListEntry",
    "AmlListKey",
    "AmlSettingsRow",
    "AmlSuppression",
    "ApiKey",
    "Attachment",
    "AuditChainHead",
    "Customer",
    "CustomerTag",
    "CustomerTimelineEntry",
    "File",
    "FileTag",
    "Job",
    "KycDocument",
    "KycDocumentDecision",
    "KycDocumentFingerprint",
    "KycDocumentTag",
    "KycLivenessSession",
    "KycRequest",
    "KycSettingsRow",
    "Organization",
    "OutboxEvent",
    "ServiceCredential",
    "SessionToken",
    "Tag",
    "TimelineCustomEvent",
    "User",
    "Webhook",
    "WebhookDelivery",
    "WebhookSettings",
]
