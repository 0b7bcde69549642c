"""The portal's identity and trust pages: the accessibility statement, the privacy notice,
the footer that links them from every page, the help address and the favicon."""

import itertools
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import translation

PAGES = {"/accessibility/": "Accessibility statement", "/privacy/": "Privacy notice"}
FOOTER = re.compile(r"<footer\b.*?</footer>", re.S)


def footer_of(response) -> str:
    assert response.status_code == 200
    footers = FOOTER.findall(response.content.decode())
    assert len(footers) == 1
    return footers[0]


def headings(page: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])\b", page)]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "title"), PAGES.items())
def test_trust_page_opens_without_signing_in(client, url, title):
    response = client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'<h1 class="h2">{title}</h1>' in page
    assert 'href="mailto:dpidg@un.org"' in page


@pytest.mark.parametrize(("url", "title"), PAGES.items())
def test_trust_page_opens_for_signed_in_official_and_reviewer(
    client, focal_point, reviewer, url, title
):
    for person in (focal_point, reviewer):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, person
        assert title in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_trust_page_headings_go_down_one_level_at_a_time(client, url):
    levels = headings(client.get(url).content.decode())

    assert levels[0] == 1 and levels.count(1) == 1
    assert all(after - before <= 1 for before, after in itertools.pairwise(levels))


@pytest.mark.django_db
def test_accessibility_statement_names_target_testing_limits_and_date(client):
    page = client.get("/accessibility/").content.decode()

    assert "WCAG" in page and "2.1" in page and "level AA" in page
    assert "axe-core" in page and "1,280 pixels" in page and "390 pixels" in page
    assert "not tagged PDF/UA" in page
    assert "This statement was prepared on 1 December 2026." in page


@pytest.mark.django_db
def test_privacy_notice_states_periods_from_the_settings(client, settings):
    settings.MSQ_EXPORT_RETENTION_DAYS = 11
    settings.AXES_COOLOFF_TIME = 0.25

    page = client.get("/privacy/").content.decode()

    assert "deleted 11 days after they are made" in page
    assert "count towards a lockout (15 minutes)" in page
    assert "kept for the survey cycle and then reviewed by DPIDG" in page
    assert "Personal Data Protection and Privacy Principles" in page
    assert "privileges and immunities" in page


@pytest.mark.django_db
def test_sign_in_page_footer_links_help_accessibility_and_privacy(client):
    footer = footer_of(client.get("/accounts/login/"))

    assert "United Nations" in footer and "Department of Economic and Social Affairs" in footer
    assert "Division of Public Institutions and Digital Government" in footer
    assert 'href="mailto:dpidg@un.org"' in footer
    assert 'href="/accessibility/"' in footer and 'href="/privacy/"' in footer


@pytest.mark.django_db
def test_sign_in_page_offers_help_by_mail_above_the_footer(client):
    page = client.get("/accounts/login/").content.decode()
    main = page[page.index("<main") : page.index("</main>")]

    assert "Need help signing in" in main and 'href="mailto:dpidg@un.org"' in main


def test_overview_footer_links_accessibility_and_privacy(client, focal_point, edition):
    client.force_login(focal_point)

    footer = footer_of(client.get("/"))

    assert 'href="/accessibility/"' in footer and 'href="/privacy/"' in footer
    assert 'href="mailto:dpidg@un.org"' in footer


def test_staff_page_footer_links_accessibility_and_privacy(client, reviewer, edition):
    client.force_login(reviewer)

    footer = footer_of(client.get("/accounts/invite/"))

    assert 'href="/accessibility/"' in footer and 'href="/privacy/"' in footer
    assert 'href="mailto:dpidg@un.org"' in footer


def test_review_console_footer_links_accessibility_and_privacy(client, reviewer, edition):
    client.force_login(reviewer)

    for url in ("/staff/dashboard/", "/admin/"):
        footer = footer_of(client.get(url))
        assert 'href="/accessibility/"' in footer and 'href="/privacy/"' in footer, url
        assert "Department of Economic and Social Affairs" in footer, url


@pytest.mark.django_db
def test_help_address_follows_the_setting(client, settings):
    settings.MSQ_HELP_EMAIL = "msq-help@un.example.org"

    page = client.get("/accounts/login/").content.decode()

    assert page.count('href="mailto:msq-help@un.example.org"') == 2  # the sign-in help, the footer
    assert "dpidg@un.org" not in page


@pytest.mark.django_db
def test_pages_name_the_un_in_words_and_show_the_favicon(client):
    page = client.get("/accounts/login/").content.decode()
    header = page[page.index("<header") : page.index("</header>")]

    assert "United Nations E-Government Survey" in header and "MSQ Portal" in header
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page


@pytest.mark.django_db
def test_favicon_ico_redirects_to_the_svg_icon_that_exists(client):
    response = Client().get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    assert finders.find("favicon.svg")


@pytest.mark.django_db
def test_trust_pages_in_arabic_are_right_to_left_and_keep_the_address(client):
    with translation.override("ar"):
        for url in PAGES:
            page = client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
            assert '<html lang="ar" dir="rtl">' in page
            assert 'href="mailto:dpidg@un.org">dpidg@un.org</a>' in page
