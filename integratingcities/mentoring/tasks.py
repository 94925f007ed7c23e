"""Mentoring's background job: reminders of roadmap actions that are due or overdue."""

from django_tasks import task

from . import services


@task()
def send_due_action_reminders() -> int:
    """Remind the implementing cities' editors of their actions due soon or overdue."""
    return services.mentoring_reminders_send_due()
