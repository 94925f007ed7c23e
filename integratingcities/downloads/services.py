"""Making files in the background: asked for once per data version, made by the worker, kept
until their data change, and made again on request when they failed."""

import hashlib
import json
import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from integratingcities.lib.errors import DomainError

from .models import Download, Status
from .registry import Builder, Params, builder_for

log = logging.getLogger(__name__)

# A file still "being made" after this long lost its worker (a restart): it may be asked again.
STALLED_AFTER = timedelta(minutes=15)


def key_of(kind: str, params: Params) -> str:
    text = json.dumps([kind, sorted(params.items())], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _enqueue(download: Download) -> None:
    from .tasks import build_download

    # The task row goes to the same database in the same transaction as the download's row,
    # so the worker never sees one without the other.
    build_download.enqueue(str(download.pk))


def download_request(*, builder: Builder, params: Params, actor: Any) -> Download:
    """The file of ``builder`` for ``params``: the kept one if its data have not changed since
    (or the one being made), else a new one queued. The caller has checked ``builder.allowed``."""
    version = builder.version(params)[:200]
    language = translation.get_language() or ""
    key = key_of(builder.kind, params)
    kept = (
        Download.objects.filter(key=key, version=version, language=language)
        .exclude(status=Status.FAILED)
        .defer("content")
        .first()
    )
    if kept is not None and not _stalled(kept):
        return kept
    download = Download.objects.create(
        kind=builder.kind,
        params=params,
        key=key,
        version=version,
        language=language,
        title=builder.title(params)[:300],
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _enqueue(download)
    # A backend that runs the task at once (tests, a small site) has made it already.
    download.refresh_from_db(fields=["status"])
    return download


def _stalled(download: Download) -> bool:
    started = download.started_at or download.created_at
    return download.is_pending and timezone.now() - started > STALLED_AFTER


def may_retry(download: Download) -> bool:
    return download.status == Status.FAILED or _stalled(download)


def download_retry(download: Download) -> None:
    if not may_retry(download):
        raise DomainError(_("This file is ready or still being made; there is nothing to retry."))
    Download.objects.filter(pk=download.pk).update(
        status=Status.QUEUED, progress=0, step="", error="", started_at=None, finished_at=None
    )
    _enqueue(download)


def download_build(download_id: str) -> None:
    """Make the file (the worker's job). A failure is kept with its reason, for the person to
    read and retry; it never leaves a file half made."""
    taken = Download.objects.filter(pk=download_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now(), progress=1
    )
    if not taken:
        return  # made or being made by another worker
    download = Download.objects.defer("content").get(pk=download_id)
    builder = builder_for(download.kind)

    def progress(percent: int, step: str) -> None:
        Download.objects.filter(pk=download_id).update(
            progress=max(1, min(99, int(percent))), step=step[:200]
        )

    try:
        if builder is None:
            raise DomainError(_("The platform no longer makes this kind of file."))
        with translation.override(download.language or None):
            built = builder.build(download.params, progress)
    except Exception as error:
        log.exception("Could not make %s %s", download.kind, download.params)
        reason = (
            str(error)
            if isinstance(error, DomainError)
            else _("An error stopped the making of the file (%(error)s).")
            % {"error": type(error).__name__}
        )
        Download.objects.filter(pk=download_id).update(
            status=Status.FAILED, error=reason, finished_at=timezone.now()
        )
        return
    with transaction.atomic():
        Download.objects.filter(pk=download_id).update(
            status=Status.DONE,
            progress=100,
            step="",
            filename=built.filename,
            content_type=built.content_type,
            content=built.content,
            size=len(built.content),
            finished_at=timezone.now(),
        )
        # The files of earlier data are no longer served: kept until their data change.
        Download.objects.filter(key=download.key).exclude(version=download.version).delete()
