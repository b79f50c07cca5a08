"""A schema change after the slow one: applied twice it fails ("duplicate column")."""
import time

from django.db import migrations, models


def pause(apps, schema_editor):
    time.sleep(1)


class Migration(migrations.Migration):
    dependencies = [("slowapp", "0001_initial")]

    operations = [
        migrations.AddField("widget", "size", models.IntegerField(default=0)),
        migrations.RunPython(pause, migrations.RunPython.noop),
    ]
