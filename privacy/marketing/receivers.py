"""Advertising-consent confirmations for decisions recorded by the members layer.

The consent page, profile, unsubscribe link, re-consent, representative page and shell call
``marketing_consent_confirm`` from their own services. The sign-up form and a legal
representative's first confirmation are members' services, which may not import this layer,
so they send ``consent_decisions_recorded`` and this receiver confirms. ``clinic_site``'s
AppConfig imports this module at start-up, which connects it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.dispatch import receiver

from members.models import Member
from members.signals import consent_decisions_recorded
from privacy.marketing.confirmations import marketing_consent_confirm
from privacy.models import ConsentRecord


@receiver(consent_decisions_recorded, sender=Member,
          dispatch_uid="privacy.marketing.first_decisions_confirm")
def first_decisions_confirm(
    *, member: Member, records: Sequence[ConsentRecord], **kwargs: Any
) -> None:
    """Confirm the advertising consents granted by a first decision.

    These are the first decisions in effect, so only a grant changes anything: a box left
    unticked leaves the person where they were, without consent, and is not confirmed."""
    marketing_consent_confirm(member=member, records=[r for r in records if r.granted])
