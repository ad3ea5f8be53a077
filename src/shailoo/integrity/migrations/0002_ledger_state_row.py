"""Create the single LedgerState row appenders lock: an empty ledger with the empty root."""

import hashlib

from django.db import migrations


def create_state(apps, schema_editor):
    LedgerState = apps.get_model("integrity", "LedgerState")
    LedgerState.objects.get_or_create(
        pk=1, defaults={"size": 0, "root_hash": hashlib.sha256(b"").digest()}
    )


class Migration(migrations.Migration):
    dependencies = [("integrity", "0001_initial")]

    operations = [migrations.RunPython(create_state, migrations.RunPython.noop)]
