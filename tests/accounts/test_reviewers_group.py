from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import REVIEWERS_GROUP


def test_reviewers_group_has_its_permissions_after_migrate(db):
    """A deployment that never made demo accounts still gives reviewers the lockout logs."""
    codenames = set(
        Group.objects.get(name=REVIEWERS_GROUP).permissions.values_list("codename", flat=True)
    )
    assert {"view_submission", "view_accessattempt", "delete_accessattempt"} <= codenames
    assert "change_answer" not in codenames


def _group_reads(queries) -> int:
    """The membership checks of the Reviewers group among `queries`."""
    return sum(
        '_user_groups"' in query["sql"] and f"'{REVIEWERS_GROUP}'" in query["sql"]
        for query in queries
    )


def test_reviewers_group_read_once_per_admin_page(client, reviewer):
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as page:
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    # The admin asks every model's permissions; the membership is read for the first only.
    assert _group_reads(page.captured_queries) == 1


def test_reviewers_group_removal_applies_from_the_next_request(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("questionnaire:staff_dashboard")).status_code == 200
    reviewer.groups.clear()
    assert client.get(reverse("questionnaire:staff_dashboard")).status_code != 200
