"""Background jobs: run by the worker (``manage.py db_worker``), or at once where the task
backend is the immediate one (tests)."""

from django_tasks import task

from . import display


@task()
def warm_report_preview(round_id: int) -> None:
    """The report preview's lists, made again by the worker after a validation changed them."""
    display.warm_preview(round_id)
