from django.urls import path

from consultations import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("mine/", views.review_mine, name="mine"),
    path("new/", views.review_create, name="create"),
    path("<int:pk>/edit/", views.review_edit, name="edit"),
    path("<int:pk>/delete/", views.review_delete, name="delete"),
]
