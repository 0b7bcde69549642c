"""Time and peak memory of each full export of 193 fully answered submissions.

    .venv/bin/python bench/bench_exports.py       # SQLite in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/msq_bench .venv/bin/python \
        bench/bench_exports.py

It builds the data set once (193 Member States, every question answered with
long multi-script texts and 5 links per links question, a 250 kB PDF each),
then runs every exporter through the export job service (the code a Celery
worker runs) in its own child process, and reports wall time, the child's
peak resident memory (ru_maxrss, which includes the interpreter and Django)
and the file size. The target: under 200 MB peak for each export.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINKS_PER_QUESTION = 5
PDF_BYTES = 250 * 1024


def _setup(workdir: Path) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msq_portal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _vary(value, tag: str, key: str = ""):
    """The same answers made unique to one country, as real ones are (no shared strings)."""
    if isinstance(value, dict):
        return {k: _vary(v, tag, k) for k, v in value.items()}
    if isinstance(value, list):
        return value if key == "selected" else [_vary(item, tag, key) for item in value]
    if isinstance(value, str) and len(value) > 3 and key != "value":
        return f"{value} [{tag}]"
    return value


def prepare(*, countries: int = 193) -> None:
    """The data set for the first `countries` Member States by name (all 193 by default)."""
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    from accounts.countries import countries_load
    from accounts.models import Country
    from questionnaire.editions.loading import edition_load
    from questionnaire.editions.reading import edition_path
    from questionnaire.models import Submission
    from tests.factories import answers_full, submission_full

    call_command("migrate", verbosity=0)
    if not Country.objects.exists():
        countries_load(country_model=Country)
    edition = edition_load(path=edition_path("msq-2020")).edition
    Submission.objects.filter(edition=edition).delete()
    values = answers_full(edition, links_per_question=LINKS_PER_QUESTION, long=True)
    for country in Country.objects.order_by("name")[:countries]:
        submission = submission_full(
            edition=edition, country=country, values=_vary(values, country.iso3)
        )
        # Incompressible bytes, like the fonts and images of a real PDF, with the digest a
        # rendering records: without it pdf_zip would take each file for a damaged one and
        # queue a repair (a real rendering) instead of packing it.
        content = b"%PDF-1.7\n" + os.urandom(PDF_BYTES)
        submission.pdf.save(f"{country.iso3}.pdf", ContentFile(content), save=False)
        submission.pdf_sha256 = hashlib.sha256(content).hexdigest()
        submission.pdf_version = 1
        submission.save(update_fields=["pdf", "pdf_sha256", "pdf_version"])


def run(identifier: str) -> None:
    """One export through the job service, in this (child) process."""
    from accounts.models import User
    from questionnaire.exports.jobs import export_job_run
    from questionnaire.models import Edition, ExportJob

    user, _created = User.objects.get_or_create(email="bench@un.example.org", is_staff=True)
    job = ExportJob.objects.create(
        edition=Edition.objects.get(code="msq-2020"), exporter=identifier, created_by=user
    )
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    if job.status != ExportJob.Status.DONE:
        raise SystemExit(f"{identifier} failed: {job.error}")
    print(job.file.size)


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: reset at exec, unlike ru_maxrss of a fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--only", nargs="+", metavar="FORMAT", help="run only these exporters (identifiers)"
    )
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.run:
        _setup(Path(arguments.workdir))
        if arguments.run == "baseline":
            import questionnaire.exports.jobs  # noqa: F401 - what every export imports

            print(0)
        else:
            run(arguments.run)
        print(f"{_peak_rss_mb():.0f}")
        return

    with tempfile.TemporaryDirectory(prefix="msq-bench-") as workdir:
        _setup(Path(workdir))
        from django.db import connection

        from questionnaire.exports.registry import EXPORTERS

        started = time.perf_counter()
        prepare()
        print(
            f"data set: 193 submissions on {connection.vendor}, "
            f"prepared in {time.perf_counter() - started:.1f} s"
        )
        connection.close()
        print(f"{'export':<10} {'time (s)':>9} {'peak RSS (MB)':>14} {'file (MB)':>10}")
        for identifier in ["baseline", *(arguments.only or EXPORTERS)]:
            started = time.perf_counter()
            child = subprocess.Popen(
                [sys.executable, __file__, "--run", identifier, "--workdir", workdir],
                stdout=subprocess.PIPE,
                env=os.environ.copy(),
            )
            output, _errors = child.communicate()
            elapsed = time.perf_counter() - started
            if child.returncode != 0:
                raise SystemExit(f"{identifier}: the export failed ({output.decode()})")
            size, peak = output.decode().split()[-2:]
            print(
                f"{identifier:<10} {elapsed:>9.1f} {float(peak):>14.0f} "
                f"{int(size) / 1024 / 1024:>10.1f}"
            )


if __name__ == "__main__":
    main()
