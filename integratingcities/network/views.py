from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from integratingcities.lib.http import AuthenticatedHttpRequest
from integratingcities.permissions import Perm, permission_required, visible_to

from . import selectors
from .forms import NewsItemForm
from .models import NewsItem, NewsStatus
from .services import news_save


def process(request: HttpRequest) -> HttpResponse:
    """What the Integrating Cities process is, with its projects and conferences."""
    return render(
        request,
        "network/process.html",
        {"projects": selectors.projects(), "conferences": selectors.conferences()},
    )


def project_list(request: HttpRequest) -> HttpResponse:
    return render(request, "network/project_list.html", {"projects": selectors.projects()})


def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = selectors.project_for_page(slug).first()
    if project is None:
        raise Http404
    return render(request, "network/project_detail.html", {"project": project})


def conference_list(request: HttpRequest) -> HttpResponse:
    return render(request, "network/conference_list.html", {"conferences": selectors.conferences()})


def news_list(request: HttpRequest) -> HttpResponse:
    return render(request, "network/news_list.html", {"news": selectors.published_news()})


def news_detail(request: HttpRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(visible_to(request.user, NewsItem), slug=slug)
    return render(request, "network/news_detail.html", {"item": item})


@permission_required(Perm.MANAGE_NEWS)
def news_manage(request: HttpRequest) -> HttpResponse:
    return render(request, "network/news_manage.html", {"news": selectors.all_news()})


@permission_required(Perm.MANAGE_NEWS)
@require_http_methods(["GET", "POST"])
def news_edit(request: AuthenticatedHttpRequest, slug: str | None = None) -> HttpResponse:
    item = get_object_or_404(NewsItem, slug=slug) if slug else NewsItem()
    form = NewsItemForm(
        request.POST or None,
        instance=item,
        initial={"publish": item.status == NewsStatus.PUBLISHED},
    )
    if request.method == "POST" and form.is_valid():
        saved = news_save(
            item=form.save(commit=False), author=request.user, publish=form.cleaned_data["publish"]
        )
        if saved.status == NewsStatus.PUBLISHED:
            messages.success(request, _("“%(title)s” is published.") % {"title": saved.title})
        else:
            messages.success(
                request, _("“%(title)s” is saved as a draft.") % {"title": saved.title}
            )
        return redirect("network:news_manage")
    return render(request, "network/news_form.html", {"form": form, "item": item})
