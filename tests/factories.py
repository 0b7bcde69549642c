"""factory_boy factories. Countries are not made up: they are the loaded Member States."""

import hashlib
from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import REVIEWERS_GROUP, User
from questionnaire.models import ExportJob, Submission

TEST_PASSWORD = "a-long-test-password-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password(TEST_PASSWORD)


class OfficialFactory(UserFactory):
    email = factory.Sequence(lambda n: f"official{n}@gov.example.org")
    role = User.Role.FOCAL_POINT


class ReviewerFactory(UserFactory):
    email = factory.Sequence(lambda n: f"reviewer{n}@un.example.org")
    is_staff = True

    @factory.post_generation
    def reviewers_group(self, create, extracted, **kwargs):
        if create:
            group, _created = Group.objects.get_or_create(name=REVIEWERS_GROUP)
            self.groups.add(group)


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    status = Submission.Status.DRAFT


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation; its token is not known (only the hash is stored)."""

    class Meta:
        model = "accounts.Invitation"

    email = factory.Sequence(lambda n: f"invitee{n}@gov.example.org")
    role = User.Role.CONTRIBUTOR
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class ExportJobFactory(factory.django.DjangoModelFactory):
    """A queued full export of the given edition; `done=True`: finished now, its file stored."""

    class Meta:
        model = ExportJob

    exporter = "json"
    created_by = factory.SubFactory(ReviewerFactory)

    class Params:
        done = factory.Trait(
            status=ExportJob.Status.DONE,
            file=factory.django.FileField(filename="export.json", data=b"{}"),
            file_sha256=hashlib.sha256(b"{}").hexdigest(),
            finished_at=factory.LazyFunction(timezone.now),
        )


# --- A fully answered submission (PDF, exports and review tests share it) ----

# Realistic answers in the scripts officials write in; {code} keeps every value unique.
SAMPLE_TEXTS = (
    "The national e-government strategy ({code}) was adopted in 2019; the e-Government "
    "Centre reviews it every two years with the ministries concerned.",
    "Стратегия «Цифровой Узбекистан — 2030» ({code}) утверждена указом Президента; "
    "ответственный орган — Министерство по развитию информационных технологий.",
    "الاستراتيجية الوطنية للحكومة الإلكترونية ({code}) معتمدة منذ عام 2019 وتتم مراجعتها كل سنتين.",
    "国家电子政务战略({code})于2019年通过。由电子政务中心每两年审查一次。",
)
SAMPLE_LINK_NAMES = (
    "Single Portal of Interactive Public Services",
    "Единый портал интерактивных государственных услуг",
    "بوابة الخدمات الحكومية الإلكترونية",
    "国家政务服务平台",
)


def _sample_text(code: str, index: int, *, long: bool) -> str:
    text = SAMPLE_TEXTS[index % len(SAMPLE_TEXTS)].format(code=code)
    if long:
        # Several paragraphs in several scripts, as officials paste them.
        paragraphs = [
            SAMPLE_TEXTS[(index + n) % len(SAMPLE_TEXTS)].format(code=code) for n in range(4)
        ]
        text = "\n\n".join([text, *paragraphs * 3])
    return text


def answers_full(edition, *, links_per_question: int = 2, long: bool = False) -> dict[str, dict]:
    """{question code: {part name: value}} answering EVERY part of EVERY question of `edition`.

    Yes/no parts are "yes", so every question that depends on one is shown;
    multi parts tick every option (with an "Other" text); values are unique per
    question and mix Latin, Cyrillic, Arabic and Chinese. `long` makes texts
    several paragraphs long; `links_per_question` sets the rows of each links part.
    """
    from questionnaire.kinds import get_kind

    values: dict[str, dict] = {}
    for index, question in enumerate(edition.questions.order_by("order")):
        code = question.code
        question_value = {}
        for part in question.parts:
            kind = part["kind"]
            if kind == "text":
                raw = _sample_text(code, index, long=long)
            elif kind == "yes_no":
                raw = "yes"
            elif kind == "links":
                raw = [
                    {
                        "name": f"{SAMPLE_LINK_NAMES[(index + n) % 4]} {code}-{n}",
                        "url": f"https://my.gov.uz/{code}/services?id={n}&lang=ru#top",
                        "note": SAMPLE_TEXTS[(index + n) % 4].format(code=f"{code}-{n}"),
                    }
                    for n in range(1, links_per_question + 1)
                ]
            elif kind == "contact":
                raw = {
                    "name": f"Dilnoza Karimova ({code})",
                    "title": "Chief Information Officer / Директор",
                    "organization": "Ministry for Development of Information Technologies",
                    "emails": [f"cio.{code}@mitc.gov.uz", f"office.{code}@egov.uz"],
                    "phone": "+998 71 238 41 00",
                }
            elif kind == "multi":
                raw = {
                    "selected": [option["code"] for option in part["options"]],
                    "other": f"Digital twins of cities — 数字孪生城市 ({code})"
                    if any(option.get("other") for option in part["options"])
                    else "",
                }
            elif kind == "percentage":
                raw = {
                    "value": f"{40 + index % 50}.5",
                    "comment": f"Survey of 12,000 users in 2019; опрос пользователей ({code}).",
                }
            else:  # a kind added later: its empty value still makes a complete row
                raw = get_kind(kind).empty()
            question_value[part["name"]] = get_kind(kind).coerce(raw, part)
        values[code] = question_value
    return values


def submission_full(
    *,
    edition,
    country,
    status=Submission.Status.SUBMITTED,
    submitted_by=None,
    values: dict | None = None,
    **answers_options,
) -> Submission:
    """A submission of `country` with `answers_full` (or `values`), consent granted.

    Unless `status` is DRAFT it is submitted at version 1 (submitted_version=1), its first
    submission (submission_number=1).
    """
    from django.utils import timezone

    from questionnaire.models import Answer

    submitted = status != Submission.Status.DRAFT
    submission = Submission.objects.create(
        edition=edition,
        country=country,
        status=status,
        version=1,
        consent=Submission.Consent.GRANTED,
        consent_text=edition.consent_text,
        consent_by=submitted_by,
        consent_at=timezone.now(),
        submitted_by=submitted_by if submitted else None,
        submitted_at=timezone.now() if submitted else None,
        submitted_version=1 if submitted else None,
        submission_number=1 if submitted else None,
    )
    values = values if values is not None else answers_full(edition, **answers_options)
    questions = {question.code: question for question in edition.questions.all()}
    Answer.objects.bulk_create(
        Answer(
            submission=submission, question=questions[code], value=value, updated_by=submitted_by
        )
        for code, value in values.items()
    )
    return submission
