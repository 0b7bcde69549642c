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
        "The password is DEMO_PASSWORD if set, otherwise a random one printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--country", default="UZB", help="ISO3 code of the demo country")

    def handle(self, *args, country, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo accounts are not created in production.")
        try:
            demo_country = Country.objects.get(iso3=country.upper())
        except Country.DoesNotExist as error:
            raise CommandError(f"No country with ISO3 code {country!r}.") from error
        reviewers_group_ensure()
        existing = [
            email
            for email, _role, _name in DEMO_ACCOUNTS
            if User.objects.filter(email=email).exists()
        ]
        if len(existing) == len(DEMO_ACCOUNTS):
            self.stdout.write(
                "Demo accounts exist already (their passwords were printed when they were made):"
            )
            for email in existing:
                self.stdout.write(f"  {email}")
            return

        password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(12)
        for email, role, full_name in DEMO_ACCOUNTS:
            if email in existing:
                continue
            if role == "reviewer":
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
            label = "reviewer (admin)" if role == "reviewer" else f"{role} of {demo_country.name}"
            self.stdout.write(f"  {email:40} {label}")
        self.stdout.write(f"  password: {password}")
