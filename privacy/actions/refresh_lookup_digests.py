"""``privacy refresh-lookup-digests``: recompute the lookup digests under the newest key.

The digests (``privacy.lookup``) are keyed with the first key of ``PRIVACY_LOOKUP_KEY``. After
a new key is listed first, exact mobile-number search in the admin finds nobody, a guest asking
for their reference again finds nothing, and blocks match only while the old key stays listed,
until this is run: it recomputes every member's login ID and email digests (log-in and
sign-up match every listed key meanwhile), every member's and guest consultation's
mobile-number digest, the title search digests of every consultation and review, the area
digests of every row whose area is sealed (and each member's desired area), the stand-ins of
allauth's email addresses (members.emails), and the digests
of every block whose account still exists. A block whose account is gone keeps the digests it
has (nothing
else holds the values), which match while the key that made them is listed. Guest
consultations posted before they carried a digest get theirs the same way.
"""

from __future__ import annotations

import itertools
from typing import Any, TextIO

from allauth.account.models import EmailAddress
from django.db import transaction

from consultations.models import (
    BookingRequest,
    Consultation,
    ConsultationTitleToken,
    GuestConsultation,
    ProcedureRecord,
    Review,
    ReviewTitleToken,
    title_token_model,
)
from members.emails import email_stand_in
from members.models import Member, MemberBlock, SealedEmailAddress
from privacy.actions.base import Action
from privacy.lookup import (
    area_digest,
    email_digest,
    login_id_digest,
    phone_digest,
    search_index,
)

BATCH_SIZE = 500


class RefreshLookupDigestsAction(Action):
    help = ("Recompute the login ID and email digests of members, the mobile-number search "
            "digests of members and guest consultations, "
            "the title search digests and the block digests of existing accounts under the "
            "newest PRIVACY_LOOKUP_KEY (after a new key is listed).")
    changes_data = True

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        dry_run = bool(options.get("dry_run"))
        members = Member.objects.select_related("data_key").order_by("pk")
        total = members.count()
        changed = 0
        for member in self.progress(members.iterator(chunk_size=BATCH_SIZE), total=total,
                                    label="members", out=out):
            digests = {"username_digest": login_id_digest(member.username),
                       "email_digest": email_digest(member.email or ""),
                       "mobile_phone_digest": phone_digest(member.mobile_phone or ""),
                       "desired_area_digest": area_digest(member.desired_area_ref or None)}
            if any(getattr(member, field) != digest for field, digest in digests.items()):
                changed += 1
                if not dry_run:
                    Member.objects.filter(pk=member.pk).update(**digests)
        blocks = MemberBlock.objects.filter(member__isnull=False).select_related(
            "member__data_key").order_by("pk")
        blocks_changed = 0
        for block in blocks.iterator(chunk_size=BATCH_SIZE):
            assert block.member is not None
            digests = {"email_hash": email_digest(block.member.email),
                       "mobile_hash": phone_digest(block.member.mobile_phone or "")}
            if digests != {"email_hash": block.email_hash, "mobile_hash": block.mobile_hash}:
                blocks_changed += 1
                if not dry_run:
                    MemberBlock.objects.filter(pk=block.pk).update(**digests)
        guests = GuestConsultation.objects.filter(destroyed_at__isnull=True).select_related(
            "data_key").order_by("pk")
        guests_changed = 0
        for guest in self.progress(guests.iterator(chunk_size=BATCH_SIZE), total=guests.count(),
                                   label="guest consultations", out=out):
            digest = phone_digest(guest.mobile_phone or "")
            if digest != guest.mobile_phone_digest:
                guests_changed += 1
                if not dry_run:
                    GuestConsultation.objects.filter(pk=guest.pk).update(
                        mobile_phone_digest=digest)
        titles_changed = sum(self._titles_refresh(model, dry_run=dry_run, out=out)
                             for model in (Consultation, Review))
        areas_changed = sum(self._areas_refresh(model, dry_run=dry_run, out=out) for model in (
            Consultation, Review, GuestConsultation, BookingRequest, ProcedureRecord))
        addresses_changed = self._addresses_refresh(dry_run=dry_run, out=out)
        verb = "would change" if dry_run else "changed"
        out.write(f"lookup digests: {total} members checked, {changed} {verb}; "
                  f"email address stand-ins: {addresses_changed} {verb}; "
                  f"guest consultations: {guests_changed} {verb}; "
                  f"blocks of existing accounts: {blocks_changed} {verb}; "
                  f"titles: {titles_changed} {verb}; areas: {areas_changed} {verb}\n")

    def _addresses_refresh(self, *, dry_run: bool, out: TextIO) -> int:
        """Recompute the stand-in in allauth's column of every sealed email address
        (members.emails), so allauth's queries with a newly cleaned address match; how many
        changed."""
        rows = SealedEmailAddress.objects.select_related("address", "data_key").filter(
            data_key__isnull=False).order_by("pk")
        changed = 0
        for sealed in self.progress(rows.iterator(chunk_size=BATCH_SIZE), total=rows.count(),
                                    label="email addresses", out=out):
            stand_in = email_stand_in(sealed.email)
            if stand_in and stand_in != sealed.address.email:
                changed += 1
                if not dry_run:
                    EmailAddress.objects.filter(pk=sealed.address_id).update(email=stand_in)
        return changed

    def _titles_refresh(self, model: type[Consultation | Review], *, dry_run: bool,
                        out: TextIO) -> int:
        """Recompute the title search tokens of every post of ``model`` whose title can still
        be opened, a batch of posts at a time; how many posts changed."""
        token_model = title_token_model(model)
        posts = model.objects.select_related("data_key").filter(data_key__isnull=False).only(
            "title", "data_key").order_by("pk")
        rows = self.progress(posts.iterator(chunk_size=BATCH_SIZE), total=posts.count(),
                             label=model.__name__, out=out)
        total = 0
        while batch := list(itertools.islice(rows, BATCH_SIZE)):
            total += self._titles_batch_refresh(token_model, batch, dry_run=dry_run)
        return total

    @staticmethod
    def _titles_batch_refresh(token_model: type[ConsultationTitleToken | ReviewTitleToken],
                              batch: list[Consultation | Review], *, dry_run: bool) -> int:
        """Check one batch of posts against the tokens they hold; how many changed. The tokens
        are read as (post, digest) pairs in one query (a post has dozens; model instances for
        them cost more than the digests themselves), and a changed post's tokens are replaced
        whole."""
        tokens = token_model._default_manager
        held: dict[int, set[str]] = {post.pk: set() for post in batch}
        for post_id, digest in tokens.filter(post_id__in=list(held)).values_list(
                "post_id", "digest"):
            held[post_id].add(digest)
        changed = {post.pk: wanted for post in batch
                   if (wanted := search_index(post.title)) != held[post.pk]}
        if changed and not dry_run:
            with transaction.atomic():
                tokens.filter(post_id__in=list(changed)).delete()
                token_model.tokens_create(changed)
        return len(changed)

    def _areas_refresh(self, model: type[Consultation | Review | GuestConsultation
                                          | BookingRequest | ProcedureRecord],
                       *, dry_run: bool, out: TextIO) -> int:
        """Recompute the area digest of every row of ``model`` whose sealed area can still be
        opened (a destroyed guest question keeps the digest it has); how many changed."""
        rows = model.objects.select_related("data_key").filter(data_key__isnull=False).only(
            "area_ref", "area_digest", "data_key").order_by("pk")
        changed = 0
        for row in self.progress(rows.iterator(chunk_size=BATCH_SIZE), total=rows.count(),
                                 label=f"{model.__name__} areas", out=out):
            digest = area_digest(row.area_ref or None)
            if digest != row.area_digest:
                changed += 1
                if not dry_run:
                    model.objects.filter(pk=row.pk).update(area_digest=digest)
        return changed


ACTION = RefreshLookupDigestsAction()
