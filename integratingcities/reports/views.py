from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from integratingcities.assessments.models import Answer
from integratingcities.frameworks.models import Item, ItemKind, Level
from integratingcities.lib.errors import DomainError
from integratingcities.lib.http import AuthenticatedHttpRequest
from integratingcities.permissions import Perm, permission_required
from integratingcities.rounds.models import Round

from . import display, selectors
from .forms import CoverForm, HighlightForm, MoveForm, PublishForm, TextForm
from .models import Edition, Highlight
from .services import (
    edition_publish,
    highlight_add,
    highlight_move,
    highlight_remove,
    report_cover_save,
    report_text_save,
)

# The report's workspace, preview and steps: the secretariat's, for any round.
manages = permission_required(Perm.MANAGE_REPORTS, Round)


def pdf_link(edition: Edition) -> str:
    from integratingcities.downloads.urls import link

    return link(
        "reports.edition_pdf", round=str(edition.report.round_id), edition=str(edition.number)
    )


def report_list(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/list.html", {"editions": selectors.published_reports()})


def edition_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A published edition: public, frozen, at a stable address."""
    editions = list(
        Edition.objects.filter(report__round_id=pk)
        .select_related("report__round")
        .order_by("number")
        .defer("snapshot")
    )
    edition = next((e for e in editions if e.number == number), None)
    if edition is None:
        raise Http404
    return render(
        request,
        "reports/report.html",
        {
            **display.context(
                display.page_snapshot(edition, display.SHOWN_ON_PAGE),
                edition=edition,
                latest=editions[-1],
            ),
            "round": edition.report.round,
            "editions": editions,
            "pdf_url": pdf_link(edition),
        },
    )


@manages
def workspace(request: AuthenticatedHttpRequest, round_: Round) -> HttpResponse:
    report = selectors.report_of(round_)
    texts = selectors.texts_of(report)
    roles = selectors.rated_sections(round_)
    highlights: dict[int, int] = {}
    if report.pk:
        for highlight in report.highlights.all():
            highlights[highlight.answer.item_id] = highlights.get(highlight.answer.item_id, 0) + 1
    return render(
        request,
        "reports/workspace.html",
        {
            "round": round_,
            "report": report,
            "cover_form": CoverForm(instance=report),
            "sections": [
                (f"section.{key}", label, texts.get(f"section.{key}", ""))
                for key, label in selectors.section_labels().items()
            ],
            "roles": [
                (
                    role,
                    texts.get(f"role.{role.key}", ""),
                    [
                        (item, texts.get(f"commitment.{item.key}", ""), highlights.get(item.pk, 0))
                        for item in role.items.all()
                    ],
                )
                for role in roles
            ],
            "editions": report.editions.order_by("-number") if report.pk else [],
            "publish_form": PublishForm(),
        },
    )


@manages
@require_POST
def cover(request: AuthenticatedHttpRequest, round_: Round) -> HttpResponse:
    form = CoverForm(request.POST, instance=selectors.report_of(round_))
    if form.is_valid():
        try:
            report_cover_save(round_=round_, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The cover is saved."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            said = " ".join(str(error) for error in errors)
            messages.error(request, f"{label}: {said}" if label else said)
    return redirect("reports:workspace", pk=round_.pk)


@manages
@require_http_methods(["GET", "POST"])
def write(request: AuthenticatedHttpRequest, round_: Round, key: str) -> HttpResponse:
    keys = selectors.text_keys(round_)
    if key not in keys:
        raise Http404
    report = selectors.report_of(round_)
    form = TextForm(request.POST or None, initial={"text": selectors.texts_of(report).get(key, "")})
    if request.method == "POST" and form.is_valid():
        try:
            report_text_save(
                round_=round_, actor=request.user, key=key, text=form.cleaned_data["text"]
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("“%(part)s” is saved.") % {"part": keys[key]})
            if key.startswith("commitment."):
                return redirect(
                    "reports:commitment", pk=round_.pk, key=key.removeprefix("commitment.")
                )
            return redirect("reports:workspace", pk=round_.pk)
    return render(
        request,
        "reports/write.html",
        {"round": round_, "report": report, "key": key, "label": keys[key], "form": form},
    )


CANDIDATES_PER_PAGE = 25
LIST_PARAMETERS = ("city", "level", "page")  # where the list of evidence stood


def _list_query(query: QueryDict, names: tuple[str, ...] = LIST_PARAMETERS) -> str:
    """The list's own parameters of ``query`` (``names`` of them), for links and for returning
    to it."""
    kept = QueryDict(mutable=True)
    for name in names:
        value = query.get(name, "").strip()[:100]
        if value:
            kept[name] = value
    return kept.urlencode()


def _commitment_page(
    request: HttpRequest,
    round_: Round,
    item: Item,
    failed: HighlightForm | None = None,
    failed_answer: Answer | None = None,
) -> HttpResponse:
    """The commitment's trends, its highlights and the cities' evidence to pick them from, a
    page at a time (every city's evidence, each with its form, was 2.7 MB at 2,000 cities),
    narrowed by the city's name and the level; a refused highlight shows its evidence alone."""
    report = selectors.report_of(round_)
    levels = list(Level.objects.filter(scale__items=item).order_by("position"))
    city = request.GET.get("city", "").strip()[:100]
    level = request.GET.get("level", "")
    if level not in {choice.key for choice in levels}:
        level = ""
    if failed_answer is not None:
        page = Paginator([failed_answer], CANDIDATES_PER_PAGE).get_page(1)
    else:
        answers = selectors.candidate_answers(round_, item, city=city, level=level)
        page = Paginator(answers, CANDIDATES_PER_PAGE).get_page(request.GET.get("page"))
    found = selectors.candidates(report, list(page.object_list))
    # Where the list stood: in the address, or for a refused highlight in what it posted.
    stood = request.GET if failed is None else _posted_back(request)
    return render(
        request,
        "reports/commitment.html",
        {
            "round": round_,
            "report": report,
            "item": item,
            "trends_form": TextForm(
                initial={"text": selectors.texts_of(report).get(f"commitment.{item.key}", "")}
            ),
            "highlights": selectors.highlights_of(report).filter(answer__item=item)
            if report.pk
            else [],
            "candidates": [(candidate, failed) for candidate in found],
            "page": page,
            "levels": levels,
            "city": city,
            "level": level,
            "refused": failed_answer is not None,
            "list_query": _list_query(stood),
            "page_query": _list_query(stood, ("city", "level")),
        },
        status=400 if failed is not None else 200,
    )


def _item(round_: Round, key: str) -> Item:
    return get_object_or_404(
        Item.objects.select_related("section"),
        section__framework_id=round_.framework_id,
        kind=ItemKind.RATING,
        key=key,
    )


@manages
def commitment(request: AuthenticatedHttpRequest, round_: Round, key: str) -> HttpResponse:
    return _commitment_page(request, round_, _item(round_, key))


@manages
@require_POST
def highlight_add_view(request: AuthenticatedHttpRequest, round_: Round) -> HttpResponse:
    form = HighlightForm(request.POST)
    given = str(form.data.get("answer") or "")
    # A number the database can hold (an id beyond it is no answer, not a server error).
    answer = (
        selectors.highlightable(round_).filter(pk=int(given)).first()
        if given.isdigit() and len(given) < 18
        else None
    )
    if answer is None:
        messages.error(
            request,
            _("Choose a validated answer with evidence, given in this round, to highlight."),
        )
        return redirect("reports:workspace", pk=round_.pk)
    if not form.is_valid():
        return _commitment_page(request, round_, answer.item, failed=form, failed_answer=answer)
    try:
        highlight_add(
            round_=round_,
            actor=request.user,
            answer=answer,
            text=form.cleaned_data["text"],
            practice=form.cleaned_data["practice"],
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(city)s's evidence is highlighted.") % {"city": answer.assessment.city.name},
        )
    url = reverse("reports:commitment", kwargs={"pk": round_.pk, "key": answer.item.key})
    back = _list_query(_posted_back(request))
    return redirect(f"{url}?{back}" if back else url)


def _posted_back(request: HttpRequest) -> QueryDict:
    return QueryDict(str(request.POST.get("back", ""))[:500])


def _highlight(round_: Round, pk: int) -> Highlight:
    return get_object_or_404(
        Highlight.objects.select_related(
            "report__round", "answer__item", "answer__assessment__city"
        ),
        pk=pk,
        report__round=round_,
    )


@manages
@require_POST
def highlight_remove_view(
    request: AuthenticatedHttpRequest, round_: Round, hid: int
) -> HttpResponse:
    highlight = _highlight(round_, hid)
    key = highlight.answer.item.key
    try:
        highlight_remove(highlight=highlight, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The highlight is removed."))
    return redirect("reports:commitment", pk=round_.pk, key=key)


@manages
@require_POST
def highlight_move_view(request: AuthenticatedHttpRequest, round_: Round, hid: int) -> HttpResponse:
    highlight = _highlight(round_, hid)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors["direction"]))
    else:
        try:
            highlight_move(
                highlight=highlight, actor=request.user, up=form.cleaned_data["direction"] == "up"
            )
        except DomainError as error:
            messages.error(request, str(error))
    return redirect(
        reverse("reports:commitment", kwargs={"pk": round_.pk, "key": highlight.answer.item.key})
        + f"#highlight-{highlight.pk}"
    )


@manages
def preview(request: AuthenticatedHttpRequest, round_: Round) -> HttpResponse:
    report = selectors.report_of(round_)
    shown = display.SHOWN_ON_PAGE
    return render(
        request,
        "reports/report.html",
        {
            **display.context(selectors.snapshot(report, shown=shown), shown=shown),
            "round": round_,
            "edition": None,
        },
    )


@manages
@require_http_methods(["GET", "POST"])
def publish(request: AuthenticatedHttpRequest, round_: Round) -> HttpResponse:
    report = selectors.report_of(round_)
    latest = selectors.latest_edition(round_)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            edition = edition_publish(
                report=report, actor=request.user, note=form.cleaned_data["note"]
            )
        except DomainError as error:
            # Back to this page, which says what is missing, rather than to the workspace.
            messages.error(request, str(error))
            return redirect("reports:publish", pk=round_.pk)
        messages.success(
            request, _("Edition %(number)d is published.") % {"number": edition.number}
        )
        return redirect(edition.get_absolute_url())
    if request.method == "POST":
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("reports:publish", pk=round_.pk)
    summary: dict[str, Any] = {
        "has_summary": bool(selectors.texts_of(report).get("section.summary")),
        "round_published": round_.is_published,
    }
    return render(
        request,
        "reports/publish_confirm.html",
        {"round": round_, "report": report, "latest": latest, "form": form, **summary},
    )
