# Edition.state (planned, open, closed, archived) and the lifecycle record EditionEvent.

import os

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def states_from_is_open(apps, schema_editor):
    """is_open True → open, False → closed; at most one edition stays open.

    Before this migration officials answered the environment's MSQ_CURRENT_EDITION (default
    msq-2020; the setting is gone with this change),
    and a loaded edition was "open" by default even when officials never saw it (the
    example 2022). So of the editions marked open, the one officials answered stays open
    (else the newest one that has submissions, else the newest); the others become
    closed if earlier than it and planned if later, as officials never answered them.
    """
    Edition = apps.get_model("questionnaire", "Edition")
    Edition.objects.filter(is_open=False).update(state="closed")
    marked_open = list(Edition.objects.filter(is_open=True).order_by("-year", "-id"))
    if not marked_open:
        return
    current = os.environ.get("MSQ_CURRENT_EDITION", "msq-2020")
    keeper = next((e for e in marked_open if e.code == current), None)
    keeper = keeper or next((e for e in marked_open if e.submissions.exists()), marked_open[0])
    for edition in marked_open:
        if edition.pk == keeper.pk:
            edition.state = "open"
        else:
            edition.state = "closed" if edition.year < keeper.year else "planned"
        edition.save(update_fields=["state"])


def is_open_from_states(apps, schema_editor):
    Edition = apps.get_model("questionnaire", "Edition")
    Edition.objects.update(is_open=False)
    Edition.objects.filter(state__in=["open", "planned"]).update(is_open=True)


class Migration(migrations.Migration):

    dependencies = [
        ('questionnaire', '0012_reminders'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='EditionEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('open', 'Opened'), ('close', 'Closed'), ('reopen', 'Reopened'), ('archive', 'Archived')], max_length=10, verbose_name='action')),
                ('before', models.CharField(choices=[('planned', 'Planned'), ('open', 'Open'), ('closed', 'Closed'), ('archived', 'Archived')], max_length=10, verbose_name='state before')),
                ('after', models.CharField(choices=[('planned', 'Planned'), ('open', 'Open'), ('closed', 'Closed'), ('archived', 'Archived')], max_length=10, verbose_name='state after')),
                ('drafts', models.PositiveIntegerField(default=0, verbose_name='drafts open')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='at')),
            ],
            options={
                'verbose_name': 'edition event',
                'verbose_name_plural': 'edition events',
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.AddField(
            model_name='edition',
            name='state',
            field=models.CharField(choices=[('planned', 'Planned'), ('open', 'Open'), ('closed', 'Closed'), ('archived', 'Archived')], default='planned', help_text='Officials fill in only the open edition; a closed one is read-only.', max_length=10, verbose_name='state'),
        ),
        migrations.AddField(
            model_name='editionevent',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by'),
        ),
        migrations.AddField(
            model_name='editionevent',
            name='edition',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='questionnaire.edition', verbose_name='edition'),
        ),
            migrations.RunPython(states_from_is_open, is_open_from_states),
    ]
