"""The privacy app's models, one module per noun; every model is importable from here,
as ``privacy.models.<Model>``, and lives under the one ``privacy`` app label."""

from privacy.models.access_log import (
    AccessLogAnchor,
    AccessLogEntry,
    AccessLogHead,
)
from privacy.models.base import (
    AppendOnlyModel,
    AppendOnlyQuerySet,
)
from privacy.models.complaints import (
    COMPLAINT_ANSWER_DAYS,
    COMPLAINT_OPEN,
    Complaint,
    ComplaintStatus,
)
from privacy.models.consents import (
    ConsentActor,
    ConsentMethod,
    ConsentRecord,
    PolicyDraft,
    PolicyNotice,
    PolicyVersion,
)
from privacy.models.console import (
    BREACH_NOTIFY_HOURS,
    BREACH_REPORT_THRESHOLD,
    BreachIncident,
    BreachNotice,
    Inventory,
    OpenRequest,
)
from privacy.models.cookies import (
    Visit,
)
from privacy.models.keys import (
    DataKey,
    DataKeyManager,
)
from privacy.models.marketing import (
    CAMPAIGN_BODY_MAX_LENGTH,
    CAMPAIGN_SMS_BODY_MAX_LENGTH,
    CAMPAIGN_TITLE_MAX_LENGTH,
    Campaign,
    CampaignChannel,
    CampaignDelivery,
    CampaignStatus,
    ConsentReminder,
    DeliveryOutcome,
)
from privacy.models.outbox import (
    SentMessage,
)
from privacy.models.processors import (
    Disclosure,
    DisclosureBasis,
    Processor,
    ProcessorQuerySet,
)
from privacy.models.requests import (
    RIGHTS_REQUEST_DAYS,
    RequestChannel,
    Restriction,
    RestrictionReason,
    RightsRequest,
    RightsRequestKind,
)
from privacy.models.retention import (
    DestructionRecord,
    RetainedRecord,
    RetentionKey,
)

__all__ = [
    "BREACH_NOTIFY_HOURS",
    "BREACH_REPORT_THRESHOLD",
    "CAMPAIGN_BODY_MAX_LENGTH",
    "CAMPAIGN_SMS_BODY_MAX_LENGTH",
    "CAMPAIGN_TITLE_MAX_LENGTH",
    "COMPLAINT_ANSWER_DAYS",
    "COMPLAINT_OPEN",
    "RIGHTS_REQUEST_DAYS",
    "AccessLogAnchor",
    "AccessLogEntry",
    "AccessLogHead",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "BreachIncident",
    "BreachNotice",
    "Campaign",
    "CampaignChannel",
    "CampaignDelivery",
    "CampaignStatus",
    "Complaint",
    "ComplaintStatus",
    "ConsentActor",
    "ConsentMethod",
    "ConsentRecord",
    "ConsentReminder",
    "DataKey",
    "DataKeyManager",
    "DeliveryOutcome",
    "DestructionRecord",
    "Disclosure",
    "DisclosureBasis",
    "Inventory",
    "OpenRequest",
    "PolicyDraft",
    "PolicyNotice",
    "PolicyVersion",
    "Processor",
    "ProcessorQuerySet",
    "RequestChannel",
    "Restriction",
    "RestrictionReason",
    "RetainedRecord",
    "RetentionKey",
    "RightsRequest",
    "RightsRequestKind",
    "SentMessage",
    "Visit",
]
