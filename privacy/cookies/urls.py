"""``/cookies/``: the settings page and the endpoints, under the library's URL names so that
its template tags and script keep working."""

from django.urls import path

from privacy.cookies import views

urlpatterns = [
    path("accept/", views.CookieAcceptView.as_view(), name="cookie_consent_accept"),
    path("decline/", views.CookieDeclineView.as_view(), name="cookie_consent_decline"),
    path("", views.CookieSettingsView.as_view(), name="cookie_consent_cookie_group_list"),
]
