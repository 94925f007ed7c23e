"""The background job that makes a file (run by ``manage.py db_worker``)."""

from django_tasks import task

from . import services


@task()
def build_download(download_id: str) -> None:
    services.download_build(download_id)
