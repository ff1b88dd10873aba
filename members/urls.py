from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("profile/", views.my_page, name="my_page"),
]
