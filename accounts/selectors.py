"""Reads about accounts: invitations by token, a country's team."""

import hashlib
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from accounts.models import Country, Invitation, User


def invitation_for_token(*, token: str) -> Invitation | None:
    """The invitation a link's token belongs to (whatever its state), or None."""
    if not token or len(token) > 200:
        return None
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    return Invitation.objects.select_related("country").filter(token_hash=token_hash).first()


def country_officials(*, country_ids: Iterable[int]) -> QuerySet[User]:
    """The active officials (not staff) of the countries: who answers for them and is told."""
    return User.objects.filter(country_id__in=list(country_ids), is_active=True, is_staff=False)


def country_team(*, country: Country) -> QuerySet[User]:
    """The country's active officials, focal point first."""
    return (
        country_officials(country_ids=[country.pk])
        .order_by("-role", "email")  # "focal_point" sorts after "contributor"
        .only("id", "email", "full_name", "role", "country_id", "last_login")
    )


def country_focal_points(*, country: Country) -> QuerySet[User]:
    """Who may submit for the country and give its authorization to publish (one, normally)."""
    return (
        country_officials(country_ids=[country.pk])
        .filter(role=User.Role.FOCAL_POINT)
        .order_by("email")
        .only("id", "email", "full_name", "role", "country_id")
    )


def country_invitations_pending(*, country: Country) -> QuerySet[Invitation]:
    """The country's invitations still waiting for the invitee, newest first, with who sent them."""
    return (
        Invitation.objects.in_state(Invitation.State.PENDING)
        .filter(country=country)
        .select_related("created_by")
        .order_by("-created_at")
    )


def invitations_recent(*, limit: int = 50) -> QuerySet[Invitation]:
    return Invitation.objects.select_related("country", "created_by").order_by("-created_at")[
        :limit
    ]


def countries_without_officials(*, region: str = "") -> QuerySet[Country]:
    """The Member States (of `region`, if given) with no active official account, by name,
    with their pending focal-point invitations prefetched (`pending_invitations`)."""
    officials = User.objects.filter(country=OuterRef("pk"), is_active=True, is_staff=False)
    countries = Country.objects.filter(~Exists(officials)).order_by("name")
    if region:
        countries = countries.filter(region=region)
    return countries.prefetch_related(
        Prefetch(
            "invitations",
            queryset=Invitation.objects.in_state(Invitation.State.PENDING).order_by("-created_at"),
            to_attr="pending_invitations",
        )
    )
