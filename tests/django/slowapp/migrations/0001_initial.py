"""Creates a table, then takes two seconds (like a data migration), so concurrent
`manage.py migrate` runs overlap and collide unless something serialises them."""
import time

from django.db import migrations, models


def seed(apps, schema_editor):
    time.sleep(2)
    apps.get_model("slowapp", "Widget").objects.create(name="seed")


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Widget",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=50, unique=True)),
            ],
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
