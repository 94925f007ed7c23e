"""The secretariat's indicator pages: the catalogue (and defining an indicator), imports (and
undoing them), the values; and the form in which the secretariat, or a city's editors where
allowed, enter one value."""

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from integratingcities.cities.models import City
from integratingcities.lib.errors import DomainError
from integratingcities.lib.forms import shown
from integratingcities.lib.http import AuthenticatedHttpRequest
from integratingcities.permissions import Perm, has_perm, is_secretariat, permission_required

from .forms import (
    ImportForm,
    IndicatorForm,
    ValueFilterForm,
    ValueForm,
)
from .imports import COLUMNS
from .models import Basis, ImportBatch, Indicator, IndicatorValue, Unit
from .services import (
    CatalogueRefused,
    ImportRefused,
    import_undo,
    indicator_create,
    indicator_update,
    value_delete,
    value_save,
    values_import,
)

PER_PAGE = 50
REPORT_LINES = 1000

# What to write in each column of the template (the column names are codes: not translated).
COLUMN_HELP = [
    (
        "city",
        gettext_lazy(
            "The city's short name, as in its address on this platform (ghent), or its name as "
            "the platform spells it. Required."
        ),
    ),
    ("indicator", gettext_lazy("The indicator's short name, from the list below. Required.")),
    (
        "year",
        gettext_lazy(
            "The year the figure is for, between 1900 and 2100. Required; a city has one value "
            "per indicator and year."
        ),
    ),
    (
        "date",
        gettext_lazy(
            "Where the source gives one: the day (2015-01-01) or the month (2015-06) in that year."
        ),
    ),
    (
        "value",
        gettext_lazy(
            "The number, with a point for decimals and no thousands separator: 259000, 12.5. A "
            "share in per cent is between 0 and 100; a number of people is whole. Required."
        ),
    ),
    (
        "unit",
        gettext_lazy(
            "The indicator's unit, as listed below (count, percent or ratio): a check that the "
            "figure is what the indicator counts. Required."
        ),
    ),
    (
        "basis",
        format_lazy(
            gettext_lazy(
                "Who counts as a migrant in this figure, where it differs from the indicator: "
                "{choices}. Empty: as the indicator defines it."
            ),
            choices=", ".join(Basis.values),
        ),
    ),
    (
        "source",
        gettext_lazy(
            "Where the figure comes from: the publication or office, with its year. Required."
        ),
    ),
    ("note", gettext_lazy("Anything a reader should know about the figure.")),
    (
        "illustrative",
        gettext_lazy(
            "yes for a figure that is not a fact from a source (demonstration data); no or "
            "nothing for a fact."
        ),
    ),
]


@permission_required(Perm.MANAGE_INDICATORS)
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    """The catalogue with the number of values of each indicator, and the imports."""
    indicators = Indicator.objects.annotate(value_count=Count("values"))
    imports = Paginator(
        ImportBatch.objects.select_related("imported_by", "undone_by"), PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request, "indicators/manage/catalogue.html", {"indicators": indicators, "imports": imports}
    )


def _indicator_data(form: IndicatorForm) -> dict[str, object]:
    return {name: form.cleaned_data[name] for name in form.fields}


@permission_required(Perm.MANAGE_INDICATORS)
@require_http_methods(["GET", "POST"])
def indicator_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = indicator_create(user=request.user, data=_indicator_data(form))
        except CatalogueRefused as refused:
            form.refused(refused.problems)
        else:
            messages.success(request, _("Indicator “%(name)s” defined.") % {"name": indicator.name})
            return redirect("indicators:manage")
    return render(
        request, "indicators/manage/indicator_form.html", {"form": form, "indicator": None}
    )


@permission_required(Perm.MANAGE_INDICATORS)
@require_http_methods(["GET", "POST"])
def indicator_edit(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, key=key)
    form = IndicatorForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = indicator_update(
                indicator=indicator, user=request.user, data=_indicator_data(form)
            )
        except CatalogueRefused as refused:
            form.refused(refused.problems)
        else:
            messages.success(request, _("Indicator “%(name)s” saved.") % {"name": indicator.name})
            return redirect("indicators:manage")
    return render(
        request,
        "indicators/manage/indicator_form.html",
        {"form": form, "indicator": indicator, "value_count": indicator.values.count()},
    )


@permission_required(Perm.MANAGE_INDICATORS)
@require_http_methods(["GET", "POST"])
def import_values(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a file; every problem is listed by row and column and nothing is written, or
    every value is written."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    lines: list[tuple[str, str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            batch = values_import(
                rows=form.cleaned_data["rows"],
                user=request.user,
                file_name=form.cleaned_data["file"].name,
                file_format=form.cleaned_data["format"],
            )
        except ImportRefused as refused:
            report = refused.report
            lines = report.grouped()
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d value imported from %(file)s.",
                    "%(count)d values imported from %(file)s.",
                    batch.value_count,
                )
                % {"count": batch.value_count, "file": batch.file_name},
            )
            return redirect(reverse("indicators:values") + f"?batch={batch.pk}")
    return render(
        request,
        "indicators/manage/import.html",
        {
            "form": form,
            "report": report,
            # A file wrong throughout would make a page too long to read: the first lines.
            "lines": lines[:REPORT_LINES],
            "more_lines": max(len(lines) - REPORT_LINES, 0),
            "indicators": Indicator.objects.all(),
            "column_help": COLUMN_HELP,
        },
    )


@permission_required(Perm.MANAGE_INDICATORS)
@require_http_methods(["GET", "POST"])
def undo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Undoing deletes every value of the import: the page first says how many, of which
    cities, and asks."""
    batch = get_object_or_404(ImportBatch.objects.select_related("imported_by"), pk=pk)
    if request.method == "POST":
        try:
            deleted = import_undo(batch=batch, user=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "The import of %(file)s is undone: %(count)d value deleted.",
                    "The import of %(file)s is undone: %(count)d values deleted.",
                    deleted,
                )
                % {"file": batch.file_name, "count": deleted},
            )
        return redirect("indicators:manage")
    cities = City.objects.filter(indicator_values__batch=batch).distinct().order_by("name")
    return render(
        request,
        "indicators/manage/import_undo.html",
        {"batch": batch, "remaining": batch.values.count(), "cities": cities},
    )


def _template_rows() -> list[list[str]]:
    """The template's header and two example rows, marked illustrative."""
    city = City.objects.order_by("name").first()
    slug = city.slug if city else "ghent"
    rows = [list(COLUMNS)]
    for unit, year, day, value in (
        (Unit.COUNT, "2020", "2020-01-01", "250000"),
        (Unit.PERCENT, "2021", "", "21.5"),
    ):
        indicator = Indicator.objects.filter(unit=unit).first()
        rows.append(
            [
                slug,
                indicator.key if indicator else "",
                year,
                day,
                value,
                unit,
                indicator.basis if indicator else "",
                _("Example: the publication and year of the figure"),
                _("An example row: replace it with a real figure, or delete it."),
                "yes",
            ]
        )
    return rows


@permission_required(Perm.MANAGE_INDICATORS)
@require_GET
def template_csv(request: HttpRequest) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so that spreadsheets read it as UTF-8
    csv.writer(buffer, lineterminator="\r\n").writerows(_template_rows())
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="indicator-values.csv"'
    return response


@permission_required(Perm.MANAGE_INDICATORS)
@require_GET
def template_xlsx(request: HttpRequest) -> HttpResponse:
    """The template as a workbook: the sheet "Values" is read; "Indicators" and "Cities"
    list the short names to write."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    values = workbook.active
    values.title = "Values"
    for row in _template_rows():
        values.append(row)
    for cell in values[1]:
        cell.font = Font(bold=True)
    values.freeze_panes = "A2"
    indicators = workbook.create_sheet("Indicators")
    indicators.append(["indicator", "name", "unit", "basis", "definition"])
    for indicator in Indicator.objects.all():
        indicators.append(
            [indicator.key, indicator.name, indicator.unit, indicator.basis, indicator.definition]
        )
    cities = workbook.create_sheet("Cities")
    cities.append(["city", "name", "country"])
    for slug, name, country in City.objects.order_by("name").values_list("slug", "name", "country"):
        cities.append([slug, name, str(country)])
    for sheet in (indicators, cities):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="indicator-values.xlsx"'
    return response


def _values(form: ValueFilterForm) -> QuerySet[IndicatorValue]:
    values = IndicatorValue.objects.select_related("city", "indicator", "batch").order_by(
        "city__name", "indicator__position", "indicator__name", "-year"
    )
    if not form.is_bound:
        return values
    form.is_valid()  # a city typed wrong is told; the other filters still apply
    for name in ("city", "indicator", "batch"):
        if form.cleaned_data.get(name) is not None:
            values = values.filter(**{name: form.cleaned_data[name]})
    return values


@permission_required(Perm.MANAGE_INDICATORS)
@require_GET
def values(request: HttpRequest) -> HttpResponse:
    form = ValueFilterForm(request.GET or None)
    page = Paginator(_values(form), PER_PAGE).get_page(request.GET.get("page"))
    for value in page.object_list:
        value.shown = shown(value.value)  # type: ignore[attr-defined]
    batch = form.cleaned_data.get("batch") if form.is_bound else None
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "indicators/manage/values.html",
        {"form": form, "page": page, "batch": batch, "query": query.urlencode()},
    )


@permission_required(Perm.ENTER_INDICATOR_VALUES)  # some city and some indicator to enter
@require_http_methods(["GET", "POST"])
def value_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ValueForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = value_save(
                user=request.user,
                indicator=data["indicator"],
                city=data["city"],
                year=data["year"],
                value=data["value"],
                date=data["date"],
                basis=data["basis"],
                source=data["source"],
                note=data["note"],
                is_illustrative=data["is_illustrative"],
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Saved: %(city)s, %(indicator)s, %(year)d.")
                % {"city": saved.city.name, "indicator": saved.indicator.name, "year": saved.year},
            )
            if is_secretariat(request.user):
                return redirect(reverse("indicators:values") + f"?city={saved.city.slug}")
            return redirect("indicators:value_new")
    return render(request, "indicators/manage/value_form.html", {"form": form})


@permission_required(None)  # logged in; may this person change the value's city? below
@require_http_methods(["GET", "POST"])
def value_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    value = get_object_or_404(
        IndicatorValue.objects.select_related("city", "indicator", "batch"), pk=pk
    )
    if not has_perm(request.user, Perm.ENTER_INDICATOR_VALUES, value):
        raise PermissionDenied
    if request.method == "POST":
        try:
            value_delete(value=value, user=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Deleted: %(city)s, %(indicator)s, %(year)d.")
                % {"city": value.city.name, "indicator": value.indicator.name, "year": value.year},
            )
        if is_secretariat(request.user):
            return redirect(reverse("indicators:values") + f"?city={value.city_id}")
        return redirect("indicators:value_new")
    value.shown = shown(value.value)  # type: ignore[attr-defined]
    return render(request, "indicators/manage/value_delete.html", {"value": value})
