from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("shop", "0009_does_not_exist")]

    operations = [
    ]
