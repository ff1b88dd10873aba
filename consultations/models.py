"""Consultation board, guest and post-surgery consultations, staff answers and reviews
(policy section 1)."""

from __future__ import annotations

import datetime
import functools
import json
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from django.conf import settings
from django.core.cache import caches
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, router, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from privacy.fields import Ciphertext, DataKeyField, EncryptedTextField
from privacy.lookup import SEARCH_DIGEST_LENGTH, area_digest, search_index, search_terms

TITLE_MAX_LENGTH = 120
BODY_MAX_LENGTH = 5000
GUEST_NAME_MAX_LENGTH = 50
PROCEDURE_NAME_MAX_LENGTH = 100
RATING_MIN, RATING_MAX = 1, 5


AREAS_BY_PK_CACHE_KEY = "consultations:areas-by-pk:v1"
# A change made outside the admin (shell, data migration) shows within this time.
AREAS_BY_PK_CACHE_SECONDS = 5 * 60


@functools.lru_cache(maxsize=8)
def _area_ids_by_digest(lookup_key: bytes, area_ids: tuple[int, ...]) -> dict[str, int]:
    """The areas' keyed digests under ``lookup_key``: they follow from the key and the ids
    alone, so this process keeps them until either changes (a new area, a new lookup key)."""
    return {area_digest(area_id, key=lookup_key): area_id for area_id in area_ids}


class ConsultationAreaManager(models.Manager["ConsultationArea"]):
    def by_pk(self, pk: int | str | None) -> ConsultationArea | None:
        """The area ``pk`` (as stored in a person's sealed area), from the near cache: rows tied
        to a person hold the area sealed, not as a link SQL could join, and a list opens one
        per row. The table is small and rarely changes (the admin clears the cache); an id
        the cached table lacks reads the table again."""
        if pk is None or pk == "":
            return None
        key = int(pk)
        areas = self._cached()
        if key not in areas:
            areas = self._cache_anew()
        return areas.get(key)

    def by_digest(self) -> dict[str, ConsultationArea]:
        """Every area by its keyed digest under the newest lookup key
        (``privacy.lookup.area_digest``), from the same cached table as ``by_pk``: a list
        names each row's area from the digest beside it (``sealed_areas_name``) instead of
        opening the sealed id. A digest under an older key (before ``privacy
        refresh-lookup-digests``) is not in it."""
        areas = self._cached()
        ids = _area_ids_by_digest(settings.PRIVACY_LOOKUP_KEY[0], tuple(areas))
        return {digest: areas[area_id] for digest, area_id in ids.items()}

    def _cached(self) -> dict[int, ConsultationArea]:
        areas: dict[int, ConsultationArea] | None = caches["near"].get(AREAS_BY_PK_CACHE_KEY)
        return self._cache_anew() if areas is None else areas

    def _cache_anew(self) -> dict[int, ConsultationArea]:
        areas = {area.pk: area for area in self.all()}
        caches["near"].set(AREAS_BY_PK_CACHE_KEY, areas, AREAS_BY_PK_CACHE_SECONDS)
        return areas


class ConsultationArea(models.Model):
    """An area of consultation (eyes, nose, ...); staff can edit the list in the admin."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ConsultationAreaManager()

    class Meta:
        verbose_name = _("consultation area")
        verbose_name_plural = _("consultation areas")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        """The name in the active language: choice lists, "my data" and the admin show the
        area as the reader's language names it."""
        return self.name(get_language() or settings.LANGUAGE_CODE)

    def name(self, language: str) -> str:
        return self.name_en if language.startswith("en") else self.name_ko


class SealedArea(models.Model):
    """A row tied to a person whose consultation area is part of what it says about them
    (health information): the area's id is sealed under the row's data key (``area_ref``),
    beside a keyed digest (``area_digest``, ``privacy.lookup.area_digest``) that filters rows
    by area without opening them. Read and set the area itself as ``area``; ``save`` with
    ``update_fields=["area"]`` writes both columns."""

    area_ref = EncryptedTextField(_("area"), editable=False)
    area_digest = models.CharField(
        _("area lookup digest"), max_length=64, blank=True, editable=False
    )

    # What a person's data shows for the sealed field: the area, by its name.
    sealed_shown_as: ClassVar[dict[str, str]] = {"area_ref": "area"}

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "area" in update_fields:
            kwargs["update_fields"] = {*update_fields, "area_ref", "area_digest"} - {"area"}
        super().save(*args, **kwargs)

    @property
    def area(self) -> ConsultationArea | None:
        """The area as named from the digest when the row came in a list
        (``sealed_areas_name``), else by opening ``area_ref``."""
        named = self.__dict__.get(_AREA_NAMED)
        return named if named is not None else ConsultationArea.objects.by_pk(self.area_ref)

    @area.setter
    def area(self, area: ConsultationArea | None) -> None:
        self.__dict__.pop(_AREA_NAMED, None)
        self.area_ref = "" if area is None else str(area.pk)
        self.area_digest = area_digest(None if area is None else area.pk)


# Where ``sealed_areas_name`` leaves a row's area on the instance, for ``SealedArea.area``.
_AREA_NAMED = "_area_named"


def sealed_areas_name(rows: Iterable[SealedArea]) -> None:
    """Name the area of each of ``rows`` from its keyed digest and the cached areas
    (``ConsultationArea.objects.by_digest``), read once for all of them: opening a page's
    twenty sealed ids cost more than the rest of the rows' reading. Only a row whose data key
    is still there is named (the sealed id reads as empty once the key is destroyed, and the
    digest, kept for counting, must not name more than the row itself would); a row without
    the digest or with one the areas lack under the newest key opens ``area_ref`` when read.
    Rows whose digest or key column was not loaded are left to open it too, so naming never
    costs a query."""
    by_digest: dict[str, ConsultationArea] | None = None  # read for the first row that needs it
    for row in rows:
        values = row.__dict__
        digest = values.get("area_digest")
        if values.get("data_key_id") is None or not digest:
            continue
        if by_digest is None:
            by_digest = ConsultationArea.objects.by_digest()
        area = by_digest.get(digest)
        if area is not None:
            values[_AREA_NAMED] = area


# A search term found in more titles than this is dense: instead of reading all its posts (and
# sorting them all), the posts are read in the list's own order and each probed for it, which
# fills a page after a few rows when most posts have it.
TITLE_SEARCH_DENSE_POSTS = 10_000


class TitleSearchQuerySet(models.QuerySet[Any]):
    """Posts whose sealed title is searched through its keyed digests (``TitleToken``)."""

    def title_matching(self, query: str) -> TitleSearchQuerySet:
        """The posts whose title contains ``query`` (in any case or Unicode form;
        ``privacy.lookup.search_terms``). A term in few posts is a subquery that seeks its
        digest in the tokens' index (``pk__in``), so a rare pair reads only its own rows; a
        dense term (``TITLE_SEARCH_DENSE_POSTS``) is probed post by post (``Exists`` on the
        unique (post, digest) index). One query beforehand tells them apart. A blank query
        filters nothing."""
        terms = search_terms(query)
        if not terms:
            return self
        tokens = title_token_model(self.model)._default_manager
        dense = self._dense_terms(terms)
        return self.filter(*(
            Exists(tokens.filter(post=OuterRef("pk"), digest=term)) if term in dense
            else Q(pk__in=tokens.filter(digest=term).values("post"))
            for term in terms
        ))

    def _dense_terms(self, terms: list[str]) -> set[str]:
        """The terms found in more than ``TITLE_SEARCH_DENSE_POSTS`` posts (one query; each
        term's index is read that far at most, beside one post row)."""
        tokens = title_token_model(self.model)._default_manager
        beyond = {f"dense_{index}": Exists(
            tokens.filter(digest=term).values("pk")[TITLE_SEARCH_DENSE_POSTS:])
            for index, term in enumerate(terms)}
        rows = list(self.model._default_manager.order_by().annotate(**beyond)
                    .values_list(*beyond)[:1])
        return {term for term, is_dense in zip(terms, rows[0] if rows else (), strict=False)
                if is_dense}


def title_being_saved(post: Consultation | Review, save_kwargs: dict[str, Any]) -> str | None:
    """The title ``save`` writes, when its search tokens may have to follow it; None when the
    title is not written (``update_fields``) or is the sealed value as read (unchanged)."""
    update_fields = save_kwargs.get("update_fields")
    if update_fields is not None and "title" not in update_fields:
        return None
    title = post.__dict__.get("title", Ciphertext())
    if isinstance(title, Ciphertext):  # deferred, or loaded and never read: current
        return None
    return title or ""


def title_tokens_write(post: Consultation | Review, title: str, *, adding: bool) -> None:
    """Make ``post``'s search tokens those of ``title``: the digests it lacks are added and
    those it no longer has removed (a new post's are only added)."""
    wanted = search_index(title)
    model = title_token_model(type(post))
    tokens = model._default_manager.filter(post_id=post.pk)
    held = set() if adding else set(tokens.values_list("digest", flat=True))
    if held - wanted:
        tokens.filter(digest__in=held - wanted).delete()
    if wanted - held:
        model.tokens_create({post.pk: wanted - held})


@contextmanager
def title_tokens_following(post: Consultation | Review, save_kwargs: dict[str, Any]
                           ) -> Iterator[None]:
    """Around the post's ``save``: when the title is written, one transaction that writes the
    post and then its title's search tokens."""
    title = title_being_saved(post, save_kwargs)
    if title is None:
        yield
        return
    adding = post._state.adding
    using = save_kwargs.get("using") or router.db_for_write(type(post), instance=post)
    with transaction.atomic(using=using):
        yield
        title_tokens_write(post, title, adding=adding)


class ConsultationKind(models.TextChoices):
    BOARD = "board", _("consultation board")
    AFTERCARE = "aftercare", _("post-surgery consultation")


class ProcedureRecord(SealedArea):
    """Staff's mark that a member is a patient of a procedure; it opens after-care consultations
    and reviews to them. Health information, so the procedure's name and date are encrypted."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("patient"), on_delete=models.CASCADE,
        related_name="procedure_records",
    )
    # The area of a procedure received (``SealedArea``), filtered by in the admin.
    area_ref = EncryptedTextField(_("procedure area"), editable=False)
    area_digest = models.CharField(
        _("procedure area lookup digest"), max_length=64, blank=True, db_index=True,
        editable=False,
    )
    procedure_name = EncryptedTextField(_("procedure"))
    # ISO date (YYYY-MM-DD), sealed like the name; read it as a date through ``performed_date``.
    performed_on = EncryptedTextField(_("date of the procedure"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    data_key = DataKeyField()

    class Meta:
        verbose_name = _("procedure record")
        verbose_name_plural = _("procedure records")
        ordering = ["-created_at", "-id"]  # the date is sealed: SQL cannot order by it

    def __str__(self) -> str:
        return gettext("Procedure record #%(pk)s") % {"pk": self.pk}

    @property
    def performed_date(self) -> datetime.date | None:
        value = self.performed_on
        if isinstance(value, datetime.date):  # assigned, not yet read back from the database
            return value
        return datetime.date.fromisoformat(value) if value else None


class Consultation(SealedArea):
    """A member's question on the consultation board, or an after-care question of a patient
    (always private); the body and the area (``SealedArea``) are health information."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.CASCADE,
        related_name="consultations",
    )
    # Searched through its keyed digests (``ConsultationTitleToken``, ``title_matching``).
    title = EncryptedTextField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = EncryptedTextField(_("question"))
    is_private = models.BooleanField(_("private"), default=False)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ConsultationKind.choices, default=ConsultationKind.BOARD,
        db_index=True,
    )
    procedure = models.ForeignKey(
        ProcedureRecord, verbose_name=_("procedure"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="consultations",
    )
    created_at = models.DateTimeField(_("posted at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("edited at"), null=True, blank=True, editable=False)
    data_key = DataKeyField()

    objects = TitleSearchQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-created_at", "-id"]
        # Post-surgery questions are for doctors (roles in members).
        permissions = [
            ("answer_aftercare", _("Can read and answer post-surgery consultations")),
        ]
        # Keyset pagination of the board (consultations.pagination): the page starts with a
        # seek in (kind, created_at, id), with or without the area filter.
        indexes = [
            models.Index(fields=["kind", "created_at", "id"], name="consultation_board_seek"),
            models.Index(
                fields=["area_digest", "kind", "created_at", "id"], name="consultation_area_seek"
            ),
            # An author's newest posts ("my data" shows the newest few of thousands).
            models.Index(fields=["author", "created_at", "id"], name="consultation_author_seek"),
        ]

    def __str__(self) -> str:
        # Neutral: the admin log keeps this as the record's name, past the post's erasure.
        return gettext("Consultation #%(pk)s") % {"pk": self.pk}

    def save(self, *args: Any, **kwargs: Any) -> None:
        with title_tokens_following(self, kwargs):
            super().save(*args, **kwargs)


class Answer(models.Model):
    """A staff answer; sealed with the asker's key, as it discusses the asker's health."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE,
        related_name="answers",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    body = EncryptedTextField(_("answer"))
    created_at = models.DateTimeField(_("answered at"), default=timezone.now)
    data_key = DataKeyField()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return gettext("Answer #%(pk)s") % {"pk": self.pk}


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("awaiting moderation")
    PUBLISHED = "published", _("published")
    REJECTED = "rejected", _("rejected")


class Review(SealedArea):
    """A member's review of a procedure, shown only after staff moderation; the area of the
    procedure is sealed (``SealedArea``)."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.CASCADE,
        related_name="reviews",
    )
    area_ref = EncryptedTextField(_("procedure area"), editable=False)
    # Searched through its keyed digests (``ReviewTitleToken``, ``title_matching``).
    title = EncryptedTextField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = EncryptedTextField(_("review"))
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("edited at"), null=True, blank=True, editable=False)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True, editable=False)
    data_key = DataKeyField()

    objects = TitleSearchQuerySet.as_manager()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at", "id"], name="review_status_seek"),
            models.Index(fields=["author", "created_at", "id"], name="review_author_seek"),
        ]

    def __str__(self) -> str:
        return gettext("Review #%(pk)s") % {"pk": self.pk}

    def save(self, *args: Any, **kwargs: Any) -> None:
        with title_tokens_following(self, kwargs):
            super().save(*args, **kwargs)


class TitleToken(models.Model):
    """One keyed digest of a character or pair of characters of a post's sealed title
    (``privacy.lookup.search_index``), a row each so that a search seeks its digests in an
    index instead of reading every post. Written with the title (``title_tokens_following``),
    deleted with the post, recomputed under a new lookup key by
    ``privacy refresh-lookup-digests``."""

    digest = models.CharField(_("title search digest"), max_length=SEARCH_DIGEST_LENGTH,
                              editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.digest

    @classmethod
    def tokens_create(cls, digests_by_post: dict[int, set[str]]) -> None:
        """Insert the tokens of each post (id -> digests) in bulk."""
        # ``post`` is each concrete table's own link, unknown to this abstract base.
        cls._default_manager.bulk_create([
            cls(digest=digest, **{"post_id": pk})
            for pk, digests in digests_by_post.items() for digest in sorted(digests)
        ])


def title_token_model(post_model: type[models.Model]
                      ) -> type[ConsultationTitleToken] | type[ReviewTitleToken]:
    """The token table of the titles of ``post_model`` (``Consultation`` or ``Review``)."""
    return ConsultationTitleToken if issubclass(post_model, Consultation) else ReviewTitleToken


class ConsultationTitleToken(TitleToken):
    post = models.ForeignKey(Consultation, verbose_name=_("consultation"),
                             on_delete=models.CASCADE, related_name="title_tokens",
                             db_index=False)  # the unique constraint leads with it

    class Meta:
        verbose_name = _("consultation title search digest")
        verbose_name_plural = _("consultation title search digests")
        constraints = [models.UniqueConstraint(fields=["post", "digest"],
                                               name="consultation_title_token_unique")]
        indexes = [models.Index(fields=["digest", "post"], name="consultation_title_token_seek")]


class ReviewTitleToken(TitleToken):
    post = models.ForeignKey(Review, verbose_name=_("review"), on_delete=models.CASCADE,
                             related_name="title_tokens",
                             db_index=False)  # the unique constraint leads with it

    class Meta:
        verbose_name = _("review title search digest")
        verbose_name_plural = _("review title search digests")
        constraints = [models.UniqueConstraint(fields=["post", "digest"],
                                               name="review_title_token_unique")]
        indexes = [models.Index(fields=["digest", "post"], name="review_title_token_seek")]


class GuestConsultation(SealedArea):
    """A question from a visitor without an account. Its own data key makes it its own subject:
    once its purpose is achieved, destroying that key erases name, phone, area and contents."""

    subject_ref = models.UUIDField(
        _("subject reference"), default=uuid.uuid4, unique=True, editable=False
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    password = models.CharField(_("password"), max_length=128, editable=False)
    name = EncryptedTextField(_("name"))
    mobile_phone = EncryptedTextField(_("mobile phone number"))
    # Finds the guest's consultations by number (the reference is sent again by text message)
    # without decrypting every row; blanked with the number when the consultation is destroyed.
    mobile_phone_digest = models.CharField(
        _("mobile phone lookup digest"), max_length=64, blank=True, db_index=True,
        editable=False,
    )
    title = EncryptedTextField(_("title"))
    body = EncryptedTextField(_("question"))
    answer = EncryptedTextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    created_at = models.DateTimeField(_("posted at"), default=timezone.now, db_index=True)
    destroyed_at = models.DateTimeField(
        _("personal data destroyed at"), null=True, blank=True, editable=False
    )
    data_key = DataKeyField()

    class Meta:
        verbose_name = _("guest consultation")
        verbose_name_plural = _("guest consultations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.reference


BOOKING_NOTE_MAX_LENGTH = 500
BOOKING_MAX_SLOTS = 3


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("waiting for the clinic")
    CONFIRMED = "confirmed", _("confirmed")
    PROPOSED = "proposed", _("another time proposed")
    DECLINED = "declined", _("declined")


class ContactChannel(models.TextChoices):
    SMS = "sms", _("text message")
    EMAIL = "email", _("email")


class BookingRequest(SealedArea):
    """A request for a consultation appointment (상담 예약 신청) from a member or a guest.

    The area, the preferred times, the note, the guest's name and contact are sealed under the
    subject's data key: a member's own key, or for a guest a key of the request's own, so
    destroying it erases the guest. ``appointment_at`` (the time staff confirmed or proposed)
    stays readable because the reminder and the retention rule are scheduled by it. A guest
    finds the request again with its reference and the contact they gave, matched by
    ``contact_digest``."""

    subject_ref = models.UUIDField(
        _("subject reference"), default=uuid.uuid4, unique=True, editable=False
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="booking_requests", editable=False,
    )
    preferred_slots = EncryptedTextField(_("preferred times"))
    note = EncryptedTextField(_("note"), blank=True)
    name = EncryptedTextField(_("name"), blank=True)
    channel = models.CharField(
        _("contact by"), max_length=10, choices=ContactChannel.choices
    )
    contact = EncryptedTextField(_("contact"), blank=True)
    contact_digest = models.CharField(
        _("contact digest"), max_length=64, blank=True, editable=False, db_index=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=BookingStatus.choices,
        default=BookingStatus.REQUESTED, db_index=True,
    )
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)
    data_key = DataKeyField()

    class Meta:
        verbose_name = _("booking request")
        verbose_name_plural = _("booking requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["member", "created_at", "id"], name="booking_member_seek"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def person_ref(self) -> uuid.UUID:
        """Whose request it is, for the consent ledger and the staff access log: the member's
        subject reference, or the request's own for a guest."""
        return self.member.subject_ref if self.member_id and self.member else self.subject_ref

    def slots(self) -> list[datetime.datetime]:
        """The preferred times, earliest first (stored as ISO strings in the sealed field)."""
        if not self.preferred_slots:
            return []
        return sorted(datetime.datetime.fromisoformat(value)
                      for value in json.loads(self.preferred_slots))

    def slots_set(self, slots: list[datetime.datetime]) -> None:
        self.preferred_slots = json.dumps([slot.isoformat() for slot in sorted(slots)])
