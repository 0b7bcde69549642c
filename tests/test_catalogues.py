"""The interface catalogues of the five languages besides English: complete, and used.

Both tests FAIL until the translators' catalogues are merged (locale/*/LC_MESSAGES/django.po
are skeletons in a branch without them): that is what they are for.
"""

import html
import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.urls import reverse

from questionnaire.models import Submission
from tests.factories import submission_full

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ["fr", "es", "ru", "ar", "zh_Hans"]
DOMAINS = ["django", "djangojs"]


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_completely_translated(language, domain):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / f"{domain}.po"))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert not catalogue.metadata_is_fuzzy, "the header is marked fuzzy"
    assert (untranslated, fuzzy) == ([], []), (
        f"{language}/{domain}: {len(untranslated)} untranslated, {len(fuzzy)} fuzzy "
        f"({catalogue.percent_translated()} % translated), e.g. {(untranslated + fuzzy)[:5]}"
    )


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_each_message_once(language, domain):
    # Two branches appending the same message to a catalogue merge without a conflict;
    # GNU msgfmt then refuses the file ("duplicate message definition") and polib keeps
    # whichever comes first, so a later correction would silently not apply.
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / f"{domain}.po"))
    counts = Counter((entry.msgctxt, entry.msgid) for entry in catalogue if not entry.obsolete)
    duplicates = sorted(msgid for (_context, msgid), count in counts.items() if count > 1)
    assert not duplicates, f"{language}/{domain}: messages defined twice: {duplicates[:5]}"


# --- No English left on a French page ----------------------------------------------

# Text that is data, not interface: answers typed by officials, proper names, and the
# switcher's language names, each in its own language (<option lang="en">English</option>).
DATA_ELEMENTS = re.compile(
    r"<(script|style|textarea|template)\b.*?</\1>|<option\b[^>]*\blang=\"[^\"]+\"[^>]*>.*?</option>",
    re.S | re.I,
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}")


def visible_text(page: str) -> str:
    page = DATA_ELEMENTS.sub(" ", page)
    page = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(page).split())


# English msgids that are French words too: on a French page they cannot tell English from
# French ("Comment" is "how", as in the French wording of q18 "Comment votre gouvernement…").
ALSO_FRENCH = {"Comment"}


def english_fragments() -> dict[str, str]:
    """{English text that must not show on a French page: its msgid}. Every msgid whose
    French is not the same text (untranslated ones included); a msgid with placeholders
    gives its literal pieces of 20 characters or more; pieces under 4 characters are left
    out (they match inside names and numbers)."""
    catalogue = polib.pofile(str(LOCALE / "fr" / "LC_MESSAGES" / "django.po"))
    fragments = {}
    for entry in catalogue:
        if entry.obsolete or entry.msgstr == entry.msgid or entry.msgid in ALSO_FRENCH:
            continue
        pieces = PLACEHOLDER.split(entry.msgid)
        minimum = 20 if len(pieces) > 1 else 4
        for piece in pieces:
            piece = " ".join(piece.split()).strip(" .:,;")
            if len(piece) >= minimum:
                fragments[piece] = entry.msgid
    return fragments


def english_left(text: str, fragments: dict[str, str]) -> list[str]:
    return sorted(
        fragment
        for fragment in fragments
        if re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", text)
    )


def test_english_left_is_found_and_french_is_not():
    fragments = {"Save draft": "Save draft", "Team": "Team"}
    assert english_left("Enregistrer le brouillon · Équipe", fragments) == []
    assert english_left("Save draft · Équipe · Teams", fragments) == ["Save draft"]
    assert visible_text('<p title="Team">x<textarea>Team</textarea></p>') == "x"
    assert visible_text('<option value="en" lang="en">English</option>y') == "y"


def _official_pages(client, edition, focal_point) -> dict[str, str]:
    pages = {"sign-in": client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr")}
    client.force_login(focal_point)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    pages["overview"] = client.get(reverse("questionnaire:home"))
    for section in edition.sections.order_by("order"):
        pages[f"section {section.code}"] = client.get(
            reverse("questionnaire:section", kwargs={"code": section.code})
        )
    pages["review"] = client.get(reverse("questionnaire:review"))
    pages["team"] = client.get(reverse("accounts:team"))
    pages["account"] = client.get(reverse("accounts:account"))
    Submission.objects.filter(country=focal_point.country).update(
        status=Submission.Status.SUBMITTED, submitted_version=1, submission_number=1
    )
    pages["submission"] = client.get(reverse("questionnaire:submission"))
    return pages


def test_officials_pages_in_french_show_no_english_interface_text(
    client, edition, country_a, focal_point
):
    submission_full(
        edition=edition, country=country_a, status=Submission.Status.DRAFT, values={"q14": {}}
    )
    fragments = english_fragments()

    pages = _official_pages(client, edition, focal_point)

    found = {}
    for name, response in pages.items():
        assert response.status_code == 200, name
        page = response.content.decode()
        assert '<html lang="fr"' in page, name
        left = english_left(visible_text(page), fragments)
        if left:
            found[name] = left[:8]
    assert found == {}
