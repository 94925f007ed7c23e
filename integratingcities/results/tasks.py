"""Background jobs: run by the worker (``manage.py db_worker``), or at once where the task
backend is the immediate one (tests)."""

from django_tasks import task

from .refresh import refresh_after_validation, warm_round


@task()
def refresh_peer_statistics(assessment_id: int) -> None:
    """The peer statistics a validation made stale, computed before a visitor needs them;
    then, for a self-test, its results page, which its city reads next (made once the
    statistics are written: made before, it would be kept under a generation they end)."""
    from integratingcities.toolkits.selectors import warm_results

    refresh_after_validation(assessment_id)
    warm_results(assessment_id)


@task()
def warm_round_results(round_id: int) -> None:
    """A published round's statistics and level counts, computed before its first visitor."""
    warm_round(round_id)
