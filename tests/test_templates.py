"""Every template's visible text is marked for translation, and the error pages render."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Words that are the same in every language: units, names of formats and standards.
UNTRANSLATED_WORDS = {"UTC", "SHA"}

_TRANSLATED_BLOCKS = re.compile(
    r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}"
    r"|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}"
    # <body> class names, not text.
    r"|{%\s*block bodyclass\s*%}.*?{%\s*endblock(?: bodyclass)?\s*%}",
    re.S,
)
_TAGS_AND_VARIABLES = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}", re.S)
_TEXT_ATTRIBUTES = re.compile(
    r'\b(alt|title|aria-label|placeholder|aria-valuetext)\s*=\s*"([^"]*)"'
)
# Code samples (an HTTP header, a command) read the same in every language.
_NOT_TEXT = re.compile(
    r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|<code\b.*?</code>", re.S
)
_WORD = re.compile(r"[^\W\d_]{2,}")


def _untranslated(source: str) -> list[str]:
    """Visible text outside translate tags: between tags, or in alt, title, aria-label..."""
    text = _TAGS_AND_VARIABLES.sub("§", _TRANSLATED_BLOCKS.sub("§", source))
    found = [
        f'{name}="{value}"'
        for name, value in _TEXT_ATTRIBUTES.findall(text)
        if set(_WORD.findall(value)) - UNTRANSLATED_WORDS
    ]
    between_tags = re.sub(r"<[^>]*>", "\n", _NOT_TEXT.sub(" ", text))
    between_tags = re.sub(r"&[a-zA-Z0-9#]+;", " ", between_tags)
    found += [
        line.strip()
        for line in between_tags.splitlines()
        if set(_WORD.findall(line)) - UNTRANSLATED_WORDS
    ]
    return found


def test_untranslated_finder_catches_text_and_attributes():
    assert _untranslated("<p>Save</p>") == ["Save"]
    assert _untranslated('<img alt="Logo" src="x.png">') == ['alt="Logo"']
    assert _untranslated('<p>{% translate "Save" %}</p><img alt="{% translate "Logo" %}">') == []
    assert _untranslated("{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}") == []
    assert _untranslated("<p>{{ when }} UTC</p><script>let label = 'x';</script>") == []
    assert _untranslated("<p><code>Authorization: Bearer {{ prefix }}</code></p>") == []
    assert _untranslated("<p>Call <code>curl</code></p>") == ["Call"]


@pytest.mark.parametrize(
    "template",
    sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.*")),
)
def test_template_text_is_marked_for_translation(template):
    assert _untranslated((TEMPLATES / template).read_text(encoding="utf-8")) == []


@pytest.mark.django_db
def test_pages_follow_a_browser_asking_arabic_right_to_left(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()

    assert '<html lang="ar" dir="rtl">' in page


def test_server_error_page_is_translatable_and_self_contained():
    request = RequestFactory().get("/")
    with translation.override("ar"):
        response = server_error(request)

    page = response.content.decode()
    assert response.status_code == 500
    assert 'dir="rtl"' in page and 'lang="ar"' in page
    assert "dpidg@un.org" in page
    with translation.override("en"):
        english = server_error(request).content.decode()
    assert "Your saved answers are safe." in english and 'dir="ltr"' in english
