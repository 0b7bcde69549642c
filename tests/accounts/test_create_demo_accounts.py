import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.access import is_reviewer
from accounts.models import User


def printed_password(output: str) -> str:
    return re.search(r"password: (\S+)", output).group(1)


def test_create_demo_accounts_prints_a_password_that_signs_in(countries, capsys, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("create_demo_accounts")
    password = printed_password(capsys.readouterr().out)
    reviewer = User.objects.get(email="reviewer@demo.msq.example.org")
    focal_point = User.objects.get(email="focal.point@demo.msq.example.org")
    assert is_reviewer(reviewer)
    assert focal_point.country.iso3 == "UZB"
    assert focal_point.role == User.Role.FOCAL_POINT
    assert focal_point.check_password(password)


def test_create_demo_accounts_again_keeps_passwords_unless_reset(countries, capsys, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("create_demo_accounts")
    first = printed_password(capsys.readouterr().out)
    call_command("create_demo_accounts")
    assert "--reset-password" in capsys.readouterr().out
    assert User.objects.get(email="contributor@demo.msq.example.org").check_password(first)

    call_command("create_demo_accounts", "--reset-password")
    second = printed_password(capsys.readouterr().out)
    assert second != first
    assert User.objects.filter(email__endswith="@demo.msq.example.org").count() == 3
    for user in User.objects.filter(email__endswith="@demo.msq.example.org"):
        assert user.check_password(second)


def test_create_demo_accounts_uses_demo_password(countries, capsys, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-chosen-demo-password")
    call_command("create_demo_accounts")
    assert printed_password(capsys.readouterr().out) == "a-chosen-demo-password"


def test_create_demo_accounts_unknown_country_is_a_clear_error(countries):
    with pytest.raises(CommandError, match="No country with ISO3 code 'XXX'"):
        call_command("create_demo_accounts", "--country", "XXX")
