import hashlib
from functools import lru_cache
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.forms import BoundField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from integratingcities.assessments.models import AssessmentState
from integratingcities.cities.models import City
from integratingcities.cities.selectors import countries_of
from integratingcities.lib import scoring
from integratingcities.lib.charts import stacked_bars
from integratingcities.lib.errors import DomainError
from integratingcities.lib.http import AuthenticatedHttpRequest
from integratingcities.lib.translation import translate
from integratingcities.permissions import Perm, permission_required
from integratingcities.results.scores import validated_stamp

from . import selectors
from .forms import BoardForm, CorrectionForm, InviteForm, ResultsFilterForm, RoundOpenForm
from .models import Round
from .services import (
    InvitationError,
    invited_cities,
    round_close,
    round_correct,
    round_invite,
    round_open,
    round_publish,
    round_remind,
)

manages = permission_required(Perm.MANAGE_ROUNDS, Round)
# Published results for everyone; the secretariat previews them before publication.
results_visible = permission_required(None, Round, login=False)


def round_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "rounds/round_list.html", {"rounds": selectors.visible_rounds(request.user)}
    )


@permission_required(Perm.MANAGE_ROUNDS)
@require_http_methods(["GET", "POST"])
def round_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The form, then a confirmation that says how many cities the invitation reaches.

    The form's button asks for the confirmation (``review``); the confirmation's button posts
    the same fields again and opens the round; its other button (``change``) shows the form
    again as it was filled. A post without either (a script) opens the round at once."""
    form = RoundOpenForm(request.POST or None)
    if request.method != "POST" or "change" in request.POST or not form.is_valid():
        return render(request, "rounds/round_form.html", {"form": form})
    data = form.cleaned_data
    invitation = form.invitation()
    try:
        if "review" in request.POST:
            return render(
                request,
                "rounds/round_confirm.html",
                {
                    "step": "open",
                    "form": form,
                    "framework": data["framework"],
                    "review": selectors.invitation_review(invited_cities(invitation)),
                },
            )
        new_round = round_open(
            title=data["title"],
            framework=data["framework"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            invitation=invitation,
            user=request.user,
            reminder_days=data["reminder_days"],
        )
    except InvitationError as error:
        form.add_error(error.field, str(error))
    except DomainError as error:
        form.add_error(None, str(error))
    else:
        messages.success(
            request,
            _("The round is open and %(count)d cities are invited.")
            % {"count": new_round.assessments.count()},
        )
        _warn_without_editor(
            request, selectors.without_editor(new_round), _("nobody there was told")
        )
        return redirect(new_round)
    return render(request, "rounds/round_form.html", {"form": form})


@manages
def round_board(request: HttpRequest, round_: Round) -> HttpResponse:
    form = BoardForm(request.GET)
    sort = form.value("sort") or "city"
    found = selectors.board(round_, state=form.value("state"), q=form.value("q"), sort=sort)
    paginator = Paginator(found.rows, selectors.BOARD_PER_PAGE)
    if found.count is not None:
        paginator.count = found.count  # the state counts say it: no query of its own
    page = paginator.get_page(request.GET.get("page"))
    find = form.value("find")
    # At most INVITE_LIMIT cities to tick, whatever the network's size: all of them in a small
    # network, else those whose names match the search.
    # Their id and name only: a box to tick shows nothing else.
    uninvited = selectors.uninvited(round_, q=find).values("pk", "name")
    candidates = list(uninvited[: selectors.INVITE_LIMIT + 1]) if round_.is_open else []
    return render(
        request,
        "rounds/round_board.html",
        {
            "round": round_,
            "form": form,
            "state_options": _options(form["state"]),
            "sort_options": _options(form["sort"]),
            "page": page,
            "rows": selectors.board_rows(page.object_list, found.total),
            "total": found.total,
            "invited": sum(found.states.values()),
            "states": [(AssessmentState(s).label, n) for s, n in found.states.items()],
            "sort": sort,
            "filter_query": _query_without(request, "page", "sort"),
            "page_query": _query_without(request, "page"),
            "invite_form": InviteForm(),
            "correct_fields": _correction_fields(get_language()),
            "find": find,
            "uninvited": candidates[: selectors.INVITE_LIMIT],
            "more_uninvited": len(candidates) > selectors.INVITE_LIMIT,
        },
    )


@lru_cache(maxsize=16)
def _correction_fields(language: str | None) -> SafeString:
    """The correction form's fields: unbound, so the same for everyone who reads the board in
    a language (the cache key), and rendered once rather than by the form's templates on each
    visit."""
    return CorrectionForm().as_div()


def _options(field: BoundField) -> SafeString:
    """A menu's options, each on a line of its own as Django's select widget writes them,
    joined here: the widget renders a template for each option, on every visit of the board."""
    value = field.value()
    selected = "" if value is None else str(value)
    return mark_safe(
        "".join(
            f'\n  <option value="{escape(str(key))}"{" selected" if str(key) == selected else ""}>'
            f"{escape(str(label))}</option>\n"
            for key, label in field.field.choices  # type: ignore[attr-defined]
        )
    )


def _query_without(request: HttpRequest, *names: str) -> str:
    """The page's query string without the named parameters, for links that set them."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _round_action(
    request: AuthenticatedHttpRequest, round_: Round, action, success: str
) -> HttpResponse:  # type: ignore[no-untyped-def]
    try:
        outcome = action(round_=round_, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success % {"count": outcome if isinstance(outcome, int) else 0})
    return redirect(round_)


@manages
@require_POST
def round_remind_view(request: AuthenticatedHttpRequest, round_: Round) -> HttpResponse:
    try:
        reminded = round_remind(round_=round_, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(round_)
    messages.success(
        request,
        _("Reminders sent to the editors of %(count)d cities.") % {"count": reminded.cities},
    )
    _warn_without_editor(request, reminded.without_editor, _("they got nothing"))
    return redirect(round_)


def _warn_without_editor(request: HttpRequest, cities: list[str], consequence: str) -> None:
    if not cities:
        return
    messages.warning(
        request,
        ngettext(
            "%(count)d city has no editor, so %(consequence)s: %(cities)s. Invite an editor "
            "from the board.",
            "%(count)d cities have no editor, so %(consequence)s: %(cities)s. Invite an "
            "editor for each from the board.",
            len(cities),
        )
        % {
            "count": len(cities),
            "consequence": consequence,
            "cities": ", ".join(cities[:20]) + (" …" if len(cities) > 20 else ""),
        },
    )


def _confirmed(
    request: AuthenticatedHttpRequest, round_: Round, step: str, action: Any, success: str
) -> HttpResponse:
    """A decision that cannot be undone by a click: the page first says what will happen
    and what is still missing; the step is taken on the confirming POST."""
    if request.method == "POST":
        return _round_action(request, round_, action, success)
    return render(
        request,
        "rounds/round_confirm.html",
        {"round": round_, "step": step, "decision": selectors.decision_summary(round_)},
    )


@manages
@require_http_methods(["GET", "POST"])
def round_close_view(request: AuthenticatedHttpRequest, round_: Round) -> HttpResponse:
    return _confirmed(request, round_, "close", round_close, _("The round is closed."))


@manages
@require_http_methods(["GET", "POST"])
def round_publish_view(request: AuthenticatedHttpRequest, round_: Round) -> HttpResponse:
    return _confirmed(request, round_, "publish", round_publish, _("The results are published."))


@manages
@require_POST
def round_correct_view(request: AuthenticatedHttpRequest, round_: Round) -> HttpResponse:
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the published results must be corrected."))
        return redirect(round_)
    try:
        round_correct(round_=round_, user=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The results are taken back for a correction: publish them again when done."),
        )
    return redirect(round_)


@manages
@require_POST
def round_invite_view(request: AuthenticatedHttpRequest, round_: Round) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        if "cities" in form.errors:
            messages.error(request, _("Choose at least one city to invite."))
        for name, errors in form.errors.items():
            if name in form.fields and name != "cities":
                for error in errors:
                    messages.error(request, f"{form.fields[name].label}: {error}")
        return redirect(round_)
    try:
        count = round_invite(round_=round_, invitation=form.invitation(), user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(count)d cities invited.") % {"count": count})
    return redirect(round_)


def _filters(request: HttpRequest) -> tuple[ResultsFilterForm, selectors.ResultFilters]:
    form = ResultsFilterForm(request.GET)
    return form, selectors.ResultFilters(
        country=form.filters_country(),
        band=form.filters_band(),
        foreign_born=form.filters_foreign_born(),
    )


CITIES_PER_PAGE = 100


@results_visible
def round_results(request: HttpRequest, round_: Round) -> HttpResponse:
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
            "foreign_born_bands": scoring.FOREIGN_BORN_BANDS,
            "query": _query_without(request, "page"),
            # The figures above cover every responding city; their links come 100 a page.
            "cities": Paginator(
                counted.order_by("city__name", "pk").values("city__slug", "city__name"),
                CITIES_PER_PAGE,
            ).get_page(request.GET.get("page")),
        },
    )


@results_visible
def round_chart(request: HttpRequest, round_: Round, key: str) -> HttpResponse:
    pk = round_.pk
    _form, filters = _filters(request)
    if not round_.framework.sections.filter(key=key).exists():
        raise Http404
    counted = selectors.counted_assessments(round_, filters)
    stamp = validated_stamp(counted)
    # A size band's members change with the cities' populations (city indicators), not only
    # with validations: the key then names the cities counted.
    members = (
        sorted(counted.values_list("pk", flat=True)) if filters.band or filters.foreign_born else []
    )
    cache_key = (
        "chart:"
        + hashlib.sha256(
            repr(
                (pk, key, get_language(), filters, stamp, round_.is_illustrative, members)
            ).encode()
        ).hexdigest()
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
        title = (
            _("Illustrative levels, not the cities' real answers") if round_.is_illustrative else ""
        )
        svg = stacked_bars(labels, series, _("cities"), title)
        cache.set(cache_key, svg, 3600)
    return HttpResponse(svg, content_type="image/svg+xml")


@results_visible
def city_results(request: HttpRequest, round_: Round, slug: str) -> HttpResponse:
    assessment = selectors.counted_assessment(round_, slug)
    if assessment is None:
        raise Http404
    return render(
        request,
        "rounds/city_results.html",
        {
            "round": round_,
            "city": assessment.city,
            "body": selectors.city_results_body(round_, assessment),
        },
    )
