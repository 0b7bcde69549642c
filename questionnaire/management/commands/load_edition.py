from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from questionnaire.editions.loading import edition_load
from questionnaire.editions.reading import edition_path
from questionnaire.editions.texts import EditionFileError


class Command(BaseCommand):
    help = (
        "Load or update a questionnaire edition from its data file. Give an edition code "
        "(msq-2020, read from questionnaire/editions/) or a path to a YAML file."
    )

    def add_arguments(self, parser):
        parser.add_argument("edition", nargs="?", default="msq-2020")

    def handle(self, *args, edition, **options):
        path = Path(edition) if edition.endswith((".yaml", ".yml")) else edition_path(edition)
        if not path.exists():
            raise CommandError(f"{path}: no such edition file.")
        try:
            result = edition_load(path=path)
        except EditionFileError as error:
            raise CommandError(f"Nothing was loaded. {error}") from error
        edition_obj = result.edition
        if not result.changed:
            self.stdout.write(f"{edition_obj.code}: already up to date, nothing changed.")
            return
        self.stdout.write(
            f"{edition_obj.code}: {len(result.created)} created, {len(result.updated)} updated, "
            f"{len(result.removed)} removed "
            f"({edition_obj.sections.count()} sections, {edition_obj.questions.count()} questions)."
        )
