from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("wiki", "0002_search")]

    operations = [
        migrations.AddIndex(model_name="page", index=models.Index(fields=["title"], name="wikipage_search_idx")),
    ]
