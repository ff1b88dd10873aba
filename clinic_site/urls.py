from django.contrib import admin
from django.urls import include, path

from clinic_site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("members.urls")),
    path("accounts/", include("allauth.urls")),
    path("consultations/", include("consultations.urls")),
    path("reviews/", include("consultations.review_urls")),
    path("privacy/", include("privacy.urls")),
    path("cookies/", include("privacy.cookies.urls")),
    path("admin/", admin.site.urls),
]
