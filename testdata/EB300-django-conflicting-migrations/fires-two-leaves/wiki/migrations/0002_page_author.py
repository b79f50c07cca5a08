from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("wiki", "0001_initial")]

    operations = [
        migrations.AddField("page", "author", models.CharField(max_length=100, default="")),
    ]
