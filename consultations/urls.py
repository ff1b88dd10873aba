from django.urls import path

from consultations import views

app_name = "consultations"

urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("new/", views.consultation_create, name="create"),
    path("mine/", views.consultation_mine, name="mine"),
    path("<int:pk>/", views.consultation_detail, name="detail"),
    path("<int:pk>/edit/", views.consultation_edit, name="edit"),
    path("<int:pk>/delete/", views.consultation_delete, name="delete"),
    path("<int:pk>/answer/", views.consultation_answer, name="answer"),
    path("aftercare/", views.aftercare_list, name="aftercare"),
    path("aftercare/new/", views.aftercare_create, name="aftercare_create"),
    path("guest/", views.guest_consultation_create, name="guest"),
    path("guest/done/", views.guest_consultation_done, name="guest_done"),
    path("guest/read/", views.guest_consultation_read, name="guest_read"),
    path("guest/find/", views.guest_reference_find, name="guest_find"),
]
