from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("wiki", "0003_redo_index")]

    operations = [
        migrations.AddConstraint(model_name="page", constraint=models.CheckConstraint(condition=models.Q(title__gt=""), name="nonempty")),
    ]
