"""Background jobs: run by the worker (``manage.py db_worker``), or at once where the task
backend is the immediate one (tests)."""

from django_tasks import task

from .refresh import refresh_after_validation


@task()
def refresh_peer_statistics(assessment_id: int) -> None:
    """The peer statistics a validation made stale, computed before a visitor needs them."""
    refresh_after_validation(assessment_id)
