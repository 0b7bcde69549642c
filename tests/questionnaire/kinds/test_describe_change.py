"""Each kind says in words what changed between two of its values (Kind.describe_change)."""

import html
import re

from django.utils import translation
from django.utils.html import strip_tags

from questionnaire.kinds import get_kind
from questionnaire.kinds.changes import Action, Words, text_changes, words_diff

LINKS = {"name": "links", "kind": "links"}
MULTI = {
    "name": "answer",
    "kind": "multi",
    "options": [
        {"code": "ai", "label": "Artificial Intelligence (AI)"},
        {"code": "iot", "label": "Internet of Things (IoT)"},
        {"code": "other", "label": "Other", "other": True},
    ],
}


def _read(changes) -> list[str]:
    """The changes as a reader sees them: the words of their HTML, spaces collapsed."""
    return [
        re.sub(r"\s+", " ", html.unescape(strip_tags(change.as_html()))).strip()
        for change in changes
    ]


def _link(url, name="", note=""):
    return {"name": name, "url": url, "note": note}


def test_links_describe_change_added_link_reads_in_words():
    changes = get_kind("links").describe_change([], [_link("https://my.gov.uz", "Portal")], LINKS)
    assert _read(changes) == ["Added link https://my.gov.uz — Portal"]
    shown = changes[0].as_html()
    assert '<ins class="history-after" dir="auto">https://my.gov.uz — Portal</ins>' in shown


def test_links_describe_change_url_changed_in_place_found_by_name():
    before = [_link("https://old.gov.uz", "Portal"), _link("https://data.gov.uz", "Data")]
    after = [_link("https://new.gov.uz", "Portal"), _link("https://data.gov.uz", "Data")]
    changes = get_kind("links").describe_change(before, after, LINKS)
    assert _read(changes) == [
        "Changed the URL of link “Portal” from https://old.gov.uz to https://new.gov.uz"
    ]
    shown = changes[0].as_html()
    assert '<del class="history-before" dir="auto">https://old.gov.uz</del>' in shown
    assert '<ins class="history-after" dir="auto">https://new.gov.uz</ins>' in shown


def test_links_describe_change_name_changed_found_by_url_and_removed_link():
    before = [_link("https://my.gov.uz", "Portal"), _link("https://gone.uz", "Gone")]
    after = [_link("https://my.gov.uz", "National portal")]
    changes = get_kind("links").describe_change(before, after, LINKS)
    assert _read(changes) == [
        "Removed link https://gone.uz — Gone",
        "Changed the name of link “https://my.gov.uz” from Portal to National portal",
    ]


def test_links_describe_change_moved_rows_say_nothing():
    rows = [_link("https://a.uz", "A"), _link("https://b.uz", "B")]
    assert get_kind("links").describe_change(rows, list(reversed(rows)), LINKS) == []


def test_contact_describe_change_emails_item_by_item_and_fields():
    before = {"name": "Dilnoza", "emails": ["a@gov.uz", "b@gov.uz"], "phone": "+998 71"}
    after = {"name": "Dilnoza Karimova", "emails": ["b@gov.uz", "c@gov.uz"], "phone": ""}
    changes = get_kind("contact").describe_change(before, after, {"name": "contact"})
    assert _read(changes) == [
        "Changed the contact's name from Dilnoza to Dilnoza Karimova",
        "Removed e-mail address a@gov.uz",
        "Added e-mail address c@gov.uz",
        "Removed the contact's phone +998 71",
    ]


def test_multi_describe_change_ticked_and_unticked_by_label():
    before = {"selected": ["ai"], "other": ""}
    after = {"selected": ["iot", "other"], "other": "Digital twins"}
    changes = get_kind("multi").describe_change(before, after, MULTI)
    assert _read(changes) == [
        "Unticked Artificial Intelligence (AI)",
        "Ticked Internet of Things (IoT)",
        "Ticked Other",
        "Added the “Other” text Digital twins",
    ]
    assert [change.action for change in changes[:3]] == [
        Action.UNTICKED,
        Action.TICKED,
        Action.TICKED,
    ]


def test_multi_describe_change_labels_in_the_active_language():
    worded = {**MULTI, "options": [{"code": "ai", "label": "Intelligence artificielle (IA)"}]}
    with translation.override("fr"):
        changes = get_kind("multi").describe_change({}, {"selected": ["ai"]}, worded)
        assert "Intelligence artificielle (IA)" in _read(changes)[0]


def test_yes_no_describe_change_by_label():
    kind = get_kind("yes_no")
    assert _read(kind.describe_change("yes", "no", {"name": "answer"})) == [
        "Changed the answer from Yes to No"
    ]
    assert _read(kind.describe_change("", "yes", {"name": "answer"})) == ["Added the answer Yes"]


def test_percentage_describe_change_value_and_comment():
    changes = get_kind("percentage").describe_change(
        {"value": "2.2", "comment": ""}, {"value": "3,5", "comment": "2019 survey"}, {}
    )
    assert _read(changes) == [
        "Changed the percentage from 2.2 to 3,5",
        "Added the comment 2019 survey",
    ]


def test_text_describe_change_short_text_before_and_after():
    changes = get_kind("text").describe_change("Law of 2019", "Law of 2020", {})
    assert _read(changes) == ["Changed the answer from Law of 2019 to Law of 2020"]


def test_text_describe_change_long_text_word_by_word():
    before = "The national strategy was adopted in 2019 by the cabinet and covers every ministry."
    after = "The national strategy was adopted in 2020 by the cabinet and covers every ministry."
    [change] = get_kind("text").describe_change(before, after, {})
    assert change.words == (
        (Words.SAME, "The national strategy was adopted in "),
        (Words.REMOVED, "2019 "),
        (Words.ADDED, "2020 "),
        (Words.SAME, "by the cabinet and covers every ministry."),
    )
    shown = change.as_html()
    assert "Changed the answer, word by word: <span" in shown
    assert (
        '<del class="history-before"><span class="visually-hidden">[removed:] </span>2019 </del>'
        in (shown)
    )
    assert (
        '<ins class="history-after"><span class="visually-hidden">[added:] </span>2020 </ins>'
        in (shown)
    )


def test_describe_change_escapes_a_malicious_answer():
    script = '<script>alert("x")</script>'
    formula = '=HYPERLINK("http://evil.example","click")'
    changes = get_kind("links").describe_change(
        [], [_link(f"https://x.uz/{script}", formula)], LINKS
    ) + text_changes("", script * 20, subject="the answer")
    for change in changes:
        shown = change.as_html()
        assert "<script>" not in shown
        assert "&lt;script&gt;" in shown
    assert "=HYPERLINK(&quot;http://evil.example&quot;" in changes[0].as_html()


def test_words_diff_unchanged_text_is_one_run():
    assert words_diff("same words", "same words") == ((Words.SAME, "same words"),)


def test_describe_change_last_word_replaced_keeps_the_words_apart():
    before = "The strategy is reviewed every two years by the Ministry of Information Technologies."
    after = "The strategy is reviewed every two years by the Ministry of Digital Technologies"
    [change] = get_kind("text").describe_change(before, after, {})
    shown = change.as_html()
    # "Information Technologies." struck out, "Digital Technologies" added: a space between.
    assert "Technologies.</del> <ins" in shown


def test_describe_change_values_keep_their_own_direction():
    [change] = get_kind("text").describe_change("بوابة", "Portal", {})
    shown = change.as_html()
    assert '<del class="history-before" dir="auto">بوابة</del>' in shown
    assert '<ins class="history-after" dir="auto">Portal</ins>' in shown
