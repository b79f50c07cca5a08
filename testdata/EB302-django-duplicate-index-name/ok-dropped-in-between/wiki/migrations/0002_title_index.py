from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("wiki", "0001_initial")]

    operations = [
        migrations.AddIndex(model_name="page", index=models.Index(fields=["title"], name="wikipage_title_idx")),
    ]
