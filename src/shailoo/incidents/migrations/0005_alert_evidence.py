"""Alerts keep their evidence structured (``Case.alert_evidence``), so pages name each item in
the reader's language. Alerts raised before kept it only as ``key: value`` lines under the
summary in the description: those lines are read back into the new column (as text, the way
they were written), and the description is left as it was (the ledger holds its digest)."""

from typing import Any

from django.db import migrations, models

#: ``raise_alert`` wrote the evidence as sorted ``key: value`` lines after a blank line.
_KEY = "abcdefghijklmnopqrstuvwxyz0123456789_"


def evidence_of(description: str) -> dict[str, str]:
    """The ``key: value`` lines after the summary ({} when the text is not of that shape)."""
    _, blank, tail = description.rpartition("\n\n")
    if not blank:
        return {}
    found: dict[str, str] = {}
    for line in tail.splitlines():
        key, colon, value = line.partition(": ")
        if not colon or not key or any(c not in _KEY for c in key.lower()):
            return {}
        found[key] = value
    return found


def read_back(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("incidents", "Case")
    for case in Case.objects.filter(source="alert").only("pk", "description"):
        evidence = evidence_of(case.description)
        if evidence:
            Case.objects.filter(pk=case.pk).update(alert_evidence=evidence)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0004_translated_names")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="alert_evidence",
            field=models.JSONField(blank=True, default=dict, verbose_name="alert evidence"),
        ),
        migrations.RunPython(read_back, migrations.RunPython.noop),
    ]
