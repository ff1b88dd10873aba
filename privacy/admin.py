from django.contrib import admin

from privacy.models import ConsentRecord, PolicyVersion


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "effective_on", "published_at", "requires_reconsent"]
    readonly_fields = ["content_ko", "content_en", "published_at"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    """The ledger is append-only: staff can read it, never change it."""

    list_display = ["recorded_at", "subject_ref", "consent", "granted", "method", "actor"]
    list_filter = ["consent", "granted", "method"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False



# Marketing (issue 11): the campaign admin lives in its own module.
from privacy import marketing_admin  # noqa: E402, F401
