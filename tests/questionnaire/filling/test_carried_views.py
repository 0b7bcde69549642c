"""The officials' pages of a new edition prefilled from the previous one (issue 15): the
start, the carried-over marks and their confirmation, what changed, and the submit policy."""

import html

import pytest
from django.test import Client
from django.utils.html import strip_tags

from questionnaire.filling.errors import SubmissionIncompleteError
from questionnaire.filling.services import answers_save
from questionnaire.filling.submitting import consent_set, submission_submit
from questionnaire.models import Answer, Submission, SubmissionEvent
from tests.factories import answers_full, submission_full
from tests.questionnaire.editions.helpers import example_edition_load, make_edition_current

SECTION_I = "institutional-framework"


@pytest.fixture
def example(edition, settings):
    example = example_edition_load()
    make_edition_current(example)
    return example


@pytest.fixture
def submitted_2020(edition, country_a, focal_point) -> Submission:
    return submission_full(edition=edition, country=country_a, submitted_by=focal_point)


@pytest.fixture
def signed_in(client, focal_point):
    client.force_login(focal_point)
    return client


def page(response) -> str:
    return html.unescape(response.content.decode())


def words(fragment: str) -> str:
    """What a fragment of a page reads as: its text without the markup, spaces collapsed."""
    return " ".join(html.unescape(strip_tags(fragment)).split())


def started(client, example) -> Submission:
    assert client.post("/start").status_code == 302
    return Submission.objects.get(edition=example)


def test_overview_offers_to_start_from_2020_answers(signed_in, example, submitted_2020):
    text = page(signed_in.get("/"))
    assert "Start with my 2020 answers" in text
    # Opening the page wrote nothing.
    assert not Submission.objects.filter(edition=example).exists()


def test_overview_without_previous_submission_offers_no_carry_over(signed_in, example):
    assert "Start with my 2020 answers" not in page(signed_in.get("/"))


def test_start_prefills_and_overview_counts_answers_to_confirm(signed_in, example, submitted_2020):
    response = signed_in.post("/start", follow=True)
    text = page(response)
    assert "38 answers were carried over from your previous submission" in text
    assert "38 answers carried over from your previous submission await confirmation." in text
    # Section I: every question but q2f (new in 2022) was answered in 2020.
    assert "18 carried-over answers to confirm" in text
    # Starting twice changes nothing.
    signed_in.post("/start")
    assert Submission.objects.get(edition=example).answers.count() == 38


def test_start_is_post_only_and_needs_csrf(focal_point, example, submitted_2020):
    client = Client(enforce_csrf_checks=True)
    client.force_login(focal_point)
    assert client.get("/start").status_code == 405
    assert client.post("/start").status_code == 403
    assert not Submission.objects.filter(edition=example).exists()


def test_section_before_start_sends_to_the_overview(signed_in, example, submitted_2020):
    response = signed_in.get(f"/section/{SECTION_I}/")
    assert response.status_code == 302 and response.url == "/"


def test_section_page_marks_each_carried_answer_and_shows_2020_answer(
    signed_in, example, submitted_2020
):
    started(signed_in, example)
    text = page(signed_in.get(f"/section/{SECTION_I}/"))
    assert text.count("Carried over from 2020 — confirm or change") == 18
    assert "18 answers carried over from your previous submission await confirmation" in text
    assert "Your 2020 answer" in text
    assert 'form="carried-confirm" name="question" value="q1"' in text


def test_confirm_one_question_by_one_click(signed_in, example, submitted_2020, focal_point):
    submission = started(signed_in, example)
    response = signed_in.post(f"/section/{SECTION_I}/confirm", {"question": "q1"})
    assert response.url == f"/section/{SECTION_I}/#question-q1"
    answer = Answer.objects.get(submission=submission, question__code="q1")
    assert answer.carried_confirmed_by == focal_point
    text = page(signed_in.get(f"/section/{SECTION_I}/"))
    assert "Carried over from 2020 — confirmed" in text
    assert text.count("Carried over from 2020 — confirm or change") == 17
    event = submission.events.get(kind=SubmissionEvent.Kind.CARRIED_CONFIRMED)
    assert (event.actor, event.question.code) == (focal_point, "q1")


def test_confirm_a_whole_section_by_one_click(signed_in, example, submitted_2020):
    submission = started(signed_in, example)
    signed_in.post(f"/section/{SECTION_I}/confirm")
    assert submission.events.filter(kind=SubmissionEvent.Kind.CARRIED_CONFIRMED).count() == 18
    text = page(signed_in.get("/"))
    assert "18 carried-over answers to confirm" not in text
    assert "20 answers carried over from your previous submission await confirmation." in text


def test_confirm_another_country_sees_nothing_of_it(
    client, example, submitted_2020, focal_point, outsider
):
    client.force_login(focal_point)
    submission = started(client, example)
    client.force_login(outsider)
    # The outsider's POST can only name their own country's draft (none): nothing changes.
    client.post(f"/section/{SECTION_I}/confirm", {"question": "q1"})
    assert not submission.answers.filter(carried_confirmed_at__isnull=False).exists()
    # And the outsider's pages show nothing of country A's answers.
    assert "Carried over" not in page(client.get("/"))


def test_confirm_is_refused_without_csrf(focal_point, example, submitted_2020, signed_in):
    submission = started(signed_in, example)
    client = Client(enforce_csrf_checks=True)
    client.force_login(focal_point)
    assert client.post(f"/section/{SECTION_I}/confirm").status_code == 403
    assert not submission.answers.filter(carried_confirmed_at__isnull=False).exists()


def test_section_shows_what_changed_since_2020(signed_in, example, submitted_2020, focal_point):
    submission = started(signed_in, example)
    answers_save(
        submission=submission,
        user=focal_point,
        values={"q1": {"links": [{"name": "New portal <b>", "url": "https://new.gov.uz/"}]}},
        base_version=submission.version,
    )
    response = signed_in.get(f"/section/{SECTION_I}/")
    text = page(response)
    assert "Your 2020 answer · changed" in text
    # In the words of the submission's history: the links removed and the one added.
    changes = words(response.content.decode().split('class="previous-changes')[1])
    assert "Added link https://new.gov.uz/ — New portal <b>" in changes
    assert changes.count("Removed link https://my.gov.uz/q1/services?id=") == 2
    # Escaped.
    assert "New portal &lt;b&gt;" in response.content.decode()


def _complete_2022(submission, user, example):
    """Answer the two questions new in 2022 and give the consent."""
    full = answers_full(example)
    answers_save(
        submission=submission,
        user=user,
        values={"q2f": full["q2f"], "q25": full["q25"]},
        base_version=Submission.objects.get(pk=submission.pk).version,
    )
    consent_set(submission=submission, user=user, consent="granted")


def test_submit_blocked_while_carried_answers_await_confirmation(
    signed_in, example, submitted_2020, focal_point
):
    submission = started(signed_in, example)
    _complete_2022(submission, focal_point, example)
    with pytest.raises(SubmissionIncompleteError) as refused:
        submission_submit(submission=submission, user=focal_point)
    assert len(refused.value.problems) == 38
    text = page(signed_in.get("/review/"))
    assert "carried over from the previous edition: confirm it or change it" in text
    assert f"/section/{SECTION_I}/#question-q1" in text
    for section in example.sections.all():
        signed_in.post(f"/section/{section.code}/confirm")
    submitted = submission_submit(submission=submission, user=focal_point)
    assert submitted.status == Submission.Status.SUBMITTED


def test_submit_policy_off_lets_unconfirmed_answers_through(
    signed_in, example, submitted_2020, focal_point
):
    example.carried_over_must_be_confirmed = False
    example.save()
    submission = started(signed_in, example)
    _complete_2022(submission, focal_point, example)
    submitted = submission_submit(submission=submission, user=focal_point)
    assert submitted.status == Submission.Status.SUBMITTED


# --- The reviewers' view -------------------------------------------------------


def test_review_page_lists_unconfirmed_and_what_changed(
    signed_in, example, submitted_2020, focal_point, reviewer, client
):
    from django.urls import reverse

    submission = started(signed_in, example)
    signed_in.post(f"/section/{SECTION_I}/confirm")
    answers_save(
        submission=submission,
        user=focal_point,
        values={"q6": {"details": "Digital Uzbekistan 2030 <script>"}},
        base_version=Submission.objects.get(pk=submission.pk).version,
    )
    client.force_login(reviewer)
    response = client.get(reverse("admin:questionnaire_submission_change", args=[submission.pk]))
    text = page(response)
    assert "Carried over from 2020, and what changed" in text
    # 38 carried, 18 confirmed in section I, q6 changed (which confirms it).
    assert "19 carried-over answers not yet confirmed by the country" in text
    assert "1 question changed since the previous edition" in text
    assert 'href="#q-q6"' in text
    assert "Digital Uzbekistan 2030 &lt;script&gt;" in response.content.decode()


def test_section_names_the_2020_choices_no_longer_offered(signed_in, example, submitted_2020):
    # answers_full ticks every 2020 option of q15, quantum computing among them (dropped).
    started(signed_in, example)
    text = page(signed_in.get("/section/new-technologies/"))
    assert "Chosen in 2020 but no longer offered, so not carried over:" in text
    dropped = text.split("no longer offered, so not carried over:")[1].split("</p>")[0]
    assert "Quantum computing" in dropped


# --- In the reader's language ---------------------------------------------------

NEW_TECHNOLOGIES = "new-technologies"
# The example 2022 edition has English only: its q15 is given French option labels here,
# as an edition file with translations would (the 2020 edition has its own French).
Q15_FRENCH = {
    "artificial_intelligence": "Intelligence artificielle (IA)",
    "blockchain": "Chaîne de blocs",
    "data_analytics": "Mégadonnées et analyse de données",
    "smart_cities": "Villes intelligentes",
    "robotics": "Robotique",
    "internet_of_things": "Internet des objets (IdO)",
    "extended_reality": "Réalité virtuelle ou augmentée",
    "generative_ai": "Intelligence artificielle générative",
    "other": "Autre :",
}


@pytest.fixture
def q15_in_french(example):
    q15 = example.questions.get(code="q15")
    q15.translations = {
        "fr": {
            f"parts.technologies.options.{code}.label": label for code, label in Q15_FRENCH.items()
        }
    }
    q15.save(update_fields=["translations"])


def _q15_changed(client, example, user) -> None:
    """Start from 2020 and keep two technologies of q15, one of them new, with an "Other"
    text that is markup."""
    submission = started(client, example)
    answers_save(
        submission=submission,
        user=user,
        values={
            "q15": {
                "technologies": {
                    "selected": ["artificial_intelligence", "generative_ai", "other"],
                    "other": "<script>alert(1)</script>",
                }
            }
        },
        base_version=submission.version,
    )


def _q15_previous(response) -> str:
    """The words of the "Your 2020 answer" of q15 (the section's first question)."""
    raw = response.content.decode()
    return words(raw.split('<details class="previous-answer')[1].split("</details>")[0])


def test_section_in_french_shows_2020_answer_labels_and_changes_in_french(
    signed_in, example, submitted_2020, focal_point, q15_in_french
):
    _q15_changed(signed_in, example, focal_point)
    response = signed_in.get(f"/section/{NEW_TECHNOLOGIES}/", HTTP_ACCEPT_LANGUAGE="fr")
    previous = _q15_previous(response)
    assert "Votre réponse de 2020 · modifiée" in previous
    # The 2020 answer in 2022's shape: its parts' captions and its options, in French.
    assert "Choix multiple" in previous and "Liens : nom et URL" in previous
    assert "Intelligence artificielle (IA)" in previous and "Mégadonnées et analyse" in previous
    # What changed, in the words of the history, the options by their French labels.
    assert "Coché : Intelligence artificielle générative" in previous
    assert "Décoché : Chaîne de blocs" in previous
    # The 2020 option 2022 no longer offers, by its 2020 French label.
    assert "Choisi en 2020 mais plus proposé, donc non repris : Informatique quantique" in previous
    for english in ("Artificial Intelligence", "Blockchain", "Quantum computing", "Ticked"):
        assert english not in previous
    assert "Multiple choice" not in previous and "Links: name and URL" not in previous


def test_section_in_english_shows_2020_answer_labels_and_changes_in_english(
    signed_in, example, submitted_2020, focal_point, q15_in_french
):
    _q15_changed(signed_in, example, focal_point)
    previous = _q15_previous(signed_in.get(f"/section/{NEW_TECHNOLOGIES}/"))
    assert "Your 2020 answer · changed" in previous
    assert "Multiple choice" in previous and "Artificial Intelligence (AI)" in previous
    assert "Ticked Generative artificial intelligence" in previous
    assert "Unticked Blockchain" in previous
    assert "Quantum computing" in previous
    for french in ("Intelligence artificielle", "Chaîne de blocs", "Informatique quantique"):
        assert french not in previous


def test_section_2020_answer_shows_markup_typed_as_text(
    signed_in, example, submitted_2020, focal_point, q15_in_french
):
    _q15_changed(signed_in, example, focal_point)
    response = signed_in.get(f"/section/{NEW_TECHNOLOGIES}/", HTTP_ACCEPT_LANGUAGE="fr")
    raw = response.content.decode()
    changes = raw.split('class="previous-changes')[1].split("</ul>\n</ul>")[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in changes
    assert "<script>alert" not in raw


def test_review_page_in_french_shows_what_changed_in_french(
    signed_in, example, submitted_2020, focal_point, reviewer, client, q15_in_french
):
    from django.urls import reverse

    _q15_changed(signed_in, example, focal_point)
    submission = Submission.objects.get(edition=example)
    client.force_login(reviewer)
    response = client.get(
        reverse("admin:questionnaire_submission_change", args=[submission.pk]),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    raw = response.content.decode()
    table = words(raw.split('class="review-carried-table"')[1].split("</table>")[0])
    assert "Coché : Intelligence artificielle générative" in table
    assert "Décoché : Chaîne de blocs" in table
    assert "Intelligence artificielle (IA)" in table
    assert "Ticked" not in table and "Blockchain" not in table
