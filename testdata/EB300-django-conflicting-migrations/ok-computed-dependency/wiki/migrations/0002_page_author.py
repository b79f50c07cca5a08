from django.db import migrations, models


PREVIOUS = "0002_page_slug"


class Migration(migrations.Migration):

    dependencies = [("wiki", PREVIOUS)]

    operations = [
    ]
