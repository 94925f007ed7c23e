"""Background jobs: run by the worker (``manage.py db_worker``), or at once where the task
backend is the immediate one (tests)."""

from django_tasks import task

from .refresh import refresh_after_validation, warm_round


@task()
def refresh_peer_statistics(assessment_id: int) -> None:
    """The peer statistics a validation made stale, computed before a visitor needs them."""
    refresh_after_validation(assessment_id)


@task()
def warm_round_results(round_id: int) -> None:
    """A published round's statistics and level counts, computed before its first visitor."""
    warm_round(round_id)
