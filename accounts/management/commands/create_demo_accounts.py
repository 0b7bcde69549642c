import os
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Country, User
from accounts.services import official_create, reviewer_create, reviewers_group_ensure

DEMO_ACCOUNTS = (
    # (e-mail, role, full name)
    ("reviewer@demo.msq.example.org", "reviewer", "Demo Reviewer"),
    ("focal.point@demo.msq.example.org", User.Role.FOCAL_POINT, "Demo Focal Point"),
    ("contributor@demo.msq.example.org", User.Role.CONTRIBUTOR, "Demo Contributor"),
)


class Command(BaseCommand):
    help = (
        "Create demo accounts: a reviewer, and a focal point and a contributor of one country. "
        "They share one password: DEMO_PASSWORD if set, otherwise a random one printed once. "
        "Run again with --reset-password (or with DEMO_PASSWORD set) to set a new one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--country", default="UZB", help="ISO3 code of the demo country")
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="give the existing demo accounts a new password (printed)",
        )

    def handle(self, *args, country, reset_password, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo accounts are not created in production.")
        try:
            demo_country = Country.objects.get(iso3=country.upper())
        except Country.DoesNotExist as error:
            raise CommandError(f"No country with ISO3 code {country!r}.") from error
        reviewers_group_ensure()
        chosen = os.environ.get("DEMO_PASSWORD", "")
        existing = {
            user.email: user
            for user in User.objects.filter(email__in=[email for email, *_ in DEMO_ACCOUNTS])
        }
        if len(existing) == len(DEMO_ACCOUNTS) and not (reset_password or chosen):
            self.stdout.write("Demo accounts (sign in at http://127.0.0.1:8000/):")
            for email, role, _name in DEMO_ACCOUNTS:
                self.stdout.write(f"  {email:40} {self._label(role, demo_country)}")
            self.stdout.write(
                "  password: the one printed when they were made; for a new one run "
                "`.venv/bin/python manage.py create_demo_accounts --reset-password` "
                "or set DEMO_PASSWORD."
            )
            return

        password = chosen or secrets.token_urlsafe(12)
        for email, role, full_name in DEMO_ACCOUNTS:
            user = existing.get(email)
            if user is not None:
                user.set_password(password)
                user.save(update_fields=["password"])
            elif role == "reviewer":
                reviewer_create(email=email, password=password, full_name=full_name)
            else:
                official_create(
                    email=email,
                    password=password,
                    country=demo_country,
                    role=role,
                    full_name=full_name,
                )
        self.stdout.write(self.style.SUCCESS("Demo accounts — sign in at http://127.0.0.1:8000/"))
        for email, role, _name in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:40} {self._label(role, demo_country)}")
        self.stdout.write(f"  password: {password}")

    @staticmethod
    def _label(role: str, country: Country) -> str:
        return "reviewer (review console)" if role == "reviewer" else f"{role} of {country.name}"
