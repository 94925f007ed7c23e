"""Record the scores of validated assessments that have none yet: safe to run again."""

from typing import Any

from django.core.management.base import BaseCommand

from integratingcities.assessments.models import Assessment, AssessmentState
from integratingcities.assessments.services import scores_record

BATCH = 500


class Command(BaseCommand):
    help = (
        "Record the scores of validated assessments that have none (those validated before "
        "scores were recorded, or loaded in bulk). Results are correct without them, only slower."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        missing = Assessment.objects.filter(state=AssessmentState.VALIDATED, scores__isnull=True)
        done = 0
        while batch := list(missing.order_by("pk")[:BATCH]):
            scores_record(assessments=batch)
            done += len(batch)
        self.stdout.write(self.style.SUCCESS(f"Recorded the scores of {done} assessments."))
