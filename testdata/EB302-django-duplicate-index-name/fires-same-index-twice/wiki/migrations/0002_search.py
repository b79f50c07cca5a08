from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("wiki", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX wikipage_search_idx ON wiki_page USING gin (to_tsvector('english', body))",
            reverse_sql="DROP INDEX wikipage_search_idx",
        ),
    ]
