from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from integratingcities.frameworks.models import Item, Section
from integratingcities.frameworks.selectors import outline as framework_outline
from integratingcities.lib.errors import DomainError
from integratingcities.lib.http import AuthenticatedHttpRequest
from integratingcities.permissions import Perm, has_perm, permission_required

from . import selectors
from .forms import CommentForm, ReopenForm, SectionAnswersForm, ValidateForm
from .models import Assessment, AssessmentState
from .services import (
    answers_save,
    assessment_carry_over,
    assessment_missing,
    assessment_reopen,
    assessment_request_changes,
    assessment_submit,
    assessment_validate,
    carried_over_message,
    comment_add,
    comment_reply,
    may_answer,
    may_carry_over,
    may_comment,
    may_reopen,
    may_reply,
    may_request_changes,
    may_validate,
)

# Another city's answers are a 404, as if absent; a city's own, the step refused, a 403.
viewable = permission_required(Perm.VIEW_ASSESSMENT, Assessment)
answerable = permission_required(Perm.ANSWER_ASSESSMENT, Assessment)
reviewable = permission_required(Perm.REVIEW_ASSESSMENT, Assessment)


PER_PAGE = 100


@permission_required(Perm.USE_ACCOUNT)
def assessment_list(request: HttpRequest) -> HttpResponse:
    # The secretariat sees every city's surveys (two a city and more): a page at a time, with
    # the state to narrow them to, the count covering them all.
    state = request.GET.get("state", "")
    if state not in AssessmentState.values:
        state = ""
    assessments = selectors.assessments_for(request.user)
    if state:
        assessments = assessments.filter(state=state)
    page = Paginator(assessments, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessments/assessment_list.html",
        {
            "page": page,
            "assessments": page.object_list,
            "state": state,
            "states": AssessmentState.choices,
            "page_query": urlencode({"state": state}) if state else "",
        },
    )


@viewable
def assessment_detail(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    sections = list(selectors.sections_of(assessment))
    total = sum(s.item_count for s in sections)
    answered = sum(s.answered for s in sections)
    # "Start from last time": offered to the city's editors while the answers are empty.
    earlier = (
        selectors.previous_assessment(assessment)
        if may_carry_over(request.user, assessment)
        else None
    )
    return render(
        request,
        "assessments/assessment_detail.html",
        {
            "assessment": assessment,
            "sections": sections,
            "total": total,
            "answered": answered,
            "percent": round(100 * answered / total) if total else 0,
            "to_confirm": sum(s.to_confirm for s in sections),
            "earlier": earlier,
            "earlier_name": selectors.source_name(earlier) if earlier else "",
            "earlier_status": selectors.source_status(earlier) if earlier else "",
            "may_edit": may_answer(request.user, assessment),
            "may_review": has_perm(request.user, Perm.REVIEW_ASSESSMENT, assessment),
            "may_reopen": may_reopen(request.user, assessment),
            "reopen_form": ReopenForm(),
            "comments": selectors.comments_of(assessment),
        },
    )


@viewable
def section_edit(
    request: AuthenticatedHttpRequest, assessment: Assessment, key: str
) -> HttpResponse:
    if request.method == "POST" and not has_perm(request.user, Perm.ANSWER_ASSESSMENT, assessment):
        raise PermissionDenied
    outline = framework_outline(assessment.framework_id)
    chosen = outline.section(key)
    if chosen is None:
        raise Http404
    section = chosen
    may_edit = may_answer(request.user, assessment)
    content = selectors.section_content(assessment, section, outline)
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
        # A refused link does not hold back the rest: it is saved, the link shown with its error.
        if form.is_valid() or form.refuses_only_links():
            inputs, versions = form.inputs()
            try:
                result = answers_save(
                    assessment=assessment,
                    user=request.user,
                    inputs=inputs,
                    base_versions=versions,
                )
            except DomainError as error:
                if autosave:
                    return JsonResponse({"error": str(error)}, status=error.status)
                messages.error(request, str(error))
                return redirect(assessment)
            if autosave:
                return JsonResponse(
                    {
                        "saved": len(result.saved),
                        "versions": {f"i{k}-version": v for k, v in result.versions.items()},
                        "conflicts": [c.item.pk for c in result.conflicts],
                        **({"errors": form.errors.get_json_data()} if form.errors else {}),
                    },
                    status=409 if result.conflicts else 400 if form.errors else 200,
                )
            if result.conflicts:
                conflicts = result.conflicts
                # Show the other person's answers in the form, and the user's own beside them.
                content = selectors.section_content(assessment, section, outline)
                form = SectionAnswersForm(
                    items=content["items"], levels=content["levels"], answers=content["answers"]
                )
            elif form.errors:
                # The rest was saved: what the page shows beside the form is read again.
                content = selectors.section_content(assessment, section, outline)
                messages.warning(
                    request,
                    _("The other answers were saved; the links marked below were not."),
                )
                form = form.with_versions(result.versions)
            else:
                messages.success(request, _("Saved. Nothing is sent until you submit."))
                return redirect(_next_url(request, assessment, section, outline.sections))
        elif autosave:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    # Counted now, after any save, for the progress beside each section.
    sections = selectors.sections_of(assessment, outline)
    return render(
        request,
        "assessments/section_form.html",
        {
            "assessment": assessment,
            "section": section,
            "sections": sections,
            "form": form,
            "rows": form.bound_items(),
            "answers": content["answers"],
            "readings": []
            if may_edit
            else selectors.answers_to_read(content["items"], content["answers"]),
            "last_time": selectors.last_time(assessment, content["items"]),
            "to_confirm": sum(1 for a in content["answers"].values() if a.is_carried_over),
            "comments": selectors.comments_on(assessment, section),
            "conflicts": {conflict.item.pk: conflict for conflict in conflicts},
            "may_edit": may_edit,
            "may_comment": may_comment(request.user, assessment),
            "may_reply": may_reply(request.user, assessment),
            "may_review": has_perm(request.user, Perm.REVIEW_ASSESSMENT, assessment),
        },
        status=409 if conflicts else 200,
    )


def _next_url(
    request: HttpRequest, assessment: Assessment, section: Section, sections: list[Section]
) -> str:
    if "save_next" in request.POST:
        following = next((s for s in sections if s.position > section.position), None)
        if following:
            return reverse("assessments:section", args=[assessment.pk, following.key])
        return reverse("assessments:review", args=[assessment.pk])
    return request.path


@viewable
def review(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    return render(
        request,
        "assessments/review.html",
        {
            "assessment": assessment,
            "missing": assessment_missing(assessment),
            "unconfirmed": selectors.unconfirmed_by_section(assessment),
            "may_edit": may_answer(request.user, assessment),
        },
    )


@answerable
@require_POST
def carry_over(request: AuthenticatedHttpRequest, assessment: Assessment) -> HttpResponse:
    """Start from the city's earlier answers, each to be confirmed."""
    try:
        count = assessment_carry_over(assessment=assessment, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(assessment)
    assessment.refresh_from_db(fields=["carried_over_from"])
    source = assessment.carried_over_from
    name = selectors.source_name(source) if source is not None else _("earlier answers")
    messages.success(request, carried_over_message(count, name))
    return redirect(assessment)


@answerable
@require_POST
def submit(request: AuthenticatedHttpRequest, assessment: Assessment) -> HttpResponse:
    try:
        assessment_submit(assessment=assessment, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        if assessment.is_editable:
            return redirect("assessments:review", pk=assessment.pk)
        return redirect(assessment)
    messages.success(request, _("Submitted. The answers are locked while they are reviewed."))
    return redirect(assessment)


@viewable
def answer_history(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    sections = list(
        Section.objects.filter(framework_id=assessment.framework_id).order_by("position")
    )
    # An unknown key is no error: the whole history is shown.
    chosen = next((s for s in sections if s.key == request.GET.get("section")), None)
    return render(
        request,
        "assessments/history.html",
        {
            "assessment": assessment,
            "sections": sections,
            "chosen": chosen,
            "changes": selectors.history(assessment, section=chosen)[:500],
        },
    )


def _commented_item(
    request: AuthenticatedHttpRequest, assessment: Assessment, form: CommentForm
) -> Item | None:
    """The question a comment or a reply is about, or None with the reason shown."""
    if not form.is_valid():
        messages.error(request, _("Write a comment before sending it."))
        return None
    item = (
        Item.objects.filter(
            pk=form.cleaned_data["item"], section__framework_id=assessment.framework_id
        )
        .select_related("section")
        .first()
    )
    if item is None:
        messages.error(request, _("This question is not part of this survey."))
    return item


def _beside(assessment: Assessment, item: Item) -> str:
    url = reverse("assessments:section", args=[assessment.pk, item.section.key])
    return f"{url}#item-{item.pk}"


@reviewable
@require_POST
def comment(request: AuthenticatedHttpRequest, assessment: Assessment) -> HttpResponse:
    form = CommentForm(request.POST)
    item = _commented_item(request, assessment, form)
    if item is None:
        return redirect(assessment)
    try:
        comment_add(
            assessment=assessment, item=item, author=request.user, text=form.cleaned_data["text"]
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(assessment)
    messages.success(request, _("Comment added."))
    return redirect(_beside(assessment, item))


@answerable
@require_POST
def reply(request: AuthenticatedHttpRequest, assessment: Assessment) -> HttpResponse:
    form = CommentForm(request.POST)
    item = _commented_item(request, assessment, form)
    if item is None:
        return redirect(assessment)
    try:
        comment_reply(
            assessment=assessment, item=item, author=request.user, text=form.cleaned_data["text"]
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(assessment)
    messages.success(request, _("Answer to the comment added."))
    return redirect(_beside(assessment, item))


@reviewable
@require_http_methods(["GET", "POST"])
def request_changes(request: AuthenticatedHttpRequest, assessment: Assessment) -> HttpResponse:
    """Asks first: the comments the city's editors will be sent, and until when they can act."""
    if request.method == "POST":
        try:
            assessment_request_changes(assessment=assessment, user=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Changes requested: the city can edit its answers again."))
        return redirect(assessment)
    return render(
        request,
        "assessments/request_changes_confirm.html",
        {
            "assessment": assessment,
            "comments": selectors.review_comments(assessment),
            "editors": selectors.editor_count(assessment),
            "may_request_changes": may_request_changes(request.user, assessment),
        },
    )


@reviewable
@require_http_methods(["GET", "POST"])
def validate(request: AuthenticatedHttpRequest, assessment: Assessment) -> HttpResponse:
    """Asks first: what validating does, and what is still missing."""
    if request.method == "POST":
        form = ValidateForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            assessment_validate(assessment=assessment, user=request.user, reason=reason)
        except DomainError as error:
            messages.error(request, str(error))
            if may_validate(request.user, assessment):  # a reason is missing: ask again
                return redirect("assessments:validate", pk=assessment.pk)
        else:
            messages.success(request, _("Validated."))
        return redirect(assessment)
    return render(
        request,
        "assessments/validate_confirm.html",
        {
            "assessment": assessment,
            "missing": assessment_missing(assessment),
            "may_validate": may_validate(request.user, assessment),
            "form": ValidateForm(),
        },
    )


@permission_required(Perm.CORRECT_ASSESSMENT, Assessment)
@require_POST
def reopen(request: AuthenticatedHttpRequest, assessment: Assessment) -> HttpResponse:
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the validation is taken back."))
        return redirect(assessment)
    try:
        assessment_reopen(
            assessment=assessment, user=request.user, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The validation is taken back: the answers wait for a review again.")
        )
    return redirect(assessment)
