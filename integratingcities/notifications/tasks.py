"""Background jobs: run by the worker (``manage.py db_worker``), or at once where the task
backend is the immediate one (tests)."""

from django_tasks import task

from . import services


@task()
def deliver(kind: str, target_id: int, actor_id: int | None, city_ids: list[int]) -> int:
    """Write and e-mail the notifications of one event."""
    return services.deliver_now(kind, target_id, actor_id, city_ids)
