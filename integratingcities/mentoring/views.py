"""Pages of mentoring schemes and roadmaps: permission → form → service → redirect."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from integratingcities.downloads.urls import link
from integratingcities.lib.errors import DomainError, NotAllowed
from integratingcities.lib.http import AuthenticatedHttpRequest
from integratingcities.permissions import Perm, has_perm, permission_required, visible_to

from . import selectors, services
from .downloads import PDF_KIND
from .forms import (
    ActionForm,
    CommentForm,
    MemberForm,
    ObjectiveForm,
    ReportForm,
    RoadmapForm,
    SchemeEditForm,
    SchemeForm,
    VisitForm,
)
from .models import (
    Action,
    Objective,
    ProgressReport,
    Roadmap,
    Scheme,
    SchemeRole,
    SupportGroupMember,
    Visit,
)

# ---------------------------------------------------------------------------------------
# Schemes


@permission_required(None, login=False)
def scheme_list(request: HttpRequest) -> HttpResponse:
    rows = [(scheme, selectors.cities_by_role(scheme)) for scheme in selectors.schemes()]
    return render(
        request,
        "mentoring/list.html",
        {
            "rows": rows,
            "may_create": has_perm(request.user, Perm.MANAGE_SCHEMES),
            "any_illustrative": any(scheme.is_illustrative for scheme, _cities in rows),
        },
    )


@permission_required(None, Scheme, login=False, refine=lambda q: q.select_related("toolkit"))
def scheme_detail(request: HttpRequest, scheme: Scheme) -> HttpResponse:
    found = selectors.schemes().get(pk=scheme.pk)
    roadmaps = list(visible_to(request.user, Roadmap).filter(scheme=found).order_by("city__name"))
    return render(
        request,
        "mentoring/scheme.html",
        {
            "scheme": found,
            "cities": selectors.cities_by_role(found),
            "roadmaps": roadmaps,
            "visits": selectors.visits_of(found, roadmaps),
            "may_manage": has_perm(request.user, Perm.MANAGE_SCHEMES),
        },
    )


@permission_required(Perm.MANAGE_SCHEMES)
@require_http_methods(["GET", "POST"])
def scheme_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SchemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scheme = services.scheme_create(
                actor=request.user,
                toolkit=data["toolkit"],
                name=data["name"],
                project=data["project"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                period_note=data["period_note"],
                facilitator=data["facilitator"],
                facilitator_user=data["facilitator_user"],
                mentors=list(data["mentors"]),
                implementing=list(data["implementing"]),
                is_illustrative=data["is_illustrative"],
                remind_days_before=data["remind_days_before"],
                remind_days_after=data["remind_days_after"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The scheme is formed, with a roadmap per implementing city.")
            )
            return redirect(scheme)
    return render(request, "mentoring/scheme_form.html", {"form": form, "scheme": None})


@permission_required(Perm.MANAGE_SCHEMES, Scheme)
@require_http_methods(["GET", "POST"])
def scheme_edit(request: AuthenticatedHttpRequest, scheme: Scheme) -> HttpResponse:
    form = SchemeEditForm.for_scheme(scheme, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.scheme_update(actor=request.user, scheme=scheme, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect(scheme)
    return render(request, "mentoring/scheme_form.html", {"form": form, "scheme": scheme})


@permission_required(None, Scheme)
def dashboard(request: AuthenticatedHttpRequest, scheme: Scheme) -> HttpResponse:
    """The roadmaps of the scheme the person may read; none at all is a 404, as if the
    dashboard did not exist (a mentor of another scheme learns nothing here)."""
    roadmaps = list(
        visible_to(request.user, Roadmap)
        .filter(scheme=scheme)
        .select_related("baseline__framework", "follow_up__framework", "scheme__toolkit")
        .order_by("city__name")
    )
    if not roadmaps:
        raise Http404
    today = timezone.localdate()
    rows, timeline = selectors.dashboard(roadmaps, today, scheme)
    return render(
        request,
        "mentoring/dashboard.html",
        {"scheme": scheme, "rows": rows, "timeline": timeline, "today": today},
    )


# ---------------------------------------------------------------------------------------
# A roadmap


def roadmap_context(roadmap: Roadmap) -> dict[str, Any]:
    """What the roadmap's body shows, on the page and in its PDF alike."""
    today = timezone.localdate()
    factors = selectors.factor_scores(roadmap)
    by_section = {row.section.pk: row for row in factors}
    objectives = [
        (
            objective,
            [by_section.get(section.pk) for section in objective.key_factors.all()],
            [(action, selectors.action_state(action, today)) for action in objective.actions.all()],
        )
        for objective in roadmap.objectives.all()
    ]
    roles = selectors.cities_by_role(selectors.schemes().get(pk=roadmap.scheme_id))
    return {
        "roadmap": roadmap,
        "scheme": roadmap.scheme,
        "mentors": roles[SchemeRole.MENTOR],
        "factors": factors,
        "objectives": objectives,
        "visits": selectors.visits_of(roadmap.scheme, [roadmap]),
        "today": today,
        "late_count": sum(
            1 for _o, _f, actions in objectives for _a, state in actions if state == "late"
        ),
    }


@permission_required(None, Roadmap)
def roadmap_detail(request: AuthenticatedHttpRequest, roadmap: Roadmap) -> HttpResponse:
    found = selectors.roadmap_page(roadmap.pk)
    context = roadmap_context(found)
    context |= {
        "may_edit": has_perm(request.user, Perm.EDIT_ROADMAP, found),
        "may_comment": has_perm(request.user, Perm.COMMENT_ROADMAP, found),
        "may_log_visit": has_perm(request.user, Perm.LOG_VISIT, found),
        "comment_form": CommentForm(),
        "pdf_link": link(PDF_KIND, roadmap=found.pk),
    }
    return render(request, "mentoring/roadmap.html", context)


@permission_required(Perm.EDIT_ROADMAP, Roadmap)
@require_http_methods(["GET", "POST"])
def roadmap_edit(request: AuthenticatedHttpRequest, roadmap: Roadmap) -> HttpResponse:
    selftests = selectors.validated_selftests(roadmap)
    form = RoadmapForm(request.POST or None, instance=roadmap, selftests=selftests)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.roadmap_update(
                actor=request.user,
                roadmap=roadmap,
                summary=data["summary"],
                baseline=data["baseline"],
                follow_up=data["follow_up"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect(roadmap)
    return render(
        request,
        "mentoring/row_form.html",
        {
            "form": form,
            "roadmap": roadmap,
            "heading": _("The roadmap's summary and self-tests"),
            "no_selftests": not selftests,
        },
    )


@dataclass(frozen=True)
class RowKind:
    """One kind of roadmap row: how it is found, edited, saved and named."""

    model: type[Model]
    form: Callable[..., Any]
    noun: Any  # what the headings call it
    save: Callable[..., Any]
    anchor: str

    def rows(self, roadmap: Roadmap) -> Any:
        manager = self.model._default_manager
        if self.model is Action:
            return manager.filter(objective__roadmap=roadmap)
        if self.model is Visit:
            return manager.filter(scheme_id=roadmap.scheme_id, host_id=roadmap.city_id)
        return manager.filter(roadmap=roadmap)


def _save_objective(user: Any, roadmap: Roadmap, form: ObjectiveForm, row: Any) -> Any:
    return services.objective_save(actor=user, roadmap=roadmap, data=form.as_input(), objective=row)


def _save_action(user: Any, roadmap: Roadmap, form: ActionForm, row: Any) -> Any:
    assert form.objective is not None  # set by _row_page from the URL or the action
    return services.action_save(
        actor=user, objective=form.objective, data=form.as_input(), action=row
    )


def _save_member(user: Any, roadmap: Roadmap, form: MemberForm, row: Any) -> Any:
    return services.member_save(actor=user, roadmap=roadmap, data=form.as_input(), member=row)


def _save_report(user: Any, roadmap: Roadmap, form: ReportForm, row: Any) -> Any:
    return services.report_save(actor=user, roadmap=roadmap, data=form.as_input(), report=row)


def _save_visit(user: Any, roadmap: Roadmap, form: VisitForm, row: Any) -> Any:
    return services.visit_save(actor=user, roadmap=roadmap, data=form.as_input(), visit=row)


KINDS: dict[str, RowKind] = {
    "objectives": RowKind(
        Objective, ObjectiveForm, gettext_lazy("objective"), _save_objective, "objectives"
    ),
    "actions": RowKind(Action, ActionForm, gettext_lazy("action"), _save_action, "objectives"),
    "members": RowKind(
        SupportGroupMember,
        MemberForm,
        gettext_lazy("support group member"),
        _save_member,
        "support-group",
    ),
    "reports": RowKind(
        ProgressReport, ReportForm, gettext_lazy("progress report"), _save_report, "progress"
    ),
    "visits": RowKind(Visit, VisitForm, gettext_lazy("visit"), _save_visit, "visits"),
}
# Rows the roadmap's editors write (visits have their own permission, and their own views).
EDITED = {"objectives", "actions", "members", "reports"}


def _kind(name: str, allowed: set[str]) -> RowKind:
    if name not in allowed:
        raise Http404
    return KINDS[name]


def _form(kind: RowKind, roadmap: Roadmap, data: Any, row: Any) -> Any:
    if kind.model is Objective:
        return kind.form(data, instance=row, factors=selectors.key_factors(roadmap))
    return kind.form(data, instance=row)


def _row_page(
    request: AuthenticatedHttpRequest,
    roadmap: Roadmap,
    kind: RowKind,
    row: Any,
    *,
    objective: Objective | None = None,
) -> HttpResponse:
    form = _form(kind, roadmap, request.POST or None, row)
    if objective is not None or isinstance(row, Action):
        form.objective = objective or row.objective
    if request.method == "POST" and form.is_valid():
        try:
            kind.save(request.user, roadmap, form, row)
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{roadmap.get_absolute_url()}#{kind.anchor}")
    heading = (
        _("Change the %(noun)s") % {"noun": kind.noun}
        if row is not None
        else _("Add a %(noun)s") % {"noun": kind.noun}
    )
    return render(
        request,
        "mentoring/row_form.html",
        {
            "form": form,
            "roadmap": roadmap,
            "heading": heading,
            "objective": getattr(form, "objective", None),
            "anchor": kind.anchor,
            "no_factors": kind.model is Objective and not selectors.key_factors(roadmap),
        },
    )


def _row(kind: RowKind, roadmap: Roadmap, pk: int) -> Any:
    found = kind.rows(roadmap).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if found is None:
        raise Http404
    return found


@permission_required(Perm.EDIT_ROADMAP, Roadmap)
@require_http_methods(["GET", "POST"])
def row_new(request: AuthenticatedHttpRequest, roadmap: Roadmap, kind: str) -> HttpResponse:
    return _row_page(request, roadmap, _kind(kind, EDITED - {"actions"}), None)


@permission_required(Perm.EDIT_ROADMAP, Roadmap)
@require_http_methods(["GET", "POST"])
def action_new(request: AuthenticatedHttpRequest, roadmap: Roadmap, objective: int) -> HttpResponse:
    found = _row(KINDS["objectives"], roadmap, objective)
    return _row_page(request, roadmap, KINDS["actions"], None, objective=found)


@permission_required(Perm.EDIT_ROADMAP, Roadmap)
@require_http_methods(["GET", "POST"])
def row_edit(
    request: AuthenticatedHttpRequest, roadmap: Roadmap, kind: str, row: int
) -> HttpResponse:
    chosen = _kind(kind, EDITED)
    return _row_page(request, roadmap, chosen, _row(chosen, roadmap, row))


def _delete_page(
    request: AuthenticatedHttpRequest, roadmap: Roadmap, kind: RowKind, row: Any
) -> HttpResponse:
    if request.method == "POST":
        try:
            if isinstance(row, Visit):
                services.visit_delete(actor=request.user, roadmap=roadmap, visit=row)
            else:
                services.row_delete(actor=request.user, roadmap=roadmap, row=row)
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Deleted."))
        return redirect(f"{roadmap.get_absolute_url()}#{kind.anchor}")
    return render(
        request,
        "mentoring/confirm_delete.html",
        {
            "roadmap": roadmap,
            "row": row,
            "noun": kind.noun,
            "is_objective": isinstance(row, Objective),
        },
    )


@permission_required(Perm.EDIT_ROADMAP, Roadmap)
@require_http_methods(["GET", "POST"])
def row_delete(
    request: AuthenticatedHttpRequest, roadmap: Roadmap, kind: str, row: int
) -> HttpResponse:
    chosen = _kind(kind, EDITED)
    return _delete_page(request, roadmap, chosen, _row(chosen, roadmap, row))


@permission_required(Perm.LOG_VISIT, Roadmap)
@require_http_methods(["GET", "POST"])
def visit_new(request: AuthenticatedHttpRequest, roadmap: Roadmap) -> HttpResponse:
    return _row_page(request, roadmap, KINDS["visits"], None)


@permission_required(Perm.LOG_VISIT, Roadmap)
@require_http_methods(["GET", "POST"])
def visit_edit(request: AuthenticatedHttpRequest, roadmap: Roadmap, row: int) -> HttpResponse:
    return _row_page(request, roadmap, KINDS["visits"], _row(KINDS["visits"], roadmap, row))


@permission_required(Perm.LOG_VISIT, Roadmap)
@require_http_methods(["GET", "POST"])
def visit_delete(request: AuthenticatedHttpRequest, roadmap: Roadmap, row: int) -> HttpResponse:
    return _delete_page(request, roadmap, KINDS["visits"], _row(KINDS["visits"], roadmap, row))


@permission_required(Perm.COMMENT_ROADMAP, Roadmap)
@require_POST
def comment(request: AuthenticatedHttpRequest, roadmap: Roadmap) -> HttpResponse:
    form = CommentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("Comment: %(error)s") % {"error": error})
        return redirect(f"{roadmap.get_absolute_url()}#comments")
    try:
        services.comment_add(actor=request.user, roadmap=roadmap, body=form.cleaned_data["body"])
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your comment is added."))
    return redirect(f"{roadmap.get_absolute_url()}#comments")
