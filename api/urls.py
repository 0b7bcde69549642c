from django.urls import path

from api import views

app_name = "api_tokens"

urlpatterns = [
    path("new/", views.api_token_create_view, name="create"),
    path("<int:token_id>/revoke/", views.api_token_revoke_view, name="revoke"),
]
