"""Asking for a file, watching it being made, and taking it.

Who may have a file is the builder's question (it asks the permissions module); these views ask
it on every step, so a link passed on is worth nothing to someone who may not have the file."""

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from integratingcities.lib.errors import DomainError

from . import services
from .models import Download, Status
from .registry import Builder, Params, builder_for


def _refused(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise Http404


def _download_for(request: HttpRequest, pk: Any) -> tuple[Download, Builder] | None:
    download = get_object_or_404(Download.objects.defer("content"), pk=pk)
    builder = builder_for(download.kind)
    if builder is None:
        raise Http404
    if not builder.allowed(request.user, download.params):
        return None
    return download, builder


# The builder answers who may have each file: these views are not behind permission_required.
def ask(request: HttpRequest, kind: str) -> HttpResponse:
    builder = builder_for(kind)
    if builder is None:
        raise Http404
    params: Params = {name: request.GET.get(name, "")[:200] for name in builder.params}
    if not builder.allowed(request.user, params):
        return _refused(request)
    download = services.download_request(builder=builder, params=params, actor=request.user)
    if download.status == Status.DONE:
        return _serve(download.pk)
    return redirect("downloads:status", pk=download.pk)


# It refreshes itself while the file is made: no cache may answer for it meanwhile.
@never_cache
def status(request: HttpRequest, pk: Any) -> HttpResponse:
    found = _download_for(request, pk)
    if found is None:
        return _refused(request)
    download, _builder = found
    return render(
        request,
        "downloads/status.html",
        {"download": download, "may_retry": services.may_retry(download), "Status": Status},
    )


def file(request: HttpRequest, pk: Any) -> HttpResponse:
    found = _download_for(request, pk)
    if found is None:
        return _refused(request)
    download, _builder = found
    if download.status != Status.DONE:
        return redirect("downloads:status", pk=download.pk)
    return _serve(download.pk)


@require_POST
def retry(request: HttpRequest, pk: Any) -> HttpResponse:
    found = _download_for(request, pk)
    if found is None:
        return _refused(request)
    download, _builder = found
    try:
        services.download_retry(download)
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("downloads:status", pk=download.pk)


def _serve(pk: Any) -> HttpResponse:
    download = Download.objects.get(pk=pk)
    response = HttpResponse(bytes(download.content or b""), content_type=download.content_type)
    disposition = "inline" if download.content_type == "application/pdf" else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(download.filename)}"
    # A kept file never changes: a new version of its data is a new file.
    response["ETag"] = f'"{download.pk}"'
    response["Cache-Control"] = "private, max-age=300"
    return response
