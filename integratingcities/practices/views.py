from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from integratingcities.assessments.models import Answer, Assessment
from integratingcities.lib.errors import DomainError, NotAllowed
from integratingcities.lib.http import AuthenticatedHttpRequest
from integratingcities.permissions import (
    Perm,
    has_perm,
    permission_required,
    visible_to,
)

from . import exports, listing, search, selectors
from .forms import PracticeForm, ReturnForm, SearchForm
from .models import Practice, PracticeStatus
from .services import (
    practice_propose_from_answer,
    practice_publish,
    practice_return,
    practice_submit,
    practice_update,
)


def _search(request: HttpRequest) -> tuple[SearchForm, selectors.PracticeFilters]:
    form = SearchForm(request.GET)
    return form, form.filters()


def _query_without(request: HttpRequest, *names: str) -> str:
    query = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        if name not in names and name != "page":
            query.setlist(name, [v for v in values if v][:1])
    return query.urlencode()


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """Search the published practices, with filters that show how many each would give."""
    form, filters = _search(request)
    found = listing.listing(filters, request.GET.get("page"))
    active = [
        {
            "label": form.fields[name].label,
            "value": facet.selected_label,
            "remove": _query_without(request, name),
        }
        for name, facet in found.facets.items()
        if facet.selected
    ]
    return render(
        request,
        "practices/library.html",
        {
            "form": form,
            "filters": filters,
            "page": found.page,
            "rows": found.rows,
            "cards": found.cards,
            "facet_fields": [(form[name], facet.options) for name, facet in found.facets.items()],
            "active": active,
            "terms": search.describe(filters.query),
            "query": _query_without(request),
            "text_removed": _query_without(request, "q"),
            "pending": selectors.pending_for(request.user).count()
            if request.user.is_authenticated
            else 0,
        },
    )


def _visible(
    perm: Perm | None, *, login: bool = True
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A practice by its key: a 404 if the person may not see it, a 403 if not ``perm``."""
    return permission_required(
        perm, Practice, lookup={"key": "key"}, login=login, refine=selectors.for_form
    )


def _detail(
    request: HttpRequest, practice: Practice, return_form: ReturnForm | None = None
) -> HttpResponse:
    user = request.user
    rows = selectors.practice_rows(practice)
    names, related = selectors.page_names_and_related(practice, rows.themes)
    answer = (
        Answer.objects.select_related("assessment__round")
        .filter(pk=practice.from_answer_id)
        .first()
        if practice.from_answer_id is not None
        else None
    )
    return render(
        request,
        "practices/practice_detail.html",
        {
            "practice": practice,
            "themes": selectors.labelled_themes(rows.themes, names),
            "other_cities": rows.other_cities,
            "related": related,
            "may_edit": has_perm(user, Perm.EDIT_PRACTICE, practice),
            "may_submit": has_perm(user, Perm.SUBMIT_PRACTICE, practice)
            and practice.is_editable_by_city,
            "may_review": has_perm(user, Perm.PUBLISH_PRACTICE) and not practice.is_published,
            "may_return": has_perm(user, Perm.PUBLISH_PRACTICE) and practice.is_proposed,
            "return_form": return_form or ReturnForm(),
            "assessment": answer.assessment
            if answer and has_perm(user, Perm.VIEW_ASSESSMENT, answer.assessment)
            else None,
        },
        status=200,
    )


# Without ``for_page``'s prefetches: the page reads its rows itself (``practice_rows``).
@permission_required(None, Practice, lookup={"key": "key"}, login=False)
@require_GET
def practice_detail(request: HttpRequest, practice: Practice) -> HttpResponse:
    return _detail(request, practice)


@permission_required(Perm.USE_ACCOUNT)
@require_POST
def propose(request: AuthenticatedHttpRequest, answer_id: int) -> HttpResponse:
    """One step from an answer's evidence to a draft practice of the city."""
    answer = (
        Answer.objects.select_related(
            "assessment__city", "assessment__framework", "assessment__round", "item__section"
        )
        .filter(
            pk=answer_id,
            assessment__in=visible_to(request.user, Assessment).values("pk"),
        )
        .first()
        if 0 < answer_id < 2**63
        else None
    )
    if answer is None:
        raise Http404
    try:
        practice, created = practice_propose_from_answer(answer=answer, user=request.user)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(
            reverse("assessments:section", args=[answer.assessment_id, answer.item.section.key])
            + f"#item-{answer.item_id}"
        )
    if created:
        messages.success(
            request,
            _(
                "A draft practice is made from your evidence. Check it, add what you can, then "
                "send it to the secretariat."
            ),
        )
    else:
        messages.info(request, _("This evidence was proposed before: here is the practice."))
    return redirect(practice)


@_visible(Perm.EDIT_PRACTICE)
@require_http_methods(["GET", "POST"])
def practice_edit(request: AuthenticatedHttpRequest, practice: Practice) -> HttpResponse:
    form = PracticeForm(request.POST or None, instance=practice)
    if request.method == "POST" and form.is_valid():
        try:
            saved = practice_update(
                practice=form.instance, user=request.user, data=form.practice_input()
            )
            if "send" in request.POST and has_perm(request.user, Perm.SUBMIT_PRACTICE, saved):
                saved = practice_submit(practice=saved, user=request.user)
                messages.success(request, _("Saved and sent to the secretariat for review."))
            elif "publish" in request.POST and has_perm(request.user, Perm.PUBLISH_PRACTICE):
                saved = practice_publish(practice=saved, user=request.user)
                messages.success(request, _("Saved and published."))
            else:
                messages.success(request, _("Saved."))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return redirect(saved)
    return render(
        request,
        "practices/practice_form.html",
        {
            "form": form,
            "practice": practice,
            "other_cities": selectors.other_city_links(practice),
            "may_send": practice.is_editable_by_city
            and has_perm(request.user, Perm.SUBMIT_PRACTICE, practice),
            "may_publish": has_perm(request.user, Perm.PUBLISH_PRACTICE)
            and not practice.is_published,
        },
    )


def _act(
    request: AuthenticatedHttpRequest, practice: Practice, action: Any, success: str
) -> HttpResponse:
    try:
        action(practice=practice, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect(practice)


@_visible(Perm.SUBMIT_PRACTICE)
@require_POST
def submit(request: AuthenticatedHttpRequest, practice: Practice) -> HttpResponse:
    return _act(request, practice, practice_submit, _("Sent to the secretariat for review."))


@_visible(Perm.PUBLISH_PRACTICE)
@require_POST
def publish(request: AuthenticatedHttpRequest, practice: Practice) -> HttpResponse:
    return _act(request, practice, practice_publish, _("Published: everyone can find it now."))


@_visible(Perm.PUBLISH_PRACTICE)
@require_POST
def send_back(request: AuthenticatedHttpRequest, practice: Practice) -> HttpResponse:
    if not practice.is_proposed:  # the service refuses it too; this spares the form's errors
        messages.error(request, _("Only a proposed practice can be sent back."))
        return redirect(practice)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _detail(request, practice, return_form=form)
    try:
        practice_return(practice=practice, user=request.user, comment=form.cleaned_data["comment"])
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Sent back to the city with your comment."))
    return redirect(practice)


@permission_required(Perm.USE_ACCOUNT)
def proposals(request: HttpRequest) -> HttpResponse:
    """Practices on their way to the library: all of them for the secretariat, the user's
    cities' for city members."""
    pending = list(selectors.pending_for(request.user))
    order = [
        PracticeStatus.PROPOSED,
        PracticeStatus.RETURNED,
        PracticeStatus.DRAFT,
    ]
    groups = [
        (PracticeStatus(status).label, [p for p in pending if p.status == status])
        for status in order
    ]
    return render(
        request,
        "practices/proposals.html",
        {
            "groups": groups,
            "total": len(pending),
            "secretariat": has_perm(request.user, Perm.PUBLISH_PRACTICE),
        },
    )


@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    _form, filters = _search(request)
    response = StreamingHttpResponse(
        exports.csv_rows(filters, request), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="practices.csv"'
    return response


@require_GET
def export_json(request: HttpRequest) -> StreamingHttpResponse:
    _form, filters = _search(request)
    response = StreamingHttpResponse(
        exports.json_chunks(filters, request), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="practices.json"'
    return response
