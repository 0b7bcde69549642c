"""Links per second and peak memory of the link checker: 193 countries x 80 links.

    .venv/bin/python bench/bench_linkcheck.py          # SQLite in a temporary directory
    .venv/bin/python bench/bench_linkcheck.py --countries 20 --concurrency 16

Every submission lists 80 distinct links (15,440 URLs in all) pointing at a
local HTTP server on 127.0.0.1 (allowed by the test allow-list, politeness off
since every URL has the same host). Each submission is checked by the service
the Celery task runs (linkcheck.services.submission_links_check), one after the
other, so the figure is one worker process's throughput with its thread pool of
LINKCHECK_CONCURRENCY. The server runs in a child process so that it does not
share this process's interpreter lock. Reports links/s and the peak resident
memory (ru_maxrss, interpreter and Django included).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINKS_PER_COUNTRY = 80

SERVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def do_GET(self):
        body = b"<html><body>ok</body></html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
httpd.daemon_threads = True
print(httpd.server_address[1], flush=True)
httpd.serve_forever()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--countries", type=int, default=193)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="msq-bench-links-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["LINKCHECK_ALLOWED_TEST_HOSTS"] = "127.0.0.1"
    os.environ["LINKCHECK_HOST_INTERVAL_SECONDS"] = "0"
    os.environ["LINKCHECK_CONCURRENCY"] = str(args.concurrency)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msq_portal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.countries import countries_load
    from accounts.models import Country
    from linkcheck.models import LinkCheck
    from linkcheck.services import submission_links_check
    from questionnaire.editions.loading import edition_load
    from questionnaire.editions.reading import edition_path
    from questionnaire.models import Answer, Submission

    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        call_command("migrate", verbosity=0)
        if not Country.objects.exists():
            countries_load(country_model=Country)
        edition = edition_load(path=edition_path("msq-2020")).edition
        questions = [q for q in edition.questions.order_by("order") if q.kind == "links"]
        per_question = -(-LINKS_PER_COUNTRY // len(questions))
        countries = list(Country.objects.order_by("name")[: args.countries])
        submissions = Submission.objects.bulk_create(
            [Submission(edition=edition, country=country) for country in countries]
        )
        answers = []
        for submission, country in zip(submissions, countries, strict=True):
            urls = [f"http://127.0.0.1:{port}/{country.iso3}/{n}" for n in range(LINKS_PER_COUNTRY)]
            for index, question in enumerate(questions):
                chunk = urls[index * per_question : (index + 1) * per_question]
                if chunk:
                    rows = [{"name": "site", "url": url, "note": ""} for url in chunk]
                    answers.append(
                        Answer(submission=submission, question=question, value={"links": rows})
                    )
        Answer.objects.bulk_create(answers)

        started = time.perf_counter()
        fetched = sum(
            submission_links_check(submission_id=submission.pk) for submission in submissions
        )
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        states = dict(
            LinkCheck.objects.values_list("state").annotate(n=django.db.models.Count("id"))
        )
        print(
            f"{len(submissions)} countries x {LINKS_PER_COUNTRY} links: {fetched} URLs fetched "
            f"in {elapsed:.1f} s = {fetched / elapsed:.0f} links/s; "
            f"peak memory {peak_mb:.0f} MB; concurrency {args.concurrency}; states {states}"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
