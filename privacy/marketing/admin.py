"""Campaigns in the admin: written here, sent only through
``privacy.marketing.campaigns.campaign_send``, by the worker (``privacy.marketing.tasks``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from privacy.marketing.campaigns import campaign_send
from privacy.marketing.tasks import campaign_send_queued
from privacy.models import Campaign, CampaignStatus, DeliveryOutcome

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _DeliveryCounts(TypedDict):
        sent_count: int
        failed_count: int
        pending_count: int

    # A campaign as the change list reads it (``get_queryset`` counts its deliveries).
    CountedCampaign = WithAnnotations[Campaign, _DeliveryCounts]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Staff write campaigns here; sending goes through ``campaign_send`` after a confirmation
    that shows the dry-run counts, exactly as ``privacy send-campaign`` does."""

    list_display = ["title", "channel", "status", "created_at", "sent", "failed", "unconfirmed"]
    list_filter = ["channel", "status"]
    search_fields = ["title"]
    filter_horizontal = ["areas"]
    actions = ["send_campaign"]
    editable_once_sent = ["title", "channel", "body", "areas"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by").annotate(
            sent_count=Count("deliveries", filter=Q(deliveries__outcome=DeliveryOutcome.SENT)),
            failed_count=Count(
                "deliveries", filter=Q(deliveries__outcome=DeliveryOutcome.FAILED)
            ),
            pending_count=Count(
                "deliveries", filter=Q(deliveries__outcome=DeliveryOutcome.PENDING)
            ),
        )

    @admin.display(description=_("sent"), ordering="sent_count")
    def sent(self, obj: CountedCampaign) -> int:
        return obj.sent_count

    @admin.display(description=_("failed"), ordering="failed_count")
    def failed(self, obj: CountedCampaign) -> int:
        return obj.failed_count

    @admin.display(description=_("unconfirmed"), ordering="pending_count")
    def unconfirmed(self, obj: CountedCampaign) -> int:
        return obj.pending_count

    def get_readonly_fields(self, request, obj=None):
        fixed = ["status", "created_by", "created_at", "sent", "failed", "unconfirmed"]
        if obj is not None and obj.status != CampaignStatus.DRAFT:
            return [*self.editable_once_sent, *fixed]  # what was sent stays what it was
        return fixed if obj is not None else []

    def save_model(self, request, obj, form, change):
        if not change:
            # By id: request.user is a lazy object, which the database router cannot inspect.
            obj.created_by_id = request.user.pk
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != CampaignStatus.DRAFT:
            return False  # its deliveries are what keeps a re-run from sending twice
        return super().has_delete_permission(request, obj)

    def has_send_permission(self, request) -> bool:
        return request.user.has_perm("privacy.send_campaign")

    @admin.action(permissions=["send"], description=_("Send the selected campaign"))
    def send_campaign(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one campaign to send."),
                              messages.ERROR)
            return None
        campaign = queryset.get()
        if request.POST.get("confirm") == "yes":
            campaign_send_queued.enqueue(campaign_id=campaign.pk)
            self.message_user(
                request,
                _gettext("The campaign is queued; the deliveries below fill in as it is sent."),
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(request, "privacy/marketing/admin_send_confirm.html", {
            **self.admin_site.each_context(request),
            "title": _("Send campaign"),
            "opts": self.model._meta,
            "campaign": campaign,
            "plan": campaign_send(campaign=campaign, dry_run=True),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        })
