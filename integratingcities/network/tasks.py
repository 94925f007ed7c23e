"""Background work for the network's news."""

from django_tasks import task

from integratingcities.lib import page_cache


@task()
def news_due() -> None:
    """A news item scheduled for now is public from now on, though nothing was written: the
    pages kept since it was saved (the home page, the news) are made again."""
    page_cache.bump_apps(["network"])
