"""The workbooks of the open data, made in the background through the downloads app.

Who may have one is asked of the permissions module: a round's workbook is for whoever may see
the round (everyone once it is published, the secretariat before); a benchmark's, for whoever
may see the benchmark. Either way the file holds validated answers only."""

from django.utils.translation import gettext as _

from integratingcities.downloads.registry import Builder, Built, Params, Progress
from integratingcities.frameworks.models import Framework, FrameworkKind
from integratingcities.lib.tabular import XLSX_TYPE
from integratingcities.lib.translation import translate
from integratingcities.permissions import visible_to
from integratingcities.rounds.models import Round

from . import files, selectors
from .datasets import benchmark_export, round_assessments, round_export, shared_selftests, stamp
from .models import OpenDataSettings

ROUND_XLSX = "opendata.round_xlsx"
BENCHMARK_XLSX = "opendata.benchmark_xlsx"


def _round_id(params: Params) -> int | None:
    text = params.get("round", "")
    return int(text) if text.isdigit() and len(text) < 10 else None


def _round(user: object, params: Params) -> Round | None:
    pk = _round_id(params)
    if pk is None:
        return None
    return visible_to(user, Round).filter(pk=pk).first()  # type: ignore[arg-type]


def _licence_stamp() -> str:
    """The licence is written into every file: choosing another makes kept files stale."""
    found = OpenDataSettings.objects.filter(pk=1).values_list("updated_at", flat=True).first()
    return found.isoformat() if found else "-"


def _round_version(params: Params) -> str:
    pk = _round_id(params) or 0
    return f"{stamp(round_assessments(pk))}:{_licence_stamp()}"


def _round_title(params: Params) -> str:
    found = Round.objects.filter(pk=_round_id(params) or 0).values_list("title", flat=True).first()
    return _("%(title)s: validated answers (XLSX)") % {"title": found or ""}


def _round_build(params: Params, progress: Progress) -> Built:
    round_ = Round.objects.select_related("framework").get(pk=_round_id(params) or 0)
    content = files.xlsx(round_export(round_), selectors.licence_settings(), progress)
    return Built(f"round-{round_.pk}-answers.xlsx", XLSX_TYPE, content)


def _benchmark(user: object, params: Params) -> Framework | None:
    lineage = params.get("benchmark", "")
    if not lineage or len(lineage) > 80:
        return None
    return (
        visible_to(user, Framework)  # type: ignore[arg-type]
        .filter(lineage=lineage, kind=FrameworkKind.BENCHMARK)
        .order_by("-version")
        .first()
    )


def _benchmark_version(params: Params) -> str:
    return f"{stamp(shared_selftests(params.get('benchmark', '')))}:{_licence_stamp()}"


def _benchmark_title(params: Params) -> str:
    found = (
        Framework.objects.filter(lineage=params.get("benchmark", ""))
        .order_by("-version")
        .values_list("title", flat=True)
        .first()
    )
    return _("%(title)s: shared self-tests (XLSX)") % {"title": translate(found)}


def _benchmark_build(params: Params, progress: Progress) -> Built:
    framework = (
        Framework.objects.filter(lineage=params["benchmark"], kind=FrameworkKind.BENCHMARK)
        .order_by("-status", "-version")
        .first()
    )
    assert framework is not None  # allowed() found it
    content = files.xlsx(benchmark_export(framework), selectors.licence_settings(), progress)
    return Built(f"benchmark-{framework.lineage}-self-tests.xlsx", XLSX_TYPE, content)


BUILDERS = [
    Builder(
        kind=ROUND_XLSX,
        params=("round",),
        title=_round_title,
        allowed=lambda user, params: _round(user, params) is not None,
        version=_round_version,
        build=_round_build,
    ),
    Builder(
        kind=BENCHMARK_XLSX,
        params=("benchmark",),
        title=_benchmark_title,
        allowed=lambda user, params: _benchmark(user, params) is not None,
        version=_benchmark_version,
        build=_benchmark_build,
    ),
]
