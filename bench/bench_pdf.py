"""Render time of submission PDFs: one full submission in-process, and 193 through real workers.

    .venv/bin/python bench/bench_pdf.py single [--runs 15]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/msq_bench_pdf \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/13 \
        .venv/bin/python bench/bench_pdf.py batch [--concurrency 2]

`single` (SQLite in a temporary directory) renders the same fully answered
submission --runs times after one warm-up, timing snapshot + HTML + WeasyPrint
(`questionnaire.pdf.render.submission_pdf`, what the task runs before storing), and
reports the median and 90th percentile wall and CPU times. The document: every
question of the MSQ 2020 answered (`tests.factories.answers_full`), texts
several paragraphs long in Latin, Cyrillic, Arabic and Chinese, 3 links per
links question (81 links). Target: under 1 s median.

`batch` (PostgreSQL and Redis; the database named in DATABASE_URL must contain
"bench": it is dropped and created again) builds 193 such submissions, one per
Member State, starts one `celery worker` with --concurrency prefork processes
on the broker, queues the 193 renderings as the submit service does
(pdf_render_queue) and waits until every PDF is stored; it reports the wall
time, PDFs per minute and the median task time from the worker's log, and
checks every stored file against its recorded SHA-256.

`compare --baseline DIR` (SQLite) measures this tree against another checkout of the
project (e.g. the previous commit, `git archive HEAD~1 | tar -x -C DIR`) in one run: one
child process per tree builds the same document and warms up, then the two render in
turn, one rendering at a time, the order swapped every round, so both see the same load.
It reports each side's median wall and CPU time and the median of the per-round ratios
(this tree / baseline).

`instructions [--baseline DIR]` counts the instructions one rendering executes, with
valgrind's callgrind (Debian's valgrind): repeatable to a few parts in ten thousand whatever
else the machine is doing, where CPU seconds on a shared 2-core virtual machine vary by
±10 % from one run to the next. Each tree writes the document's HTML once (`dump-html`,
outside valgrind); then `render-file` renders that file once and twice under callgrind, and
the difference is one warm rendering (HTML parsing, layout, drawing, writing the PDF),
without Python's start-up, Django's set-up and the first rendering's font loading. Four
callgrind runs, two at a time: about 5 minutes.

Figures go in bench/README.md; a JSON copy in test-output/bench-pdf-<mode>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINKS_PER_QUESTION = 3
# A queue of its own: a Redis database shared with other work must not hand these tasks to
# another project's workers, nor theirs to the bench's.
BENCH_QUEUE = "msq_bench_pdf"


def _django(
    workdir: Path, *, database_url: str | None, broker_url: str | None, root: Path = ROOT
) -> None:
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.pop("REDIS_URL", None)
    if broker_url:
        os.environ["CELERY_BROKER_URL"] = broker_url
    else:
        os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msq_portal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(root))
    import django

    django.setup()


def _load():
    from django.core.management import call_command

    from accounts.countries import countries_load
    from accounts.models import Country
    from questionnaire.editions.loading import edition_load
    from questionnaire.editions.reading import edition_path

    call_command("migrate", verbosity=0)
    if not Country.objects.exists():
        countries_load(country_model=Country)
    return edition_load(path=edition_path("msq-2020")).edition


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def single(runs: int) -> dict:
    from questionnaire.pdf.render import submission_pdf
    from questionnaire.selectors import submission_snapshot

    submission = _full_submission()
    content = submission_pdf(submission_snapshot(submission=submission))  # warm-up: fonts
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        content = submission_pdf(submission_snapshot(submission=submission))
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    import io

    from pypdf import PdfReader

    links = sum(
        len(answer.value.get("links", []))
        for answer in submission.answers.all()
        if isinstance(answer.value, dict)
    )
    return {
        "mode": "single",
        "runs": runs,
        "pages": len(PdfReader(io.BytesIO(content)).pages),
        "bytes": len(content),
        "links": links,
        "median_wall_s": round(statistics.median(wall), 3),
        "p90_wall_s": round(_percentile(wall, 0.9), 3),
        "median_cpu_s": round(statistics.median(cpu), 3),
        "load_average": os.getloadavg(),
    }


def _full_submission():
    from accounts.models import Country
    from tests.factories import submission_full

    return submission_full(
        edition=_load(),
        country=Country.objects.get(iso3="UZB"),
        long=True,
        links_per_question=LINKS_PER_QUESTION,
    )


def serve() -> None:
    """The child of `compare`: one rendering per line read on stdin, its times as JSON."""
    from questionnaire.pdf.render import submission_pdf
    from questionnaire.selectors import submission_snapshot

    submission = _full_submission()
    submission_pdf(submission_snapshot(submission=submission))  # warm-up: fonts, templates
    print(json.dumps({"ready": True}), flush=True)
    for _ in sys.stdin:
        started, started_cpu = time.perf_counter(), time.process_time()
        content = submission_pdf(submission_snapshot(submission=submission))
        wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        print(json.dumps({"wall": wall, "cpu": cpu, "bytes": len(content)}), flush=True)


def compare(runs: int, baseline: Path) -> dict:
    """This tree against `baseline`, interleaved (see the module's docstring)."""
    children = {}
    for name, root in (("baseline", baseline.resolve()), ("this", ROOT)):
        children[name] = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "serve", "--root", str(root)],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
    try:
        for child in children.values():
            json.loads(child.stdout.readline())  # ready
        times: dict[str, list[dict]] = {name: [] for name in children}
        for round_number in range(runs):
            order = list(children) if round_number % 2 == 0 else list(children)[::-1]
            for name in order:
                children[name].stdin.write("go\n")
                children[name].stdin.flush()
                times[name].append(json.loads(children[name].stdout.readline()))
    finally:
        for child in children.values():
            child.stdin.close()
            child.wait(timeout=60)
    result: dict = {"mode": "compare", "runs": runs, "baseline": str(baseline)}
    for name, measured in times.items():
        result[name] = {
            "median_wall_s": round(statistics.median(m["wall"] for m in measured), 3),
            "p90_wall_s": round(_percentile([m["wall"] for m in measured], 0.9), 3),
            "median_cpu_s": round(statistics.median(m["cpu"] for m in measured), 3),
            "bytes": measured[-1]["bytes"],
        }
    pairs = list(zip(times["this"], times["baseline"], strict=True))
    result["ratio_wall"] = round(statistics.median(a["wall"] / b["wall"] for a, b in pairs), 3)
    result["ratio_cpu"] = round(statistics.median(a["cpu"] / b["cpu"] for a, b in pairs), 3)
    result["load_average"] = os.getloadavg()
    return result


def dump_html(out: Path) -> None:
    """The full submission's PDF HTML, as the task renders it, into `out`."""
    from questionnaire.pdf.render import submission_html
    from questionnaire.selectors import submission_snapshot

    submission = _full_submission()
    out.write_text(submission_html(submission_snapshot(submission=submission), draft=False))


def render_file(html_path: Path, times: int) -> None:
    """Render `html_path` `times` times through the project's renderer (under callgrind)."""
    from questionnaire.pdf.render import html_to_pdf

    html = html_path.read_text()
    for _ in range(times):
        html_to_pdf(html)


CALLGRIND_TOTAL = re.compile(r"Collected : (\d+)")


def _callgrind_total(root: Path, html_path: Path, times: int, workdir: Path) -> int:
    completed = subprocess.run(
        [
            "valgrind", "--tool=callgrind", f"--callgrind-out-file={workdir / 'callgrind.%p'}",
            sys.executable, str(Path(__file__).resolve()), "render-file",
            "--root", str(root), "--html", str(html_path), "--runs", str(times),
        ],
        cwd=root, capture_output=True, text=True, check=True,
    )  # fmt: skip
    total = int(CALLGRIND_TOTAL.findall(completed.stderr)[-1])
    print(f"{root}: {times} rendering(s), {total:,} instructions", file=sys.stderr, flush=True)
    return total


def instructions(baseline: Path | None, workdir: Path) -> dict:
    """Instructions of one warm rendering, for this tree and `baseline` (see the docstring)."""
    from concurrent.futures import ThreadPoolExecutor

    roots = {"this": ROOT} | ({"baseline": baseline.resolve()} if baseline else {})
    html_paths = {}
    for name, root in roots.items():
        html_paths[name] = workdir / f"{name}.html"
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "dump-html",
             "--root", str(root), "--html", str(html_paths[name])],
            cwd=root, check=True,
        )  # fmt: skip
    runs = [(name, times) for name in roots for times in (1, 2)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        totals = dict(
            zip(
                runs,
                pool.map(
                    lambda run: _callgrind_total(
                        roots[run[0]], html_paths[run[0]], run[1], workdir
                    ),
                    runs,
                ),
                strict=True,
            )
        )
    result: dict = {"mode": "instructions"}
    for name in roots:
        result[name] = {
            "instructions_per_rendering": totals[(name, 2)] - totals[(name, 1)],
            "html_bytes": html_paths[name].stat().st_size,
        }
    if baseline:
        result["baseline_root"] = str(baseline)
        result["ratio"] = round(
            result["this"]["instructions_per_rendering"]
            / result["baseline"]["instructions_per_rendering"],
            3,
        )
    return result


def _recreate_database(database_url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg2

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(
            f"Refusing to drop {name!r}: the batch database's name must contain 'bench'."
        )
    connection = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, dbname="postgres"
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def batch(concurrency: int, workdir: Path) -> dict:
    import hashlib

    from django.core.files.storage import default_storage

    from accounts.models import Country
    from msq_portal.celery import app
    from questionnaire.models import Submission
    from questionnaire.pdf.services import pdf_render_queue
    from tests.factories import answers_full, submission_full

    edition = _load()
    values = answers_full(edition, long=True, links_per_question=LINKS_PER_QUESTION)
    for country in Country.objects.order_by("name"):
        submission_full(edition=edition, country=country, values=values)
    total = Submission.objects.count()

    log_path = ROOT / "test-output" / "bench-pdf-worker.log"
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "msq_portal", "worker",
                "--loglevel=INFO", f"--concurrency={concurrency}", "--purge",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "-Q", BENCH_QUEUE,
            ],
            cwd=ROOT,
            env={**os.environ, "LOG_LEVEL": "INFO"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while "ready." not in log_path.read_text():
                if time.monotonic() > deadline or worker.poll() is not None:
                    raise SystemExit(f"The worker did not start; see {log_path}")
                time.sleep(0.5)
            app.conf.task_default_queue = BENCH_QUEUE
            started = time.perf_counter()
            for submission in Submission.objects.select_related("country", "edition"):
                pdf_render_queue(submission=submission)
            while (done := Submission.objects.filter(pdf_version=1).count()) < total:
                if time.perf_counter() - started > 3600:
                    raise SystemExit(f"Only {done} of {total} PDFs after an hour")
                time.sleep(1)
            elapsed = time.perf_counter() - started
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    task_times = [
        float(seconds)
        for seconds in re.findall(
            r"task_render_submission_pdf\[[^\]]+\] succeeded in ([\d.]+)s", log_path.read_text()
        )
    ]
    mismatched = [
        submission.country.iso3
        for submission in Submission.objects.select_related("country")
        if hashlib.sha256(default_storage.open(submission.pdf.name).read()).hexdigest()
        != submission.pdf_sha256
    ]
    files = list((workdir / "media" / "submissions" / "pdf").glob("*.pdf"))
    return {
        "mode": "batch",
        "submissions": total,
        "worker_processes": concurrency,
        "wall_s": round(elapsed, 1),
        "pdfs_per_minute": round(total / elapsed * 60, 1),
        "median_task_s": round(statistics.median(task_times), 3) if task_times else None,
        "tasks_logged": len(task_times),
        "files": len(files),
        "sha256_mismatches": mismatched,
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "mode",
        choices=["single", "batch", "compare", "instructions", "serve", "dump-html", "render-file"],
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--baseline", type=Path, help="compare: the other checkout's root")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="serve, dump-html, render-file: whose code runs"
    )
    parser.add_argument("--html", type=Path, help="dump-html, render-file: the document's HTML")
    args = parser.parse_args()
    if args.mode in {"serve", "dump-html", "render-file"}:
        with tempfile.TemporaryDirectory(prefix="msq-bench-pdf-") as tmp:
            # The other checkout's code, not this one's.
            _django(Path(tmp), database_url=None, broker_url=None, root=args.root.resolve())
            if args.mode == "serve":
                serve()
            elif args.mode == "dump-html":
                dump_html(args.html)
            else:
                render_file(args.html, args.runs)
        return
    if args.mode == "compare" and not args.baseline:
        raise SystemExit("compare needs --baseline DIR (another checkout of the project).")
    with tempfile.TemporaryDirectory(prefix="msq-bench-pdf-") as tmp:
        workdir = Path(tmp)
        if args.mode == "single":
            _django(workdir, database_url=None, broker_url=None)
            result = single(args.runs)
        elif args.mode == "compare":
            result = compare(args.runs, args.baseline)
        elif args.mode == "instructions":
            result = instructions(args.baseline, workdir)
        else:
            database_url = os.environ.get("DATABASE_URL", "")
            broker_url = os.environ.get("CELERY_BROKER_URL", "")
            if not database_url.startswith("postgres") or not broker_url:
                raise SystemExit("batch needs DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL.")
            _recreate_database(database_url)
            _django(workdir, database_url=database_url, broker_url=broker_url)
            result = batch(args.concurrency, workdir)
    print(json.dumps(result, indent=2))
    output = ROOT / "test-output" / f"bench-pdf-{args.mode}.json"
    output.parent.mkdir(exist_ok=True)
    output.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
