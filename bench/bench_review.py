"""Time and queries of the reviewers' list pages for 193 fully answered submissions.

    .venv/bin/python bench/bench_review.py       # SQLite in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/msq_bench .venv/bin/python \
        bench/bench_review.py --runs 20

It builds the data set of bench_exports.py (193 Member States, every MSQ 2020
question answered with long multi-script texts, 5 links per links question),
signs a reviewer in, then requests through Django's test client (the whole
middleware stack and the template rendering, no network):

- the submissions list by Member State (/staff/submissions/), all 193 rows, with
  each submission's progress remembered (questionnaire.progress) and, as "cold
  cache", computed again on every request;
- the question across countries view for q15 (multiple choice with its chart) and
  q1 (links), /staff/questions/<code>/.

DEBUG is off, as in production (template debugging and the query log cost time).
Each page is requested once to warm up, then `--runs` times; it prints the median
and the slowest wall time in milliseconds, the median CPU time of this process (the
Python side alone: on a machine shared with other work it varies less than the
wall time), and the queries of one request (counted on a separate request, as
counting slows the database calls). Target: under 300 ms each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_exports import _setup, prepare

# (name, URL, whether each run starts with an empty cache).
PAGES = [
    ("submissions list", "/staff/submissions/", False),
    # Every progress computed again: the first request after the answers changed everywhere.
    ("list, cold cache", "/staff/submissions/", True),
    ("question q15", "/staff/questions/q15/", False),
    ("question q1", "/staff/questions/q1/", False),
]


def measure(*, runs: int) -> list[dict]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ReviewerFactory

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(ReviewerFactory(email=f"bench-{uuid.uuid4().hex}@un.example.org"))
    results = []
    for name, url, cold in PAGES:
        assert client.get(url).status_code == 200, url  # warm-up: caches, templates
        timings, cpu = [], []
        for _run in range(runs):
            if cold:
                cache.clear()
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, url
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        results.append(
            {
                "page": name,
                "url": url,
                "median_ms": round(statistics.median(timings)),
                "max_ms": round(max(timings)),
                "cpu_ms": round(statistics.median(cpu)),
                "queries": len(queries),
                "kb": round(len(response.content) / 1024),
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    parser.add_argument("--countries", type=int, default=193, help="fully answered submissions")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data set already in DATABASE_URL"
    )
    args = parser.parse_args()
    # As in production: no template debugging, no query log.
    os.environ["DJANGO_DEBUG"] = "false"
    with tempfile.TemporaryDirectory() as workdir:
        _setup(Path(workdir))
        from django.db import connection

        print(f"{args.countries} fully answered submissions on {connection.vendor}")
        if args.reuse:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        else:
            prepare(countries=args.countries)
        print(
            f"{'page':<18} {'median ms':>10} {'max ms':>8} {'CPU ms':>8} {'queries':>8} {'kB':>6}"
        )
        for row in measure(runs=args.runs):
            print(
                f"{row['page']:<18} {row['median_ms']:>10} {row['max_ms']:>8} {row['cpu_ms']:>8} "
                f"{row['queries']:>8} {row['kb']:>6}"
            )


if __name__ == "__main__":
    main()
