"""Background jobs: run by the worker (``manage.py db_worker``), or at once where the task
backend is the immediate one (tests)."""

from django.conf import settings
from django.utils import translation
from django_tasks import task

from . import listing
from .forms import SearchForm


@task()
def count_library() -> None:
    """The library as a visitor first sees it (no search, no filter): its facet counts and its
    first page of results in each language, made again after a change by the worker. At 100,000
    practices the counts take most of a second, which the next visitor would otherwise wait
    for."""
    filters = SearchForm({}).filters()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            listing.listing(filters, None)
