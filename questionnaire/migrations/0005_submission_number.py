"""Submissions numbered as officials count them; existing ones from their SUBMITTED events."""

from django.db import migrations, models


def number_from_events(apps, schema_editor):
    """The number of a submitted row is how many times it was submitted (its SUBMITTED
    events); a row submitted without an event (loaded by hand) counts as submitted once."""
    Submission = apps.get_model("questionnaire", "Submission")
    SubmissionEvent = apps.get_model("questionnaire", "SubmissionEvent")
    counts = dict(
        SubmissionEvent.objects.filter(kind="submitted")
        .values("submission_id")
        .annotate(count=models.Count("id"))
        .values_list("submission_id", "count")
    )
    for submission in Submission.objects.filter(submitted_version__isnull=False).only("id"):
        Submission.objects.filter(pk=submission.pk).update(
            submission_number=max(counts.get(submission.pk, 0), 1)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("questionnaire", "0004_export_job_expired"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="submission_number",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="submission number"
            ),
        ),
        migrations.RunPython(number_from_events, migrations.RunPython.noop),
    ]
