import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("repairs", "0007_first_fee_schedule")]

    operations = [
        migrations.AlterField(
            model_name="feeitem",
            name="schedule",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="items",
                to="repairs.feeschedule",
                verbose_name="fee schedule",
            ),
        ),
    ]
