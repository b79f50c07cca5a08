from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("wiki", "0002_page_author"), ("wiki", "0002_page_slug")]

    operations = [
    ]
