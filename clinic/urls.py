from django.urls import path

from clinic import views

app_name = "clinic"
urlpatterns = [
    path("procedures/<slug:slug>/", views.procedure_page, name="procedure_page"),
    path("doctors/", views.doctors, name="doctors"),
    path("visit/", views.visit, name="visit"),
]
