"""The notifications written before messages were keyed become literal "text" messages: their
title and body, in the language they were written in, are kept and shown as they were."""

from django.db import migrations, models


def to_text_messages(apps, schema_editor) -> None:
    Notification = apps.get_model("crm", "Notification")
    Notification.objects.filter(message="").update(message="text", params={})


class Migration(migrations.Migration):
    dependencies = [("crm", "0006_notification_messages_and_channels")]

    operations = [
        migrations.RunPython(to_text_messages, migrations.RunPython.noop, elidable=True),
        # New rows without a message key are literal text too.
        migrations.AlterField(
            model_name="notification",
            name="message",
            field=models.CharField(db_default="text", default="text", max_length=100, verbose_name="message key"),
        ),
    ]
