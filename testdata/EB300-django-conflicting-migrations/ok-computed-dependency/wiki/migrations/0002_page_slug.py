from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("wiki", "0001_initial")]

    operations = [
    ]
