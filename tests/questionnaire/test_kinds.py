"""Each answer kind's round trip: what a form posts → the stored JSON → the form again and
the read-only HTML."""

import html

import pytest

from questionnaire.forms import SectionForm
from questionnaire.kinds import KINDS, LinkRowForm, get_kind
from questionnaire.selectors import submission_snapshot
from questionnaire.services import answers_save, submission_get_or_create
from tests.questionnaire.filling_helpers import links_data

# Answers come in any script.
ARABIC = "قنوات رسمية"

ROUND_TRIPS = [
    pytest.param(
        "q14",
        {"q14-details-value": f"Каналы в Telegram.\r\n{ARABIC} 官方渠道  "},
        {"details": f"Каналы в Telegram.\r\n{ARABIC} 官方渠道  "},
        ["Каналы в Telegram.", f"{ARABIC} 官方渠道"],
        id="text",
    ),
    pytest.param(
        "q10",
        {"q10-answer-value": "yes"},
        {"answer": "yes"},
        ["Yes"],
        id="yes_no",
    ),
    pytest.param(
        "q1",
        links_data(
            "q1-links",
            [
                {"name": "Единый портал", "url": "www.ek.uz", "note": "since 2013"},
                {"name": "", "url": "", "note": ""},
                {"name": "Open data", "url": "https://data.egov.uz/#!/welcome", "note": ""},
            ],
        ),
        {
            "links": [
                {"name": "Единый портал", "url": "www.ek.uz", "note": "since 2013"},
                {"name": "Open data", "url": "https://data.egov.uz/#!/welcome", "note": ""},
            ]
        },
        ["Единый портал", 'href="http://www.ek.uz"', "since 2013", "#!/welcome"],
        id="links",
    ),
    pytest.param(
        "x_contact",
        {
            "x_contact-contact-name": "Dilnoza Karimova",
            "x_contact-contact-title": "Head of Department",
            "x_contact-contact-organization": "MITC",
            "x_contact-contact-emails": "d.karimova@mitc.uz;\r\ninfo@egov.uz",
            "x_contact-contact-phone": "+998 71 238 41 00",
        },
        {
            "contact": {
                "name": "Dilnoza Karimova",
                "title": "Head of Department",
                "organization": "MITC",
                "emails": ["d.karimova@mitc.uz", "info@egov.uz"],
                "phone": "+998 71 238 41 00",
            }
        },
        ["Dilnoza Karimova", "d.karimova@mitc.uz", "info@egov.uz", "+998 71 238 41 00"],
        id="contact",
    ),
    pytest.param(
        "q15",
        {"q15-answer-selected": ["other", "ai"], "q15-answer-other": "Digital twins"},
        {"answer": {"selected": ["ai", "other"], "other": "Digital twins"}},
        ["Artificial Intelligence (AI)", "Digital twins"],
        id="multi",
    ),
    pytest.param(
        "q17",
        {"q17-answer-value": "2,5", "q17-answer-comment": "85% (exception: service staff)"},
        {"answer": {"value": "2,5", "comment": "85% (exception: service staff)"}},
        ["2,5 %", "85% (exception: service staff)"],
        id="percentage",
    ),
]


@pytest.mark.parametrize(("code", "posted", "expected", "shown"), ROUND_TRIPS)
def test_kind_round_trip_form_json_form_and_html(
    edition, country_a, focal_point, code, posted, expected, shown
):
    question = edition.questions.get(code=code)
    submission = submission_get_or_create(edition=edition, country=country_a, user=focal_point)
    bound = SectionForm(questions=[question], values={}, data=posted)
    # A question's parts not posted at all (a links part with no management form) are bad input.
    for part in bound.questions[0].parts:
        if part.is_formset and f"{part.prefix}-TOTAL_FORMS" not in posted:
            posted.update(links_data(part.prefix, []))
    bound = SectionForm(questions=[question], values={}, data=posted)
    assert bound.is_valid(), bound.form_errors
    answers_save(submission=submission, user=focal_point, values=bound.raw_values(), base_version=1)
    stored = submission.answers.get(question=question).value
    assert stored == expected

    # The form filled from the stored JSON posts back exactly the same value.
    again = SectionForm(questions=[question], values={code: stored})
    repost = {}
    for part in again.questions[0].parts:
        kind = get_kind(part.kind)
        value = stored.get(part.part["name"], kind.empty())
        repost.update(_as_post(part, kind.form_initial(value, part.part)))
    rebound = SectionForm(questions=[question], values={code: stored}, data=repost)
    assert rebound.is_valid(), rebound.form_errors
    for part in question.parts:
        kind = get_kind(part["kind"])
        raw = rebound.raw_values()[code][part["name"]]
        assert kind.coerce(raw, part) == stored.get(part["name"], kind.empty())
    submission.refresh_from_db()
    snapshot = submission_snapshot(submission=submission)
    parts = next(
        item.parts
        for section in snapshot.sections
        for item in section.questions
        if item.question.code == code
    )
    rendered = html.unescape(
        "".join(get_kind(part.kind).render_html(part.value, part.definition) for part in parts)
    )
    for text in shown:
        assert text in rendered


def _as_post(part, initial) -> dict:
    """What the browser posts back for a form filled with `initial`."""
    if part.is_formset:
        return links_data(part.prefix, initial)
    data = {}
    for name, value in initial.items():
        if value not in (None, ""):
            data[f"{part.prefix}-{name}"] = value
    return data


def test_every_kind_has_a_form_and_a_template(edition):
    for name, kind in KINDS.items():
        part = {"name": "answer", "kind": name, "options": [{"code": "a", "label": "A"}]}
        assert kind.form_class(part) is not None, name
        assert kind.render_html(kind.empty(), part).strip(), name


def test_links_form_keeps_url_exactly_as_typed():
    form = LinkRowForm(data={"url": "  https://gov.uz/ru?q=%D0%B0 (portal)  "})
    assert form.is_valid()
    assert form.cleaned_data["url"] == "  https://gov.uz/ru?q=%D0%B0 (portal)  "


def test_links_too_many_rows_is_a_form_error(edition):
    question = edition.questions.get(code="q1")
    rows = [{"name": str(n), "url": f"https://{n}.uz"} for n in range(101)]
    form = SectionForm(questions=[question], values={}, data=links_data("q1-links", rows))
    assert not form.is_valid()
    assert "At most 100 links can be listed." in form.form_errors


def test_multi_unknown_option_is_a_form_error(edition):
    question = edition.questions.get(code="q15")
    form = SectionForm(
        questions=[question],
        values={},
        data={"q15-answer-selected": ["telepathy"], **links_data("q15-links", [])},
    )
    assert not form.is_valid()


def test_multi_option_footnotes_are_help_text(edition):
    question = edition.questions.get(code="q8")
    form = SectionForm(questions=[question], values={})
    field = form.questions[0].parts[0].form.fields["selected"]
    assert "Poor, immigrants, older persons" in str(field.help_text)
