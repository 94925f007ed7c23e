"""Background work for city indicators."""

from django_tasks import task

from . import selectors


@task()
def warm_indicator_pages() -> None:
    """What the indicator pages keep, made again after values changed, in the worker: at
    20,000 cities a city's indicators otherwise kept their first visitor waiting 7 s."""
    selectors.warm()
