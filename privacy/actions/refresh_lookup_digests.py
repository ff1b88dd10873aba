"""``privacy refresh-lookup-digests``: recompute the mobile-number search digests.

The digests are keyed with a key derived from ``SECRET_KEY`` (``privacy.lookup``); after the
secret key changes, exact mobile-number search in the admin finds nobody, and a guest asking
for their reference again finds nothing, until this is run. Guest consultations posted before
they carried a digest get theirs the same way."""

from __future__ import annotations

from typing import Any, TextIO

from django.contrib.auth import get_user_model

from consultations.models import GuestConsultation
from privacy.actions.base import Action
from privacy.lookup import phone_digest

BATCH_SIZE = 500


class RefreshLookupDigestsAction(Action):
    help = ("Recompute the mobile-number search digests of members and guest consultations "
            "(after SECRET_KEY changes).")
    changes_data = True

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        members = get_user_model().objects.select_related("data_key").order_by("pk")
        total = members.count()
        changed = 0
        for member in self.progress(members.iterator(chunk_size=BATCH_SIZE), total=total,
                                    label="members", out=out):
            digest = phone_digest(member.mobile_phone or "")
            if digest != member.mobile_phone_digest:
                changed += 1
                if not options.get("dry_run"):
                    type(member).objects.filter(pk=member.pk).update(mobile_phone_digest=digest)
        verb = "would change" if options.get("dry_run") else "changed"
        out.write(f"lookup digests: {total} members checked, {changed} {verb}\n")
        guests = GuestConsultation.objects.filter(destroyed_at__isnull=True).select_related(
            "data_key").order_by("pk")
        total, changed = guests.count(), 0
        for guest in self.progress(guests.iterator(chunk_size=BATCH_SIZE), total=total,
                                   label="guest consultations", out=out):
            digest = phone_digest(guest.mobile_phone or "")
            if digest != guest.mobile_phone_digest:
                changed += 1
                if not options.get("dry_run"):
                    GuestConsultation.objects.filter(pk=guest.pk).update(
                        mobile_phone_digest=digest)
        out.write(f"lookup digests: {total} guest consultations checked, {changed} {verb}\n")


ACTION = RefreshLookupDigestsAction()
