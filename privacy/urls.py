from django.urls import include, path

from privacy.complaints import views as complaint_views
from privacy.consents import views as consent_views
from privacy.marketing import views as marketing_views
from privacy.policy import views as policy_views

app_name = "privacy"

urlpatterns = [
    path("policy/", policy_views.policy_current, name="policy"),
    path("policy/versions/", policy_views.policy_versions, name="policy_versions"),
    path("policy/<str:version>/", policy_views.policy_version, name="policy_version"),
    path("policy/<str:version>/diff/", policy_views.policy_version_diff,
         name="policy_version_diff"),
    path("reconsent/", consent_views.reconsent, name="reconsent"),
    path("consents/receipts/", consent_views.consent_receipts, name="consent_receipts"),
    path("consents/receipt/<int:pk>/", consent_views.consent_receipt_download,
         name="consent_receipt"),
    path("complaints/", complaint_views.complaint, name="complaint"),
    path("complaints/sent/", complaint_views.complaint_sent, name="complaint_sent"),
    # The unsubscribe link of every advertisement.
    path("unsubscribe/<str:token>/", marketing_views.unsubscribe, name="unsubscribe"),
    # Self-service rights: my data, export, corrections, consents, withdrawal.
    path("", include("privacy.selfservice.urls")),
]
