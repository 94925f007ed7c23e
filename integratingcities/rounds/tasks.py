"""The rounds' background job: scheduled reminders."""

from django_tasks import task

from . import services


@task()
def send_due_reminders() -> int:
    """Send the reminders whose date has come (queued for each reminder date of a round)."""
    return services.reminders_send_due()
