"""The one place that says what is personal, why it is held, on what basis and when it goes.

Every collection item of the privacy policy (section 1, plus what age verification, guest
consultations and the boards need) is declared here once. The policy page, consent notices,
"my data", export and destruction read these declarations; the system check in
``privacy.checks`` fails when a model field is neither a declared item nor declared not personal.

The file reads in the policy's order: the collection items (section 1, then the records the
services of sections 2, 6 and 8 keep, then sessions), where a person's rows of them are, the
retention rules (sections 3 and 4), the consents, and the fields that are not personal. Each
kind is one literal.

Field references are ``"app_label.ModelName.field_name"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.db.models import TextChoices
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    # What gettext_lazy returns: a lazy str, accepted wherever Django takes a label.
    from django_stubs_ext import StrPromise


class Purpose(TextChoices):
    """Section 2 of the policy, plus the services of section 1 (consultations, cookies)."""

    MEMBER_MANAGEMENT = "member_management", _("member management")
    IDENTITY = "identity", _("identity verification and personal identification")
    AGE_VERIFICATION = "age_verification", _("age verification")
    FRAUD_PREVENTION = "fraud_prevention", _("prevention of fraudulent and unauthorised use")
    INTENT_TO_JOIN = "intent_to_join", _("confirmation of intent to join")
    COMPLAINTS = "complaints", _("complaint handling")
    INFORMATION = "information", _("information provision")
    MARKETING = "marketing", _("marketing")
    CONSULTATION = "consultation", _("consultation and after-care")
    ANALYTICS = "analytics", _("analysis of visit frequency and times")


class LegalBasis(TextChoices):
    CONTRACT = "contract", _("necessary for the membership contract (PIPA art. 15(1)4)")
    CONSENT = "consent", _("consent (PIPA art. 15(1)1)")
    SENSITIVE_CONSENT = "sensitive_consent", _(
        "separate consent to sensitive information (PIPA art. 23)"
    )
    LAW = "law", _("required by law (PIPA art. 15(1)2)")


class Collection(TextChoices):
    SIGNUP = "signup", _("membership registration")
    CONSULTATION_BOARD = "consultation_board", _("consultation board")
    GUEST_CONSULTATION = "guest_consultation", _("guest consultation")
    AFTERCARE = "aftercare", _("post-surgery consultation")
    REVIEW = "review", _("post-surgery review")
    AUTOMATIC = "automatic", _("generated automatically while the site is used")
    COMPLAINT = "complaint", _("complaint form")
    BOOKING = "booking", _("consultation booking request")



_SETTING_PLACEHOLDER = re.compile(r"%\(([A-Z][A-Z0-9_]*)\)s")


def _filled_in(text: StrPromise) -> str:
    translated = str(text)
    names = _SETTING_PLACEHOLDER.findall(translated)
    return translated % {name: getattr(settings, name) for name in names} if names else translated


def with_settings(text: StrPromise) -> StrPromise:
    """``text`` with each ``%(SETTING)s`` replaced, when it is shown, by the setting in force:
    a configured period reads on every page as it applies."""
    return cast("StrPromise", lazy(_filled_in, str)(text))


@dataclass(frozen=True)
class RetentionRule:
    """When the purpose of an item is achieved, and what a law keeps after that, for how long.

    ``days_setting`` names a setting that holds the live period in days where it is configurable.
    """

    key: str
    achieved_when: StrPromise
    live_for: timedelta | None = None
    days_setting: str | None = None
    kept_by_law_for: timedelta | None = None
    law: StrPromise | None = None

    @property
    def live_period(self) -> timedelta | None:
        """How long the item lives: the configured setting where there is one."""
        if self.days_setting is not None:
            return timedelta(days=getattr(settings, self.days_setting))
        return self.live_for


@dataclass(frozen=True)
class CollectionItem:
    """An item of the policy: what is collected, why, on what basis and when it goes.

    The item names its retention rule by key (``retention_key``) so that the items can come
    first, as in the policy; ``retention`` is the rule itself (the system check fails on an
    unknown key)."""

    key: str
    label: StrPromise
    purposes: tuple[Purpose, ...]
    basis: LegalBasis
    required: bool
    collected_by: tuple[Collection, ...]
    retention_key: str
    fields: tuple[str, ...] = ()
    encrypted: bool = False
    description: StrPromise | None = None

    @property
    def retention(self) -> RetentionRule:
        return RULES_BY_KEY[self.retention_key]


@dataclass(frozen=True)
class Holder:
    """Where one model's rows about a person are, and when each row was collected.

    "My data", its export and the withdrawal statement find a person's rows through these
    declarations alone. ``owner`` is the lookup from a row to the member: a link to the account
    (``"member"``, ``"author"``), through a parent row (``"consultation__author"``), ``"pk"``
    for the account row itself, or ``"subject_ref"`` for rows that name the person by their
    subject reference; None when the rows name no account (they cannot be told apart from
    anyone else's). ``collected_at`` is the field that says when a row was collected (None:
    no such field). ``shown_with`` are the links a row is read with, to show it (its area, its
    data key)."""

    model: str  # "app_label.ModelName"
    owner: str | None
    collected_at: str | None
    shown_with: tuple[str, ...] = ()

    @property
    def by_subject_ref(self) -> bool:
        return self.owner == SUBJECT_REF


@dataclass(frozen=True)
class Consent:
    """A consent a person can give and withdraw, with the notice shown beside its box."""

    key: str
    label: StrPromise
    items: tuple[str, ...]
    purposes: tuple[Purpose, ...]
    basis: LegalBasis
    notice: StrPromise
    retention: RetentionRule
    extra: dict[str, object] = field(default_factory=dict)
    # Where the consent is asked: members are asked at sign-up and can change it on their
    # consent page; a guest is asked once, on the form that collects the data.
    asked_at: Collection = Collection.SIGNUP


# --- Collection items ------------------------------------------------------------------------

_MEMBER = (Purpose.MEMBER_MANAGEMENT, Purpose.IDENTITY)
_SIGNUP = (Collection.SIGNUP,)

ITEMS: tuple[CollectionItem, ...] = (
    # Section 1: membership registration, age verification and fraud prevention.
    CollectionItem(
        key="name", label=_("name"), purposes=(*_MEMBER, Purpose.COMPLAINTS),
        basis=LegalBasis.CONTRACT, required=True, collected_by=_SIGNUP, retention_key="membership",
        fields=("members.Member.name",),
    ),
    CollectionItem(
        key="login_id", label=_("login ID"), purposes=_MEMBER,
        basis=LegalBasis.CONTRACT, required=True, collected_by=_SIGNUP, retention_key="membership",
        fields=("members.Member.username", "members.Member.username_digest"),
        encrypted=True,
    ),
    CollectionItem(
        key="password", label=_("password (stored only as a one-way hash)"), purposes=_MEMBER,
        basis=LegalBasis.CONTRACT, required=True, collected_by=_SIGNUP, retention_key="membership",
        fields=("members.Member.password",),
    ),
    CollectionItem(
        key="email", label=_("email"),
        purposes=(*_MEMBER, Purpose.INTENT_TO_JOIN, Purpose.INFORMATION),
        basis=LegalBasis.CONTRACT, required=True, collected_by=_SIGNUP, retention_key="membership",
        # The account's address and every other address the member adds at /accounts/email/
        # (allauth's EmailAddress: the address's keyed stand-in, whether it is confirmed and the
        # primary one; the address itself sealed beside it in members.SealedEmailAddress).
        fields=(
            "members.Member.email", "members.Member.email_digest", "account.EmailAddress.email",
            "account.EmailAddress.verified", "account.EmailAddress.primary",
            "members.SealedEmailAddress.email",
        ),
        encrypted=True,
    ),
    CollectionItem(
        key="mobile_phone", label=_("mobile phone number"),
        purposes=(*_MEMBER, Purpose.FRAUD_PREVENTION, Purpose.INFORMATION),
        basis=LegalBasis.CONTRACT, required=True, collected_by=_SIGNUP, retention_key="membership",
        fields=("members.Member.mobile_phone", "members.Member.mobile_phone_digest"),
        encrypted=True,
    ),
    CollectionItem(
        key="home_phone", label=_("home phone number"), purposes=(Purpose.INFORMATION,),
        basis=LegalBasis.CONSENT, required=False, collected_by=_SIGNUP,
        retention_key="consent_withdrawn", encrypted=True, fields=("members.Member.home_phone",),
    ),
    CollectionItem(
        key="home_address", label=_("home address"), purposes=(Purpose.INFORMATION,),
        basis=LegalBasis.CONSENT, required=False, collected_by=_SIGNUP,
        retention_key="consent_withdrawn", encrypted=True, fields=("members.Member.home_address",),
    ),
    CollectionItem(
        key="date_of_birth", label=_("date of birth"), purposes=(Purpose.AGE_VERIFICATION,),
        basis=LegalBasis.CONTRACT, required=True, collected_by=_SIGNUP, retention_key="membership",
        encrypted=True, fields=("members.Member.date_of_birth",),
    ),
    CollectionItem(
        key="desired_area", label=_("desired consultation area"),
        # Marketing: news of the chosen area, only to members who also consented to marketing
        # on that channel (privacy.marketing.campaigns.members_interested_in).
        purposes=(Purpose.CONSULTATION, Purpose.MARKETING), basis=LegalBasis.SENSITIVE_CONSENT,
        required=False, collected_by=_SIGNUP, retention_key="consent_withdrawn",
        fields=("members.Member.desired_area_ref", "members.Member.desired_area_digest"),
        description=_("Health information: collected only with a separate consent."),
    ),
    CollectionItem(
        key="legal_representative", label=_("legal representative (name, contact, relation)"),
        purposes=(Purpose.AGE_VERIFICATION,), basis=LegalBasis.LAW, required=False,
        collected_by=_SIGNUP, retention_key="membership", encrypted=True,
        fields=(
            "members.LegalRepresentative.name", "members.LegalRepresentative.email",
            "members.LegalRepresentative.phone", "members.LegalRepresentative.relation",
            "members.LegalRepresentative.child",
            "members.LegalRepresentative.representative_member",
        ),
        description=_("Only for members under 14 (PIPA art. 22-2)."),
    ),
    CollectionItem(
        key="access_log", label=_("access log (log-in time and result)"),
        purposes=(Purpose.FRAUD_PREVENTION,), basis=LegalBasis.LAW, required=True,
        collected_by=(Collection.AUTOMATIC,), retention_key="login_records",
        fields=(
            "members.LoginRecord.member", "members.LoginRecord.recorded_at",
            "members.LoginRecord.result",
        ),
    ),
    CollectionItem(
        key="access_ip", label=_("access IP information"),
        purposes=(Purpose.FRAUD_PREVENTION,), basis=LegalBasis.LAW, required=True,
        collected_by=(Collection.AUTOMATIC,), retention_key="login_records",
        fields=("privacy.ConsentRecord.ip_address", "members.LoginRecord.ip_address"),
    ),
    CollectionItem(
        key="member_block",
        label=_("block record (reason, date; email and mobile number as keyed hashes only)"),
        purposes=(Purpose.FRAUD_PREVENTION,), basis=LegalBasis.CONTRACT, required=True,
        collected_by=(Collection.AUTOMATIC,), retention_key="member_block",
        fields=(
            "members.MemberBlock.member", "members.MemberBlock.reason",
            "members.MemberBlock.blocked_at", "members.MemberBlock.blocked_by",
            "members.MemberBlock.email_hash", "members.MemberBlock.mobile_hash",
            "members.MemberBlock.lifted_at", "members.MemberBlock.lifted_by",
        ),
        description=_("Only for members whom staff block for fraudulent or unauthorised use."),
    ),
    CollectionItem(
        key="cookies", label=_("cookies"), purposes=(Purpose.ANALYTICS, Purpose.MARKETING),
        basis=LegalBasis.CONSENT, required=False, collected_by=(Collection.AUTOMATIC,),
        retention_key="analytics_visits",
        fields=("privacy.Visit.visitor_id", "privacy.Visit.path", "privacy.Visit.visited_at"),
        description=_(
            "Only with your consent to analytics cookies: a random visitor number, the page and "
            "the time of each visit (no IP address). Interests for marketing stay in your "
            "browser."
        ),
    ),
    # Section 1: the consultation boards, post-surgery consultations and reviews.
    CollectionItem(
        key="guest_contact", label=_("guest's name and mobile phone number"),
        purposes=(Purpose.CONSULTATION,), basis=LegalBasis.CONSENT, required=True,
        collected_by=(Collection.GUEST_CONSULTATION,), retention_key="guest_consultation",
        encrypted=True,
        fields=(
            "consultations.GuestConsultation.name", "consultations.GuestConsultation.mobile_phone",
            "consultations.GuestConsultation.mobile_phone_digest",
        ),
    ),
    CollectionItem(
        key="guest_consultation_content",
        label=_("guest consultation contents (health information) and reading password"),
        purposes=(Purpose.CONSULTATION,), basis=LegalBasis.SENSITIVE_CONSENT, required=True,
        collected_by=(Collection.GUEST_CONSULTATION,), retention_key="guest_consultation",
        encrypted=True,
        fields=(
            "consultations.GuestConsultation.title", "consultations.GuestConsultation.body",
            "consultations.GuestConsultation.area_ref",
            "consultations.GuestConsultation.area_digest",
            "consultations.GuestConsultation.answer", "consultations.GuestConsultation.password",
        ),
        description=_("The password is stored only as a one-way hash."),
    ),
    CollectionItem(
        key="procedure_history", label=_("procedures received at the clinic (procedure, date)"),
        purposes=(Purpose.CONSULTATION,), basis=LegalBasis.SENSITIVE_CONSENT, required=False,
        collected_by=(Collection.AFTERCARE, Collection.REVIEW), retention_key="procedure_history",
        encrypted=True,
        fields=(
            "consultations.ProcedureRecord.member", "consultations.ProcedureRecord.area_ref",
            "consultations.ProcedureRecord.area_digest",
            "consultations.ProcedureRecord.procedure_name",
            "consultations.ProcedureRecord.performed_on",
        ),
        description=_(
            "Health information recorded by staff; it lets a patient ask after-care questions "
            "and write reviews."
        ),
    ),
    CollectionItem(
        key="consultation_content", label=_("consultation contents (health information)"),
        purposes=(Purpose.CONSULTATION,), basis=LegalBasis.SENSITIVE_CONSENT, required=True,
        collected_by=(Collection.CONSULTATION_BOARD, Collection.AFTERCARE),
        retention_key="member_posts", encrypted=True,
        fields=("consultations.Consultation.title",
                "consultations.ConsultationTitleToken.digest",
                "consultations.Consultation.area_ref", "consultations.Consultation.area_digest",
                "consultations.Consultation.body", "consultations.Answer.body"),
    ),
    CollectionItem(
        key="review_content", label=_("post-surgery review contents"),
        purposes=(Purpose.CONSULTATION,), basis=LegalBasis.SENSITIVE_CONSENT, required=True,
        collected_by=(Collection.REVIEW,), retention_key="member_posts", encrypted=True,
        fields=("consultations.Review.title", "consultations.ReviewTitleToken.digest",
                "consultations.Review.area_ref", "consultations.Review.area_digest",
                "consultations.Review.body"),
    ),
    # Section 1, "service application": requests for a consultation appointment.
    CollectionItem(
        key="booking_contact",
        label=_("booking request: name, mobile phone number or email, and how to reach you"),
        purposes=(Purpose.CONSULTATION,), basis=LegalBasis.CONSENT, required=True,
        collected_by=(Collection.BOOKING,), retention_key="booking_requests", encrypted=True,
        fields=(
            "consultations.BookingRequest.name", "consultations.BookingRequest.contact",
            "consultations.BookingRequest.contact_digest",
            "consultations.BookingRequest.channel",
        ),
        description=_("A member's name and contact are taken from the account."),
    ),
    CollectionItem(
        key="booking_details",
        label=_("booking request: consultation area, preferred times, note and appointment "
                "(health information)"),
        purposes=(Purpose.CONSULTATION,), basis=LegalBasis.SENSITIVE_CONSENT, required=True,
        collected_by=(Collection.BOOKING,), retention_key="booking_requests", encrypted=True,
        fields=(
            "consultations.BookingRequest.member", "consultations.BookingRequest.area_ref",
            "consultations.BookingRequest.area_digest",
            "consultations.BookingRequest.preferred_slots", "consultations.BookingRequest.note",
            "consultations.BookingRequest.status",
            "consultations.BookingRequest.appointment_at",
            "consultations.BookingRequest.created_at", "consultations.BookingRequest.decided_at",
            "consultations.BookingRequest.reminded_at",
        ),
    ),
    # Records the site keeps about what it did with the items above: consents, the retention
    # store (section 4), complaints (section 8), notices, provision and staff access.
    CollectionItem(
        key="consent_records", label=_("consent records (what was agreed, when, how)"),
        purposes=(Purpose.MEMBER_MANAGEMENT, Purpose.COMPLAINTS), basis=LegalBasis.LAW,
        required=True, collected_by=(Collection.AUTOMATIC,), retention_key="consent_proof",
        fields=(
            "privacy.ConsentRecord.subject_ref", "privacy.ConsentRecord.member",
            "privacy.ConsentRecord.consent", "privacy.ConsentRecord.granted",
            "privacy.ConsentRecord.recorded_at", "privacy.ConsentRecord.method",
            "privacy.ConsentRecord.actor", "privacy.ConsentRecord.actor_user",
            "privacy.ConsentRecord.policy_version", "privacy.ConsentRecord.consent_version",
            "privacy.ConsentRecord.channel", "privacy.ConsentRecord.reference",
        ),
    ),
    CollectionItem(
        key="retained_records", label=_("records kept by law after their purpose is achieved"),
        purposes=(Purpose.COMPLAINTS,), basis=LegalBasis.LAW, required=True,
        collected_by=(Collection.AUTOMATIC,), retention_key="retention_period_ended",
        encrypted=True,
        fields=(
            "privacy.RetainedRecord.subject_ref", "privacy.RetainedRecord.payload",
        ),
        description=_("Held in a separate database and used for nothing but retention."),
    ),
    CollectionItem(
        key="complaint", label=_("complaint to the privacy officer (guest's name and contact, "
                                 "contents)"),
        purposes=(Purpose.COMPLAINTS,), basis=LegalBasis.LAW, required=True,
        collected_by=(Collection.COMPLAINT,), retention_key="complaint_records", encrypted=True,
        fields=(
            "privacy.Complaint.member", "privacy.Complaint.subject_ref",
            "privacy.Complaint.name", "privacy.Complaint.contact", "privacy.Complaint.body",
            "privacy.Complaint.status", "privacy.Complaint.created_at",
            "privacy.Complaint.answered_at",
        ),
    ),
    CollectionItem(
        key="policy_notices", label=_("record of privacy-policy change notices sent to you"),
        purposes=(Purpose.INFORMATION,), basis=LegalBasis.LAW, required=True,
        collected_by=(Collection.AUTOMATIC,), retention_key="membership",
        fields=("privacy.PolicyNotice.member", "privacy.PolicyNotice.claimed_at",
                "privacy.PolicyNotice.sent_at"),
    ),
    CollectionItem(
        key="disclosure_records",
        label=_("records of provision to third parties (recipient, items, time, basis)"),
        purposes=(Purpose.COMPLAINTS,), basis=LegalBasis.LAW, required=True,
        collected_by=(Collection.AUTOMATIC,), retention_key="disclosure_records",
        fields=(
            "privacy.Disclosure.subject_ref", "privacy.Disclosure.recipient",
            "privacy.Disclosure.recipient_contact", "privacy.Disclosure.items",
            "privacy.Disclosure.disclosed_at", "privacy.Disclosure.legal_basis",
            "privacy.Disclosure.basis_detail",
        ),
    ),
    CollectionItem(
        key="staff_access_records", label=_("records of staff access to personal data"),
        purposes=(Purpose.FRAUD_PREVENTION, Purpose.COMPLAINTS), basis=LegalBasis.LAW,
        required=True, collected_by=(Collection.AUTOMATIC,), retention_key="staff_access_log",
        fields=("privacy.AccessLogEntry.actor", "privacy.AccessLogEntry.subject_ref",
                "privacy.AccessLogEntry.ip_address", "privacy.AccessLogEntry.reason"),
    ),
    # Section 2, marketing: what was sent, and the reminders of the consents that allow it.
    CollectionItem(
        key="marketing_deliveries", label=_("advertising sent to you (campaign, time, result)"),
        purposes=(Purpose.MARKETING, Purpose.COMPLAINTS), basis=LegalBasis.CONSENT,
        required=False, collected_by=(Collection.AUTOMATIC,), retention_key="marketing_sends",
        fields=(
            "privacy.CampaignDelivery.campaign", "privacy.CampaignDelivery.subject_ref",
            "privacy.CampaignDelivery.claimed_at", "privacy.CampaignDelivery.sent_at",
            "privacy.CampaignDelivery.outcome",
        ),
        description=_("Kept so that nobody receives the same advertisement twice."),
    ),
    CollectionItem(
        key="consent_reminders", label=_("reminders of your marketing consents (every 2 years)"),
        purposes=(Purpose.MEMBER_MANAGEMENT,), basis=LegalBasis.LAW, required=True,
        collected_by=(Collection.AUTOMATIC,), retention_key="consent_proof",
        fields=(
            "privacy.ConsentReminder.subject_ref", "privacy.ConsentReminder.consent",
            "privacy.ConsentReminder.period_start", "privacy.ConsentReminder.sent_at",
        ),
        description=_("Network Act art. 50-8: proof that the reminder was sent."),
    ),
    # Section 6, the rights: suspensions of processing and the requests themselves.
    CollectionItem(
        key="processing_restrictions",
        label=_("requests to suspend processing (items, reason, how and when)"),
        purposes=(Purpose.COMPLAINTS,), basis=LegalBasis.LAW, required=True,
        collected_by=(Collection.AUTOMATIC,), retention_key="restriction_records",
        fields=(
            "privacy.Restriction.subject_ref", "privacy.Restriction.items",
            "privacy.Restriction.reason", "privacy.Restriction.channel",
            "privacy.Restriction.reference", "privacy.Restriction.started_at",
            "privacy.Restriction.lifted_at",
        ),
    ),
    CollectionItem(
        key="rights_requests",
        label=_("your requests to view, export, correct, delete or restrict your information"),
        purposes=(Purpose.COMPLAINTS,), basis=LegalBasis.LAW, required=True,
        collected_by=(Collection.AUTOMATIC,), retention_key="rights_requests",
        fields=(
            "privacy.RightsRequest.subject_ref", "privacy.RightsRequest.kind",
            "privacy.RightsRequest.items", "privacy.RightsRequest.channel",
            "privacy.RightsRequest.reference", "privacy.RightsRequest.received_at",
            "privacy.RightsRequest.due_on", "privacy.RightsRequest.completed_at",
        ),
    ),
    # Section 8: notices of a personal data breach.
    CollectionItem(
        key="breach_notices", label=_("notices sent to you about a personal data breach"),
        purposes=(Purpose.INFORMATION,), basis=LegalBasis.LAW, required=True,
        collected_by=(Collection.AUTOMATIC,), retention_key="breach_records",
        fields=(
            "privacy.BreachNotice.subject_ref", "privacy.BreachNotice.claimed_at",
            "privacy.BreachNotice.sent_at",
        ),
        description=_("PIPA art. 34: proof that you were told of a breach and when."),
    ),
    # Signed-in sessions hold the IP address and browser of a member (sealed under the
    # member's data key in members.SessionClient); they end at log-out (the rows go at once)
    # or expire SESSION_COOKIE_AGE after the sign-in, and the purge deletes them then.
    CollectionItem(
        key="sessions", label=_("logged-in sessions (IP address, browser, times)"),
        purposes=(Purpose.MEMBER_MANAGEMENT, Purpose.FRAUD_PREVENTION),
        basis=LegalBasis.CONTRACT, required=True, collected_by=(Collection.AUTOMATIC,),
        retention_key="sessions",
        fields=(
            "usersessions.UserSession.user", "usersessions.UserSession.created_at",
            "usersessions.UserSession.last_seen_at", "usersessions.UserSession.data",
            "usersessions.UserSession.session_key",
            "members.SessionClient.ip_address", "members.SessionClient.user_agent",
            "members.SessionClient.recorded_at",
            "sessions.Session.session_key", "sessions.Session.session_data",
            "sessions.Session.expire_date",
        ),
    ),
    # The second factor of an account (staff must set one up to use the admin): its type and
    # when it was set up and last used; the secret is sealed and never shown.
    CollectionItem(
        key="second_factor",
        label=_("second factor of log-in (type, when set up and last used; the secret is "
                "never shown)"),
        purposes=(Purpose.FRAUD_PREVENTION,), basis=LegalBasis.LAW, required=False,
        collected_by=(Collection.AUTOMATIC,), retention_key="membership",
        fields=(
            "mfa.Authenticator.user", "mfa.Authenticator.type", "mfa.Authenticator.data",
            "mfa.Authenticator.created_at", "mfa.Authenticator.last_used_at",
        ),
        description=_("Required of clinic staff before they open the administration pages."),
    ),
    # The admin's change history names the record changed (its title, a login ID) and what
    # changed; its entries go when the record they name is destroyed.
    CollectionItem(
        key="admin_log",
        label=_("history of changes staff made in the administration pages (record, change, "
                "time)"),
        purposes=(Purpose.FRAUD_PREVENTION, Purpose.COMPLAINTS), basis=LegalBasis.LAW,
        required=True, collected_by=(Collection.AUTOMATIC,), retention_key="admin_log",
        fields=(
            "admin.LogEntry.user", "admin.LogEntry.object_id", "admin.LogEntry.object_repr",
            "admin.LogEntry.change_message", "admin.LogEntry.action_time",
        ),
    ),
)

# --- Where a person's rows are ---------------------------------------------------------------

SUBJECT_REF = "subject_ref"
_KEYED = ("data_key",)  # rows sealed with a data key are read with it, to open them
# Keyed digests (``privacy.lookup``) declared with the item whose value they stand in for, for
# lookups only: a person's data shows the value, never its digest.
LOOKUP_DIGESTS = frozenset({
    "members.Member.mobile_phone_digest", "consultations.ConsultationTitleToken.digest",
    "consultations.ReviewTitleToken.digest", "consultations.ProcedureRecord.area_digest",
    "members.Member.desired_area_digest", "consultations.Consultation.area_digest",
    "consultations.Review.area_digest", "consultations.GuestConsultation.area_digest",
    "consultations.BookingRequest.area_digest", "members.Member.username_digest",
    "members.Member.email_digest",
})

HOLDERS: tuple[Holder, ...] = (
    Holder("members.Member", owner="pk", collected_at="date_joined", shown_with=_KEYED),
    Holder("members.LegalRepresentative", owner="child", collected_at="requested_at",
           shown_with=_KEYED),
    Holder("members.LoginRecord", owner="member", collected_at="recorded_at",
           shown_with=_KEYED),
    Holder("members.MemberBlock", owner="member", collected_at="blocked_at",
           shown_with=_KEYED),
    Holder("privacy.Visit", owner=None, collected_at="visited_at"),
    Holder("consultations.GuestConsultation", owner=SUBJECT_REF, collected_at="created_at",
           shown_with=_KEYED),
    Holder("consultations.BookingRequest", owner="member", collected_at="created_at",
           shown_with=_KEYED),
    Holder("consultations.ProcedureRecord", owner="member", collected_at="created_at",
           shown_with=_KEYED),
    Holder("consultations.Consultation", owner="author", collected_at="created_at",
           shown_with=_KEYED),
    Holder("consultations.Answer", owner="consultation__author", collected_at="created_at",
           shown_with=_KEYED),
    Holder("consultations.Review", owner="author", collected_at="created_at",
           shown_with=_KEYED),
    # A title's search digests, a row each: found with the post, never shown.
    Holder("consultations.ConsultationTitleToken", owner="post__author", collected_at=None),
    Holder("consultations.ReviewTitleToken", owner="post__author", collected_at=None),
    Holder("privacy.ConsentRecord", owner=SUBJECT_REF, collected_at="recorded_at",
           shown_with=("policy_version", *_KEYED)),
    Holder("privacy.RetainedRecord", owner=SUBJECT_REF, collected_at="started_at"),
    Holder("privacy.Complaint", owner=SUBJECT_REF, collected_at="created_at",
           shown_with=_KEYED),
    Holder("privacy.PolicyNotice", owner="member", collected_at="claimed_at"),
    Holder("privacy.Disclosure", owner=SUBJECT_REF, collected_at="disclosed_at"),
    Holder("privacy.AccessLogEntry", owner=SUBJECT_REF, collected_at="at"),
    Holder("privacy.CampaignDelivery", owner=SUBJECT_REF, collected_at="claimed_at",
           shown_with=("campaign",)),
    Holder("privacy.ConsentReminder", owner=SUBJECT_REF, collected_at="sent_at"),
    Holder("privacy.Restriction", owner=SUBJECT_REF, collected_at="started_at"),
    Holder("privacy.RightsRequest", owner=SUBJECT_REF, collected_at="received_at"),
    Holder("privacy.BreachNotice", owner=SUBJECT_REF, collected_at="claimed_at"),
    Holder("account.EmailAddress", owner="user", collected_at=None),
    Holder("members.SealedEmailAddress", owner="address__user", collected_at=None,
           shown_with=_KEYED),
    Holder("mfa.Authenticator", owner="user", collected_at="created_at"),
    Holder("usersessions.UserSession", owner="user", collected_at="created_at"),
    Holder("members.SessionClient", owner="session__user", collected_at="recorded_at",
           shown_with=_KEYED),
    # An admin log entry names its record by content type and id, not by a link to the
    # account: it is destroyed with the record (``privacy.retention.rules``).
    Holder("admin.LogEntry", owner=None, collected_at="action_time"),
    Holder("sessions.Session", owner=None, collected_at=None),
)

# --- Retention rules (sections 3 and 4) ------------------------------------------------------

MEMBERSHIP = RetentionRule(
    key="membership",
    achieved_when=_("membership is withdrawn or the account is closed"),
)
UNCONFIRMED_SIGNUP = RetentionRule(
    key="unconfirmed_signup",
    achieved_when=_("the email address is not confirmed within 7 days of sign-up"),
    live_for=timedelta(days=7),
)
UNDER_14_UNCONFIRMED = RetentionRule(
    key="under_14_unconfirmed",
    achieved_when=_("a legal representative does not confirm within 7 days"),
    live_for=timedelta(days=7),
)
CONSENT_WITHDRAWN = RetentionRule(
    key="consent_withdrawn",
    achieved_when=_("the consent is withdrawn or membership ends"),
)
LOGIN_RECORDS = RetentionRule(
    key="login_records",
    achieved_when=_("3 months after the login"),
    live_for=timedelta(days=90),
    kept_by_law_for=timedelta(days=90),
    law=_("Protection of Communications Secrets Act (log-in records, 3 months)"),
)
GUEST_CONSULTATION = RetentionRule(
    key="guest_consultation",
    achieved_when=with_settings(_(
        "the consultation is answered (destroyed %(GUEST_CONSULTATION_DAYS_AFTER_ANSWER)s days "
        "later), or %(GUEST_CONSULTATION_DAYS_UNANSWERED)s days after posting if it is never "
        "answered"
    )),
    days_setting="GUEST_CONSULTATION_DAYS_AFTER_ANSWER",
)
BOOKING_REQUESTS = RetentionRule(
    key="booking_requests",
    achieved_when=_(
        "the appointment has passed or the request is declined (destroyed 30 days later), or "
        "90 days after the request if the clinic never answers it"
    ),
    days_setting="BOOKING_DAYS_AFTER_APPOINTMENT",
)
MEMBER_POSTS = RetentionRule(
    key="member_posts",
    achieved_when=_("the author deletes the post or withdraws membership"),
)
COMPLAINT_RECORDS = RetentionRule(
    key="complaint_records",
    achieved_when=_("the complaint is closed"),
    kept_by_law_for=timedelta(days=3 * 365),
    law=_("Act on Consumer Protection in Electronic Commerce (complaint records, 3 years)"),
)
ANALYTICS_VISITS = RetentionRule(
    key="analytics_visits",
    achieved_when=_("13 months after the visit, or when cookie consent is refused"),
    live_for=timedelta(days=396),
)
CONSENT_PROOF = RetentionRule(
    key="consent_proof",
    achieved_when=_("3 years after the consent ends, to prove that consent was given"),
    live_for=timedelta(days=3 * 365),
)
STAFF_ACCESS_LOG = RetentionRule(
    key="staff_access_log",
    achieved_when=_("2 years after the access"),
    live_for=timedelta(days=2 * 365),
    law=_("Standards of Personal Information Safety Measures (access records, 2 years)"),
)
DISCLOSURE_RECORDS = RetentionRule(
    key="disclosure_records",
    achieved_when=_("3 years after the provision, to answer requests and notify corrections"),
    live_for=timedelta(days=3 * 365),
)
MEMBER_BLOCK = RetentionRule(
    key="member_block",
    achieved_when=_("staff lift the block"),
)
RETENTION_PERIOD_ENDED = RetentionRule(
    key="retention_period_ended",
    achieved_when=_("the period a law requires ends (the record's destroy-after date)"),
)
PROCEDURE_HISTORY = RetentionRule(
    key="procedure_history",
    achieved_when=_(
        "membership is withdrawn or staff remove the record (the medical record itself is kept "
        "by the clinic under the Medical Service Act, outside this website)"
    ),
)
MARKETING_SENDS = RetentionRule(
    key="marketing_sends",
    achieved_when=_(
        "1 year after the message is sent (to answer questions and complaints about it)"
    ),
    live_for=timedelta(days=365),
)
RESTRICTION_RECORDS = RetentionRule(
    key="restriction_records",
    achieved_when=_(
        "3 years after the restriction is lifted (proof of how the request was handled)"
    ),
    live_for=timedelta(days=3 * 365),
)
RIGHTS_REQUEST_RECORDS = RetentionRule(
    key="rights_requests",
    achieved_when=_("3 years after the request is completed (proof of how it was handled)"),
    live_for=timedelta(days=3 * 365),
)
BREACH_RECORDS = RetentionRule(
    key="breach_records",
    achieved_when=_(
        "3 years after the notice (proof that the people affected by a breach were notified)"
    ),
    live_for=timedelta(days=3 * 365),
)
ADMIN_LOG = RetentionRule(
    key="admin_log",
    achieved_when=_("the record the entry names is destroyed"),
)
SESSIONS = RetentionRule(
    key="sessions",
    achieved_when=_("the member logs out, or the log-in expires (after 12 hours by default)"),
)

RETENTION_RULES: tuple[RetentionRule, ...] = (
    MEMBERSHIP, UNCONFIRMED_SIGNUP, UNDER_14_UNCONFIRMED, CONSENT_WITHDRAWN, LOGIN_RECORDS,
    GUEST_CONSULTATION, MEMBER_POSTS, COMPLAINT_RECORDS, ANALYTICS_VISITS, CONSENT_PROOF,
    STAFF_ACCESS_LOG, DISCLOSURE_RECORDS, MEMBER_BLOCK, RETENTION_PERIOD_ENDED,
    PROCEDURE_HISTORY, MARKETING_SENDS, RESTRICTION_RECORDS, RIGHTS_REQUEST_RECORDS,
    BREACH_RECORDS, SESSIONS, ADMIN_LOG, BOOKING_REQUESTS,
)

# Rules whose data does not exist yet, so no purge rule destroys it yet; every other rule must
# have one (``privacy.retention.destruction.unplugged_rules``; checked by the tests). Empty:
# every rule is applied by a purge rule of ``privacy.retention.destruction.PURGE_MODULES``. A
# new rule goes here only until its data and purge rule land together.
PENDING_PURGE_RULES: frozenset[str] = frozenset()

# --- Consents a person can give (PIPA, as amended in 2023: each one separate, unticked) -------

CONSENTS: tuple[Consent, ...] = (
    Consent(
        key="optional_items", label=_("Optional items: home phone number and home address"),
        items=("home_phone", "home_address"), purposes=(Purpose.INFORMATION,),
        basis=LegalBasis.CONSENT, retention=CONSENT_WITHDRAWN,
        notice=_(
            "We collect your home phone number and home address to send you information you "
            "ask for. They are destroyed when you withdraw this consent or your membership. "
            "You may refuse; refusing does not limit any service."
        ),
    ),
    Consent(
        key="sensitive_health", label=_("Sensitive information: consultation area and contents"),
        items=("desired_area", "consultation_content", "review_content", "procedure_history"),
        purposes=(Purpose.CONSULTATION,), basis=LegalBasis.SENSITIVE_CONSENT,
        retention=MEMBER_POSTS,
        notice=_(
            "Your desired consultation area, what you write in consultations and reviews, and "
            "the procedures the clinic records that you received are health information. We "
            "process them only to answer you and to care for you after a procedure, and destroy "
            "them when you delete them, withdraw this consent or withdraw your membership. You "
            "may refuse; you can still use the site, but not the consultation boards."
        ),
    ),
    # A guest is asked two things apart, each with its own box (PIPA art. 22(1), 23): the
    # contact details, and the health information of the question.
    Consent(
        key="guest_consultation",
        label=_("Collection and use of personal information for a guest consultation"),
        items=("guest_contact",), purposes=(Purpose.CONSULTATION,),
        basis=LegalBasis.CONSENT, retention=GUEST_CONSULTATION,
        asked_at=Collection.GUEST_CONSULTATION,
        notice=_(
            "Items: your name and mobile phone number. Purpose: to answer your consultation "
            "and to tell you about it by text message (your reference when you post, a notice "
            "when the answer is ready, and your reference again if you ask for it). "
            "Retention: destroyed after the periods shown below, counted from the answer, or "
            "from posting if it is never answered. You may refuse; without this consent we "
            "cannot take a guest consultation, but you can still call the clinic."
        ),
    ),
    Consent(
        key="guest_sensitive_health",
        label=_("Processing of sensitive information (health) for a guest consultation"),
        items=("guest_consultation_content",), purposes=(Purpose.CONSULTATION,),
        basis=LegalBasis.SENSITIVE_CONSENT, retention=GUEST_CONSULTATION,
        asked_at=Collection.GUEST_CONSULTATION,
        notice=_(
            "Items: your consultation area and question, which are health information "
            "(sensitive information, PIPA art. 23), and the answer. Purpose: to answer your "
            "consultation only. Retention: as above. You may refuse; without this consent we "
            "cannot take a guest consultation, but you can still call the clinic."
        ),
    ),
    Consent(
        key="booking_request",
        label=_("Collection and use of personal information for a consultation booking"),
        items=("booking_contact",), purposes=(Purpose.CONSULTATION,),
        basis=LegalBasis.CONSENT, retention=BOOKING_REQUESTS, asked_at=Collection.BOOKING,
        notice=_(
            "Items: your name and the mobile phone number or email address you choose. "
            "Purpose: to arrange your consultation appointment and tell you about it. "
            "Retention: destroyed 30 days after the appointment or the decline, or 90 days "
            "after the request if it is never answered. You may refuse; without this consent "
            "we cannot take the request online, but you can still call the clinic."
        ),
    ),
    Consent(
        key="booking_request_sensitive",
        label=_("Sensitive information: consultation area and note of a booking"),
        items=("booking_details",), purposes=(Purpose.CONSULTATION,),
        basis=LegalBasis.SENSITIVE_CONSENT, retention=BOOKING_REQUESTS,
        asked_at=Collection.BOOKING,
        notice=_(
            "The consultation area, your preferred times and your note are health information. "
            "We process them only to arrange your appointment and destroy them with the "
            "request (see above). You may refuse; without this consent we cannot take the "
            "request online, but you can still call the clinic."
        ),
    ),
    Consent(
        key="marketing_email", label=_("Marketing by email"), items=("email",),
        purposes=(Purpose.MARKETING,), basis=LegalBasis.CONSENT, retention=CONSENT_WITHDRAWN,
        notice=_(
            "We send event and promotion news to your email address until you withdraw this "
            "consent; if you also gave a desired consultation area, news of that area. You may "
            "refuse."
        ),
    ),
    Consent(
        key="marketing_sms", label=_("Marketing by text message (SMS)"), items=("mobile_phone",),
        purposes=(Purpose.MARKETING,), basis=LegalBasis.CONSENT, retention=CONSENT_WITHDRAWN,
        notice=_(
            "We send event and promotion news to your mobile phone until you withdraw this "
            "consent; if you also gave a desired consultation area, news of that area. You may "
            "refuse."
        ),
    ),
    Consent(
        key="marketing_night", label=_("Marketing at night (21:00-08:00)"),
        items=("email", "mobile_phone"), purposes=(Purpose.MARKETING,),
        basis=LegalBasis.CONSENT, retention=CONSENT_WITHDRAWN,
        notice=_(
            "Without this consent we never send advertising between 21:00 and 08:00 "
            "(Network Act art. 50(3)). You may refuse."
        ),
    ),
)

# The consents that allow advertising, per channel; night needs its own (Network Act art. 50(3)).
MARKETING_CONSENT_FOR_CHANNEL: dict[str, str] = {"email": "marketing_email", "sms": "marketing_sms"}
MARKETING_ITEM_FOR_CHANNEL: dict[str, str] = {"email": "email", "sms": "mobile_phone"}
MARKETING_NIGHT_CONSENT = "marketing_night"
MARKETING_CONSENTS: tuple[str, ...] = ("marketing_email", "marketing_sms", "marketing_night")

# --- Fields that hold nothing about a person ---------------------------------------------------

NOT_PERSONAL: frozenset[str] = frozenset({
    # members
    "members.Member.id", "members.Member.is_active", "members.Member.is_staff",
    "members.Member.is_superuser", "members.Member.date_joined", "members.Member.last_login",
    "members.Member.groups", "members.Member.user_permissions", "members.Member.subject_ref",
    "members.Member.data_key",
    "members.LegalRepresentative.id", "members.LegalRepresentative.requested_at",
    "members.LegalRepresentative.confirmed_at", "members.LegalRepresentative.data_key",
    "members.LoginRecord.id", "members.LoginRecord.data_key", "members.MemberBlock.id",
    "members.MemberBlock.data_key",
    "privacy.ConsentRecord.data_key",
    # consultations
    "consultations.ConsultationArea.id", "consultations.ConsultationArea.slug",
    "consultations.ConsultationArea.name_ko", "consultations.ConsultationArea.name_en",
    "consultations.ConsultationArea.position", "consultations.ConsultationArea.is_active",
    "consultations.Consultation.id", "consultations.Consultation.author",
    "consultations.Consultation.is_private", "consultations.Consultation.created_at",
    "consultations.Consultation.data_key", "consultations.Consultation.kind",
    "consultations.Consultation.procedure", "consultations.Consultation.updated_at",
    "consultations.Answer.id", "consultations.Answer.consultation",
    "consultations.ConsultationTitleToken.id", "consultations.ConsultationTitleToken.post",
    "consultations.ReviewTitleToken.id", "consultations.ReviewTitleToken.post",
    "consultations.Answer.author", "consultations.Answer.created_at",
    "consultations.Answer.data_key",
    "consultations.Review.id", "consultations.Review.author",
    "consultations.Review.rating",
    "consultations.Review.status", "consultations.Review.created_at",
    "consultations.Review.data_key", "consultations.Review.updated_at",
    "consultations.Review.moderated_at",
    "consultations.ProcedureRecord.id", "consultations.ProcedureRecord.recorded_by",
    "consultations.ProcedureRecord.created_at", "consultations.ProcedureRecord.data_key",
    "consultations.GuestConsultation.id", "consultations.GuestConsultation.subject_ref",
    "consultations.GuestConsultation.reference",
    "consultations.GuestConsultation.answered_at", "consultations.GuestConsultation.answered_by",
    "consultations.GuestConsultation.created_at", "consultations.GuestConsultation.destroyed_at",
    "consultations.GuestConsultation.data_key",
    "consultations.BookingRequest.id", "consultations.BookingRequest.subject_ref",
    "consultations.BookingRequest.reference", "consultations.BookingRequest.decided_by",
    "consultations.BookingRequest.data_key",
    # privacy: keys, policy versions, consents, notices, processors, disclosures, complaints
    "privacy.DataKey.id", "privacy.DataKey.wrapped_key", "privacy.DataKey.created_at",
    "privacy.DataKey.rewrapped_at",
    "privacy.PolicyVersion.id", "privacy.PolicyVersion.version",
    "privacy.PolicyVersion.effective_on", "privacy.PolicyVersion.published_at",
    "privacy.PolicyVersion.summary", "privacy.PolicyVersion.summary_en",
    "privacy.PolicyVersion.content_ko",
    "privacy.PolicyVersion.content_en", "privacy.PolicyVersion.requires_reconsent",
    "privacy.ConsentRecord.id",
    "privacy.PolicyDraft.id", "privacy.PolicyDraft.version", "privacy.PolicyDraft.effective_on",
    "privacy.PolicyDraft.summary", "privacy.PolicyDraft.requires_reconsent",
    "privacy.PolicyDraft.created_at", "privacy.PolicyDraft.published",
    "privacy.PolicyNotice.id", "privacy.PolicyNotice.version",
    "privacy.Processor.id", "privacy.Processor.name", "privacy.Processor.tasks_ko",
    "privacy.Processor.tasks_en", "privacy.Processor.items", "privacy.Processor.since",
    "privacy.Processor.until", "privacy.Processor.requires_consent",
    "privacy.Processor.sends_email", "privacy.Processor.sends_sms", "privacy.Processor.country",
    "privacy.Disclosure.id", "privacy.Disclosure.recorded_by",
    "privacy.Complaint.id", "privacy.Complaint.data_key",
    # privacy: the retention store and the destruction ledger (rule, items, row range,
    # counts, times and a pseudonymous reference: a random UUID that names no one once the
    # member row is gone)
    "privacy.RetentionKey.id", "privacy.RetentionKey.wrapped_key",
    "privacy.RetentionKey.created_at",
    "privacy.RetainedRecord.id", "privacy.RetainedRecord.item_key",
    "privacy.RetainedRecord.rule_key", "privacy.RetainedRecord.legal_basis",
    "privacy.RetainedRecord.started_by", "privacy.RetainedRecord.started_at",
    "privacy.RetainedRecord.destroy_after", "privacy.RetainedRecord.key",
    "privacy.RetainedRecord.source_ref",
    "privacy.DestructionRecord.id", "privacy.DestructionRecord.rule_key",
    "privacy.DestructionRecord.reason", "privacy.DestructionRecord.subject_ref",
    "privacy.DestructionRecord.item_keys", "privacy.DestructionRecord.source",
    "privacy.DestructionRecord.first_pk", "privacy.DestructionRecord.last_pk",
    "privacy.DestructionRecord.count", "privacy.DestructionRecord.started_at",
    "privacy.DestructionRecord.done_at",
    # privacy: the staff access log, its hash chain and what was read, never the values
    "privacy.AccessLogEntry.id", "privacy.AccessLogEntry.at", "privacy.AccessLogEntry.action",
    "privacy.AccessLogEntry.fields", "privacy.AccessLogEntry.record_count",
    "privacy.AccessLogEntry.sequence", "privacy.AccessLogEntry.previous_hash",
    "privacy.AccessLogEntry.entry_hash",
    "privacy.AccessLogAnchor.id", "privacy.AccessLogAnchor.sequence",
    "privacy.AccessLogAnchor.entry_hash", "privacy.AccessLogAnchor.created_at",
    "privacy.AccessLogAnchor.anchor_tag", "privacy.AccessLogHead.id",
    "privacy.AccessLogHead.sequence", "privacy.AccessLogHead.entry_hash",
    "privacy.AccessLogHead.updated_at",
    # privacy: analytics visits
    "privacy.Visit.id",
    # privacy: marketing campaigns, deliveries, reminders and restrictions
    "privacy.Campaign.id", "privacy.Campaign.title", "privacy.Campaign.channel",
    "privacy.Campaign.body", "privacy.Campaign.areas", "privacy.Campaign.created_by",
    "privacy.Campaign.created_at", "privacy.Campaign.status",
    "privacy.CampaignDelivery.id", "privacy.ConsentReminder.id", "privacy.Restriction.id",
    # privacy: rights requests
    "privacy.RightsRequest.id",
    # privacy: breach incidents (the incident names items and times, never a person; its
    # texts are sent to everyone), the inventory and open requests of the officer's console
    "privacy.BreachIncident.id", "privacy.BreachIncident.items", "privacy.BreachIncident.since",
    "privacy.BreachIncident.until", "privacy.BreachIncident.description",
    "privacy.BreachIncident.measures", "privacy.BreachIncident.by_hacking",
    "privacy.BreachIncident.description_en", "privacy.BreachIncident.measures_en",
    "privacy.BreachIncident.discovered_at", "privacy.BreachIncident.recorded_at",
    "privacy.BreachIncident.affected_count", "privacy.BreachIncident.reported_to_authority_at",
    "privacy.BreachIncident.closed_at",
    "privacy.BreachNotice.id", "privacy.BreachNotice.incident",
    "privacy.Inventory.id", "privacy.OpenRequest.id",
    # privacy: the record of background sends (a random key, a task's name, a time)
    "privacy.SentMessage.id", "privacy.SentMessage.key", "privacy.SentMessage.task",
    "privacy.SentMessage.sent_at",
    # the task queue (django-tasks-db): tasks take row ids and send keys, and a message that
    # must carry an address or a link is sealed under the key-encryption key
    # (privacy/outbox.py), so no row holds a readable personal value; finished rows are
    # deleted by the scheduled `privacy scheduled prune-tasks`
    *(f"django_tasks_database.DBTaskResult.{name}" for name in (
        "id", "status", "enqueued_at", "started_at", "finished_at", "args_kwargs", "priority",
        "task_path", "worker_ids", "queue_name", "backend_name", "run_after", "return_value",
        "exception_class_path", "traceback",
    )),
    # allauth's session columns for the IP address and browser: they hold a blank
    # ("0.0.0.0", ""), the values are sealed in members.SessionClient (members/sessions.py)
    "usersessions.UserSession.ip", "usersessions.UserSession.user_agent",
    "members.SessionClient.id", "members.SessionClient.session",
    "members.SessionClient.data_key",
    # allauth's address rows hold keyed stand-ins; each address is sealed in
    # members.SealedEmailAddress (members/emails.py) under its member's data key.
    "members.SealedEmailAddress.id", "members.SealedEmailAddress.address",
    "members.SealedEmailAddress.data_key",
    # allauth: row ids and the kind of an admin log entry (added, changed, deleted)
    "usersessions.UserSession.id", "account.EmailAddress.id", "account.EmailAddress.user",
    "mfa.Authenticator.id", "admin.LogEntry.id", "admin.LogEntry.content_type",
    "admin.LogEntry.action_flag",
    # allauth's stored email confirmations: never written, because confirmations are signed
    # links (ACCOUNT_EMAIL_CONFIRMATION_HMAC, allauth's default), so the table stays empty
    "account.EmailConfirmation.id", "account.EmailConfirmation.email_address",
    "account.EmailConfirmation.created", "account.EmailConfirmation.sent",
    "account.EmailConfirmation.key",
    # clinic: the clinic's own pages. Doctors appear in their professional role, as the clinic
    # publishes them (name, specialty, qualifications, photo), not as members or patients;
    # areas, opening hours, holidays and directions describe the clinic.
    "clinic.ProcedurePage.id", "clinic.ProcedurePage.area", "clinic.ProcedurePage.summary_ko",
    "clinic.ProcedurePage.summary_en", "clinic.ProcedurePage.procedures_ko",
    "clinic.ProcedurePage.procedures_en", "clinic.ProcedurePage.recovery_ko",
    "clinic.ProcedurePage.recovery_en", "clinic.ProcedurePage.risks_ko",
    "clinic.ProcedurePage.risks_en", "clinic.ProcedurePage.is_published",
    "clinic.ProcedurePage.updated_at",
    "clinic.Doctor.id", "clinic.Doctor.name_ko", "clinic.Doctor.name_en",
    "clinic.Doctor.specialty_ko", "clinic.Doctor.specialty_en",
    "clinic.Doctor.qualifications_ko", "clinic.Doctor.qualifications_en", "clinic.Doctor.photo",
    "clinic.Doctor.photo_small", "clinic.Doctor.photo_medium", "clinic.Doctor.position",
    "clinic.Doctor.is_active",
    "clinic.OpeningHours.id", "clinic.OpeningHours.weekday", "clinic.OpeningHours.opens_at",
    "clinic.OpeningHours.closes_at",
    "clinic.Holiday.id", "clinic.Holiday.date", "clinic.Holiday.name_ko", "clinic.Holiday.name_en",
    "clinic.VisitInformation.id", "clinic.VisitInformation.subway_ko",
    "clinic.VisitInformation.subway_en", "clinic.VisitInformation.bus_ko",
    "clinic.VisitInformation.bus_en", "clinic.VisitInformation.parking_ko",
    "clinic.VisitInformation.parking_en", "clinic.VisitInformation.updated_at",
})

# Fields whose value is a secret (a password hash, a second factor's seed, a session's key
# and contents): "my data" and the export say that one is held, never what it is.
SECRET_FIELDS: frozenset[str] = frozenset({
    "members.Member.password", "mfa.Authenticator.data",
    "usersessions.UserSession.session_key", "usersessions.UserSession.data",
    "sessions.Session.session_key", "sessions.Session.session_data",
})

# Fields that hold a keyed digest of another value (a search or matching key): people are told
# that one is stored, never shown the hexadecimal string, which says nothing to them.
DIGEST_FIELDS: frozenset[str] = frozenset({
    "members.Member.mobile_phone_digest", "members.Member.desired_area_digest",
    "members.Member.username_digest", "members.Member.email_digest",
    # allauth's address column: the address's keyed stand-in (members.emails)
    "account.EmailAddress.email",
    "members.MemberBlock.email_hash", "members.MemberBlock.mobile_hash",
    "consultations.GuestConsultation.mobile_phone_digest",
    "consultations.ProcedureRecord.area_digest", "consultations.Consultation.area_digest",
    "consultations.Review.area_digest", "consultations.GuestConsultation.area_digest",
    "consultations.BookingRequest.area_digest",
})

# Apps whose every model field must be accounted for above.
CHECKED_APPS: tuple[str, ...] = (
    "members", "consultations", "privacy", "sessions", "account", "mfa", "usersessions", "admin",
    "django_tasks_database",
    "clinic",
)


# --- Lookups ---------------------------------------------------------------------------------

ITEMS_BY_KEY: dict[str, CollectionItem] = {item.key: item for item in ITEMS}
HOLDERS_BY_MODEL: dict[str, Holder] = {holder.model: holder for holder in HOLDERS}
CONSENTS_BY_KEY: dict[str, Consent] = {consent.key: consent for consent in CONSENTS}
# The consents a member gives or withdraws (sign-up, consent page, re-consent).
MEMBER_CONSENTS: tuple[Consent, ...] = tuple(
    consent for consent in CONSENTS if consent.asked_at == Collection.SIGNUP
)
RULES_BY_KEY: dict[str, RetentionRule] = {rule.key: rule for rule in RETENTION_RULES}


def item(key: str) -> CollectionItem:
    return ITEMS_BY_KEY[key]


def consent(key: str) -> Consent:
    return CONSENTS_BY_KEY[key]


def holder(model_label: str) -> Holder | None:
    """Where the rows of ``"app_label.ModelName"`` about a person are (None: undeclared)."""
    return HOLDERS_BY_MODEL.get(model_label)


def item_for_field(reference: str) -> CollectionItem | None:
    """The item that declares ``"app_label.Model.field"``, if any."""
    for candidate in ITEMS:
        if reference in candidate.fields:
            return candidate
    return None


def record_fields(item: CollectionItem) -> tuple[str, ...]:
    """``item``'s fields, less those of a model that holds nothing of it but keyed digests
    (``LOOKUP_DIGESTS``; a title's search tokens): such rows stand in for a value held in
    another model's rows, so they are no records of their own to count, show or export."""
    model_of = {reference: reference.rsplit(".", 1)[0] for reference in item.fields}
    digests_only = {model for model in model_of.values()
                    if all(reference in LOOKUP_DIGESTS
                           for reference, holder in model_of.items() if holder == model)}
    return tuple(reference for reference in item.fields if model_of[reference] not in digests_only)


def declared_fields() -> set[str]:
    return {reference for candidate in ITEMS for reference in candidate.fields}


def consent_covering(item_key: str) -> Consent | None:
    """The consent that allows holding ``item_key``, if the item needs one."""
    return next((consent for consent in CONSENTS if item_key in consent.items), None)


def items_for_consent(key: str) -> list[CollectionItem]:
    return [ITEMS_BY_KEY[item_key] for item_key in CONSENTS_BY_KEY[key].items]


# --- Hand-over to processors (policy section 5) ------------------------------------------------

class HandOver(TextChoices):
    """Why a person's data is handed to a processor, for each message that leaves the site.

    Mail and text messages carry their purpose (``HANDOVER_HEADER`` on an email,
    ``SmsMessage.purpose``); an untagged message is one the membership or a law needs."""

    ACCOUNT = "account", _(
        "messages the membership needs: sign-up confirmation, password reset, security "
        "notices, consultation answers and notices a law requires"
    )
    MARKETING = "marketing", _("advertising and event messages")


# The legal basis of each hand-over. Delegating processing a contract or a law needs asks for
# no consent (PIPA art. 26: it is disclosed in the policy); only a purpose that rests on consent
# is withheld from a processor that needs the person's consent first.
HANDOVER_BASIS: dict[str, LegalBasis] = {
    HandOver.ACCOUNT: LegalBasis.CONTRACT,
    HandOver.MARKETING: LegalBasis.CONSENT,
}

# The mail header that names a message's hand-over purpose (no personal data in it).
HANDOVER_HEADER = "X-Clinic-Handover"


def handover_needs_consent(purpose: str) -> bool:
    """Whether a processor marked "members must consent first" may receive data for
    ``purpose`` only with that consent (an unknown purpose is treated as needing it)."""
    return HANDOVER_BASIS.get(purpose, LegalBasis.CONSENT) != LegalBasis.CONTRACT


# --- What the policy states as "none" unless declared here (PIPA art. 30(1)) -------------------

# Routine provisions of members' data to third parties with their consent (art. 17(1)1):
# none. A provision a law requires is recorded as a ``privacy.Disclosure`` when it happens.
PROVISIONS: tuple[StrPromise, ...] = ()
# Decisions made solely by automated processing that affect a person (art. 37-2): none.
AUTOMATED_DECISIONS: tuple[StrPromise, ...] = ()
# Processing of pseudonymised information (art. 28-2): none.
PSEUDONYMISED_PROCESSING: tuple[StrPromise, ...] = ()


def live_period_days(rule: RetentionRule) -> int | None:
    """The days a rule's items live, as configured where the rule names a setting."""
    period = rule.live_period
    return None if period is None else period.days


def items_kept_after_withdrawal() -> list[CollectionItem]:
    """Items a member's withdrawal does not delete: their rows name the person by subject
    reference (not through the account), so they stay until their own retention rule ends."""
    kept = []
    for candidate in ITEMS:
        if Collection.GUEST_CONSULTATION in candidate.collected_by:
            continue
        models = {".".join(reference.split(".")[:2]) for reference in candidate.fields}
        holders = [HOLDERS_BY_MODEL.get(model) for model in models]
        if any(found is not None and found.by_subject_ref for found in holders):
            kept.append(candidate)
    return kept
