"""{% edition_fragment %}: markup rendered once per process, edition (as loaded) and language."""

import html
import re

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from questionnaire.filling.services import submission_get_or_create
from questionnaire.models import Edition
from questionnaire.templatetags import filling

pytestmark = pytest.mark.django_db

FRAGMENT = Template(
    "{% load filling i18n %}{% edition_fragment edition key %}"
    "{{ counter.next }} {% translate 'Remove' %}{% endedition_fragment %}"
)


class Counter:
    """Counts how many times the block really rendered."""

    def __init__(self):
        self.count = 0

    def next(self) -> int:
        self.count += 1
        return self.count


@pytest.fixture(autouse=True)
def _no_fragments():
    filling._FRAGMENTS.clear()
    yield
    filling._FRAGMENTS.clear()


def _render(edition, key, counter) -> str:
    return FRAGMENT.render(Context({"edition": edition, "key": key, "counter": counter}))


def test_edition_fragment_rendered_once_per_key_then_reused(edition):
    counter = Counter()

    first = _render(edition, "q14-links", counter)
    again = _render(edition, "q14-links", counter)
    other_part = _render(edition, "q15-links", counter)

    assert first == again == "1 Remove"
    assert other_part == "2 Remove"
    assert counter.count == 2


def test_edition_fragment_rendered_again_in_another_language(edition):
    counter = Counter()
    english = _render(edition, "q14-links", counter)

    with translation.override("fr"):
        french = _render(edition, "q14-links", counter)

    assert english == "1 Remove"
    assert french == "2 Supprimer"


def test_edition_fragment_rendered_again_after_an_edition_load(edition):
    counter = Counter()
    _render(edition, "q14-links", counter)

    Edition.objects.filter(pk=edition.pk).update(loaded_at=timezone.now())
    reloaded = Edition.objects.get(pk=edition.pk)

    assert _render(reloaded, "q14-links", counter) == "2 Remove"


def test_edition_fragment_without_an_edition_renders_every_time():
    counter = Counter()

    assert _render(None, "q14-links", counter) == "1 Remove"
    assert _render(None, "q14-links", counter) == "2 Remove"


def test_section_page_blank_link_row_in_each_language(client, edition, country_a, focal_point):
    submission_get_or_create(edition=edition, country=country_a, user=focal_point)
    client.force_login(focal_point)

    def blank_row(language: str) -> str:
        page = client.get("/section/social-media/", HTTP_ACCEPT_LANGUAGE=language)
        text = html.unescape(page.content.decode())
        return re.search(r"<template data-empty-row>(.*?)</template>", text, re.S).group(1)

    english, french, english_again = blank_row("en"), blank_row("fr"), blank_row("en")

    assert 'name="q14-links-__prefix__-url"' in english
    assert ">Remove<" in english and ">Supprimer<" in french
    assert english_again == english
