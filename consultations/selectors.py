"""Reads of the consultation boards and reviews that pages need, and the rules of who may see,
post or change what. Each rule is one function, used by every view and template."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.selectors import clinic_open_for, opening_hours
from consultations.models import (
    AREAS_BY_PK_CACHE_KEY,
    Answer,
    BookingRequest,
    BookingStatus,
    Consultation,
    ConsultationArea,
    ConsultationKind,
    ContactChannel,
    GuestConsultation,
    ProcedureRecord,
    Review,
    ReviewStatus,
    sealed_areas_name,
)
from consultations.pagination import KeysetPage, keyset_page
from members import selectors as members_selectors
from members.models import Member
from privacy import registry
from privacy.ledger import consent_is_granted
from privacy.lookup import area_digest, email_digest, phone_digest

# The registry's consent to sensitive information that covers what the boards collect.
BOARD_CONSENT = "sensitive_health"
PROCEDURE_ITEM = "procedure_history"  # the registry item a procedure record holds
# A guest's two consents: contact details (and text messages about the consultation), and the
# health information of the question, each asked on the guest form with its own box.
GUEST_CONSENT = "guest_consultation"
GUEST_SENSITIVE_CONSENT = "guest_sensitive_health"


_AREAS_CACHE_KEY = "consultations:active-areas:v1"
# A change made outside the admin (shell, data migration) shows within this time.
_AREAS_CACHE_SECONDS = 5 * 60


def area_list_active() -> QuerySet[ConsultationArea]:
    return ConsultationArea.objects.filter(is_active=True)


def area_list_cached() -> list[ConsultationArea]:
    """The active areas for display, from the near cache: the home page and the board list
    them on every request and staff change them rarely (the admin clears the cache). The
    objects are shared between requests: read them, never change them."""
    areas = caches["near"].get(_AREAS_CACHE_KEY)
    if areas is None:
        areas = list(area_list_active())
        caches["near"].set(_AREAS_CACHE_KEY, areas, _AREAS_CACHE_SECONDS)
    return areas


def area_list_cache_clear() -> None:
    """Clear now and again once the change is committed: a page read between the two would
    otherwise put the old list back for ``_AREAS_CACHE_SECONDS``."""
    keys = [_AREAS_CACHE_KEY, AREAS_BY_PK_CACHE_KEY]
    caches["near"].delete_many(keys)
    transaction.on_commit(lambda: caches["near"].delete_many(keys))


def member_may_post(member: Member | AnonymousUser | None) -> bool:
    """The one rule for who may write on the boards (consultations, after-care, reviews): a
    member who may post at all (members app: active, email confirmed, not blocked) and who has
    given the separate consent to sensitive information that the boards collect (PIPA art. 23)."""
    if member is None or not members_selectors.member_may_post(member):
        return False
    assert isinstance(member, Member)  # member_may_post: logged in
    return consent_is_granted(subject_ref=member.subject_ref, consent=BOARD_CONSENT)


def procedure_record_consent_missing(member: Member) -> str | None:
    """The label of the consent a procedure record of ``member`` needs and that the member
    has not given (procedures received are health information, PIPA art. 23); None if given."""
    consent = registry.consent_covering(PROCEDURE_ITEM)
    if consent is None or consent_is_granted(subject_ref=member.subject_ref, consent=consent.key):
        return None
    return str(consent.label)


def board_consent_missing(member: Member) -> bool:
    """Whether the posting form must ask ``member`` for the consent to sensitive information
    (PIPA art. 23) before it takes the post: it is asked on that form, not elsewhere."""
    return not consent_is_granted(subject_ref=member.subject_ref, consent=BOARD_CONSENT)


def represented_child_ids(viewer: Member | AnonymousUser | None) -> set[int]:
    """Ids of the members whose confirmed legal representative ``viewer`` is (one query)."""
    if viewer is None or not viewer.is_authenticated:
        return set()
    return set(
        members_selectors.children_named_for(representative=viewer)
        .values_list("pk", flat=True)
    )


def consultation_list_for(
    *, viewer: Member | AnonymousUser | None = None, area: ConsultationArea | None = None,
    query: str = "",
) -> QuerySet[Consultation]:
    """The board as ``viewer`` sees it (after-care questions never appear on it).

    Private titles are replaced in the template; a title search matches only posts whose title
    the viewer may read, so searching cannot reveal what a private title says."""
    queryset = Consultation.objects.filter(kind=ConsultationKind.BOARD).order_by(
        "-created_at", "-id"
    )
    if area is not None:
        queryset = queryset.filter(area_digest=area_digest(area.pk))
    query = query.strip()
    if query:
        readable = Q(is_private=False)
        if viewer is not None and viewer.is_authenticated:
            readable |= Q(author=viewer) | Q(author__in=members_selectors.children_named_for(
                representative=viewer
            ).values("pk"))
            if staff_may_read(viewer, kind=ConsultationKind.BOARD):
                readable = Q()
        queryset = queryset.filter(readable).title_matching(query)
    return queryset


def staff_may_read(viewer: Member | AnonymousUser | None, *, kind: str) -> bool:
    """Staff read private questions by their role's permission, not by being staff: health
    information is shown only to whom the work needs it (receptionists the board, doctors
    after-care too; roles in members/roles.py), and only to an account with a second factor,
    as in the admin."""
    if viewer is None or not viewer.is_authenticated or not viewer.is_staff:
        return False
    if not members_selectors.staff_has_second_factor(viewer):
        return False
    permission = (
        "consultations.answer_aftercare" if kind == ConsultationKind.AFTERCARE
        else "consultations.view_consultation"
    )
    return viewer.has_perm(permission)


def staff_may_answer(viewer: Member | AnonymousUser, consultation: Consultation) -> bool:
    return staff_may_read(viewer, kind=consultation.kind) and viewer.has_perm(
        "consultations.add_answer"
    )


# What the board shows of a post and reads with it: never the body; the title with the post's
# key that opens it (the wrapped key alone, not the key row's dates), which is the author's too
# and opens the name (``authors_keyed_by_post``);
# the area's digest that names it (``sealed_areas_name``), and the sealed area for a digest
# the areas lack.
_BOARD_FIELDS = ("title", "is_private", "kind", "created_at", "area_ref", "area_digest",
                 "author__name", "author__data_key", "data_key__wrapped_key")


def authors_keyed_by_post(posts: Iterable[Consultation | Review]) -> None:
    """Give each post's author the post's data key object: a post is sealed under its author's
    key (``services.consultation_create``, ``services.review_create``), so the author's name
    opens with the key read for the post, without a second join and key instance per row. An
    author whose key is another (none is, unless staff moved a post) has theirs read, in one
    query for the page."""
    others = []
    for post in posts:
        author = post.author
        if author.data_key_id == post.data_key_id:
            Member.data_key.field.set_cached_value(author, post.data_key)
        else:
            others.append(author)
    if others:
        prefetch_related_objects(others, "data_key")


def consultation_board_page(
    *, viewer: Member | AnonymousUser, area: ConsultationArea | None, query: str, params: Any,
    per_page: int,
) -> KeysetPage:
    """One page of the board, found by an index seek (``consultations.pagination``): page 500
    costs what page 1 costs. Each consultation carries ``visible``, whether ``viewer`` may
    open it (``consultation_visible_to``, with the viewer's represented children read once
    for the page, and only when a row needs them). The total of a list without a title search
    is cached, as it is the same for every viewer."""
    queryset = with_answered(
        consultation_list_for(viewer=viewer, area=area, query=query).select_related(
            "author", "data_key"
        ).only(*_BOARD_FIELDS)
    )
    searching = bool(query.strip())  # the result depends on the viewer and the words
    page = keyset_page(
        queryset, params=params, per_page=per_page,
        count_key=None if searching else f"consultations:board-total:{area.pk if area else 0}",
    )
    represented = represented_child_ids(viewer) if any(
        represented_ids_needed(consultation, viewer) for consultation in page
    ) else set()
    for consultation in page:
        consultation.visible = consultation_visible_to(consultation, viewer,
                                                       represented=represented)
    authors_keyed_by_post(page)
    sealed_areas_name(page)
    return page


def consultation_visible_to(
    consultation: Consultation, viewer: Member | AnonymousUser | None, *,
    represented: set[int] | None = None,
) -> bool:
    """The one rule for who may open a consultation: public, its author, the author's legal
    representative, or staff whose role reads such questions (``staff_may_read``).

    After-care consultations are always private (``consultation_create_aftercare``). A page
    that asks for many rows passes ``represented`` (``represented_child_ids``) once, so the
    rule costs no query per row."""
    if not consultation.is_private and consultation.kind == ConsultationKind.BOARD:
        return True
    if viewer is None or not viewer.is_authenticated:
        return False
    if consultation.author_id == viewer.pk or staff_may_read(viewer, kind=consultation.kind):
        return True
    if represented is not None:
        return consultation.author_id in represented
    return members_selectors.member_represents(
        representative=viewer, child=consultation.author_id
    )


def represented_ids_needed(
    consultation: Consultation, viewer: Member | AnonymousUser | None
) -> bool:
    """Whether ``consultation_visible_to`` needs the viewer's represented children to decide
    about ``consultation``: not for a public board post, the viewer's own post, or staff
    whose role reads such questions (checked only for someone else's private post; the
    permission and second-factor answers are remembered on the user)."""
    if not consultation.is_private and consultation.kind == ConsultationKind.BOARD:
        return False
    if viewer is None or not viewer.is_authenticated or consultation.author_id == viewer.pk:
        return False
    return not staff_may_read(viewer, kind=consultation.kind)


def with_answered(queryset: QuerySet[Consultation]) -> QuerySet[Consultation]:
    """Each consultation with ``answered``: whether the clinic has answered it, read in the
    same query as the rows (a list shows answered or waiting on every row)."""
    return queryset.annotate(
        answered=Exists(Answer.objects.filter(consultation=OuterRef("pk")))
    )


def consultation_list_of(member: Member) -> QuerySet[Consultation]:
    """A member's own questions, board and after-care, newest first, each with ``answered``;
    the title (with the key it is sealed under) and area only (the list never opens a body)."""
    return with_answered(
        Consultation.objects.filter(author=member).select_related("data_key")
        .only("title", "kind", "is_private", "created_at", "area_ref", "area_digest", "data_key")
        .order_by("-created_at", "-id")
    )


def consultation_is_answered(consultation: Consultation) -> bool:
    return consultation.answers.exists()


def consultation_editable_by(consultation: Consultation, viewer: Member | AnonymousUser | None, *,
                             answered: bool | None = None) -> bool:
    """Only the author changes or deletes their post, and only while it is unanswered: an
    answer refers to the question as it was asked. ``answered``: when the caller has read
    the answers already (the post page)."""
    return (
        viewer is not None
        and viewer.is_authenticated
        and consultation.author_id == viewer.pk
        and not (consultation_is_answered(consultation) if answered is None else answered)
    )


def consultation_deletable_by(consultation: Consultation,
                              viewer: Member | AnonymousUser | None) -> bool:
    """The author deletes their own post at any time, answered or not: it is their health
    information, and deleting it is how they withdraw it (its answers go with it)."""
    return (
        viewer is not None
        and viewer.is_authenticated
        and consultation.author_id == viewer.pk
    )


def consultation_page_for_viewer(*, pk: int, viewer: Member | AnonymousUser) -> Consultation | None:
    """The consultation ``pk`` with its answers (oldest first) if ``viewer`` may open it
    (``consultation_for_viewer``), else None; the answers are read only once it may."""
    consultation = consultation_for_viewer(pk=pk, viewer=viewer)
    if consultation is not None:
        prefetch_related_objects([consultation], Prefetch(
            "answers", queryset=Answer.objects.select_related("data_key")
        ))
    return consultation


def consultation_for_viewer(*, pk: int, viewer: Member | AnonymousUser) -> Consultation | None:
    """The consultation ``pk`` if ``viewer`` may open it, else None (the view answers 404, so
    a guessed id tells nothing about whether it exists)."""
    consultation = (
        Consultation.objects.select_related("author__data_key", "data_key")
        .filter(pk=pk).first()
    )
    if consultation is None or not consultation_visible_to(consultation, viewer):
        return None
    return consultation


def aftercare_list_for(*, viewer: Member) -> QuerySet[Consultation]:
    """A patient's own after-care questions; staff whose role reads after-care see everyone's."""
    queryset = Consultation.objects.filter(kind=ConsultationKind.AFTERCARE).select_related(
        "data_key")
    if not staff_may_read(viewer, kind=ConsultationKind.AFTERCARE):
        queryset = queryset.filter(author=viewer)
    return queryset.order_by("-created_at", "-id")


def procedure_records_of(member: Member | AnonymousUser | None) -> QuerySet[ProcedureRecord]:
    if member is None or not member.is_authenticated:
        return ProcedureRecord.objects.none()
    return ProcedureRecord.objects.filter(member=member).select_related(
        "data_key").order_by("-created_at", "-id")


def member_has_procedure(member: Member | AnonymousUser | None) -> bool:
    return procedure_records_of(member).exists()


def member_is_patient(member: Member | AnonymousUser | None) -> bool:
    """Staff have recorded a procedure for the member: after-care questions and reviews open
    (their forms ask for the consent to sensitive information if it is missing)."""
    if member is None or not members_selectors.member_may_post(member):
        return False
    return member_has_procedure(member)


# What the reviews list shows of a review and reads with it: the author's name only (not the
# whole account row with its other sealed fields); the review's wrapped key that opens the
# title and body, and the name (``authors_keyed_by_post``); the area's digest that names it.
_REVIEW_LIST_FIELDS = ("title", "body", "rating", "created_at", "area_ref", "area_digest",
                       "author__name", "author__data_key", "data_key__wrapped_key")


def review_published_page(*, params: Any, per_page: int) -> KeysetPage:
    """One page of the published reviews, by the same index seek as the board, with the area,
    the author's name and the data key that opens the body read in the same query."""
    queryset = Review.objects.filter(status=ReviewStatus.PUBLISHED).select_related(
        "author", "data_key"
    ).only(*_REVIEW_LIST_FIELDS).order_by("-created_at", "-id")
    page = keyset_page(queryset, params=params, per_page=per_page,
                       count_key="consultations:reviews-total")
    authors_keyed_by_post(page)
    sealed_areas_name(page)
    return page


def review_list_of(member: Member) -> QuerySet[Review]:
    return Review.objects.filter(author=member).select_related("data_key").order_by(
        "-created_at", "-id"
    )


def review_for_author(*, pk: int, viewer: Member | AnonymousUser | None) -> Review | None:
    """The review ``pk`` if ``viewer`` wrote it; nobody else edits or deletes it."""
    if viewer is None or not viewer.is_authenticated:
        return None
    return Review.objects.select_related("data_key").filter(pk=pk, author=viewer).first()


def guest_reference_normalise(reference: str) -> str:
    """Accept the reference as people type it: any case, with or without dashes or spaces."""
    compact = "".join((reference or "").split()).replace("-", "").upper()
    return "-".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def guest_consultation_authenticate(
    *, reference: str, password: str
) -> GuestConsultation | None:
    """The guest consultation if reference and password match, else None. A wrong reference
    costs the same hashing time as a wrong password, so timing tells nothing either."""
    guest_consultation = (
        GuestConsultation.objects.select_related("data_key")
        .filter(reference=guest_reference_normalise(reference), destroyed_at__isnull=True)
        .first()
    )
    if guest_consultation is None:
        make_password(password)
        return None
    if not check_password(password, guest_consultation.password):
        return None
    return guest_consultation


def guest_consultations_matching(*, mobile_phone: str, password: str) -> list[GuestConsultation]:
    """The live guest consultations posted with this mobile number that this password opens,
    found by the number's keyed digest. With no candidate the password is hashed anyway, so
    the time taken does not tell whether the number posted anything."""
    digest = phone_digest(mobile_phone)
    candidates = list(
        GuestConsultation.objects.select_related("data_key")
        .filter(mobile_phone_digest=digest, destroyed_at__isnull=True)
    ) if digest else []
    if not candidates:
        make_password(password)
        return []
    return [candidate for candidate in candidates
            if check_password(password, candidate.password)]


def guest_consultations_due_for_destruction(*, now: datetime) -> QuerySet[GuestConsultation]:
    """Guest consultations whose purpose is achieved (registry rule ``guest_consultation``):
    answered more than GUEST_CONSULTATION_DAYS_AFTER_ANSWER days ago, or never answered and
    posted more than GUEST_CONSULTATION_DAYS_UNANSWERED days ago."""
    answered_before = now - timedelta(days=settings.GUEST_CONSULTATION_DAYS_AFTER_ANSWER)
    posted_before = now - timedelta(days=settings.GUEST_CONSULTATION_DAYS_UNANSWERED)
    return GuestConsultation.objects.filter(destroyed_at__isnull=True).filter(
        Q(answered_at__isnull=False, answered_at__lte=answered_before)
        | Q(answered_at__isnull=True, created_at__lte=posted_before)
    ).order_by("created_at", "id")


# --- Booking requests ------------------------------------------------------------------------

def booking_slot_length() -> timedelta:
    return timedelta(minutes=settings.BOOKING_SLOT_MINUTES)


def booking_slot_times() -> list[time]:
    """The start times a slot may have on some day: every slot length from the earliest
    opening to the latest closing of the week (each day is checked against its own hours)."""
    hours = list(opening_hours().values())
    if not hours:
        return []
    start = datetime.combine(date.min, min(h.opens_at for h in hours))
    end = datetime.combine(date.min, max(h.closes_at for h in hours))
    times = []
    while start + booking_slot_length() <= end:
        times.append(start.time())
        start += booking_slot_length()
    return times


def booking_slot_error(slot: datetime, *, now: datetime) -> Any:
    """Why ``slot`` (an aware datetime) cannot be asked for, or None: in the past, too far
    ahead, or not within the opening hours of its day (a holiday is closed)."""
    local = timezone.localtime(slot)
    if slot <= now:
        return _("%(date)s %(time)s is in the past.") % {
            "date": f"{local:%Y-%m-%d}", "time": f"{local:%H:%M}"}
    if local.date() > timezone.localtime(now).date() + timedelta(days=settings.BOOKING_DAYS_AHEAD):
        return _("Bookings are taken up to %(days)d days ahead.") % {
            "days": settings.BOOKING_DAYS_AHEAD}
    end = (local + booking_slot_length()).time()
    if end <= local.time() or not clinic_open_for(local.date(), local.time(), end):
        return _("The clinic is closed at %(date)s %(time)s (outside opening hours or a "
                 "holiday).") % {"date": f"{local:%Y-%m-%d}", "time": f"{local:%H:%M}"}
    return None


def booking_contact_digest(*, channel: str, contact: str) -> str:
    return email_digest(contact) if channel == ContactChannel.EMAIL else phone_digest(contact)


def booking_for_guest(*, reference: str, contact: str) -> BookingRequest | None:
    """A guest's booking request if the reference and the phone number or email given with it
    match; None otherwise (which of the two was wrong is not told)."""
    digests = {digest for digest in (phone_digest(contact), email_digest(contact)) if digest}
    if not digests:
        return None
    return (
        BookingRequest.objects.select_related("data_key")
        .filter(reference=guest_reference_normalise(reference), member__isnull=True,
                contact_digest__in=digests)
        .first()
    )


def booking_requests_of(member: Member) -> QuerySet[BookingRequest]:
    """A member's booking requests, newest first, with what their page shows."""
    return (
        BookingRequest.objects.filter(member=member)
        .select_related("data_key").order_by("-created_at", "-id")
    )


def booking_requests_due_for_destruction(*, now: datetime) -> QuerySet[BookingRequest]:
    """Requests whose purpose is achieved (registry rule ``booking_requests``): the appointment
    or the decline more than BOOKING_DAYS_AFTER_APPOINTMENT days ago, or never answered and
    asked more than BOOKING_DAYS_UNANSWERED days ago."""
    after = now - timedelta(days=settings.BOOKING_DAYS_AFTER_APPOINTMENT)
    unanswered = now - timedelta(days=settings.BOOKING_DAYS_UNANSWERED)
    return BookingRequest.objects.filter(
        Q(status__in=[BookingStatus.CONFIRMED, BookingStatus.PROPOSED], appointment_at__lte=after)
        | Q(status=BookingStatus.DECLINED, decided_at__lte=after)
        | Q(status=BookingStatus.REQUESTED, created_at__lte=unanswered)
    ).order_by("created_at", "id")


def booking_requests_to_remind(*, now: datetime) -> QuerySet[BookingRequest]:
    """Confirmed appointments of tomorrow (Seoul time) whose patient was not reminded yet."""
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(tomorrow, time.min))
    return BookingRequest.objects.filter(
        status=BookingStatus.CONFIRMED, reminded_at__isnull=True,
        appointment_at__gte=start, appointment_at__lt=start + timedelta(days=1),
    ).select_related("member", "data_key").order_by("appointment_at", "id")
