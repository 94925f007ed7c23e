"""Toolkit pages: the catalogue, a benchmark as a toolkit, self-tests and their results."""

import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from integratingcities.accounts.models import Membership, Role
from integratingcities.assessments.models import Assessment, AssessmentKind
from integratingcities.frameworks.models import Framework, FrameworkKind
from integratingcities.frameworks.services import FrameworkFileError
from integratingcities.lib import charts
from integratingcities.lib.errors import DomainError
from integratingcities.lib.http import AuthenticatedHttpRequest
from integratingcities.lib.translation import translate
from integratingcities.permissions import (
    Perm,
    has_perm,
    permission_required,
    visible_to,
)
from integratingcities.results.selftests import chart_stamp, selftest_results

from . import selectors
from .forms import SelfTestStartForm, SharingForm, UploadForm
from .models import Toolkit
from .services import (
    benchmark_publish,
    benchmark_upload,
    latest_published,
    selftest_start,
    sharing_set,
)


def catalogue(request: HttpRequest) -> HttpResponse:
    drafts = has_perm(request.user, Perm.MANAGE_FRAMEWORKS)
    return render(
        request,
        "toolkits/catalogue.html",
        {"rows_html": selectors.catalogue_rows(drafts=drafts)},
    )


def _edited_cities(request: HttpRequest) -> list[Membership]:
    if not request.user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=request.user, role=Role.EDITOR)
        .select_related("city")
        .order_by("city__name")
    )


def _benchmark_page(
    request: HttpRequest, toolkit: Toolkit | None, framework: Framework | None, key: str
) -> HttpResponse:
    memberships = _edited_cities(request)
    selftests = []
    if framework is not None and framework.is_published:
        for membership in memberships:
            selftests += list(selectors.selftests_of(membership.city_id, key))
    return render(
        request,
        "toolkits/benchmark.html",
        {
            "toolkit": toolkit,
            "framework": framework,
            "body": selectors.benchmark_body(framework) if framework else "",
            "key": key,
            "versions": visible_to(request.user, Framework).filter(
                lineage=key, kind=FrameworkKind.BENCHMARK
            )
            if has_perm(request.user, Perm.MANAGE_FRAMEWORKS)
            else [],
            "start_form": SelfTestStartForm(memberships=memberships)
            if memberships and framework is not None and framework.is_published
            else None,
            "selftests": selftests,
        },
    )


def benchmark(request: HttpRequest, key: str) -> HttpResponse:
    toolkit = Toolkit.objects.select_related("project").filter(key=key).first()
    framework = latest_published(key)
    if toolkit is None and framework is None:
        raise Http404
    return _benchmark_page(request, toolkit, framework, key)


def version(request: HttpRequest, key: str, version: int) -> HttpResponse:
    """One version as a city would see it; drafts only for the secretariat (the preview)."""
    framework = get_object_or_404(
        visible_to(request.user, Framework),
        lineage=key,
        version=version,
        kind=FrameworkKind.BENCHMARK,
    )
    toolkit = Toolkit.objects.select_related("project").filter(key=key).first()
    return _benchmark_page(request, toolkit, framework, key)


@permission_required(Perm.MANAGE_FRAMEWORKS)
@require_POST
def publish(request: AuthenticatedHttpRequest, key: str, version: int) -> HttpResponse:
    framework = get_object_or_404(
        Framework, lineage=key, version=version, kind=FrameworkKind.BENCHMARK
    )
    try:
        benchmark_publish(framework=framework, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Published: cities can now take this version."))
    return redirect("toolkits:benchmark", key=key)


@permission_required(Perm.MANAGE_FRAMEWORKS)
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = benchmark_upload(
                text=form.cleaned_data["text"],
                filename=form.cleaned_data["file"].name,
                user=request.user,
            )
        except FrameworkFileError as exc:
            form.add_error(
                "file", _("%(path)s: %(reason)s") % {"path": exc.path, "reason": exc.reason}
            )
        else:
            framework = result.framework
            if result.unchanged:
                messages.info(request, _("This file is already imported; nothing changed."))
            else:
                messages.success(
                    request, _("Imported as a draft: check the preview, then publish.")
                )
            return redirect("toolkits:version", key=framework.lineage, version=framework.version)
    return render(request, "toolkits/upload.html", {"form": form})


@permission_required(Perm.USE_ACCOUNT)
@require_POST
def start(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    memberships = _edited_cities(request)
    form = SelfTestStartForm(request.POST, memberships=memberships)
    if not memberships:
        raise PermissionDenied  # edits no city: may start no self-test
    if not form.is_valid():
        messages.error(request, _("Choose one of the cities you answer for."))
        return redirect("toolkits:benchmark", key=key)
    try:
        assessment = selftest_start(city=form.cleaned_data["city"], lineage=key, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("toolkits:benchmark", key=key)
    return redirect(assessment.get_absolute_url())


# A city's self-test: another city's is a 404, as if absent.
selftest = permission_required(
    Perm.VIEW_ASSESSMENT,
    Assessment,
    accept=lambda found: (
        found.kind == AssessmentKind.SELF_TEST and found.framework.kind == FrameworkKind.BENCHMARK
    ),
)


@selftest
def results(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    may_edit = has_perm(request.user, Perm.ANSWER_ASSESSMENT, assessment)
    return render(
        request,
        "toolkits/results.html",
        {
            "body": selectors.results_body(assessment),
            "assessment": assessment,
            "sharing_form": SharingForm(initial={"share": assessment.share_evidence})
            if may_edit
            else None,
        },
    )


@selftest
def chart(request: HttpRequest, assessment: Assessment, kind: str) -> HttpResponse:
    pk = assessment.pk
    if kind not in ("scores", "progress"):
        raise Http404
    # Drawn again only when what it shows can have changed: this city's self-tests of the
    # benchmark (answers, states) or any other city's validated one (the network median).
    key = (
        "selftest-chart:"
        + hashlib.sha256(
            repr((pk, kind, get_language(), assessment.city.name, chart_stamp(assessment))).encode()
        ).hexdigest()
    )
    svg = cache.get(key)
    if svg is None:
        svg = _draw_chart(assessment, kind)
        cache.set(key, svg, 3600)
    return HttpResponse(svg, content_type="image/svg+xml")


def _draw_chart(assessment: Assessment, kind: str) -> str:
    found = selftest_results(assessment)
    labels = [translate(row.section.title) for row in found.sections]
    # Headline scores only: a key factor with too few answers has no bar.
    meanings = [charts.CITY, charts.MEDIAN]
    if kind == "scores":
        network = [row.comparisons[0].spread.median for row in found.sections]
        series = [
            (assessment.city.name, [row.result.headline for row in found.sections]),
            (_("Network median"), network),
        ]
    elif found.previous is not None:
        series = [
            (_("Previous self-test"), [row.before for row in found.sections]),
            (_("This self-test"), [row.result.headline for row in found.sections]),
        ]
        meanings = [charts.PREVIOUS, charts.CITY]  # the same colours as on every chart
    else:
        raise Http404
    title = (
        _("Illustrative levels, not the city's real answers") if assessment.is_illustrative else ""
    )
    return charts.grouped_bars(labels, series, _("score (0-100)"), title, meanings=meanings)


@selftest
@require_POST
def sharing(request: AuthenticatedHttpRequest, assessment: Assessment) -> HttpResponse:
    if not has_perm(request.user, Perm.ANSWER_ASSESSMENT, assessment):
        raise PermissionDenied
    form = SharingForm(request.POST)
    share = form.is_valid() and form.cleaned_data["share"]
    sharing_set(assessment=assessment, share=share, user=request.user)
    messages.success(
        request,
        _(
            "Other cities may now read your evidence, and the context factors you cite, "
            "where you meet a key factor."
        )
        if share
        else _("Your evidence is no longer shown to other cities."),
    )
    return redirect("toolkits:results", pk=assessment.pk)
