from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("shop", "0002_order_amount")]

    operations = [
    ]
