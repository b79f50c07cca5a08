from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("wiki", "0002_page_slug"), migrations.swappable_dependency(settings.AUTH_USER_MODEL), ("accounts", "__first__")]

    operations = [
    ]
