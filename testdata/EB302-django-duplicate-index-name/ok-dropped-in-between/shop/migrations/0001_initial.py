from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [("wiki", "0004_check")]

    operations = [
        migrations.RunSQL("CREATE INDEX IF NOT EXISTS wikipage_title_idx ON wiki_page (title)", migrations.RunSQL.noop),
        migrations.CreateModel(
            name="Item",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200)),
                ("body", models.TextField()),
            ],
        ),
    ]
