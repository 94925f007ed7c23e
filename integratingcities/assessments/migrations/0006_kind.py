# A self-test becomes a kind of its own: every assessment states what it is for. Existing rows
# take their kind from the round: a survey in a round, a self-test outside one.

from typing import Any

from django.db import migrations, models


def kind_from_round(apps: Any, schema_editor: Any) -> None:
    Assessment = apps.get_model("assessments", "Assessment")
    Assessment.objects.filter(round__isnull=False).update(kind="survey")
    Assessment.objects.filter(round__isnull=True).update(kind="self_test")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_share_evidence_context"),
        ("rounds", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="kind",
            field=models.CharField(
                choices=[
                    ("survey", "Survey of a monitoring round"),
                    ("self_test", "Self-test"),
                    ("baseline", "Mentoring baseline"),
                    ("follow_up", "Mentoring follow-up"),
                ],
                default="",
                editable=False,
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(kind_from_round, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(fields=["kind", "state"], name="assessment_kind_state"),
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["survey", "self_test", "baseline", "follow_up"])),
                name="assessment_kind_is_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "survey"), ("round__isnull", False)),
                    models.Q(models.Q(("kind", "survey"), _negated=True), ("round__isnull", True)),
                    _connector="OR",
                ),
                name="a_survey_and_only_a_survey_has_a_round",
            ),
        ),
    ]
