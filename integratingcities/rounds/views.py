import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from integratingcities.accounts.permissions import is_secretariat, secretariat_required
from integratingcities.assessments.models import AssessmentState
from integratingcities.cities.models import City
from integratingcities.cities.selectors import countries_of
from integratingcities.lib import scoring
from integratingcities.lib.charts import stacked_bars
from integratingcities.lib.translation import translate
from integratingcities.practices.selectors import gap_practices
from integratingcities.results.rounds import city_results as round_city_results
from integratingcities.results.scores import validated_stamp

from . import selectors
from .forms import InviteForm, ResultsFilterForm, RoundForm
from .models import Round
from .services import RoundError, round_close, round_invite, round_open, round_publish, round_remind


def round_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "rounds/round_list.html", {"rounds": selectors.visible_rounds(request.user)}
    )


@secretariat_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new_round = round_open(
                title=data["title"],
                framework=data["framework"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                cities=data["cities"],
                user=request.user,
            )
        except RoundError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The round is open and %(count)d cities are invited.")
                % {"count": len(data["cities"])},
            )
            return redirect(new_round)
    return render(request, "rounds/round_form.html", {"form": form})


@secretariat_required
def round_board(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round.objects.select_related("framework"), pk=pk)
    rows, total = selectors.board(round_)
    rows = list(rows)
    for row in rows:
        row.percent = round(100 * row.answered / total) if total else 0
    states = dict.fromkeys(AssessmentState.values, 0)
    for row in rows:
        states[row.state] += 1
    invited = {row.city_id for row in rows}
    return render(
        request,
        "rounds/round_board.html",
        {
            "round": round_,
            "rows": rows,
            "total": total,
            "states": [(AssessmentState(s).label, n) for s, n in states.items()],
            "invite_form": InviteForm(),
            "uninvited": City.objects.exclude(pk__in=invited).order_by("name"),
        },
    )


def _round_action(request: HttpRequest, pk: int, action, success: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    round_ = get_object_or_404(Round, pk=pk)
    try:
        outcome = action(round_=round_)
    except RoundError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success % {"count": outcome if isinstance(outcome, int) else 0})
    return redirect(round_)


@secretariat_required
@require_POST
def round_remind_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_action(
        request, pk, round_remind, _("Reminders sent to the editors of %(count)d cities.")
    )


@secretariat_required
@require_POST
def round_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_action(request, pk, round_close, _("The round is closed."))


@secretariat_required
@require_POST
def round_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_action(request, pk, round_publish, _("The results are published."))


@secretariat_required
@require_POST
def round_invite_view(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round, pk=pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose at least one city to invite."))
        return redirect(round_)
    try:
        count = round_invite(round_=round_, cities=form.cleaned_data["cities"])
    except RoundError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(count)d cities invited.") % {"count": count})
    return redirect(round_)


def _visible_results(request: HttpRequest, pk: int) -> Round:
    round_ = get_object_or_404(Round.objects.select_related("framework"), pk=pk)
    if not round_.is_published and not is_secretariat(request.user):
        raise Http404
    return round_


def _filters(request: HttpRequest) -> tuple[ResultsFilterForm, selectors.ResultFilters]:
    form = ResultsFilterForm(request.GET)
    return form, selectors.ResultFilters(country=form.filters_country(), band=form.filters_band())


def round_results(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _visible_results(request, pk)
    form, filters = _filters(request)
    results = selectors.round_results(round_, filters)
    counted = selectors.counted_assessments(round_, selectors.ResultFilters())
    return render(
        request,
        "rounds/round_results.html",
        {
            "round": round_,
            "results": results,
            "form": form,
            "filters": filters,
            "countries": countries_of(City.objects.filter(assessments__in=counted)),
            "bands": list(scoring.Band),
            "query": request.GET.urlencode(),
            # Plain values, not model instances: the list holds every responding city.
            "cities": counted.order_by("city__name").values("city__slug", "city__name"),
        },
    )


def round_chart(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    round_ = _visible_results(request, pk)
    _form, filters = _filters(request)
    if not round_.framework.sections.filter(key=key).exists():
        raise Http404
    stamp = validated_stamp(selectors.counted_assessments(round_, filters))
    cache_key = (
        "chart:"
        + hashlib.sha256(repr((pk, key, get_language(), filters, stamp)).encode()).hexdigest()
    )
    svg = cache.get(cache_key)
    if svg is None:
        results = selectors.round_results(round_, filters)
        section = next((s for s in results.sections if s.section.key == key), None)
        if section is None:
            raise Http404
        labels = [translate(i.item.text) for i in section.items]
        series = [
            (translate(level.label), [i.counts.get(level.key, 0) for i in section.items])
            for level in results.levels
            if level.score is not None
        ]
        svg = stacked_bars(labels, series, _("cities"))
        cache.set(cache_key, svg, 3600)
    return HttpResponse(svg, content_type="image/svg+xml")


def city_results(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    round_ = _visible_results(request, pk)
    counted = selectors.counted_assessments(round_, selectors.ResultFilters())
    assessment = get_object_or_404(counted.select_related("city"), city__slug=slug)
    found = round_city_results(round_, assessment)
    return render(
        request,
        "rounds/city_results.html",
        {
            "round": round_,
            "assessment": assessment,
            "city": assessment.city,
            "r": found,
            # Each commitment not fully met, with practices of cities that meet it.
            "gap_practices": gap_practices(found.gaps, round_, top_levels=found.top_levels),
        },
    )
