from django.urls import path

from consultations import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
]
