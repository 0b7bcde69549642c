"""Django's sign-in, sign-out and password pages, under their usual names (login, logout...).

Kept outside the "accounts" namespace because Django and the templates
reverse them by these names. The reset e-mail builds its link from SITE_URL,
never from the Host header of the request that asked for it.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import path

from accounts.forms import LanguagePasswordResetForm, SignInForm
from accounts.lockout import password_reset_limited


class PasswordResetView(auth_views.PasswordResetView):
    form_class = LanguagePasswordResetForm

    def form_valid(self, form):
        if password_reset_limited(request=self.request, email=form.cleaned_data["email"]):
            # The same page as when a link goes out: neither whether the account exists nor
            # whether the limit was reached shows. Only the e-mail is not sent.
            return HttpResponseRedirect(self.get_success_url())
        # Read at request time so that SITE_URL set per deployment (or test) applies.
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password_reset/",
        PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
