from django.contrib import admin

from consultations.models import ConsultationArea


@admin.register(ConsultationArea)
class ConsultationAreaAdmin(admin.ModelAdmin):
    list_display = ["name_ko", "name_en", "slug", "position", "is_active"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name_en"]}
