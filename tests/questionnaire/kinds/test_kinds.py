"""Each answer kind's round trip: what a form posts → the stored JSON → the form again and
the read-only HTML."""

import html
from decimal import Decimal

import pytest

from questionnaire.filling.forms import SectionForm
from questionnaire.filling.services import answers_save, submission_get_or_create
from questionnaire.kinds import (
    KINDS,
    InputShapeError,
    LinkRowForm,
    PercentageKind,
    get_kind,
    url_href,
)
from questionnaire.selectors import submission_snapshot
from tests.questionnaire.filling_helpers import links_data

# Answers come in any script.
ARABIC = "قنوات رسمية"

ROUND_TRIPS = [
    pytest.param(
        "q14",
        {"q14-details-value": f"Каналы в Telegram.\r\n{ARABIC} 官方渠道  "},
        # Kept as typed, its line break as the autosave sends it (a form sends CRLF).
        {"details": f"Каналы в Telegram.\n{ARABIC} 官方渠道  "},
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


# --- Links: what is a web address -----------------------------------------------------

ADDRESSES = [
    ("www.ek.uz", "http://www.ek.uz"),
    ("//www.ek.uz", "http://www.ek.uz"),
    ("gov.uz/ru#!/welcome", "http://gov.uz/ru#!/welcome"),
    ("https://my.gov.uz/#!/welcome", "https://my.gov.uz/#!/welcome"),
    ("HTTPS://MY.GOV.UZ", "HTTPS://MY.GOV.UZ"),
    ("https://gov.uz (main portal, in Uzbek and Russian)", "https://gov.uz"),
    ("https://gov.uz, https://my.gov.uz", "https://gov.uz"),
    ("http://stat.uz/ru/?option=com_content&id=1", "http://stat.uz/ru/?option=com_content&id=1"),
    (
        "https://www.google.com/search?q=%D0%B3%D0%BE",
        "https://www.google.com/search?q=%D0%B3%D0%BE",
    ),
    ("президент.рф", "http://президент.рф"),
    ("https://госуслуги.рф/help", "https://госуслуги.рф/help"),
    ("http://%D1%80%D1%84%D1%84.%D1%80%D1%84/", "http://%D1%80%D1%84%D1%84.%D1%80%D1%84/"),
    ("http://xn--d1abbgf6aiiy.xn--p1ai/", "http://xn--d1abbgf6aiiy.xn--p1ai/"),
    ("https://www.moi.gov.ae/ar/default.aspx", "https://www.moi.gov.ae/ar/default.aspx"),
    ("stat.uz:8080/ru", "http://stat.uz:8080/ru"),
    ("https://gov.uz:65535/", "https://gov.uz:65535/"),
    ("http://213.230.65.85/portal", "http://213.230.65.85/portal"),
    ("http://[2a00:1450:4001:81c::200e]:8443/", "http://[2a00:1450:4001:81c::200e]:8443/"),
]

NOT_ADDRESSES = [
    "http://",
    "http://.",
    "http://-",
    "https://-gov.uz",
    "http://gov.uz:99999/",
    "http://gov.uz:0/",
    "http://gov.uz:80:80/",
    "http://gov..uz",
    "http:///gov.uz",
    "http://localhost:8000/",
    # Private, loopback and documentation addresses: nobody outside can reach them.
    "http://127.0.0.1/",
    "http://10.0.0.1/intranet",
    "http://192.168.1.1/",
    "http://0.0.0.0/",
    "http://[::1]/",
    "http://192.0.2.10/portal",
    "localhost:8000",
    "http://gov",
    "http://gov.u2",
    "http://1.2.3",
    "http://999.1.1.1",
    "http://[gov.uz]/",
    "javascript:alert(1)",
    "ftp://files.gov.uz",
    "a.alimov@mitc.uz",
    "https://gov.uz@evil.example/login",
    "https://user:secret@my.gov.uz/",
    "not a url at all",
]


@pytest.mark.parametrize(("typed", "href"), ADDRESSES)
def test_url_href_real_world_address_is_linked(typed, href):
    assert url_href(typed) == href


@pytest.mark.parametrize("typed", NOT_ADDRESSES)
def test_url_href_without_a_public_host_is_not_a_link(typed):
    assert url_href(typed) is None
    rendered = get_kind("links").render_html([{"name": "Portal", "url": typed, "note": ""}], {})
    assert "<a " not in rendered
    assert html.escape(typed) in rendered


# --- Percentages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "number"),
    [("45,5", "45.5"), ("2.2", "2.2"), ("50 %", "50"), ("0,125", "0.125"), ("100", "100")],
)
def test_percentage_number_reads_either_decimal_mark(typed, number):
    assert PercentageKind.number({"value": typed}) == Decimal(number)


@pytest.mark.parametrize("typed", ["1,000", "1.000,5", "1e2", "nan", "-5", "\uff11\uff12", "101"])
def test_percentage_number_is_none_for_what_is_refused(typed):
    assert PercentageKind.number({"value": typed}) is None


# --- What the JSON autosave may post ---------------------------------------------------

MULTI = {
    "name": "answer",
    "kind": "multi",
    "options": [{"code": "ai", "label": "AI"}, {"code": "other", "label": "Other", "other": True}],
}
PARTS = {
    "text": {"name": "details", "kind": "text"},
    "yes_no": {"name": "answer", "kind": "yes_no"},
    "links": {"name": "links", "kind": "links"},
    "contact": {"name": "contact", "kind": "contact"},
    "multi": MULTI,
    "percentage": {"name": "answer", "kind": "percentage"},
}

WRONG_SHAPES = [
    ("text", ["a", "b"], "the answer should be text, not a list"),
    ("text", {"value": "a"}, "the answer should be text, not an object"),
    ("text", True, "the answer should be text, not true/false"),
    ("yes_no", "maybe", "“yes”, “no” or empty, not “maybe”"),
    ("yes_no", ["yes"], "should be text, not a list"),
    ("links", "https://gov.uz", "the links should be a list, not a value of another type"),
    ("links", ["https://gov.uz"], "link 1 should be an object"),
    ("links", [{"url": "gov.uz"}, {"href": "gov.uz"}], "link 2 has no “href”"),
    ("links", [{"url": ["gov.uz"]}], "link 1's url should be text, not a list"),
    ("contact", "Dilnoza", "the contact should be an object"),
    ("contact", {"email": "d@mitc.uz"}, "the contact has no “email”"),
    ("contact", {"name": {"first": "Dilnoza"}}, "the contact's name should be text"),
    ("contact", {"emails": [["d@mitc.uz"]]}, "each e-mail address should be text"),
    ("contact", {"emails": {"work": "d@mitc.uz"}}, "the e-mail addresses should be text"),
    ("multi", ["ai"], "the answer should be an object, not a list"),
    ("multi", {"choices": ["ai"]}, "the answer has no “choices” (it has selected, other)"),
    ("multi", {"selected": ["telepathy"]}, "there is no option “telepathy”"),
    ("multi", {"selected": [["ai"]]}, "each chosen option should be text"),
    ("multi", {"selected": ["other"], "other": ["x"]}, "the “Other” text should be text"),
    ("percentage", {"value": [45]}, "the percentage should be text, not a list"),
    ("percentage", {"value": "45", "note": "x"}, "the answer has no “note”"),
    ("percentage", [45], "the percentage should be text, not a list"),
    ("percentage", {"comment": False}, "the comment should be text, not true/false"),
]


@pytest.mark.parametrize(("kind", "raw", "message"), WRONG_SHAPES)
def test_coerce_wrong_shape_is_refused_not_stored_empty(kind, raw, message):
    with pytest.raises(InputShapeError) as error:
        get_kind(kind).coerce(raw, PARTS[kind])
    assert message in str(error.value.message)


@pytest.mark.parametrize(
    ("kind", "raw", "stored"),
    [
        ("text", None, ""),
        ("text", 2019, "2019"),
        ("yes_no", " Yes ", "yes"),
        ("yes_no", "", ""),
        ("links", None, []),
        ("links", [{"url": "gov.uz", "name": None}], [{"name": "", "url": "gov.uz", "note": ""}]),
        ("contact", {"name": "D", "emails": ["d@mitc.uz"]}, None),
        ("multi", {"selected": "ai"}, {"selected": ["ai"], "other": ""}),
        ("multi", {"selected": []}, {}),
        ("percentage", 45.5, {"value": "45.5", "comment": ""}),
        ("percentage", {"value": 50, "comment": "survey"}, {"value": "50", "comment": "survey"}),
        ("percentage", None, {}),
    ],
)
def test_coerce_json_of_the_right_shape_is_stored(kind, raw, stored):
    value = get_kind(kind).coerce(raw, PARTS[kind])
    if stored is None:  # a contact: only the fields that matter here
        assert (value["name"], value["emails"]) == ("D", ["d@mitc.uz"])
    else:
        assert value == stored
