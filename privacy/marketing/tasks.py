"""Campaigns sent by the worker (queued from the admin), not inside the staff's request."""

from __future__ import annotations

from django_tasks import task

from privacy.marketing.campaigns import CampaignError, campaign_send
from privacy.models import Campaign
from privacy.outbox import MAIL_ERRORS, retry_later
from privacy.processors.sms import SmsError

# A mail server or text-message provider that cannot take the batch now.
SEND_ERRORS: tuple[type[BaseException], ...] = (*MAIL_ERRORS, SmsError)


@task()
def campaign_send_queued(*, campaign_id: int, attempt: int = 1) -> None:
    """Run ``campaign_send`` for the campaign; resumable, so a retry sends only the rest.

    Each member's delivery is claimed before it is sent (``CampaignDelivery``), so a run
    repeated after a crash never sends twice; eligibility (consent, night hours, restrictions)
    is decided again per batch when it is sent. A mail server or provider that is down stops
    the run with that batch unclaimed, and the run is tried again later."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return
    try:
        campaign_send(campaign=campaign)
    except CampaignError:
        return  # another run is sending it at this moment, and that run finishes it
    except SEND_ERRORS as error:
        retry_later(campaign_send_queued, attempt=attempt,
                    arguments={"campaign_id": campaign_id}, error=error)
