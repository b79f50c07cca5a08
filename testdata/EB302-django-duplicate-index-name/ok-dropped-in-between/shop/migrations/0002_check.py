from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.AddConstraint(model_name="item", constraint=models.CheckConstraint(condition=models.Q(title__gt=""), name="nonempty")),
    ]
