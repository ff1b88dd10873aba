from django.urls import path

from members import views

# Mounted at /accounts/ under the namespace "members" by clinic_site/urls.py, together with
# the profile edits of privacy.selfservice.urls (PROFILE_EDIT_PATTERNS).
urlpatterns = [
    path("profile/", views.my_page, name="my_page"),
    path("profile/children/<int:pk>/", views.child_profile, name="child_profile"),
    path("representative/pending/", views.representative_pending,
         name="representative_pending"),
    path("representative/<str:token>/", views.representative_confirm,
         name="representative_confirm"),
    path("staff/enrolment/", views.staff_enrolment_send, name="staff_enrolment_send"),
    path("staff/enrolment/<str:token>/", views.staff_enrolment, name="staff_enrolment"),
]
