"""Run daily (cron, or a scheduler queueing ``mentoring.tasks.send_due_action_reminders``):
remind implementing cities of roadmap actions due soon or overdue, each reminder once."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from integratingcities.mentoring.services import mentoring_reminders_send_due


class Command(BaseCommand):
    help = "Remind implementing cities of roadmap actions due soon or overdue (each once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="As if today were YYYY-MM-DD."
        )
        parser.add_argument(
            "--queue", action="store_true", help="Queue the job for the task worker instead."
        )

    def handle(self, *args: Any, today: date | None, queue: bool, **options: Any) -> None:
        if queue:
            from integratingcities.mentoring.tasks import send_due_action_reminders

            send_due_action_reminders.enqueue()
            self.stdout.write("Queued.")
            return
        sent = mentoring_reminders_send_due(today)
        self.stdout.write(f"{sent} reminder(s) sent.")
