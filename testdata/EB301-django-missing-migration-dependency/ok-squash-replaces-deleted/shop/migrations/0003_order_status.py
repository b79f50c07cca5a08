from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("shop", "0002_order_total"), ("auth", "0012_alter_user_first_name_max_length"), ("contenttypes", "__latest__")]

    operations = [
    ]
