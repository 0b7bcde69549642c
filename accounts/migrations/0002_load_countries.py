from django.db import migrations


def load_countries(apps, schema_editor):
    from accounts.countries import countries_load

    countries_load(country_model=apps.get_model("accounts", "Country"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load_countries, migrations.RunPython.noop)]
