# Recorded scores now carry each section's answered weight (the honest-score rule needs it) and
# say which shape they are (``version``). Records of the older shape are dropped: results score
# those assessments from their answers until ``manage.py record_scores`` records them again.

from typing import Any

from django.db import migrations


def forget_old_records(apps: Any, schema_editor: Any) -> None:
    Assessment = apps.get_model("assessments", "Assessment")
    old = [
        pk
        for pk, scores in Assessment.objects.filter(scores__isnull=False).values_list(
            "pk", "scores"
        )
        if not isinstance(scores, dict) or scores.get("version") != 2
    ]
    for start in range(0, len(old), 500):
        Assessment.objects.filter(pk__in=old[start : start + 500]).update(scores=None)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0006_kind")]

    operations = [
        migrations.RunPython(forget_old_records, migrations.RunPython.noop, elidable=True),
    ]
