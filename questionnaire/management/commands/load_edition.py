from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from questionnaire.editions.lifecycle import EditionLifecycleError, edition_transition
from questionnaire.editions.loading import edition_load
from questionnaire.editions.reading import edition_path
from questionnaire.editions.states import EditionAction, EditionState
from questionnaire.editions.texts import EditionFileError
from questionnaire.models import Edition


class Command(BaseCommand):
    help = (
        "Load or update a questionnaire edition from its data file. Give an edition code "
        "(msq-2020, read from questionnaire/editions/) or a path to a YAML file. A new "
        "edition is planned: a reviewer opens it in the admin (or --open)."
    )

    def add_arguments(self, parser):
        parser.add_argument("edition", nargs="?", default="msq-2020")
        parser.add_argument(
            "--open",
            action="store_true",
            dest="open_edition",
            help=(
                "Open the edition for officials if it is planned and no edition is open "
                "(make run's first set-up); otherwise say why it stays as it is."
            ),
        )

    def handle(self, *args, edition, open_edition=False, **options):
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
        else:
            self._report(edition_obj, result)
        if open_edition:
            self._open(edition_obj)

    def _open(self, edition: Edition) -> None:
        """Open a planned edition when none is open; never closes another (that is the
        admin's confirmed step), never reopens a closed one."""
        other = Edition.objects.filter(state=EditionState.OPEN).exclude(pk=edition.pk).first()
        if edition.state == EditionState.OPEN:
            self.stdout.write(f"{edition.code}: open.")
        elif other is not None or edition.state != EditionState.PLANNED:
            reason = f"{other.code} is open" if other else f"it is {edition.state}"
            self.stdout.write(f"{edition.code}: not opened ({reason}); change it in the admin.")
        else:
            try:
                edition_transition(edition=edition, action=EditionAction.OPEN, actor=None)
            except EditionLifecycleError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"{edition.code}: opened for officials.")

    def _report(self, edition_obj: Edition, result) -> None:
        self.stdout.write(
            f"{edition_obj.code}: {len(result.created)} created, {len(result.updated)} updated, "
            f"{len(result.removed)} removed "
            f"({edition_obj.sections.count()} sections, {edition_obj.questions.count()} questions)."
        )
