from django.urls import path

from linkcheck import views

app_name = "linkcheck"

urlpatterns = [
    path("links/confirm/", views.confirm, name="confirm"),
    path("staff/submissions/<int:submission_id>/links/check/", views.check_now, name="check_now"),
]
