"""Render submission PDFs again, or those still missing, in this process or through the workers."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Country
from questionnaire.models import Edition, Submission
from questionnaire.pdf.services import (
    PdfOutcome,
    pdf_is_stored,
    pdf_lease_release,
    pdf_lease_take,
    pdf_render_queue,
    submission_pdf_render,
)

# A version a worker (or another run of this command) is rendering right now.
BUSY = "already queued or rendering"


class Command(BaseCommand):
    help = (
        "Render the PDF of submitted versions: --country ISO3 renders that country's again, "
        "--all-missing renders every submitted version whose PDF is not stored, whose file is "
        "gone or does not match its SHA-256, except those a worker is rendering. "
        "Renders here unless --queue hands them to the Celery workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--country", metavar="ISO3", help="a country's ISO 3166 alpha-3 code")
        parser.add_argument(
            "--all-missing",
            action="store_true",
            help="every submitted version without a stored PDF, failed ones included",
        )
        parser.add_argument("--edition", help="edition code (default: every edition)")
        parser.add_argument(
            "--queue", action="store_true", help="queue Celery tasks instead of rendering here"
        )

    def handle(self, *args, country=None, all_missing=False, edition=None, queue=False, **options):
        if not country and not all_missing:
            raise CommandError("Say what to render: --country ISO3 and/or --all-missing.")
        submissions = (
            Submission.objects.filter(submitted_version__isnull=False)
            .exclude(status=Submission.Status.DRAFT)
            .select_related("country", "edition")
            .order_by("country__iso3", "edition__code")
        )
        if edition:
            if not Edition.objects.filter(code=edition).exists():
                raise CommandError(f"No edition {edition!r} is loaded.")
            submissions = submissions.filter(edition__code=edition)
        force = bool(country)
        if country:
            if not Country.objects.filter(iso3=country.upper()).exists():
                raise CommandError(f"{country!r} is not the ISO3 code of a UN Member State.")
            submissions = submissions.filter(country__iso3=country.upper())
        chosen = [
            submission
            for submission in submissions
            if force
            or not pdf_is_stored(submission=submission, version=submission.submitted_version)
        ]
        if not chosen:
            self.stdout.write("Nothing to render.")
            return
        counts: dict[str, int] = {}
        for submission in chosen:
            version = submission.submitted_version
            label = f"{submission.country.iso3} {submission.edition.code} v{version}"
            if queue:
                outcome = "queued" if pdf_render_queue(submission=submission, force=force) else BUSY
            else:
                outcome = self._render_here(submission=submission, version=version, force=force)
            counts[str(outcome)] = counts.get(str(outcome), 0) + 1
            style = self.style.ERROR if outcome == PdfOutcome.FAILED else self.style.SUCCESS
            self.stdout.write(style(f"{label}: {outcome}"))
        self.stdout.write(", ".join(f"{count} {name}" for name, count in sorted(counts.items())))
        if counts.get(PdfOutcome.FAILED):
            raise CommandError(f"{counts[PdfOutcome.FAILED]} PDF(s) failed; see pdf_error.")

    @staticmethod
    def _render_here(*, submission: Submission, version: int, force: bool) -> str:
        """Render in this process, unless (without --country) a worker already has it."""
        if not pdf_lease_take(submission_id=submission.pk, version=version) and not force:
            return BUSY
        try:
            return submission_pdf_render(submission_id=submission.pk, version=version, force=force)
        finally:
            pdf_lease_release(submission_id=submission.pk, version=version)
