"""What the suite itself relies on: one fast password hasher, chosen in one place."""

from django.contrib.auth.hashers import check_password, get_hasher, make_password

from tests.conftest import FAST_PASSWORD_HASHERS


def test_suite_passwords_hashed_with_the_fast_hasher_everywhere(settings):
    assert settings.PASSWORD_HASHERS == FAST_PASSWORD_HASHERS
    assert get_hasher().algorithm == "md5"
    hashed = make_password("Correct-horse-battery-42")
    assert hashed.startswith("md5$")
    assert check_password("Correct-horse-battery-42", hashed)


def test_suite_no_test_module_chooses_its_own_hasher():
    from pathlib import Path

    tests = Path(__file__).resolve().parent
    choosing = [
        str(path.relative_to(tests))
        for path in tests.rglob("*.py")
        if path.name != "conftest.py"
        and path.name != "test_suite_setup.py"
        and "settings.PASSWORD_HASHERS" in path.read_text()
    ]
    assert choosing == []
