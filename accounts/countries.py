"""Loading the UN Member States from the data file shipped with the project."""

import csv
from dataclasses import dataclass
from pathlib import Path

COUNTRIES_FILE = Path(__file__).resolve().parent / "data" / "un-member-states.csv"
FIELDS = ("iso3", "iso2", "m49", "name", "official_name", "region", "subregion")


@dataclass(frozen=True)
class CountriesLoadResult:
    created: int
    updated: int
    unchanged: int


def read_countries_file(path: Path = COUNTRIES_FILE) -> list[dict]:
    """The rows of the countries file, checked; a bad row raises ValueError naming it."""
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line_number, row in enumerate(csv.DictReader(handle), start=2):
            missing = [field for field in (*FIELDS, "un_member_since") if not row.get(field)]
            if missing:
                raise ValueError(f"{path}, line {line_number}: missing {', '.join(missing)}")
            rows.append(
                {
                    **{field: row[field].strip() for field in FIELDS},
                    "un_member_since": int(row["un_member_since"]),
                }
            )
    return rows


def countries_load(*, country_model, path: Path = COUNTRIES_FILE) -> CountriesLoadResult:
    """Create or update one Country row per line of the file, keyed by ISO3.

    Takes the model class so that the data migration can pass its historical model.
    Idempotent: a second run reports every row unchanged.
    """
    created = updated = unchanged = 0
    existing = {country.iso3: country for country in country_model.objects.all()}
    for row in read_countries_file(path):
        country = existing.get(row["iso3"])
        if country is None:
            country_model.objects.create(**row)
            created += 1
            continue
        changed = [field for field, value in row.items() if getattr(country, field) != value]
        if changed:
            for field in changed:
                setattr(country, field, row[field])
            country.save(update_fields=changed)
            updated += 1
        else:
            unchanged += 1
    return CountriesLoadResult(created=created, updated=updated, unchanged=unchanged)
