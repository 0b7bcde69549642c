# The state replaces is_open (0012 copied it), and at most one edition is open. A migration of
# its own: PostgreSQL refuses to alter a table whose rows changed earlier in the same
# transaction.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('questionnaire', '0013_edition_state'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='edition',
            name='is_open',
        ),
        migrations.AddConstraint(
            model_name='edition',
            constraint=models.UniqueConstraint(condition=models.Q(('state', 'open')), fields=('state',), name='one_open_edition'),
        ),
    ]
