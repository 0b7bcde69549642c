from django.urls import path

from questionnaire import views

app_name = "questionnaire"

urlpatterns = [
    path("", views.home, name="home"),
]
