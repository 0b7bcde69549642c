from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.countries import countries_load
from accounts.models import Country


class Command(BaseCommand):
    help = "Create or update the 193 UN Member States from accounts/data/un-member-states.csv."

    def handle(self, *args, **options):
        with transaction.atomic():
            result = countries_load(country_model=Country)
        self.stdout.write(
            f"Countries: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
