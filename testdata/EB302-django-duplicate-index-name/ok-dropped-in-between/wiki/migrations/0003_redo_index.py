from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("wiki", "0002_title_index")]

    operations = [
        migrations.RemoveIndex(model_name="page", name="wikipage_title_idx"),
        migrations.AddIndex(model_name="page", index=models.Index(fields=["body"], name="wikipage_title_idx")),
    ]
