from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import is_reviewer
from accounts.forms import AdminSignInForm, UserAdminChangeForm
from accounts.invitations import InvitationError, focal_point_handover, invitation_resend
from accounts.models import Country, Invitation, User
from accounts.services import sign_in_unlock, user_email_change


class ReviewerAccessMixin:
    """Reviewers (the Reviewers group, as for the questionnaire admin) may view;
    what else they may do each admin says."""

    def has_module_permission(self, request):
        return is_reviewer(request.user)

    def has_view_permission(self, request, obj=None):
        return is_reviewer(request.user)


admin.site.login_form = AdminSignInForm


@admin.register(Country)
class CountryAdmin(ReviewerAccessMixin, admin.ModelAdmin):
    list_display = ("name", "iso3", "iso2", "m49", "region", "subregion")
    list_filter = ("region", "subregion")
    search_fields = ("name", "official_name", "iso3", "iso2", "m49")
    ordering = ("name",)


# Only superusers grant staff rights: a reviewer editing people must not be able
# to raise anyone (themselves included) to staff or superuser.
PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")
# Nor change what signs an account in or what it may open: the e-mail address
# receives password-reset links (so changing it takes the account over), and a
# country and role decide whose answers it reads and submits. Roles change
# through the audited handover action; e-mail addresses only by a superuser.
CREDENTIAL_FIELDS = ("email", "password", "country", "role")


@admin.register(User)
class UserAdmin(ReviewerAccessMixin, DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "country", "role", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_active", "role", "country__region")
    search_fields = ("email", "full_name", "country__name", "country__iso3")
    list_select_related = ("country",)
    autocomplete_fields = ("country",)
    actions = ("unlock_sign_in", "make_focal_point")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "country", "role")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "country", "role", "password1", "password2"),
            },
        ),
    )

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return is_reviewer(request.user) and (
            request.user.is_superuser or obj is None or not obj.is_superuser
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if change:
            kwargs["form"] = UserAdminChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Those fields are read-only for reviewers, so their page never posts them: a POST
        # that does was made by hand, and is refused rather than half-applied.
        posted = set(request.POST) if request.method == "POST" else set()
        if not request.user.is_superuser and posted & {*CREDENTIAL_FIELDS, *PRIVILEGE_FIELDS}:
            raise PermissionDenied
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not (change and "email" in form.changed_data):
            return super().save_model(request, obj, form, change)
        # The new address goes through the service that records it and warns both addresses.
        new_email = obj.email
        obj.email = form.initial["email"]
        super().save_model(request, obj, form, change)
        user_email_change(user=obj, new_email=new_email, by=request.user)
        obj.email = new_email

    def user_change_password(self, request, id, form_url=""):
        # Officials choose their passwords (invitation, reset link); nobody else sets them.
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += (*CREDENTIAL_FIELDS, *PRIVILEGE_FIELDS, "last_login", "date_joined")
        return fields

    @admin.action(description=_("Unlock sign-in (lift a lockout after failed attempts)"))
    def unlock_sign_in(self, request, queryset):
        if not is_reviewer(request.user):
            raise PermissionDenied
        removed = sum(sign_in_unlock(user=user) for user in queryset)
        self.message_user(
            request,
            ngettext(
                "%(users)d account unlocked (%(attempts)d failed attempt cleared).",
                "%(users)d accounts unlocked (%(attempts)d failed attempts cleared).",
                removed,
            )
            % {"users": queryset.count(), "attempts": removed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Make focal point of their country (hand over)"))
    def make_focal_point(self, request, queryset):
        for user in queryset.select_related("country"):
            try:
                focal_point_handover(country=user.country, new_focal_point=user, by=request.user)
            except (InvitationError, AttributeError):
                self.message_user(
                    request,
                    _("%(user)s is not an active official of a country.") % {"user": user},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    _("%(user)s is now the focal point of %(country)s.")
                    % {"user": user, "country": user.country},
                    messages.SUCCESS,
                )


class InvitationStateFilter(admin.SimpleListFilter):
    """The state is not a column (it depends on the time too), so it is filtered in SQL."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Invitation.State.choices

    def queryset(self, request, queryset):
        if self.value() in Invitation.State.values:
            return queryset.in_state(self.value())
        return queryset


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Reviewers follow invitations here; "Add" opens the invite page, which sends the e-mail."""

    list_display = ("email", "country", "role", "state_display", "created_by", "expires_at")
    list_filter = (InvitationStateFilter, "role", "country__region")
    search_fields = ("email", "country__name", "country__iso3")
    list_select_related = ("country", "created_by")
    readonly_fields = [field.name for field in Invitation._meta.fields]
    actions = ("send_new_link",)

    @admin.display(description=_("state"))
    def state_display(self, obj: Invitation) -> str:
        return obj.get_state_display()

    def has_module_permission(self, request):
        return is_reviewer(request.user)

    def has_view_permission(self, request, obj=None):
        return is_reviewer(request.user)

    def has_add_permission(self, request):
        return is_reviewer(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        # Creating an invitation sends an e-mail with a token shown nowhere else,
        # so it goes through the service behind the invite page, not a model form.
        return redirect("accounts:staff_invite")

    @admin.action(description=_("Send a new link (the old one stops working)"))
    def send_new_link(self, request, queryset):
        sent = 0
        for invitation in queryset.select_related("country"):
            try:
                invitation_resend(invitation=invitation, invited_by=request.user)
            except InvitationError as error:
                self.message_user(request, f"{invitation.email}: {error}", messages.ERROR)
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                ngettext("%d invitation sent.", "%d invitations sent.", sent) % sent,
                messages.SUCCESS,
            )


# django-otp's own TOTPDevice admin shows any device's secret as a QR code (and
# fails with a 500 on an unknown id). Reviewers only need to see who has two-factor
# sign-in and to remove a lost phone's device so that its owner can set up a new one.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__email", "user__full_name")
    list_select_related = ("user",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_module_permission(self, request):
        return is_reviewer(request.user)

    def has_view_permission(self, request, obj=None):
        return is_reviewer(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A staff member's device only by a superuser: it guards the review console.
        if obj is not None and obj.user.is_staff:
            return request.user.is_superuser
        return is_reviewer(request.user)
