"""Who may open what: the expected HTTP status of EVERY named URL, for five people.

tests/test_access_matrix.py walks the URL configuration and requests each
named URL as each of them; a URL name missing here fails the suite.

ADDING A URL: add one line to MATRIX, in ROLES order
(anonymous, official_a, official_b, contributor_a, reviewer):

    "questionnaire:thing": Url(
        get=(LOGIN, OK, OK, OK, NOT_FOUND),          # or None if GET is not allowed at all
        post=(LOGIN, FOUND, FOUND, FORBIDDEN, NOT_FOUND),  # None when the view takes no POST
        kwargs=lambda w: {"job_id": w.export_job.pk},     # when the URL has arguments
        data=lambda w: {"field": "value"},                # what the POST sends
    ),

The people (built by `world_build`):
- anonymous: not signed in;
- official_a: the focal point of country A (Uzbekistan), whose draft holds MARKER_A;
- official_b: the focal point of country B (France): must never see MARKER_A;
- contributor_a: a contributor of country A;
- reviewer: DPIDG staff in the Reviewers group.
`w` (a World) holds the objects a URL's kwargs or data may need; add a field
to World and world_build if yours needs another.

Statuses: OK 200, FOUND 302 to anywhere but a sign-in page, LOGIN 302 to the
portal's sign-in page, ADMIN_LOGIN 302 to the admin's sign-in page,
ACCEPTED 202 (a file being prepared by a worker), BAD_REQUEST 400 (a form
re-shown with errors), UNAUTHORIZED 401 (JSON: signed out), FORBIDDEN 403,
NOT_FOUND 404, NOT_ALLOWED 405, GONE 410. Wherever the status is a refusal
(LOGIN, ADMIN_LOGIN, 401, 403, 404, 405) the test also checks that the
database did not change.

The admin (rule): every page of the accounts and questionnaire models is
listed here through `admin_model(...)`, as are the admin site's own pages. The
admin pages of third-party apps (auth groups, django-axes, django-otp) follow
ADMIN_OTHER_RULE in the test: anonymous and officials are sent to the admin
sign-in, the reviewer gets a page or a refusal but never an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

OK = 200
FOUND = 302
LOGIN = "login"
ADMIN_LOGIN = "admin_login"
BAD_REQUEST = 400
UNAUTHORIZED = 401
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405
GONE = 410
# The draft preview is rendered by a worker when there is one: its page is then "202 preparing".
ACCEPTED = 202
PREVIEW = OK if settings.CELERY_TASK_ALWAYS_EAGER else ACCEPTED

ROLES = ("anonymous", "official_a", "official_b", "contributor_a", "reviewer")
REFUSALS = {LOGIN, ADMIN_LOGIN, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, NOT_ALLOWED}

# Typed into country A's draft: no page shown to anyone outside country A and DPIDG may contain it.
MARKER_A = "MARKER-UZB-only-7f3a91"

ALL = lambda status: (status,) * 5  # noqa: E731  (one status for everyone)
SIGNED_IN = lambda status: (LOGIN, status, status, status, status)  # noqa: E731
OFFICIALS = lambda status: (LOGIN, status, status, status, NOT_FOUND)  # noqa: E731
STAFF = lambda status: (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, status)  # noqa: E731
# Admin model pages: the portal sign-in for anonymous (LoginRequiredMiddleware),
# the admin sign-in for officials.
ADMIN_OUTSIDERS = (LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN)
ADMIN = lambda status: (*ADMIN_OUTSIDERS, status)  # noqa: E731
# The admin site's own pages send anonymous visitors to the admin's sign-in.
ADMIN_SITE = lambda status: (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, status)  # noqa: E731


@dataclass
class World:
    """The objects the URLs of the matrix are built from (see world_build)."""

    edition: Any
    country_a: Any
    country_b: Any
    people: dict[str, Any]
    submission_a: Any
    section_code: str
    question: Any
    answer: Any
    event: Any
    comment: Any
    export_job: Any
    invitation: Any
    invitation_token: str
    reset_uid: str
    # Made at request time: signing official_a in changes what the token hashes.
    reset_token: Callable[[], str]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Url:
    get: tuple | None
    post: tuple | None = None
    kwargs: Callable[[World], dict] = lambda w: {}
    data: Callable[[World], Any] = lambda w: {}
    # Send `data` as a JSON body rather than a form.
    json: bool = False
    # POST what the page's form holds (as a browser would), with `data` on top.
    form_from_page: bool = False


def admin_model(
    app: str,
    model: str,
    *,
    changelist,
    add,
    change,
    delete,
    history,
    obj: Callable[[World], Any],
    extra: dict[str, Url] | None = None,
) -> dict[str, Url]:
    """The five admin pages of a model, the reviewer's status given; others go to admin sign-in.

    POSTs: the add and change forms with nothing filled in, and the delete
    confirmation; officials and anonymous are refused with an unchanged database.
    """
    outsiders = ADMIN_OUTSIDERS

    def row(status):
        return (*outsiders, status)

    def object_id(w):
        return {"object_id": str(obj(w).pk)}

    entries = {
        f"admin:{app}_{model}_changelist": Url(
            get=row(changelist[0]), post=row(changelist[1]), data=lambda w: {"action": ""}
        ),
        f"admin:{app}_{model}_add": Url(get=row(add[0]), post=row(add[1])),
        f"admin:{app}_{model}_change": Url(
            get=row(change[0]), post=row(change[1]), kwargs=object_id
        ),
        f"admin:{app}_{model}_delete": Url(
            get=row(delete[0]),
            post=row(delete[1]),
            kwargs=object_id,
            data=lambda w: {"post": "yes"},
        ),
        f"admin:{app}_{model}_history": Url(get=row(history), kwargs=object_id),
    }
    entries.update(extra or {})
    return entries


# A read-only admin page for reviewers: (GET, POST) statuses.
READ_ONLY = {
    "changelist": (OK, OK),
    "add": (FORBIDDEN, FORBIDDEN),
    "change": (OK, FORBIDDEN),
    "delete": (FORBIDDEN, FORBIDDEN),
    "history": OK,
}


def _review_action(reviewer_post) -> Url:
    """A review action on country A's submission (questionnaire/admin.py): POST only."""
    return Url(
        get=ADMIN(NOT_ALLOWED),
        post=ADMIN(reviewer_post),
        kwargs=lambda w: {"object_id": str(w.submission_a.pk)},
        data=lambda w: {"version": w.submission_a.version, "action": "save"},
    )


def _section(w):
    return {"code": w.section_code}


def _section_post(w):
    return {"action": "save", "base_version": w.submission_a.version}


MATRIX: dict[str, Url] = {
    # --- Probes --------------------------------------------------------------------------
    "healthz": Url(get=ALL(OK)),
    # --- About the portal (msq_portal/pages.py): public, read-only ----------------------
    "favicon": Url(get=ALL(FOUND), post=ALL(NOT_ALLOWED)),  # to the static SVG icon
    "accessibility": Url(get=ALL(OK), post=ALL(NOT_ALLOWED)),
    "privacy": Url(get=ALL(OK), post=ALL(NOT_ALLOWED)),
    # --- Sign-in, sign-out, passwords (Django's views, accounts/auth_urls.py) ------------
    "login": Url(
        get=ALL(OK),
        post=ALL(OK),  # a wrong password: the form again, with its error
        data=lambda w: {"username": "nobody@example.org", "password": "wrong"},
    ),
    "logout": Url(get=SIGNED_IN(NOT_ALLOWED), post=ALL(LOGIN)),
    "password_change": Url(
        get=SIGNED_IN(OK),
        post=SIGNED_IN(OK),  # wrong old password: the form again
        data=lambda w: {
            "old_password": "wrong",
            "new_password1": "Brand-new-pass-91",
            "new_password2": "Brand-new-pass-91",
        },
    ),
    "password_change_done": Url(get=SIGNED_IN(OK)),
    "password_reset": Url(
        get=ALL(OK), post=ALL(FOUND), data=lambda w: {"email": "nobody@example.org"}
    ),
    "password_reset_done": Url(get=ALL(OK)),
    "password_reset_confirm": Url(
        get=ALL(FOUND),  # a valid link moves its token into the session, then redirects
        post=ALL(FOUND),
        kwargs=lambda w: {"uidb64": w.reset_uid, "token": w.reset_token()},
    ),
    "password_reset_complete": Url(get=ALL(OK)),
    # The JavaScript catalogue: the scripts' strings, the same for everyone.
    "javascript-catalog": Url(get=ALL(OK)),
    # The header's switcher, on the sign-in page too: a POST for anyone (a GET is refused).
    "set_language": Url(
        get=ALL(NOT_ALLOWED),
        post=ALL(FOUND),
        data=lambda w: {"language": "fr", "next": "/"},
    ),
    # --- Accounts (accounts/urls.py) -----------------------------------------------------
    "accounts:invitation_accept": Url(
        get=ALL(FOUND),  # a valid link moves its token into the session, then redirects
        post=ALL(FOUND),
        kwargs=lambda w: {"token": w.invitation_token},
    ),
    # Without the link opened in this session: the page that says to open it. The form
    # and the account it creates: tests/accounts/test_invitations.py.
    "accounts:invitation_set_password": Url(
        get=ALL(NOT_FOUND),
        post=ALL(NOT_FOUND),
        data=lambda w: {
            "full_name": "New Person",
            "new_password1": "Invited-pass-4242",
            "new_password2": "Invited-pass-4242",
        },
    ),
    "accounts:staff_invite": Url(
        get=STAFF(OK),
        post=STAFF(FOUND),
        data=lambda w: {
            "email": "invitee@gov.example.org",
            "country": w.country_a.pk,
            "role": "contributor",
        },
    ),
    "accounts:team": Url(
        get=OFFICIALS(OK),
        # a focal point invites for their own country; a contributor may not
        post=(LOGIN, FOUND, FOUND, FORBIDDEN, NOT_FOUND),
        data=lambda w: {"invite-email": "helper@gov.example.org"},
    ),
    "accounts:account": Url(get=SIGNED_IN(OK)),
    "accounts:two_factor_setup": Url(
        get=SIGNED_IN(OK), post=SIGNED_IN(BAD_REQUEST), data=lambda w: {"token": "12345x"}
    ),
    "accounts:two_factor_verify": Url(
        get=SIGNED_IN(FOUND),  # no device yet: sent to the set-up
        post=SIGNED_IN(FOUND),
        data=lambda w: {"token": "123456"},
    ),
    "accounts:session_keepalive": Url(get=SIGNED_IN(NOT_ALLOWED), post=SIGNED_IN(OK)),
    # The browser's time zone (static/js/time-zone.js): anyone signed in stores their own.
    "accounts:time_zone": Url(
        get=SIGNED_IN(NOT_ALLOWED),
        post=SIGNED_IN(OK),
        data=lambda w: {"time_zone": "Asia/Tashkent"},
    ),
    # --- The link checker (linkcheck/urls.py) --------------------------------------------
    # Officials of the country confirm links of their own draft (country B has none: 404).
    "linkcheck:confirm": Url(
        get=SIGNED_IN(NOT_ALLOWED),
        post=(LOGIN, FOUND, NOT_FOUND, FOUND, NOT_FOUND),
    ),
    "linkcheck:check_now": Url(
        get=SIGNED_IN(NOT_ALLOWED),
        post=STAFF(FOUND),
        kwargs=lambda w: {"submission_id": w.submission_a.pk},
    ),
    # --- API tokens on the account page (api/urls.py) ------------------------------------
    "api_tokens:create": Url(
        get=SIGNED_IN(NOT_ALLOWED), post=STAFF(OK), data=lambda w: {"name": "matrix token"}
    ),
    "api_tokens:revoke": Url(
        get=SIGNED_IN(NOT_ALLOWED),
        post=STAFF(FOUND),
        kwargs=lambda w: {"token_id": w.extra["api_token"].pk},
    ),
    # --- The read API (api/endpoints.py): tokens only, a session counts for nothing, so
    # everyone here is 401; tests/api/test_access.py requests each route with tokens.
    "api:editions": Url(get=ALL(UNAUTHORIZED)),
    "api:edition": Url(get=ALL(UNAUTHORIZED), kwargs=lambda w: {"code": w.edition.code}),
    "api:edition_tidy_csv": Url(get=ALL(UNAUTHORIZED), kwargs=lambda w: {"code": w.edition.code}),
    "api:edition_tidy_jsonl": Url(get=ALL(UNAUTHORIZED), kwargs=lambda w: {"code": w.edition.code}),
    "api:submissions": Url(get=ALL(UNAUTHORIZED)),
    "api:submission_answers": Url(
        get=ALL(UNAUTHORIZED), kwargs=lambda w: {"submission_id": w.submission_a.pk}
    ),
    # The OpenAPI document and its Swagger page (ninja's own static files): no data.
    "api:openapi-json": Url(get=ALL(OK)),
    "api:api-root": Url(get=ALL(NOT_FOUND)),  # ninja's own: a 404 naming the docs page
    "api:openapi-view": Url(get=ALL(OK)),
    # --- The questionnaire, country side (questionnaire/urls.py) -------------------------
    "questionnaire:home": Url(get=(LOGIN, OK, OK, OK, FOUND)),
    "questionnaire:section": Url(
        get=OFFICIALS(OK),
        post=OFFICIALS(FOUND),
        kwargs=_section,
        data=lambda w: {"action": "save"},
        form_from_page=True,
    ),
    "questionnaire:autosave": Url(
        get=ALL(NOT_ALLOWED),
        post=(UNAUTHORIZED, OK, OK, OK, NOT_FOUND),
        kwargs=_section,
        data=lambda w: {"base_version": w.submission_a.version, "values": {}},
        json=True,
    ),
    # Issue 15: the draft started from the previous edition's answers (country A's exists
    # already; country B's is created, empty: it answered no earlier edition), and the
    # carried-over answers confirmed (none here): officials are sent back to their pages.
    "questionnaire:start": Url(get=SIGNED_IN(NOT_ALLOWED), post=OFFICIALS(FOUND)),
    "questionnaire:carried_confirm": Url(
        get=SIGNED_IN(NOT_ALLOWED), post=OFFICIALS(FOUND), kwargs=_section
    ),
    "questionnaire:review": Url(get=OFFICIALS(OK)),
    "questionnaire:submit": Url(
        get=SIGNED_IN(NOT_ALLOWED),
        # The authorization to publish comes with the submit (one POST): country B has
        # nothing to submit; contributors may neither submit nor give the authorization.
        post=(LOGIN, FOUND, BAD_REQUEST, FORBIDDEN, NOT_FOUND),
        data=lambda w: {"consent": "granted", "base_version": w.submission_a.version},
    ),
    # The world's thread was never shared with country A by a return: a 404 for its
    # officials too (tests/questionnaire/filling/test_thread_views.py covers a shared one);
    # reviewers answer on the review page.
    "questionnaire:thread": Url(
        get=(LOGIN, *(NOT_FOUND,) * 4),
        post=(LOGIN, *(NOT_FOUND,) * 4),
        kwargs=lambda w: {"thread_id": w.comment.pk},
        data=lambda w: {"text": "An official's reply."},
    ),
    # Country B has not started: sent to its overview.
    "questionnaire:submission": Url(get=(LOGIN, OK, FOUND, OK, NOT_FOUND)),
    # Country A's answers to a closed edition, read-only; anyone else's is a 404.
    "questionnaire:past_submission": Url(
        get=(LOGIN, OK, NOT_FOUND, OK, NOT_FOUND),
        kwargs=lambda w: {"edition_code": w.extra["past_edition"].code},
    ),
    # Country A's draft was never submitted: no PDF to wait for (test_submission_number.py
    # covers a submitted one).
    "questionnaire:submission_pdf_status": Url(get=(LOGIN, *(NOT_FOUND,) * 4)),
    # Submission PDFs (questionnaire/downloads.py): country A's draft has no stored PDF yet
    # (tests/questionnaire/pdf/test_downloads.py covers a stored one); the DRAFT preview is
    # for country A's officials only.
    "questionnaire:submission_pdf": Url(
        get=(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
        kwargs=lambda w: {"submission_id": w.submission_a.pk},
    ),
    # A draft has no submitted version to render in another language: 404 for everyone
    # (the copies themselves: tests/questionnaire/pdf/test_pdf_languages.py).
    "questionnaire:submission_pdf_in_language": Url(
        get=(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
        kwargs=lambda w: {"submission_id": w.submission_a.pk, "language": "en"},
    ),
    # The country's officials get the draft PDF (200) where tasks run in-process, or the
    # "being prepared" page (202) while a worker renders it.
    "questionnaire:submission_pdf_preview": Url(
        get=(LOGIN, PREVIEW, NOT_FOUND, PREVIEW, NOT_FOUND),
        kwargs=lambda w: {"submission_id": w.submission_a.pk},
    ),
    # --- Reviewers' pages outside the model admin (questionnaire/staff_views.py) ---------
    "questionnaire:staff_dashboard": Url(get=STAFF(OK)),
    "questionnaire:staff_submissions": Url(get=STAFF(OK)),
    # Without a deadline (the world's edition has none) the reminder is refused with the page
    # re-shown; the GET without a selection explains that nothing was chosen.
    "questionnaire:staff_reminders": Url(
        get=STAFF(BAD_REQUEST),
        post=STAFF(BAD_REQUEST),
        data=lambda w: {"country": [w.country_a.pk]},
    ),
    "questionnaire:staff_invitations": Url(
        get=STAFF(OK), post=STAFF(FOUND), data=lambda w: {"addresses": "PW, matrix@gov.pw"}
    ),
    "questionnaire:staff_exports": Url(
        get=STAFF(OK),
        post=STAFF(FOUND),
        data=lambda w: {"edition": w.edition.pk, "exporter": "tidy_csv", "statuses": ["submitted"]},
    ),
    "questionnaire:staff_export": Url(get=STAFF(OK), kwargs=lambda w: {"job_id": w.export_job.pk}),
    "questionnaire:staff_export_status": Url(
        get=STAFF(OK), kwargs=lambda w: {"job_id": w.export_job.pk}
    ),
    "questionnaire:staff_export_download": Url(
        get=STAFF(NOT_FOUND),  # the job has no file yet
        kwargs=lambda w: {"job_id": w.export_job.pk},
    ),
    # One question across countries (questionnaire/review/question_views.py).
    "questionnaire:staff_questions": Url(get=STAFF(OK)),
    "questionnaire:staff_question_across": Url(
        get=STAFF(OK), kwargs=lambda w: {"code": w.question.code}
    ),
    "questionnaire:staff_question_across_download": Url(
        get=STAFF(OK), kwargs=lambda w: {"code": w.question.code, "file_format": "xlsx"}
    ),
    # --- The admin site's own pages ------------------------------------------------------
    "admin:index": Url(get=ADMIN_SITE(OK)),
    "admin:login": Url(
        get=(OK, OK, OK, OK, FOUND),
        post=ALL(OK),  # a wrong password: the form again
        data=lambda w: {"username": "nobody@example.org", "password": "wrong"},
    ),
    "admin:logout": Url(
        get=(ADMIN_LOGIN, FOUND, FOUND, FOUND, NOT_ALLOWED),
        post=(ADMIN_LOGIN, FOUND, FOUND, FOUND, LOGIN),
    ),
    "admin:password_change": Url(
        get=ADMIN_SITE(OK), post=ADMIN_SITE(OK), data=lambda w: {"old_password": "wrong"}
    ),
    "admin:password_change_done": Url(get=ADMIN_SITE(OK)),
    "admin:jsi18n": Url(get=ADMIN_SITE(OK)),
    "admin:autocomplete": Url(get=ADMIN_SITE(FORBIDDEN)),  # no field named: refused
    "admin:view_on_site": Url(
        get=ADMIN_SITE(NOT_FOUND),
        kwargs=lambda w: {"content_type_id": w.extra["country_type_id"], "object_id": "1"},
    ),
    "admin:app_list": Url(get=ADMIN_SITE(OK), kwargs=lambda w: {"app_label": "questionnaire"}),
    # --- The accounts and questionnaire models in the admin ------------------------------
    **admin_model(
        "accounts",
        "country",
        **READ_ONLY | {"change": (OK, FORBIDDEN)},
        obj=lambda w: w.country_a,
    ),
    **admin_model(
        "accounts",
        "user",
        changelist=(OK, OK),
        add=(FORBIDDEN, FORBIDDEN),
        # A reviewer's form holds only the name and the active box (credentials are read-only),
        # so an empty POST is valid and saved (tests/accounts/test_admin_accounts.py).
        change=(OK, FOUND),
        delete=(FORBIDDEN, FORBIDDEN),
        history=OK,
        obj=lambda w: w.people["official_a"],
        extra={
            "admin:auth_user_password_change": Url(
                get=ADMIN(FORBIDDEN),
                post=ADMIN(FORBIDDEN),
                kwargs=lambda w: {"id": str(w.people["official_a"].pk)},
                data=lambda w: {"password1": "Pwned-pass-1234", "password2": "Pwned-pass-1234"},
            ),
        },
    ),
    **admin_model(
        "accounts",
        "invitation",
        changelist=(OK, OK),
        add=(FOUND, FOUND),  # the admin's "Add" opens the invite page
        change=(OK, FORBIDDEN),
        delete=(FORBIDDEN, FORBIDDEN),
        history=OK,
        obj=lambda w: w.invitation,
    ),
    # Reviewers set the edition's calendar (opens on, deadline); its state changes through the
    # lifecycle's confirmation page (a POST without the box ticked changes nothing: 400).
    **admin_model(
        "questionnaire",
        "edition",
        **READ_ONLY | {"change": (OK, FOUND)},
        obj=lambda w: w.edition,
        extra={
            "admin:questionnaire_edition_lifecycle": Url(
                get=ADMIN(OK),
                post=ADMIN(BAD_REQUEST),
                kwargs=lambda w: {"object_id": str(w.edition.pk), "action": "close"},
            ),
        },
    ),
    **admin_model(
        "questionnaire",
        "editionevent",
        **READ_ONLY,
        obj=lambda w: w.extra["edition_event"],
    ),
    **admin_model(
        "questionnaire",
        "section",
        **READ_ONLY,
        obj=lambda w: w.edition.sections.first(),
    ),
    **admin_model("questionnaire", "question", **READ_ONLY, obj=lambda w: w.question),
    **admin_model(
        "questionnaire",
        "submission",
        **READ_ONLY | {"change": (OK, OK)},  # the review page; an empty POST changes nothing
        obj=lambda w: w.submission_a,
        extra={
            "admin:questionnaire_submission_comments": _review_action(FOUND),
            "admin:questionnaire_submission_accept": _review_action(FOUND),
            "admin:questionnaire_submission_render_pdf": _review_action(FOUND),
            # A draft cannot be reopened: the review page again, with the reason.
            "admin:questionnaire_submission_reopen": _review_action(BAD_REQUEST),
            # A reviewer's reply to the world's thread (questionnaire/review/comments.py).
            "admin:questionnaire_submission_thread": Url(
                get=ADMIN(NOT_ALLOWED),
                post=ADMIN(FOUND),
                kwargs=lambda w: {"object_id": str(w.submission_a.pk), "thread_id": w.comment.pk},
                data=lambda w: {"action": "reply", "text": "A reviewer's reply."},
            ),
        },
    ),
    **admin_model("questionnaire", "answer", **READ_ONLY, obj=lambda w: w.answer),
    **admin_model("questionnaire", "submissionevent", **READ_ONLY, obj=lambda w: w.event),
    **admin_model("questionnaire", "reviewcomment", **READ_ONLY, obj=lambda w: w.comment),
    **admin_model("questionnaire", "exportjob", **READ_ONLY, obj=lambda w: w.export_job),
    **admin_model("questionnaire", "reminder", **READ_ONLY, obj=lambda w: w.extra["reminder"]),
}


def world_build() -> World:
    """Country A's draft (holding MARKER_A), the five people, and what URLs point at."""
    from django.contrib.auth.tokens import default_token_generator
    from django.contrib.contenttypes.models import ContentType
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from accounts.invitations import invitation_create
    from accounts.models import Country, User
    from api.services import api_token_create
    from questionnaire.editions.lifecycle import edition_transition
    from questionnaire.editions.loading import edition_load
    from questionnaire.editions.reading import edition_path
    from questionnaire.editions.states import EditionAction
    from questionnaire.models import (
        Edition,
        ExportJob,
        Reminder,
        ReviewComment,
        Submission,
        SubmissionEvent,
    )
    from tests import factories

    edition = edition_load(path=edition_path("msq-2020")).edition
    # Opened as make run does (a loaded edition is planned): the event is the admin's record.
    [edition_event] = edition_transition(edition=edition, action=EditionAction.OPEN, actor=None)
    country_a = Country.objects.get(iso3="UZB")
    country_b = Country.objects.get(iso3="FRA")
    people = {
        "anonymous": None,
        "official_a": factories.OfficialFactory(country=country_a, role=User.Role.FOCAL_POINT),
        "official_b": factories.OfficialFactory(country=country_b, role=User.Role.FOCAL_POINT),
        "contributor_a": factories.OfficialFactory(country=country_a, role=User.Role.CONTRIBUTOR),
        "reviewer": factories.ReviewerFactory(),
    }
    values = factories.answers_full(edition)
    question = next(q for q in edition.questions.order_by("order") if q.parts[0]["kind"] == "text")
    values[question.code][question.parts[0]["name"]] = f"{MARKER_A} <script>alert(1)</script>"
    submission_a = factories.submission_full(
        edition=edition,
        country=country_a,
        status=Submission.Status.DRAFT,
        submitted_by=people["official_a"],
        values=values,
    )
    event = SubmissionEvent.objects.create(
        submission=submission_a,
        kind=SubmissionEvent.Kind.ANSWERS_SAVED,
        actor=people["official_a"],
        version=submission_a.version,
        message=MARKER_A,
    )
    comment = ReviewComment.objects.create(
        submission=submission_a,
        question=question,
        author=people["reviewer"],
        text=f"Comment on {MARKER_A}",
        version=1,
    )
    export_job = ExportJob.objects.create(
        edition=edition, exporter="csv", created_by=people["reviewer"]
    )
    # A closed earlier edition with country A's draft: its "Past editions" page.
    past_edition = Edition.objects.create(
        code="msq-2018-matrix",
        year=2018,
        title="A past edition",
        consent_text="-",
        source_file="-",
        source_sha256="0" * 64,
        state=Edition.State.CLOSED,
    )
    Submission.objects.create(edition=past_edition, country=country_a)
    invitation = invitation_create(
        email="invitee@gov.example.org",
        country=country_a,
        role=User.Role.CONTRIBUTOR,
        invited_by=people["reviewer"],
    )
    # The token is only in the e-mail; the matrix uses a known one instead.
    import hashlib

    token = "matrix-invitation-token"
    invitation.token_hash = hashlib.sha256(token.encode()).hexdigest()
    invitation.save(update_fields=["token_hash"])
    official_a = people["official_a"]
    return World(
        edition=edition,
        country_a=country_a,
        country_b=country_b,
        people=people,
        submission_a=submission_a,
        section_code=edition.sections.order_by("order").first().code,
        question=question,
        answer=submission_a.answers.get(question=question),
        event=event,
        comment=comment,
        export_job=export_job,
        invitation=invitation,
        invitation_token=token,
        reset_uid=urlsafe_base64_encode(force_bytes(official_a.pk)),
        reset_token=lambda: default_token_generator.make_token(User.objects.get(pk=official_a.pk)),
        extra={
            "country_type_id": ContentType.objects.get_for_model(Country).pk,
            "api_token": api_token_create(user=people["reviewer"], name="matrix")[0],
            "reminder": Reminder.objects.create(
                edition=edition,
                country=country_a,
                kind=Reminder.Kind.MANUAL,
                requested_by=people["reviewer"],
            ),
            "edition_event": edition_event,
            "past_edition": past_edition,
        },
    )
