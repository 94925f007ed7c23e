from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors


def framework_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "frameworks/framework_list.html",
        {"frameworks": selectors.visible_frameworks(request.user)},
    )


def framework_detail(request: HttpRequest, lineage: str, version: int) -> HttpResponse:
    framework = selectors.with_content(
        selectors.visible_frameworks(request.user).filter(lineage=lineage, version=version)
    ).first()
    if framework is None:
        raise Http404
    return render(request, "frameworks/framework_detail.html", {"framework": framework})


def charter(request: HttpRequest) -> HttpResponse:
    """The Charter as it stands: purpose, the four roles and their commitments."""
    framework = selectors.current_charter()
    if framework is None:
        raise Http404
    return render(request, "frameworks/charter.html", {"framework": framework})
