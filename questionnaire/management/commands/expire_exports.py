"""Delete old export files now: what celery beat does daily, for sites that run no beat."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from questionnaire.exports.jobs import export_files_cutoff, export_files_expire


class Command(BaseCommand):
    help = (
        "Delete the files of full exports that have been ready for more than "
        "MSQ_EXPORT_RETENTION_DAYS days (or --days N) and mark their jobs expired. "
        "The jobs themselves are kept as the record of who exported what, when."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            metavar="N",
            help=f"keep files this many days (default: {settings.MSQ_EXPORT_RETENTION_DAYS})",
        )

    def handle(self, *args, days=None, **options):
        days = settings.MSQ_EXPORT_RETENTION_DAYS if days is None else days
        try:
            cutoff = export_files_cutoff(days=days)
        except ValueError as error:
            raise CommandError(str(error)) from error
        expired = export_files_expire(older_than=cutoff)
        self.stdout.write(
            self.style.SUCCESS(f"{expired} export file(s) older than {days} day(s) expired.")
        )
