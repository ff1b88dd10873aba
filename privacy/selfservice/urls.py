from django.urls import path

from privacy.selfservice import views

# Included from privacy/urls.py (namespace "privacy").
urlpatterns = [
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/export/", views.my_data_export, name="my_data_export"),
    path("my-data/request/", views.my_data_request, name="my_data_request"),
    path("my-data/items/<slug:key>/", views.my_data_item, name="my_data_item"),
    path("my-data/lists/<slug:key>/", views.my_data_section, name="my_data_section"),
    path("my-data/child/<int:pk>/", views.my_data, name="my_data_child"),
    path("my-data/child/<int:pk>/items/<slug:key>/", views.my_data_item,
         name="my_data_item_child"),
    path("my-data/child/<int:pk>/lists/<slug:key>/", views.my_data_section,
         name="my_data_section_child"),
    path("my-data/child/<int:pk>/export/", views.my_data_export_child,
         name="my_data_export_child"),
    path("my-data/child/<int:pk>/request/", views.my_data_request,
         name="my_data_request_child"),
    path("consents/", views.consents, name="consents"),
    path("consents/sensitive/withdraw/", views.sensitive_withdraw, name="sensitive_withdraw"),
    path("consents/child/<int:pk>/", views.consents, name="consents_child"),
    path("consents/child/<int:pk>/sensitive/withdraw/", views.sensitive_withdraw,
         name="sensitive_withdraw_child"),
    path("withdraw/", views.withdraw, name="withdraw"),
    path("withdraw/child/<int:pk>/", views.withdraw_child, name="withdraw_child"),
]

# The profile edits, at /accounts/profile/... in the namespace "members" beside the member
# pages (clinic_site/urls.py joins the two lists).
PROFILE_EDIT_PATTERNS = [
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("profile/children/<int:pk>/edit/", views.child_profile_edit, name="child_profile_edit"),
]
