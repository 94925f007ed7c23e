from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from integratingcities.accounts.permissions import (
    can_edit_city_answers,
    can_review_city,
    can_view_city_private,
)
from integratingcities.frameworks.models import Item, Section

from . import selectors
from .forms import CommentForm, SectionAnswersForm
from .models import Assessment
from .services import (
    AssessmentError,
    answers_save,
    assessment_missing,
    assessment_request_changes,
    assessment_submit,
    assessment_validate,
    comment_add,
)


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    """The assessment if the user may see it; another city's is a 404, as if absent."""
    assessment = get_object_or_404(
        Assessment.objects.select_related("city", "framework", "round"), pk=pk
    )
    if not can_view_city_private(request.user, assessment.city_id):
        raise Http404
    return assessment


def _may_edit(request: HttpRequest, assessment: Assessment) -> bool:
    round_open = assessment.round is None or assessment.round.is_open
    return (
        round_open
        and assessment.is_editable
        and can_edit_city_answers(request.user, assessment.city_id)
    )


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "assessments/assessment_list.html",
        {"assessments": selectors.assessments_for(request.user)},
    )


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    sections = list(selectors.sections_of(assessment))
    total = sum(s.item_count for s in sections)
    answered = sum(s.answered for s in sections)
    return render(
        request,
        "assessments/assessment_detail.html",
        {
            "assessment": assessment,
            "sections": sections,
            "total": total,
            "answered": answered,
            "percent": round(100 * answered / total) if total else 0,
            "may_edit": _may_edit(request, assessment),
            "may_review": can_review_city(request.user, assessment.city_id),
            "comments": selectors.comments_of(assessment),
        },
    )


@login_required
def section_edit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    assessment = _assessment(request, pk)
    section = get_object_or_404(Section, framework_id=assessment.framework_id, key=key)
    may_edit = _may_edit(request, assessment)
    if request.method == "POST" and not may_edit:
        if not can_edit_city_answers(request.user, assessment.city_id):
            raise PermissionDenied
        return _locked(request, assessment)
    content = selectors.section_content(assessment, section)
    form = SectionAnswersForm(
        request.POST if request.method == "POST" else None,
        items=content["items"],
        levels=content["levels"],
        answers=content["answers"],
        disabled=not may_edit,
    )
    autosave = request.headers.get("X-Autosave") == "1"
    conflicts = []
    if request.method == "POST":
        if form.is_valid():
            inputs, versions = form.inputs()
            try:
                result = answers_save(
                    assessment=assessment,
                    user=request.user,
                    inputs=inputs,
                    base_versions=versions,
                )
            except AssessmentError as error:
                if autosave:
                    return JsonResponse({"error": str(error)}, status=409)
                messages.error(request, str(error))
                return redirect(assessment)
            if autosave:
                return JsonResponse(
                    {
                        "saved": len(result.saved),
                        "versions": {f"i{k}-version": v for k, v in result.versions.items()},
                        "conflicts": [c.item.pk for c in result.conflicts],
                    },
                    status=409 if result.conflicts else 200,
                )
            if not result.conflicts:
                messages.success(request, _("Saved. Nothing is sent until you submit."))
                return redirect(_next_url(request, assessment, section))
            conflicts = result.conflicts
            # Show the other person's answers in the form, and the user's own beside them.
            content = selectors.section_content(assessment, section)
            form = SectionAnswersForm(
                items=content["items"], levels=content["levels"], answers=content["answers"]
            )
        elif autosave:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    sections = list(selectors.sections_of(assessment))
    return render(
        request,
        "assessments/section_form.html",
        {
            "assessment": assessment,
            "section": section,
            "sections": sections,
            "form": form,
            "rows": form.bound_items(),
            "comments": content["comments"],
            "conflicts": {conflict.item.pk: conflict for conflict in conflicts},
            "may_edit": may_edit,
            "may_review": can_review_city(request.user, assessment.city_id),
        },
        status=409 if conflicts else 200,
    )


def _locked(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    messages.error(request, _("These answers cannot be changed now."))
    return redirect(assessment)


def _next_url(request: HttpRequest, assessment: Assessment, section: Section) -> str:
    if "save_next" in request.POST:
        following = (
            Section.objects.filter(
                framework_id=assessment.framework_id, position__gt=section.position
            )
            .order_by("position")
            .first()
        )
        if following:
            return reverse("assessments:section", args=[assessment.pk, following.key])
        return reverse("assessments:review", args=[assessment.pk])
    return request.path


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    return render(
        request,
        "assessments/review.html",
        {
            "assessment": assessment,
            "missing": assessment_missing(assessment),
            "may_edit": _may_edit(request, assessment),
        },
    )


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    if not can_edit_city_answers(request.user, assessment.city_id):
        raise PermissionDenied
    if not _may_edit(request, assessment):
        return _locked(request, assessment)
    try:
        assessment_submit(assessment=assessment, user=request.user)
    except AssessmentError as error:
        messages.error(request, str(error))
        return redirect("assessments:review", pk=pk)
    messages.success(request, _("Submitted. The answers are locked while they are reviewed."))
    return redirect(assessment)


@login_required
def answer_history(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    return render(
        request,
        "assessments/history.html",
        {"assessment": assessment, "changes": selectors.history(assessment)[:500]},
    )


def _reviewable(request: HttpRequest, pk: int) -> Assessment:
    assessment = _assessment(request, pk)
    if not can_review_city(request.user, assessment.city_id):
        raise Http404
    return assessment


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _reviewable(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment before sending it."))
        return redirect(assessment)
    item = (
        Item.objects.filter(
            pk=form.cleaned_data["item"], section__framework_id=assessment.framework_id
        )
        .select_related("section")
        .first()
    )
    if item is None:
        messages.error(request, _("This question is not part of this survey."))
        return redirect(assessment)
    comment_add(
        assessment=assessment, item=item, author=request.user, text=form.cleaned_data["text"]
    )
    messages.success(request, _("Comment added."))
    url = reverse("assessments:section", args=[pk, item.section.key])
    return redirect(f"{url}#item-{item.pk}")


@login_required
@require_POST
def request_changes(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _reviewable(request, pk)
    try:
        assessment_request_changes(assessment=assessment, user=request.user)
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Changes requested: the city can edit its answers again."))
    return redirect(assessment)


@login_required
@require_POST
def validate(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _reviewable(request, pk)
    try:
        assessment_validate(assessment=assessment, user=request.user)
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Validated."))
    return redirect(assessment)
