from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("profile/", views.my_page, name="my_page"),
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("profile/children/<int:pk>/", views.child_profile, name="child_profile"),
    path("profile/children/<int:pk>/edit/", views.child_profile_edit, name="child_profile_edit"),
    path("representative/pending/", views.representative_pending,
         name="representative_pending"),
    path("representative/<str:token>/", views.representative_confirm,
         name="representative_confirm"),
]
