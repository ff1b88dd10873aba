from django.urls import path

from privacy import marketing_views, views

app_name = "privacy"

urlpatterns = [
    path("policy/", views.policy_current, name="policy"),
    # Marketing (issue 11): the unsubscribe link of every advertisement.
    path("unsubscribe/<str:token>/", marketing_views.unsubscribe, name="unsubscribe"),
]
