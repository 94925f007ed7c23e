"""Forms of the mentoring pages. They check what a field alone can say; every rule that
involves the roadmap or the scheme is the services' (a refusal is shown above the form)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from integratingcities.accounts.models import User
from integratingcities.assessments.models import Assessment
from integratingcities.cities.forms import CityNames, city_lines
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Section
from integratingcities.indicators.models import Indicator
from integratingcities.lib.translation import translate
from integratingcities.toolkits.models import Toolkit

from .models import (
    MAX_TEXT,
    Action,
    Objective,
    ProgressReport,
    Roadmap,
    Scheme,
    SupportGroupMember,
    Visit,
)
from .services import (
    MAX_REMIND_DAYS,
    ActionInput,
    MemberInput,
    ObjectiveInput,
    ReportInput,
    VisitInput,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 4})
MARKDOWN_HELP = _("Markdown: paragraphs, **bold**, lists, links.")


def _dated(form: forms.BaseForm, *names: str) -> None:
    for name in names:
        form.fields[name].widget = DATE


class _SchemeFields(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    project = forms.CharField(label=_("Project"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE, required=False)
    period_note = forms.CharField(
        label=_("Period, in words"),
        max_length=120,
        required=False,
        help_text=_("Where only years are known, e.g. 2012-2014."),
    )
    facilitator = forms.CharField(label=_("Facilitator"), max_length=200, required=False)
    facilitator_user = forms.ModelChoiceField(
        label=_("Facilitator's account"),
        queryset=User.objects.filter(is_active=True).order_by("email"),
        required=False,
        help_text=_("This person may read and comment on every roadmap of the scheme."),
    )
    remind_days_before = forms.IntegerField(
        label=_("Remind this many days before an action is due"),
        min_value=0,
        max_value=MAX_REMIND_DAYS,
        initial=7,
    )
    remind_days_after = forms.IntegerField(
        label=_("Remind this many days after an action is overdue"),
        min_value=0,
        max_value=MAX_REMIND_DAYS,
        initial=7,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The scheme ends before it starts."))
        return data


class SchemeForm(_SchemeFields):
    """The secretariat forms a scheme."""

    toolkit = forms.ModelChoiceField(
        label=_("Theme (benchmark)"),
        queryset=Toolkit.objects.order_by("year", "position"),
        help_text=_("Roadmaps tie their objectives to the key factors of its benchmark."),
    )
    # Typed, one city a line: a menu of every city grew with the network (two menus of 2,000
    # names, 232 KB, at 2,000 cities) and needed Ctrl to choose several.
    mentors = forms.CharField(
        label=_("Mentor cities"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One city a line, by its name or short name (as in its address)."),
    )
    implementing = forms.CharField(
        label=_("Implementing cities"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One city a line, by its name or short name (as in its address)."),
        error_messages={"required": _("Name at least one implementing city.")},
    )
    is_illustrative = forms.BooleanField(
        label=_("Illustrative (not a fact from the sources)"), required=False
    )

    field_order = ["name", "toolkit", "project", "mentors", "implementing"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._names: CityNames | None = None
        self.fields["toolkit"].label_from_instance = lambda toolkit: translate(toolkit.title)  # type: ignore[attr-defined]

    def clean_mentors(self) -> list[City]:
        return self._cities("mentors")

    def clean_implementing(self) -> list[City]:
        return self._cities("implementing")

    def _cities(self, field: str) -> list[City]:
        if self._names is None:
            self._names = CityNames()  # read once for both lists
        pks = city_lines(self.cleaned_data[field], self._names)
        by_pk = City.objects.in_bulk(pks)
        return [by_pk[pk] for pk in pks]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        both = {c.pk for c in data.get("mentors") or []} & {
            c.pk for c in data.get("implementing") or []
        }
        if both:
            self.add_error(
                "mentors", _("A city cannot be both mentor and implementing in one scheme.")
            )
        return data


class SchemeEditForm(_SchemeFields):
    @classmethod
    def for_scheme(cls, scheme: Scheme, data: Any = None) -> "SchemeEditForm":
        names = [
            "name",
            "project",
            "starts_on",
            "ends_on",
            "period_note",
            "facilitator",
            "facilitator_user",
            "remind_days_before",
            "remind_days_after",
        ]
        return cls(data, initial={name: getattr(scheme, name) for name in names})


def _assessment_label(assessment: Assessment) -> str:
    return _("%(framework)s, validated %(date)s") % {
        "framework": str(assessment.framework),
        "date": f"{assessment.validated_at or assessment.created_at:%Y-%m-%d}",
    }


class RoadmapForm(forms.ModelForm[Roadmap]):
    class Meta:
        model = Roadmap
        fields = ["summary", "baseline", "follow_up"]
        widgets = {"summary": TEXT}
        help_texts = {"summary": MARKDOWN_HELP}

    def __init__(self, *args: Any, selftests: list[Assessment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [a.pk for a in selftests]
        for name in ("baseline", "follow_up"):
            field = self.fields[name]
            field.queryset = Assessment.objects.filter(pk__in=ids).select_related("framework")  # type: ignore[attr-defined]
            field.label_from_instance = _assessment_label  # type: ignore[attr-defined]
            field.empty_label = _("(none)")  # type: ignore[attr-defined]
        self.fields["baseline"].help_text = _(
            "A validated self-test of the scheme's theme by the city."
        )
        self.fields["follow_up"].help_text = _("A later validated self-test, to measure change.")


class ObjectiveForm(forms.ModelForm[Objective]):
    class Meta:
        model = Objective
        fields = ["title", "key_factors", "gap", "root_cause", "change_sought", "indicator"]
        widgets = {
            "gap": TEXT,
            "root_cause": TEXT,
            "change_sought": TEXT,
            "key_factors": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "gap": _("What falls short of the standard today."),
            "root_cause": _("Why, as the city sees it."),
            "change_sought": _("What will be different when the objective is met."),
        }

    def __init__(self, *args: Any, factors: list[Section], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["key_factors"]
        field.queryset = Section.objects.filter(pk__in=[s.pk for s in factors]).order_by(  # type: ignore[attr-defined]
            "position"
        )
        field.label_from_instance = lambda section: translate(section.title)  # type: ignore[attr-defined]
        field.help_text = _("The key factors of the benchmark this objective works on.")
        indicator = self.fields["indicator"]
        indicator.queryset = Indicator.objects.order_by("key")  # type: ignore[attr-defined]
        indicator.empty_label = _("(none)")  # type: ignore[attr-defined]
        indicator.help_text = _("A city indicator that shows progress, where one fits.")

    def as_input(self) -> ObjectiveInput:
        data = self.cleaned_data
        return ObjectiveInput(
            title=data["title"],
            gap=data["gap"],
            change_sought=data["change_sought"],
            root_cause=data.get("root_cause") or "",
            key_factors=list(data.get("key_factors") or []),
            indicator=data.get("indicator"),
        )


class ActionForm(forms.ModelForm[Action]):
    objective: Objective | None = None  # set by the view: the objective the action serves

    class Meta:
        model = Action
        fields = [
            "title",
            "owner",
            "partners",
            "starts_on",
            "due_on",
            "resources",
            "funding_source",
            "expected_output",
            "status",
            "evidence",
        ]
        widgets = {
            "starts_on": DATE,
            "due_on": DATE,
            "resources": TEXT,
            "expected_output": TEXT,
            "evidence": TEXT,
        }
        help_texts = {
            "owner": _("Who in the city answers for it."),
            "evidence": _("What shows it was done: a link, a document, a decision."),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, due = data.get("starts_on"), data.get("due_on")
        if starts and due and due < starts:
            self.add_error("due_on", _("The action is due before it starts."))
        return data

    def as_input(self) -> ActionInput:
        data = self.cleaned_data
        return ActionInput(
            title=data["title"],
            owner=data["owner"],
            due_on=data["due_on"],
            starts_on=data.get("starts_on"),
            partners=data.get("partners") or "",
            resources=data.get("resources") or "",
            funding_source=data.get("funding_source") or "",
            expected_output=data.get("expected_output") or "",
            status=data["status"],
            evidence=data.get("evidence") or "",
        )


class MemberForm(forms.ModelForm[SupportGroupMember]):
    class Meta:
        model = SupportGroupMember
        fields = ["name", "organisation", "type", "role"]

    def as_input(self) -> MemberInput:
        data = self.cleaned_data
        return MemberInput(
            name=data["name"],
            type=data["type"],
            organisation=data.get("organisation") or "",
            role=data.get("role") or "",
        )


class ReportForm(forms.ModelForm[ProgressReport]):
    class Meta:
        model = ProgressReport
        fields = ["reported_on", "period", "what_changed"]
        widgets = {"reported_on": DATE, "what_changed": TEXT}
        help_texts = {
            "period": _("e.g. first half of 2026"),
            "what_changed": MARKDOWN_HELP,
        }

    def as_input(self) -> ReportInput:
        data = self.cleaned_data
        return ReportInput(
            reported_on=data["reported_on"],
            what_changed=data["what_changed"],
            period=data.get("period") or "",
        )


class VisitForm(forms.ModelForm[Visit]):
    class Meta:
        model = Visit
        fields = ["visited_on", "who_came", "notes", "recommendations"]
        widgets = {"visited_on": DATE, "who_came": TEXT, "notes": TEXT, "recommendations": TEXT}
        help_texts = {"notes": MARKDOWN_HELP, "recommendations": MARKDOWN_HELP}

    def as_input(self) -> VisitInput:
        data = self.cleaned_data
        return VisitInput(
            visited_on=data["visited_on"],
            who_came=data["who_came"],
            notes=data.get("notes") or "",
            recommendations=data.get("recommendations") or "",
        )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), widget=TEXT, max_length=MAX_TEXT, help_text=MARKDOWN_HELP
    )
