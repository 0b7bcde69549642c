from django.contrib.auth.models import Group

from accounts.models import REVIEWERS_GROUP


def test_reviewers_group_has_its_permissions_after_migrate(db):
    """A deployment that never made demo accounts still gives reviewers the lockout logs."""
    codenames = set(
        Group.objects.get(name=REVIEWERS_GROUP).permissions.values_list("codename", flat=True)
    )
    assert {"view_submission", "view_accessattempt", "delete_accessattempt"} <= codenames
    assert "change_answer" not in codenames
