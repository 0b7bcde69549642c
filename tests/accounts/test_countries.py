from collections import Counter

from django.core.management import call_command

from accounts.countries import COUNTRIES_FILE, read_countries_file
from accounts.models import Country


def test_countries_are_the_193_member_states(countries):
    assert Country.objects.count() == 193
    assert Country.objects.values("iso3").distinct().count() == 193


def test_countries_regions_have_the_un_counts(countries):
    regions = Counter(Country.objects.values_list("region", flat=True))
    assert regions == {"Africa": 54, "Americas": 35, "Asia": 47, "Europe": 43, "Oceania": 14}


def test_countries_keep_codes_as_written(countries):
    afghanistan = Country.objects.get(iso3="AFG")
    assert (afghanistan.iso2, afghanistan.m49) == ("AF", "004")
    assert afghanistan.official_name == "Islamic Republic of Afghanistan"
    assert afghanistan.subregion == "Southern Asia"


def test_load_countries_command_twice_changes_nothing(countries, capsys):
    call_command("load_countries")
    assert "0 created, 0 updated, 193 unchanged" in capsys.readouterr().out


def test_load_countries_command_restores_an_edited_country(countries, capsys):
    Country.objects.filter(iso3="FRA").update(name="Frankreich")
    call_command("load_countries")
    assert "1 updated" in capsys.readouterr().out
    assert Country.objects.get(iso3="FRA").name == "France"


def test_countries_file_is_the_project_copy():
    rows = read_countries_file(COUNTRIES_FILE)
    assert len(rows) == 193
    assert "shared" not in COUNTRIES_FILE.parts
