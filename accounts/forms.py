"""Forms of the accounts pages: inviting, accepting an invitation, handover, TOTP codes."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordResetForm,
    SetPasswordForm,
    UserChangeForm,
)
from django.core.validators import MaxLengthValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.languages import recipient_language
from accounts.models import Country, Invitation, User
from accounts.selectors import country_officials


class _UsernameLengthMixin:
    """Refuse an over-long user name before it reaches the database.

    Django's AuthenticationForm sets the field's max_length after building it,
    so no length validator exists; a 20,000-character "e-mail" would then go
    to the case-insensitive look-up (SQLite refuses such LIKE patterns).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length or 254))


class SignInForm(_UsernameLengthMixin, AuthenticationForm):
    pass


class LanguagePasswordResetForm(PasswordResetForm):
    """The reset e-mail in the account holder's language (else the page's)."""

    def send_mail(self, *args, **kwargs):
        context = args[2] if len(args) > 2 else kwargs["context"]
        with translation.override(recipient_language(context["user"])):
            super().send_mail(*args, **kwargs)


class AdminSignInForm(_UsernameLengthMixin, AdminAuthenticationForm):
    pass


class UserAdminChangeForm(UserChangeForm):
    """The user admin's change form: an e-mail address is unique in any case (sign-in ignores
    case), and changing it is announced (accounts.services.user_email_change)."""

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
        help_texts = {
            "email": _(
                "Changing it e-mails the old and the new address and is recorded in the "
                "account's history."
            )
        }

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another account already uses this e-mail address."))
        return email


class InvitationForm(forms.Form):
    """A reviewer invites anyone for any country."""

    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.order_by("name"), empty_label=None
    )
    role = forms.ChoiceField(label=_("Role"), choices=User.Role.choices)
    replace_pending = forms.BooleanField(
        label=_("Replace a pending invitation to another country"),
        required=False,
        help_text=_(
            "Only if this address was invited for another country and should join this one "
            "instead: that invitation's link stops working. Unticked, you are told about it "
            "and nothing is sent."
        ),
    )

    def pending_elsewhere(self, message: str) -> None:
        """Say which other invitation is pending, and that the box lets it be replaced."""
        self.add_error("email", message)
        self.add_error(
            "replace_pending", _("Tick this box to cancel that invitation and send this one.")
        )


class ContributorInvitationForm(forms.Form):
    """A focal point invites a contributor for their own country."""

    email = forms.EmailField(
        label=_("E-mail address of the new contributor"),
        max_length=254,
        help_text=_("They receive a link to choose a password; it works once, for a week."),
    )


class InvitationRevokeForm(forms.Form):
    """A focal point cancels a pending invitation to their country (one button per row)."""

    invitation = forms.ModelChoiceField(queryset=Invitation.objects.none())

    def __init__(self, *args, country: Country, **kwargs):
        super().__init__(*args, **kwargs)
        # Another country's invitation is not a choice: it is "not found", like any id.
        self.fields["invitation"].queryset = Invitation.objects.filter(country=country)


class InvitationAcceptForm(SetPasswordForm):
    """Choose a password (checked by the password validators against the new account)."""

    full_name = forms.CharField(label=_("Your full name"), max_length=200, required=False)

    field_order = ["full_name", "new_password1", "new_password2"]

    def save(self, commit=True):  # the account is created by invitation_accept
        raise NotImplementedError


class FocalPointHandoverForm(forms.Form):
    new_focal_point = forms.ModelChoiceField(
        label=_("New focal point"),
        queryset=User.objects.none(),
        help_text=_("You become a contributor; the new focal point submits the questionnaire."),
    )

    def __init__(self, *args, country: Country, exclude: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_focal_point"].queryset = country_officials(
            country_ids=[country.pk]
        ).exclude(pk=exclude.pk)


class TOTPTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit() or not token.isascii():
            raise forms.ValidationError(_("Enter the digits shown by your authenticator app."))
        return token
