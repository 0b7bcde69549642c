"""The interface language: the header's switcher (sign-in page and signed in), the choice
remembered on the user and applied at sign-in, unknown codes falling back to English, and
e-mails in each recipient's language, also when a worker sends them."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from questionnaire.filling.submitting import submission_confirmation_send
from questionnaire.models import Submission, SubmissionEvent
from questionnaire.review.services import submission_accept
from tests.conftest import wait_for
from tests.factories import TEST_PASSWORD, UserFactory, submission_full

TITLE_FR = "Questionnaire destiné aux États Membres (MSQ)"
TITLE_AR = "استبيان الدول الأعضاء (MSQ)"
TITLE_EN = "Member States Questionnaire (MSQ) for the United Nations"


def _html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)" dir="(ltr|rtl)"', response.content.decode()).group(1)


def _switch(client, language: str, next_url: str = "/accounts/login/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


@pytest.mark.django_db
def test_switcher_on_the_sign_in_page_is_a_labelled_form_with_every_language(client):
    page = client.get(reverse("login")).content.decode()

    form = re.search(r'<form action="/i18n/setlang/" method="post".*?</form>', page, re.S).group(0)
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<label for="language-switcher"' in form and 'id="language-switcher"' in form
    assert re.findall(r'<option value="([^"]+)"', form) == [code for code, _ in settings.LANGUAGES]
    assert 'type="submit"' in form


@pytest.mark.django_db
def test_switcher_on_the_sign_in_page_works_without_signing_in(client):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(reverse("login")).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = browser.post(
        reverse("set_language"),
        {"csrfmiddlewaretoken": csrf, "language": "fr", "next": "/accounts/login/"},
    )

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert _html_lang(browser.get(reverse("login"))) == "fr"


def test_switcher_when_signed_in_stores_the_choice_on_the_user(client, focal_point):
    client.force_login(focal_point)

    response = _switch(client, "ar", next_url="/")

    assert response.status_code == 302
    focal_point.refresh_from_db()
    assert focal_point.language == "ar"
    page = client.get(reverse("questionnaire:home"), follow=True)
    assert _html_lang(page) == "ar" and 'dir="rtl"' in page.content.decode()


def test_sign_in_applies_the_stored_language_and_sends_its_cookie(client, focal_point):
    focal_point.language = "fr"
    focal_point.save(update_fields=["language"])

    response = client.post(
        reverse("login"), {"username": focal_point.email, "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    # Another browser (no cookie, an English Accept-Language): still the person's choice.
    assert _html_lang(client.get(reverse("accounts:account"), HTTP_ACCEPT_LANGUAGE="en")) == "fr"


def test_sign_in_without_a_stored_language_keeps_the_one_chosen_on_the_sign_in_page(
    client, focal_point
):
    _switch(client, "es")

    client.post(reverse("login"), {"username": focal_point.email, "password": TEST_PASSWORD})

    focal_point.refresh_from_db()
    assert focal_point.language == "es"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "how",
    [
        {"HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}=klingon"},
        {"HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}=xx-\u00e9\u00e9"},
        {"HTTP_ACCEPT_LANGUAGE": "tlh, xx;q=0.9"},
        {"HTTP_ACCEPT_LANGUAGE": ";;;q=abc, *"},
    ],
)
def test_unknown_language_in_cookie_or_header_is_an_english_page(client, how):
    response = client.get(reverse("login"), **how)

    assert response.status_code == 200
    assert _html_lang(response) == "en"


@pytest.mark.django_db
def test_unknown_language_sent_to_the_switcher_changes_nothing(client):
    response = _switch(client, "klingon")

    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert _html_lang(client.get(reverse("login"))) == "en"


def test_unknown_language_in_the_url_is_not_a_server_error(client, focal_point):
    client.force_login(focal_point)

    assert client.get("/xx/section/institutional-framework/").status_code == 404
    response = client.get(reverse("accounts:account") + "?language=klingon")
    assert response.status_code == 200 and _html_lang(response) == "en"


def test_unknown_language_stored_on_the_user_falls_back_to_english(client, focal_point):
    User.objects.filter(pk=focal_point.pk).update(language="klingon")
    client.force_login(focal_point)

    response = client.get(reverse("accounts:account"))

    assert response.status_code == 200 and _html_lang(response) == "en"


# --- E-mails in the recipient's language -------------------------------------------


def test_confirmation_reaches_each_official_in_their_own_language(
    edition, country_a, focal_point, contributor
):
    User.objects.filter(pk=focal_point.pk).update(language="fr")
    User.objects.filter(pk=contributor.pk).update(language="ar")
    arabic_reader = UserFactory(country=country_a, role=User.Role.CONTRIBUTOR, language="ar")
    submission = submission_full(edition=edition, country=country_a, submitted_by=focal_point)

    sent_to = submission_confirmation_send(submission_id=submission.pk)

    assert sent_to == 3
    by_recipients = {tuple(sorted(message.to)): message for message in mail.outbox}
    assert set(by_recipients) == {
        (focal_point.email,),
        tuple(sorted([contributor.email, arabic_reader.email])),
    }
    assert TITLE_FR in by_recipients[(focal_point.email,)].body
    arabic = by_recipients[tuple(sorted([contributor.email, arabic_reader.email]))].body
    assert TITLE_AR in arabic and TITLE_EN not in arabic


def _languages_rendered(monkeypatch, module, name="render_to_string") -> list[str]:
    """The active language each time `module.name` renders an e-mail template."""
    languages = []
    real = getattr(module, name)

    def spy(*args, **kwargs):
        languages.append(translation.get_language())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return languages


def test_password_reset_mail_is_in_the_account_holder_language(client, focal_point, monkeypatch):
    from django.contrib.auth.forms import PasswordResetForm

    User.objects.filter(pk=focal_point.pk).update(language="fr")
    rendered = _languages_rendered(monkeypatch, PasswordResetForm, "send_mail")

    client.post(reverse("password_reset"), {"email": focal_point.email}, HTTP_ACCEPT_LANGUAGE="en")

    assert rendered == ["fr"]


@pytest.mark.django_db(transaction=True)
def test_review_mail_sent_by_the_worker_is_in_the_recipient_language(
    celery_worker_process, edition, country_a, reviewer, capfd
):
    """On PostgreSQL + Redis a real worker sends it (its console backend writes to its log);
    on the embedded default the task runs in this process (mail.outbox)."""
    official = UserFactory(country=country_a, role=User.Role.FOCAL_POINT, language="ar")
    submitted = submission_full(edition=edition, country=country_a, submitted_by=official)

    submission_accept(submission=submitted, reviewer=reviewer)

    if celery_worker_process is None:
        assert len(mail.outbox) == 1
        body = mail.outbox[0].body
    else:
        log = settings.BASE_DIR / "test-output" / "celery-worker.log"
        wait_for(lambda: official.email in log.read_text(encoding="utf-8"), timeout=60)
        body = log.read_text(encoding="utf-8").split(official.email, 1)[1]
    assert TITLE_AR in body
    assert (
        Submission.objects.get(pk=submitted.pk)
        .events.filter(kind=SubmissionEvent.Kind.ACCEPTED)
        .exists()
    )
