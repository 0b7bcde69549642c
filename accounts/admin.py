from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Country, User


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("name", "iso3", "iso2", "m49", "region", "subregion")
    list_filter = ("region", "subregion")
    search_fields = ("name", "official_name", "iso3", "iso2", "m49")
    ordering = ("name",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "country", "role", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_active", "role", "country__region")
    search_fields = ("email", "full_name", "country__name", "country__iso3")
    list_select_related = ("country",)
    autocomplete_fields = ("country",)
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
