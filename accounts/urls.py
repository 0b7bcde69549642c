from django.urls import path

from accounts import views
from accounts.time_zone_views import time_zone_view

app_name = "accounts"

# Django's sign-in, sign-out and password pages keep their un-namespaced names
# (login, logout, password_reset...): msq_portal/urls.py includes them.
urlpatterns = [
    # The e-mail link: its token moves into the session, then the fixed address below
    # serves the form (a token is one path segment: this address never reaches the link's view).
    path("invitation/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
    path(
        "invitation/accept/set-password/",
        views.invitation_set_password_view,
        name="invitation_set_password",
    ),
    path("invite/", views.staff_invite_view, name="staff_invite"),
    path("team/", views.team_view, name="team"),
    path("account/", views.account_view, name="account"),
    path("two-factor/setup/", views.two_factor_setup_view, name="two_factor_setup"),
    path("two-factor/verify/", views.two_factor_verify_view, name="two_factor_verify"),
    path("session/keepalive/", views.session_keepalive_view, name="session_keepalive"),
    path("time-zone/", time_zone_view, name="time_zone"),
]
