from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REVIEWERS_GROUP = "Reviewers"


class Country(models.Model):
    """A UN Member State, as listed in accounts/data/un-member-states.csv."""

    iso3 = models.CharField(_("ISO 3166-1 alpha-3"), max_length=3, unique=True)
    iso2 = models.CharField(_("ISO 3166-1 alpha-2"), max_length=2, unique=True)
    m49 = models.CharField(_("M49 code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)
    official_name = models.CharField(_("official name"), max_length=200)
    region = models.CharField(_("UN region"), max_length=50, db_index=True)
    subregion = models.CharField(_("UN sub-region"), max_length=100, db_index=True)
    un_member_since = models.PositiveSmallIntegerField(_("UN member since"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # E-mail addresses are stored lower-case; sign-in accepts any case.
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a country official (with a country and role) or DPIDG staff."""

    class Role(models.TextChoices):
        FOCAL_POINT = "focal_point", _("Focal point")
        CONTRIBUTOR = "contributor", _("Contributor")

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officials",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    # The interface language this person chose in the header's switcher (a code of
    # settings.LANGUAGES); blank until they choose. Applied at sign-in and used for every
    # e-mail sent to them, also by a worker (accounts.languages.user_language).
    language = models.CharField(_("language"), max_length=10, blank=True)
    # The IANA time zone this person's browser reports ("Asia/Tashkent"), in which their
    # pages show times (accounts.time_zones); UTC until their browser tells.
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Designates whether the user can sign in to the review console."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # An official always belongs to a country, and a country account always has a role.
            models.CheckConstraint(
                condition=(
                    models.Q(country__isnull=True, role="")
                    | models.Q(country__isnull=False) & ~models.Q(role="")
                ),
                name="official_has_country_and_role",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_official(self) -> bool:
        return self.country_id is not None and not self.is_staff

    @property
    def is_focal_point(self) -> bool:
        return self.is_official and self.role == self.Role.FOCAL_POINT


class InvitationQuerySet(models.QuerySet):
    def in_state(self, state: str) -> "InvitationQuerySet":
        """The invitations whose `state` is `state`, decided in the database (for lists
        and filters; the property Invitation.state says it for one)."""
        now = timezone.now()
        open_ = models.Q(used_at__isnull=True, cancelled_at__isnull=True)
        conditions = {
            Invitation.State.USED: models.Q(used_at__isnull=False),
            Invitation.State.CANCELLED: models.Q(used_at__isnull=True, cancelled_at__isnull=False),
            Invitation.State.REPLACED: open_ & models.Q(replaced_at__isnull=False),
            Invitation.State.EXPIRED: open_
            & models.Q(replaced_at__isnull=True, expires_at__lte=now),
            Invitation.State.PENDING: open_
            & models.Q(replaced_at__isnull=True, expires_at__gt=now),
        }
        return self.filter(conditions[Invitation.State(state)])


class Invitation(models.Model):
    """A single-use link inviting an e-mail address to join a country as an official.

    Only the SHA-256 of the token is stored: the link in the e-mail is the
    only copy of the token itself. Re-inviting the same address to the same
    country marks the older invitation replaced, so only the newest link works.
    A cancelled invitation keeps its own state, so that neither the invitee nor
    a reviewer reads "expired" for a link stopped minutes after it was sent.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the invitee")
        USED = "used", _("Accepted")
        EXPIRED = "expired", _("Expired")
        REPLACED = "replaced", _("Replaced by a newer invitation")
        CANCELLED = "cancelled", _("Cancelled")

    email = models.EmailField(_("e-mail address"), db_index=True)
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=20, choices=User.Role.choices)
    token_hash = models.CharField(_("token SHA-256"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    used_by = models.ForeignKey(
        User,
        verbose_name=_("account created"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        User,
        verbose_name=_("cancelled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.country} ({self.get_role_display()})"

    @property
    def state(self) -> str:
        # In this order of precedence, which InvitationQuerySet.in_state repeats in SQL.
        if self.used_at:
            return self.State.USED
        if self.cancelled_at:
            return self.State.CANCELLED
        if self.replaced_at:
            return self.State.REPLACED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    def get_state_display(self) -> str:
        return self.State(self.state).label
