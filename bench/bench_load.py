"""Load benchmark: simulated country officials against gunicorn on PostgreSQL.

What it does, in one run (see bench/README.md for the figures and the command):

1. builds a bench database (drops and recreates it): migrations, the MSQ 2020,
   one focal point in each of N different countries;
2. starts gunicorn (sync workers, DEBUG off) on that database;
3. with locust's library (headless, in this process):
   - "ceiling": N clients hammering GET /healthz (a login_not_required view
     doing one `SELECT 1`: the bare-Django ceiling of this server);
   - "ceiling-signed-in": the same view requested with an official's session
     (session read and saved, user loaded, the security middleware);
   - "officials": N officials signed in through the real form, each on their
     own country's section page, opening the step (GET), autosaving (JSON
     POST to the autosave endpoint) and saving (the whole form, POST + the
     redirect GET), with no pause between requests (capacity);
   - "officials-paced": the same with a think time of 0.5-1.5 s between
     requests (50 people autosaving about once a second: far busier than
     real officials, who autosave after typing pauses);
   (--phases picks and orders them; more phases: "minimal", the minimal audited
   save of msq_portal.bench_views as a second ceiling; "autosave-json",
   "autosave-form" (what static/js/filling.js sends) and "step-cycle" (the whole
   form POSTed, then the redirect's page), each alone with no pause.
   gunicorn runs with MSQ_BENCH_MINIMAL_SAVE=1: every response carries its app
   CPU ms and SQL statements, printed per request kind with the ratios to the
   minimal save); "survey-cycle" runs the same save-and-next-page cycle against
   the open-source survey app django-survey-and-report (--survey-gunicorn and
   --survey-site: set up outside the repository, see bench/README.md), and
   "step-cycle-baseline" against another checkout of the portal (--baseline-root,
   e.g. the previous commit) served on the same database, so that before and
   after alternate in one run; a phase may be named more than once;
4. checks the database: for every official, the last saved text is the stored
   answer and the submission's version counts every acknowledged save (no
   save lost, none applied twice).

It exits non-zero if any request failed or any saved answer is missing.
Not part of the test suite. Needs PostgreSQL (trust auth for user postgres)
on 127.0.0.1:5432; no broker (tasks in-process: no step save queues one).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "bench-official-password-2020"  # noqa: S105 - throw-away bench accounts
SECTION = "social-media"  # q14: a free text and links, like most of the questionnaire
QUESTION = "q14"
OFFICIALS_FILE = PROJECT_ROOT / "test-output" / "bench-officials.json"


def official_email(iso3: str) -> str:
    return f"bench-{iso3.lower()}@gov.example.org"


# --- Subcommands run in a Django process (before gevent is imported) ----------


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msq_portal.settings")
    sys.path.insert(0, str(PROJECT_ROOT))
    import django

    django.setup()


def seed(database_url: str, officials: int) -> None:
    """N focal points in N different countries (the first N by ISO3 code)."""
    _django(database_url)
    from django.contrib.auth.hashers import make_password

    from accounts.models import Country, User

    password = make_password(PASSWORD)
    countries = list(Country.objects.order_by("iso3")[:officials])
    User.objects.bulk_create(
        User(
            email=official_email(country.iso3),
            password=password,
            country=country,
            role=User.Role.FOCAL_POINT,
            full_name=f"Bench official of {country.name}",
        )
        for country in countries
    )
    # The minimal save updates one existing answer of an existing submission: both made here
    # (version 1 and a CREATED event, as the first save would make them).
    from msq_portal.bench_views import MINIMAL_SAVE_QUESTION
    from questionnaire.filling.services import submission_get_or_create
    from questionnaire.models import Answer, Question
    from questionnaire.selectors import edition_current

    edition = edition_current()
    question = Question.objects.get(edition=edition, code=MINIMAL_SAVE_QUESTION)
    for country in countries:
        official = User.objects.get(email=official_email(country.iso3))
        submission = submission_get_or_create(edition=edition, country=country, user=official)
        Answer.objects.create(
            submission=submission, question=question, value={"details": "seed"}, updated_by=official
        )
    OFFICIALS_FILE.parent.mkdir(exist_ok=True)
    OFFICIALS_FILE.write_text(json.dumps([official_email(country.iso3) for country in countries]))
    print(f"seeded {len(countries)} officials in {len(countries)} countries")


def verify(database_url: str, expected_path: str) -> int:
    """Compare what the officials were told was saved with the database."""
    _django(database_url)
    from questionnaire.models import Answer, Submission, SubmissionEvent

    expected = json.loads(Path(expected_path).read_text())
    missing = []
    for email, record in expected.items():
        submission = Submission.objects.get(country__officials__email=email)
        answer = Answer.objects.filter(submission=submission, question__code=QUESTION).first()
        stored = answer.value.get("details") if answer else None
        if record["last_text"] is not None and stored != record["last_text"]:
            missing.append(f"{email}: stored {stored!r}, last saved {record['last_text']!r}")
        # Every acknowledged save changed the text, so it bumped the version once; so did
        # every minimal save (another question, its own event).
        saves = record["saves"] + record.get("minimal", 0)
        if submission.version != 1 + saves:
            missing.append(f"{email}: version {submission.version}, expected 1 + {saves} saves")
        events = SubmissionEvent.objects.filter(
            submission=submission, kind=SubmissionEvent.Kind.ANSWERS_SAVED
        ).count()
        if events != saves:
            missing.append(f"{email}: {events} save events, {saves} acknowledged saves")
    total = sum(record["saves"] + record.get("minimal", 0) for record in expected.values())
    print(
        json.dumps(
            {"officials": len(expected), "acknowledged_saves": total, "problems": missing[:20]}
        )
    )
    return 1 if missing else 0


# --- The page's form, as a browser would post it ------------------------------


class FormFields(HTMLParser):
    """The fields of the section form (the one carrying base_version, or `key_field`), with
    their values."""

    def __init__(self, key_field: str = "base_version"):
        super().__init__()
        self.key_field = key_field
        self._key_seen = False
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._textarea: str | None = None
        self._textarea_text: list[str] = []
        self._select: str | None = None
        self._form_depth = 0
        self.csrf = ""
        self.base_version = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._in_form = True
            self._form_fields_start = len(self.fields)
        if not self._in_form:
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            name = a.get("name")
            if not name or kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.fields.append((name, a.get("value") or ""))
            if name == "csrfmiddlewaretoken":
                self.csrf = a.get("value") or ""
            if name == "base_version":
                self.base_version = int(a.get("value") or 0)
            self._key_seen = self._key_seen or name == self.key_field
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._key_seen = self._key_seen or self._textarea == self.key_field
            self._textarea_text = []
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value") or ""))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea_text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._textarea_text)
            # HTML drops the first newline after <textarea>.
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._in_form:
            if self._key_seen:
                self._in_form = False
                self.done = True
                raise StopIteration
            # Not the section form (sign-out, language): forget its fields.
            del self.fields[self._form_fields_start :]
            self._in_form = False


BASE_VERSION_RE = re.compile(r'name="base_version" value="(\d+)"')


def parse_form(html: str, key_field: str = "base_version") -> FormFields:
    parser = FormFields(key_field)
    with contextlib.suppress(StopIteration):  # raised once the section form is read
        parser.feed(html)
    return parser


# --- The run ------------------------------------------------------------------


def run(args) -> int:
    database_url = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    base_url = f"http://127.0.0.1:{args.port}"
    output = PROJECT_ROOT / "test-output"
    output.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
        "MEDIA_ROOT": str(output / "bench-media"),
        # msq_portal.bench_views: the minimal audited save and the CPU/SQL headers.
        "MSQ_BENCH_MINIMAL_SAVE": "1",
    }

    def manage(*command: str) -> None:
        subprocess.run([PYTHON, "manage.py", *command], cwd=PROJECT_ROOT, env=env, check=True)

    print(f"== bench database {args.db}")
    for sql in (f"DROP DATABASE IF EXISTS {args.db}", f"CREATE DATABASE {args.db}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    manage("migrate", "--noinput", "-v0")
    manage("load_edition", "msq-2020", "--open")
    subprocess.run(
        [PYTHON, __file__, "seed", "--db", args.db, "--officials", str(args.officials)],
        env=env,
        check=True,
    )

    kind = f"gthread workers x {args.threads} threads" if args.threads > 1 else "sync workers"
    print(f"== gunicorn, {args.workers} {kind}, on {base_url}")
    log = (output / "bench-gunicorn.log").open("w")

    def gunicorn(executable: str, app: str, *, port: int, cwd, **popen) -> subprocess.Popen:
        threads = ["--worker-class", "gthread", "--threads", str(args.threads)]
        return subprocess.Popen(
            [
                executable,
                app,
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                # gthread with --threads > 1: a worker overlaps requests waiting on PostgreSQL.
                *(threads if args.threads > 1 else []),
                "--timeout",
                "60",
                "--backlog",
                "512",
            ],
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            **popen,
        )

    portal_gunicorn = str(Path(PYTHON).parent / "gunicorn")
    server = gunicorn(
        portal_gunicorn, "msq_portal.wsgi:application", port=args.port, cwd=PROJECT_ROOT, env=env
    )
    baseline_server = None
    if args.baseline_root:
        # Another checkout of the portal (e.g. the previous commit) on the same database,
        # for "before" phases interleaved with this tree's in one run.
        args.baseline_url = f"http://127.0.0.1:{args.port + 2}"
        print(f"== the baseline checkout {args.baseline_root} on {args.baseline_url}")
        baseline_server = gunicorn(
            portal_gunicorn,
            "msq_portal.wsgi:application",
            port=args.port + 2,
            cwd=args.baseline_root,
            env=env,
        )
    survey_server = None
    if args.survey_gunicorn:
        # The open-source survey app for the comparison (bench/README.md says how to set it
        # up): the same worker count, the same PostgreSQL server, its own database.
        args.survey_url = f"http://127.0.0.1:{args.port + 1}"
        print(f"== the survey app, {args.workers} workers, on {args.survey_url}")
        survey_server = gunicorn(
            args.survey_gunicorn, "benchsite.wsgi:application", port=args.port + 1,
            cwd=args.survey_site,
        )  # fmt: skip
    try:
        results, expected = _load(args, base_url)
    finally:
        for process in (server, baseline_server, survey_server):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
        log.close()

    expected_path = output / "bench-load-expected.json"
    expected_path.write_text(json.dumps(expected))
    check = subprocess.run(
        [PYTHON, __file__, "verify", "--db", args.db, "--expected", str(expected_path)],
        env=env,
        capture_output=True,
        text=True,
    )
    verification = json.loads(check.stdout.strip().splitlines()[-1])
    results["verification"] = verification
    (output / "bench-load.json").write_text(json.dumps(results, indent=2))
    _print(results)
    errors = sum(
        entry["failures"] for entries in results["phases"].values() for entry in entries.values()
    )
    return 1 if errors or verification["problems"] or check.returncode else 0


def _load(args, base_url: str):
    # gevent patches the standard library: import locust only now, after the
    # subprocesses above were started with the unpatched one.
    import gevent
    from locust import FastHttpUser, between, constant, task
    from locust.env import Environment

    expected: dict[str, dict] = {}
    ready: set[str] = set()
    emails = iter([])
    # At the end of a phase no new request starts and the ones in flight are
    # awaited, so that every save the server applied is one a client recorded.
    state = {"stopping": False, "in_flight": 0}

    @contextlib.contextmanager
    def request_slot():
        """Counts a request as in flight; yields False (after a short sleep) once the
        phase is stopping, so that no new request starts then."""
        if state["stopping"]:
            gevent.sleep(0.05)
            yield False
            return
        state["in_flight"] += 1
        try:
            yield True
        finally:
            state["in_flight"] -= 1

    class Bare(FastHttpUser):
        """The ceiling: a view doing one SELECT 1 and a JSON answer, nothing else."""

        wait_time = constant(0)

        def on_start(self):
            ready.add(str(id(self)))

        @task
        def healthz(self):
            with request_slot() as allowed:
                if allowed:
                    self.client.get("/healthz", name="bare GET /healthz")

    def sign_in(user, email: str) -> None:
        """Through the real sign-in form, as a browser does (CSRF cookie and token).

        Tried up to three times: on a busy machine, 50 password checks at once can time out
        (the statistics are reset once every client is in, so a retry counts for nothing)."""
        status = None
        for _attempt in range(3):
            page = user.client.get("/accounts/login/", name="sign-in GET")
            form = parse_form(page.text or "")
            with user.client.post(
                "/accounts/login/",
                data=urlencode(
                    {"csrfmiddlewaretoken": form.csrf, "username": email, "password": PASSWORD}
                ),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                name="sign-in POST",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                status = response.status_code
                if status == 302:
                    return
                response.failure(f"sign-in refused: {status}")
            gevent.sleep(1)
        raise RuntimeError(f"{email} could not sign in: {status}")

    def form_posted(user, url: str, fields: list[tuple[str, str]], *, name: str) -> bool:
        """POST a whole form as a browser does; True when it was saved (a redirect)."""
        with user.client.post(
            url,
            data=urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{name} {response.status_code}: {response.text[:200]}")
                return False
        return True

    class SignedInBare(FastHttpUser):
        """The same bare view with an official's session: what sessions, the user and the
        security middleware cost on every signed-in request, before any questionnaire code."""

        wait_time = constant(0)

        def on_start(self):
            email = next(emails)
            sign_in(self, email)
            ready.add(email)

        @task
        def healthz(self):
            with request_slot() as allowed:
                if allowed:
                    self.client.get("/healthz", name="signed-in GET /healthz")

    class Minimal(FastHttpUser):
        """The second ceiling: an official's minimal audited save (msq_portal.bench_views):
        lock the row, update one JSON answer, bump the version, insert an audit row, commit."""

        wait_time = constant(0)

        def on_start(self):
            self.email = next(emails)
            self.record = expected.setdefault(self.email, {"last_text": None, "saves": 0})
            self.record.setdefault("minimal", 0)
            self.counter = 0
            sign_in(self, self.email)
            page = self.client.get(f"/section/{SECTION}/", name="step GET")
            form = parse_form(page.text or "")
            self.csrf, self.version = form.csrf, form.base_version
            ready.add(self.email)

        @task
        def minimal_save(self):
            with request_slot() as allowed:
                if not allowed:
                    return
                self.counter += 1
                with self.client.post(
                    "/bench/minimal-save",
                    json={"base_version": self.version, "text": f"{self.email} {self.counter}"},
                    headers={"X-CSRFToken": self.csrf},
                    name="minimal save POST",
                    catch_response=True,
                ) as response:
                    if response.status_code != 200:
                        response.failure(f"minimal save {response.status_code}")
                        return
                    self.version = response.json()["version"]
                    self.record["minimal"] += 1

    class Official(FastHttpUser):
        """A focal point on their section page: open, autosave, save.

        `mix` is {task: weight} of the phase: "open" (step GET), "autosave_json",
        "autosave_form" (what static/js/filling.js sends: the whole form, form-encoded,
        to the autosave URL) and "save" (the whole form POSTed, then the redirect's GET)."""

        wait_time = constant(0)
        section_url = f"/section/{SECTION}/"
        mix: dict[str, int] = {}

        def on_start(self):
            self.email = next(emails)
            self.record = expected.setdefault(self.email, {"last_text": None, "saves": 0})
            self.tasks_weighted = [name for name, weight in self.mix.items() for _ in range(weight)]
            self.counter = 0
            sign_in(self, self.email)
            for _attempt in range(3):  # a first page that timed out on a busy machine
                self._open_step()
                if getattr(self, "form", None) is not None:
                    break
                gevent.sleep(1)
            else:
                raise RuntimeError(f"{self.email}: the step page did not load")
            ready.add(self.email)

        def _text(self) -> str:
            self.counter += 1
            return (
                f"{self.email} #{self.counter}: Telegram, Facebook; "
                f"Правила для государственных служащих; قواعد {random.random():.6f}"
            )

        @task
        def act(self):
            choice = random.choice(self.tasks_weighted)
            with request_slot() as allowed:
                if allowed:
                    {
                        "open": self._open_step,
                        "autosave_json": self._autosave,
                        "autosave_form": self._autosave_form,
                        "save": self._save,
                    }[choice]()

        def _open_step(self, name: str = "step GET"):
            with self.client.get(self.section_url, name=name, catch_response=True) as response:
                if getattr(self, "form", None) is not None and response.status_code == 200:
                    # The fields were read once: only the version changes between pages, and
                    # parsing every page in this process took the 2 cores from the server.
                    found = BASE_VERSION_RE.search(response.text or "")
                    if found:
                        self.form.base_version = int(found.group(1))
                        return
                form = parse_form(response.text or "")
                if response.status_code != 200 or form.base_version is None:
                    response.failure(f"step page: {response.status_code}")
                    return
                self.form = form

        def _autosave(self):
            text = self._text()
            self._autosave_post(
                text,
                name="autosave POST (JSON)",
                json={
                    "base_version": self.form.base_version,
                    "values": {QUESTION: {"details": text}},
                },
                headers={"X-CSRFToken": self.form.csrf},
            )

        def _autosave_post(self, text: str, **request) -> None:
            """POST to the autosave URL; an acknowledged save is recorded for the check."""
            with self.client.post(
                f"/section/{SECTION}/autosave", catch_response=True, **request
            ) as response:
                if response.status_code != 200:
                    response.failure(f"autosave {response.status_code}: {response.text[:200]}")
                    return
                self.form.base_version = response.json()["version"]
                self.record["last_text"] = text
                self.record["saves"] += 1

        def _form_fields(self, text: str) -> list[tuple[str, str]]:
            fields = [
                (name, text if name == f"{QUESTION}-details-value" else value)
                for name, value in self.form.fields
                # Browsers do not post the inputs of a <template> (the blank link row).
                if name != "base_version" and "__prefix__" not in name
            ]
            return [*fields, ("base_version", str(self.form.base_version))]

        def _autosave_form(self):
            text = self._text()
            self._autosave_post(
                text,
                name="autosave POST (form)",
                data=urlencode(self._form_fields(text)),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-CSRFToken": self.form.csrf,
                    "X-Requested-With": "fetch",
                },
            )

        def _save(self):
            text = self._text()
            fields = [*self._form_fields(text), ("action", "save")]
            if not form_posted(self, self.section_url, fields, name="save POST (form)"):
                return
            self.record["last_text"] = text
            self.record["saves"] += 1
            # What the browser does next: follow the redirect back to the step.
            self._open_step(name="step GET (after save)")

    class SurveyOfficial(FastHttpUser):
        """The same official in the open-source survey app (django-survey-and-report) served
        by --survey-gunicorn: section VI as a one-page survey (the details text, a link's name,
        URL and note), the whole form POSTed (the app stores every answer), then the page the
        redirect leads to (the survey again, with the answers), as `Official._save` does."""

        wait_time = constant(0)
        survey_url = "/survey/1/"

        def on_start(self):
            self.email = next(emails)
            self.counter = 0
            sign_in(self, self.email)
            page = self.client.get(self.survey_url, name="survey GET")
            self.form = parse_form(page.text or "", key_field="question_1")
            if not self.form.csrf:
                raise RuntimeError(f"{self.email}: no survey form")
            ready.add(self.email)

        @task
        def save(self):
            with request_slot() as allowed:
                if not allowed:
                    return
                self.counter += 1
                text = f"{self.email} #{self.counter}: Telegram; قواعد {random.random():.6f}"
                fields = [
                    (name, text if name == "question_1" else value)
                    for name, value in self.form.fields
                ]
                if not form_posted(self, self.survey_url, fields, name="survey save POST"):
                    return
                self.client.get(self.survey_url, name="survey GET (after save)")

    # {request name: [responses with cost headers, app CPU ms, SQL statements]}, per phase.
    costs: dict[str, list[float]] = {}

    def cost_recorded(name, response=None, **_kwargs):
        headers = getattr(response, "headers", None) or {}
        cpu, sql = headers.get("X-Bench-CPU-ms"), headers.get("X-Bench-SQL")
        if cpu is None or sql is None:
            return
        entry = costs.setdefault(name, [0, 0.0, 0])
        entry[0] += 1
        entry[1] += float(cpu)
        entry[2] += int(sql)

    def phase(name: str, user_class, *, wait_time=None, mix=None, host=base_url) -> dict:
        nonlocal emails
        ready.clear()
        state["stopping"] = False
        emails = iter(json.loads(OFFICIALS_FILE.read_text()))
        if wait_time is not None:
            user_class.wait_time = wait_time
        if mix is not None:
            user_class.mix = mix
        environment = Environment(user_classes=[user_class], host=host)
        environment.events.request.add_listener(cost_recorded)
        runner = environment.create_local_runner()
        runner.start(args.officials, spawn_rate=args.spawn_rate or args.officials)
        deadline = time.monotonic() + 180
        while len(ready) < args.officials and time.monotonic() < deadline:
            gevent.sleep(0.2)
        if len(ready) < args.officials:
            runner.quit()
            raise RuntimeError(f"{name}: only {len(ready)} of {args.officials} clients started")
        environment.stats.reset_all()
        costs.clear()
        started = time.monotonic()
        gevent.sleep(args.duration)
        state["stopping"] = True
        elapsed = time.monotonic() - started
        snapshot = {
            entry.name: {
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "throughput_rps": round(entry.num_requests / elapsed, 1),
                "p50_ms": entry.get_response_time_percentile(0.5),
                "p95_ms": entry.get_response_time_percentile(0.95),
                "p99_ms": entry.get_response_time_percentile(0.99),
                "max_ms": round(entry.max_response_time or 0),
                "cpu_ms": round(costs[entry.name][1] / costs[entry.name][0], 2)
                if costs.get(entry.name, [0])[0]
                else None,
                "sql": round(costs[entry.name][2] / costs[entry.name][0], 1)
                if costs.get(entry.name, [0])[0]
                else None,
            }
            for entry in environment.stats.entries.values()
            if entry.num_requests
        }
        settle = time.monotonic() + 60
        while state["in_flight"] and time.monotonic() < settle:
            gevent.sleep(0.05)
        errors = [
            f"{error.method} {error.name}: {error.error} x{error.occurrences}"
            for error in environment.stats.errors.values()
        ]
        for entry in environment.stats.entries.values():
            if entry.name in snapshot:
                # Failures of requests that were in flight at the stop count too.
                snapshot[entry.name]["failures"] = entry.num_failures
        runner.quit()
        print(f"   {name}: {json.dumps(snapshot)}")
        if errors:
            print("   errors:", *errors[:10], sep="\n     ")
        return snapshot

    print(f"== {args.officials} clients, {args.duration} s per phase")
    load_before = os.getloadavg()
    paced = between(0.5, 1.5)
    browser_mix = {"open": 1, "autosave_form": 3, "save": 1}
    available = {
        "ceiling": lambda: phase("ceiling", Bare),
        "ceiling-signed-in": lambda: phase("ceiling-signed-in", SignedInBare),
        "minimal": lambda: phase("minimal", Minimal),
        "autosave-json": lambda: phase(
            "autosave-json", Official, wait_time=constant(0), mix={"autosave_json": 1}
        ),
        "autosave-form": lambda: phase(
            "autosave-form", Official, wait_time=constant(0), mix={"autosave_form": 1}
        ),
        "step-cycle": lambda: phase("step-cycle", Official, wait_time=constant(0), mix={"save": 1}),
        "officials": lambda: phase(
            "officials",
            Official,
            wait_time=constant(0),
            mix={"open": 1, "autosave_json": 3, "save": 1},
        ),
        "officials-paced": lambda: phase(
            "officials-paced", Official, wait_time=paced, mix=browser_mix
        ),
        "survey-cycle": lambda: phase("survey-cycle", SurveyOfficial, host=args.survey_url),
        "step-cycle-baseline": lambda: phase(
            "step-cycle-baseline",
            Official,
            wait_time=constant(0),
            mix={"save": 1},
            host=args.baseline_url,
        ),
    }
    phases = {}
    for name in args.phases.split(","):
        # A phase named twice (step-cycle,survey-cycle,step-cycle,...) runs again: "name#2".
        repeat = sum(1 for done in phases if done.split("#")[0] == name)
        phases[f"{name}#{repeat + 1}" if repeat else name] = available[name]()
    results = {
        "officials": args.officials,
        "duration_s": args.duration,
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "cpus": os.cpu_count(),
        # Other work on the machine skews every figure: recorded so a reader can tell.
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "phases": phases,
    }
    return results, expected


def _print(results: dict) -> None:
    phases = results["phases"]
    print(
        f"\n{'phase':<16} {'request':<24} {'req/s':>8} {'p50':>6} {'p95':>6} {'p99':>6} "
        f"{'fail':>5} {'CPU ms':>7} {'SQL':>5}"
    )
    for phase_name, entries in phases.items():
        for name, entry in entries.items():
            print(
                f"{phase_name:<16} {name:<24} {entry['throughput_rps']:>8} "
                f"{entry['p50_ms']:>6} {entry['p95_ms']:>6} {entry['p99_ms']:>6} "
                f"{entry['failures']:>5} {entry.get('cpu_ms')!s:>7} {entry.get('sql')!s:>5}"
            )
    minimal = phases.get("minimal", {}).get("minimal save POST")
    if minimal:
        print("\nagainst the minimal audited save (throughput of its own phase; app CPU):")
        for phase_name, entries in phases.items():
            for name, entry in entries.items():
                # Paced phases are bound by their pauses, not by the server.
                if "POST" not in name or phase_name in {"minimal", "officials-paced"}:
                    continue
                cpu_ratio = (
                    f"{entry['cpu_ms'] / minimal['cpu_ms']:.2f}x CPU"
                    if entry.get("cpu_ms") and minimal.get("cpu_ms")
                    else "CPU n/a"
                )
                print(
                    f"  {phase_name:<16} {name:<24} "
                    f"{entry['throughput_rps'] / minimal['throughput_rps']:.2f}x throughput, "
                    f"{cpu_ratio}"
                )
    cycles = {
        kind: [
            entries[request]["throughput_rps"]
            for phase_name, entries in phases.items()
            if phase_name.split("#")[0] == kind and request in entries
        ]
        for kind, request in (
            ("step-cycle", "save POST (form)"),
            ("survey-cycle", "survey save POST"),
            ("step-cycle-baseline", "save POST (form)"),
        )
    }
    if cycles["step-cycle"] and cycles["step-cycle-baseline"]:
        ours = sum(cycles["step-cycle"]) / len(cycles["step-cycle"])
        before = sum(cycles["step-cycle-baseline"]) / len(cycles["step-cycle-baseline"])
        print(
            f"\nsave + the page after it, this tree against the baseline checkout: {ours:.1f} "
            f"against {before:.1f} cycles/s ({ours / before:.2f}x)"
        )
    if cycles["step-cycle"] and cycles["survey-cycle"]:
        ours = sum(cycles["step-cycle"]) / len(cycles["step-cycle"])
        theirs = sum(cycles["survey-cycle"]) / len(cycles["survey-cycle"])
        print(
            f"\nsave + the page after it: {ours:.1f} cycles/s against the survey app's "
            f"{theirs:.1f} ({ours / theirs:.2f}x; phases {cycles['step-cycle']} and "
            f"{cycles['survey-cycle']})"
        )
    ceiling = phases.get("ceiling", {}).get("bare GET /healthz", {}).get("throughput_rps")
    for phase_name in ("officials", "officials-paced"):
        if phase_name not in phases or not ceiling:
            continue
        entries = phases[phase_name]
        saves = sum(
            entries[name]["throughput_rps"]
            for name in ("autosave POST (JSON)", "autosave POST (form)", "save POST (form)")
            if name in entries
        )
        everything = sum(entry["throughput_rps"] for entry in entries.values())
        print(
            f"{phase_name}: saves {saves:.1f}/s = {saves / ceiling:.0%} of the bare view "
            f"({ceiling}/s); all requests {everything:.1f}/s"
        )
    print(
        "load average before/after:", results["load_average_before"], results["load_average_after"]
    )
    print("verification:", json.dumps(results["verification"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", nargs="?", default="run", choices=["run", "seed", "verify"])
    parser.add_argument("--db", default="msq_bench_load")
    parser.add_argument("--officials", type=int, default=50)
    parser.add_argument("--duration", type=int, default=30, help="seconds per phase")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (gthread when more than 1)"
    )
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument(
        "--phases",
        default="minimal,autosave-json,autosave-form,step-cycle,officials-paced",
        help="comma-separated, in order (a name may come again): ceiling, ceiling-signed-in, "
        "minimal, autosave-json, autosave-form, step-cycle, officials, officials-paced, "
        "survey-cycle, step-cycle-baseline",
    )
    parser.add_argument("--expected")
    parser.add_argument(
        "--spawn-rate",
        type=float,
        help="clients started per second (default: all at once); signing 50 in at once on a "
        "busy machine can time out",
    )
    parser.add_argument(
        "--survey-gunicorn",
        help="survey-cycle: the gunicorn of the survey app's own virtualenv (bench/README.md)",
    )
    parser.add_argument("--survey-site", help="survey-cycle: the survey app's project folder")
    parser.add_argument(
        "--baseline-root",
        help="step-cycle-baseline: another checkout of the portal (e.g. the previous commit, "
        "`git archive`), served by a second gunicorn on the same database",
    )
    args = parser.parse_args()
    args.survey_url = args.baseline_url = None
    if "baseline" in args.phases and not args.baseline_root:
        parser.error("the step-cycle-baseline phase needs --baseline-root")
    if "survey-cycle" in args.phases and not (args.survey_gunicorn and args.survey_site):
        parser.error("the survey-cycle phase needs --survey-gunicorn and --survey-site")
    database_url = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    if args.command == "seed":
        seed(database_url, args.officials)
        return 0
    if args.command == "verify":
        return verify(database_url, args.expected)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
