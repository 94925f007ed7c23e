"""Background jobs: run by the worker (``manage.py db_worker``), or at once where the task
backend is the immediate one (tests)."""

from django_tasks import task

from . import selectors
from .forms import SearchForm


@task()
def count_library() -> None:
    """The facet counts of the library as a visitor first sees it (no search, no filter), made
    again after a change by the worker: at 100,000 practices they take most of a second, which
    the next visitor would otherwise wait for."""
    selectors.cached_facet_counts(SearchForm({}).filters())
