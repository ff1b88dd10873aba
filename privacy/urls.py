from django.urls import include, path

from privacy import views
from privacy.marketing import views as marketing_views

app_name = "privacy"

urlpatterns = [
    path("policy/", views.policy_current, name="policy"),
    # Privacy core (issue 6)
    path("policy/versions/", views.policy_versions, name="policy_versions"),
    path("policy/<str:version>/", views.policy_version, name="policy_version"),
    path("policy/<str:version>/diff/", views.policy_version_diff, name="policy_version_diff"),
    path("reconsent/", views.reconsent, name="reconsent"),
    path("consents/receipts/", views.consent_receipts, name="consent_receipts"),
    path("consents/receipt/<int:pk>/", views.consent_receipt_download, name="consent_receipt"),
    path("complaints/", views.complaint, name="complaint"),
    path("complaints/sent/", views.complaint_sent, name="complaint_sent"),
    # Marketing (issue 11): the unsubscribe link of every advertisement.
    path("unsubscribe/<str:token>/", marketing_views.unsubscribe, name="unsubscribe"),
    # Self-service rights (issue 7)
    path("", include("privacy.selfservice.urls")),
]
