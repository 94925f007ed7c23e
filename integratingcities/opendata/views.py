"""The open data page, its settings, datapackage.json, and each dataset's CSV and JSON files.

CSV and JSON files are streamed, not made in the background: datapackage.json names them by
address, and a tool that loads them must get the file itself, never a progress page. The XLSX
workbooks, slower to make, come through the downloads app."""

import json
from collections.abc import Callable, Iterator
from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from integratingcities.frameworks.models import Framework, FrameworkKind
from integratingcities.lib.errors import DomainError
from integratingcities.lib.http import AuthenticatedHttpRequest
from integratingcities.permissions import Perm, View, has_perm, permission_required
from integratingcities.rounds.models import Round

from . import catalogue, files, selectors
from .datasets import Export, benchmark_export, round_export
from .forms import LicenceForm
from .services import licence_set


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    found = catalogue.datasets()
    return render(
        request,
        "opendata/index.html",
        {
            "datasets": found,
            "dictionary": catalogue.dictionary(found),
            "licence": selectors.licence_settings(),
            "may_manage": has_perm(request.user, Perm.MANAGE_REPORTS),
        },
    )


@require_GET
def datapackage(request: HttpRequest) -> HttpResponse:
    body = catalogue.datapackage(catalogue.datasets(), selectors.licence_settings())
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2), content_type="application/json"
    )


@permission_required(Perm.MANAGE_REPORTS)
@require_http_methods(["GET", "POST"])
def licence_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = LicenceForm(request.POST or None, instance=selectors.licence_settings())
    if request.method == "POST" and form.is_valid():
        try:
            licence_set(
                user=request.user,
                licence=form.cleaned_data["licence"],
                attribution=form.cleaned_data["attribution"],
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The licence of the open data is saved."))
            return redirect("opendata:index")
    return render(request, "opendata/settings.html", {"form": form})


def _streamed(chunks: Iterator[str], filename: str, content_type: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


CSV = "text/csv; charset=utf-8"
JSON = "application/json"


def _files(export_of: Callable[..., Export]) -> tuple[View, View, View]:
    """The answers CSV, the summary CSV and the JSON of a dataset, from its export."""

    @require_GET
    def answers(request: HttpRequest, found: object) -> StreamingHttpResponse:
        export = export_of(found)
        return _streamed(files.csv_stream(export.answers), f"{export.answers.name}.csv", CSV)

    @require_GET
    def summary(request: HttpRequest, found: object) -> StreamingHttpResponse:
        export = export_of(found)
        return _streamed(files.csv_stream(export.summary), f"{export.summary.name}.csv", CSV)

    @require_GET
    def as_json(request: HttpRequest, found: object) -> StreamingHttpResponse:
        export = export_of(found)
        chunks = files.json_stream(export, selectors.licence_settings())
        return _streamed(chunks, f"{export.key}.json", JSON)

    return cast("View", answers), cast("View", summary), cast("View", as_json)


# A round's files: for whoever may see the round (published: everyone; the secretariat before).
_round = permission_required(None, Round, login=False)
round_answers, round_summary, round_json = (_round(view) for view in _files(round_export))


def _latest(frameworks: object) -> object:
    return frameworks.filter(kind=FrameworkKind.BENCHMARK).order_by("-version")  # type: ignore[attr-defined]


# A benchmark's shared self-tests: for whoever may see the benchmark.
_benchmark = permission_required(
    None,
    Framework,
    lookup={"lineage": "lineage"},
    login=False,
    refine=_latest,  # type: ignore[arg-type]
)
benchmark_answers, benchmark_summary, benchmark_json = (
    _benchmark(view) for view in _files(benchmark_export)
)
