"""The matching page: the secretariat asks for proposed schemes, then accepts, changes or
discards each (``matching`` proposes, ``matching_inputs`` reads, ``services.scheme_create``
forms the scheme accepted). Nothing is stored until a proposal is accepted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from integratingcities.cities.forms import CityNames, city_lines, typed_lines
from integratingcities.cities.models import City
from integratingcities.cities.profile import group_cities
from integratingcities.frameworks.models import Framework
from integratingcities.lib.errors import DomainError
from integratingcities.lib.http import AuthenticatedHttpRequest
from integratingcities.lib.translation import translate
from integratingcities.permissions import Perm, permission_required
from integratingcities.results.peers import PeerGroup

from . import matching
from .matching_inputs import CityLabel, Inputs, benchmarks, propose
from .services import scheme_create

MAX_SCHEME_SIZE = 10
PER_PAGE = 25  # proposed schemes a page

# ---------------------------------------------------------------------------------------------
# Forms


class MatchingForm(forms.Form):
    benchmark = forms.ChoiceField(label=gettext_lazy("Benchmark"))
    implementing = forms.CharField(
        label=gettext_lazy("Implementing cities"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("One city a line, by its name or short name (as in its address)."),
    )
    mentors = forms.CharField(
        label=gettext_lazy("Cities willing to mentor, with a capacity each"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "One city a line, then a comma and how many implementing cities it can take on, "
            "for example “Ghent, 2”."
        ),
    )
    scheme_size = forms.IntegerField(
        label=gettext_lazy("Cities per scheme"),
        min_value=2,
        max_value=MAX_SCHEME_SIZE,
        initial=5,
        help_text=gettext_lazy(
            "A mentor and its implementing cities; the network's projects had four or five."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frameworks = {framework.lineage: framework for framework in benchmarks()}
        self.fields["benchmark"].choices = [  # type: ignore[attr-defined]
            (lineage, translate(framework.title)) for lineage, framework in self.frameworks.items()
        ]
        self.names: CityNames | None = None

    def _names(self) -> CityNames:
        if self.names is None:
            self.names = CityNames()
        return self.names

    def clean_implementing(self) -> list[int]:
        return city_lines(self.cleaned_data["implementing"], self._names())

    def clean_mentors(self) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        problems = []
        for n, line in typed_lines(self.cleaned_data["mentors"]):
            name, comma, capacity = line.rpartition(",")
            if not comma:
                problems.append(
                    _("Line %(n)d: give the city's capacity after a comma, as in “%(line)s, 2”.")
                    % {"n": n, "line": line}
                )
                continue
            try:
                pk = self._names().find(name)
            except forms.ValidationError as error:
                problems.append(_("Line %(n)d: %(problem)s.") % {"n": n, "problem": error.message})
                continue
            if not capacity.strip().isdigit() or int(capacity) < 1:
                problems.append(
                    _("Line %(n)d: the capacity “%(capacity)s” is not a whole number above 0.")
                    % {"n": n, "capacity": capacity.strip()}
                )
            elif pk in {mentor for mentor, _capacity in found}:
                problems.append(
                    _("Line %(n)d: “%(name)s” is listed twice.") % {"n": n, "name": name.strip()}
                )
            else:
                found.append((pk, int(capacity)))
        if problems:
            raise forms.ValidationError(problems)
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        implementing, mentors = data.get("implementing"), data.get("mentors")
        if implementing and mentors:
            both = set(implementing) & {pk for pk, _capacity in mentors}
            if both:
                names = sorted(City.objects.filter(pk__in=both).values_list("name", flat=True))
                self.add_error(
                    "mentors",
                    _("A city cannot both mentor and be mentored: %(cities)s.")
                    % {"cities": ", ".join(names)},
                )
        return data

    @property
    def framework(self) -> Framework:
        return self.frameworks[self.cleaned_data["benchmark"]]


class AcceptForm(forms.Form):
    """One proposed scheme, as the secretariat may change it before accepting it."""

    proposal = forms.IntegerField(widget=forms.HiddenInput)
    # Choices from the cities matching read already: no query per proposal on the page.
    mentor = forms.TypedChoiceField(
        label=gettext_lazy("Mentor city"),
        coerce=int,
        help_text=gettext_lazy(
            "The proposed mentor first, then the other willing mentors that would help these "
            "cities most."
        ),
    )
    implementing = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Implementing cities"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Untick a city to leave it out; cities left without a mentor that this mentor "
            "could help are offered unticked."
        ),
    )
    name = forms.CharField(label=gettext_lazy("Name of the scheme"), max_length=200)
    project = forms.CharField(label=gettext_lazy("Project"), max_length=200, required=False)
    facilitator = forms.CharField(label=gettext_lazy("Facilitator"), max_length=200, required=False)
    starts_on = forms.DateField(
        label=gettext_lazy("Starts on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Ends on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    is_illustrative = forms.BooleanField(
        label=gettext_lazy("Illustrative (formed from illustrative self-tests)"), required=False
    )

    def __init__(
        self, *args: Any, mentors: list[CityLabel], implementing: list[CityLabel], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = [(c.pk, c.name) for c in mentors]  # type: ignore[attr-defined]
        self.fields["implementing"].choices = [  # type: ignore[attr-defined]
            (c.pk, c.name) for c in sorted(implementing, key=lambda c: c.name)
        ]


# ---------------------------------------------------------------------------------------------
# Reasons in words


def factor_sentence(
    reason: matching.FactorReason, mentor: str, city: str, inputs: Inputs
) -> SafeString:
    """'Ghent meets *Data collection* fully (100); Riga scores 20 and answered “no” to 4 of its
    5 guide questions: 64 points.'"""
    title = inputs.titles.get(reason.factor, reason.factor)
    met = (
        _("%(mentor)s meets %(factor)s fully (score %(score)s)")
        if reason.mentor_fully
        else _("%(mentor)s nearly meets %(factor)s (score %(score)s)")
    )
    # The translated sentence is escaped, then given the pieces, each escaped or marked up.
    strong = mark_safe(
        conditional_escape(met)
        % {
            "factor": format_html("<em>{}</em>", title),
            "mentor": conditional_escape(mentor),
            "score": _number(reason.mentor_score),
        }
    )
    if reason.lowest and reason.questions:
        weak = ngettext(
            "%(city)s scores %(score)s and answered “%(level)s” to %(lowest)s of its "
            "%(questions)s guide question",
            "%(city)s scores %(score)s and answered “%(level)s” to %(lowest)s of its "
            "%(questions)s guide questions",
            reason.questions,
        ) % {
            "city": city,
            "score": _number(reason.implementing_score),
            "level": inputs.lowest_label,
            "lowest": reason.lowest,
            "questions": reason.questions,
        }
    else:
        weak = _("%(city)s scores %(score)s") % {
            "city": city,
            "score": _number(reason.implementing_score),
        }
    if reason.weight == 1:
        sums = _("%(gap)s points ahead, times %(weakness)s for how far below the top it is") % {
            "gap": _number(reason.gap),
            "weakness": _number(reason.weakness),
        }
    else:
        sums = _(
            "%(gap)s points ahead, times %(weakness)s for how far below the top it is, times "
            "its weight %(weight)s"
        ) % {
            "gap": _number(reason.gap),
            "weakness": _number(reason.weakness),
            "weight": _number(reason.weight),
        }
    return format_html(
        "{strong}; {weak}: <strong>{points}</strong> ({sums}).",
        strong=strong,
        weak=weak,
        points=_("%(n)s points") % {"n": _number(reason.points)},
        sums=sums,
    )


def similarity_sentences(pair: matching.Pair) -> list[str]:
    network = _("cities of the network")
    return [
        _("Both are %(group)s.")
        % {"group": group_cities(PeerGroup(kind, value, frozenset()), network)}
        for kind, value in pair.shared
    ]


WHY = {
    matching.Why.NOTHING_SCORED: gettext_lazy(
        "No key factor of its self-test has enough answers to score."
    ),
    matching.Why.MEETS_ALL: gettext_lazy(
        "It is at the top level of every key factor it has a score for."
    ),
    matching.Why.NO_MENTOR: gettext_lazy(
        "No willing mentor meets a key factor where it is below the top level."
    ),
    matching.Why.NO_ROOM: gettext_lazy(
        "The mentors who could help it have no capacity left: others gain more from them."
    ),
}


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------------------------------------
# The page


@dataclass
class PairView:
    pair: matching.Pair
    city: CityLabel
    illustrative: bool
    reasons: list[SafeString]
    similar: list[str]


@dataclass
class SchemeView:
    number: int
    scheme: matching.ProposedScheme
    mentor: CityLabel
    pairs: list[PairView]


def _scheme_view(number: int, scheme: matching.ProposedScheme, inputs: Inputs) -> SchemeView:
    mentor = inputs.cities[scheme.mentor]
    pairs = [
        PairView(
            pair,
            inputs.cities[pair.implementing],
            pair.implementing in inputs.illustrative or pair.mentor in inputs.illustrative,
            [
                factor_sentence(reason, mentor.name, inputs.cities[pair.implementing].name, inputs)
                for reason in pair.reasons
            ],
            similarity_sentences(pair),
        )
        for pair in scheme.pairs
    ]
    return SchemeView(number, scheme, mentor, pairs)


def _accept_form(
    framework: Framework, scheme: matching.ProposedScheme, number: int, inputs: Inputs
) -> AcceptForm:
    """The proposal as it stands, with the changes it may take offered beside it."""
    cities = [pair.implementing for pair in scheme.pairs]
    return AcceptForm(
        mentors=[inputs.cities[pk] for pk in (scheme.mentor, *scheme.alternatives)],
        implementing=[inputs.cities[pk] for pk in (*cities, *scheme.extras)],
        initial={
            "proposal": number,
            "mentor": scheme.mentor,
            "implementing": cities,
            "name": _("%(theme)s, mentored by %(city)s")
            % {"theme": translate(framework.title), "city": inputs.cities[scheme.mentor].name},
            "starts_on": date.today(),
            "is_illustrative": bool({scheme.mentor, *cities} & inputs.illustrative),
        },
    )


def _accept(
    request: AuthenticatedHttpRequest, framework: Framework, form: AcceptForm
) -> HttpResponse | None:
    """Form the scheme accepted; its page, or None with the refusal on the form."""
    data = form.cleaned_data
    chosen = City.objects.in_bulk([data["mentor"], *data["implementing"]])
    try:
        scheme = scheme_create(
            actor=request.user,
            benchmark=framework,
            name=data["name"],
            project=data["project"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            facilitator=data["facilitator"],
            mentors=[chosen[data["mentor"]]],
            implementing=[chosen[pk] for pk in data["implementing"]],
            is_illustrative=data["is_illustrative"],
        )
    except DomainError as error:
        form.add_error(None, str(error))
        return None
    messages.success(request, _("Scheme “%(name)s” formed.") % {"name": scheme.name})
    return redirect(scheme.get_absolute_url())


@permission_required(Perm.MANAGE_SCHEMES)
@require_http_methods(["GET", "POST"])
def matching_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the form, then the proposals, then one proposal to accept (``?proposal=n``).
    POST: accept that proposal, as it is or changed."""
    form = MatchingForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "has_benchmarks": bool(form.frameworks)}
    if not form.is_valid():
        return render(request, "mentoring/matching.html", context)

    framework = form.framework
    implementing_ids = form.cleaned_data["implementing"]
    capacities = dict(form.cleaned_data["mentors"])
    inputs, proposal = propose(
        framework, implementing_ids, capacities, form.cleaned_data["scheme_size"]
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("proposal", None)
    context |= {
        "framework": framework,
        "benchmark_title": translate(framework.title),
        "inputs": inputs,
        "query": query.urlencode(),
        "query_items": [(name, value) for name in query for value in query.getlist(name)],
    }

    number = _int(request.POST.get("proposal") or request.GET.get("proposal"))
    if 1 <= number <= len(proposal.schemes):
        scheme = proposal.schemes[number - 1]
        if request.method == "POST":
            # Any of the cities asked about may be chosen, not only those offered first.
            accept = AcceptForm(
                request.POST,
                mentors=[inputs.cities[pk] for pk in capacities],
                implementing=[inputs.cities[pk] for pk in implementing_ids],
            )
            if accept.is_valid() and (done := _accept(request, framework, accept)) is not None:
                return done
        else:
            accept = _accept_form(framework, scheme, number, inputs)
        context |= {"item": _scheme_view(number, scheme, inputs), "accept": accept}
        return render(request, "mentoring/matching_accept.html", context)
    if request.method == "POST" or request.GET.get("proposal"):
        messages.error(request, _("That proposal is no longer made: choose one below."))

    # Proposals are paged, so that the page stays light however many cities are matched.
    page = Paginator(proposal.schemes, PER_PAGE).get_page(request.GET.get("page"))
    first = (page.number - 1) * PER_PAGE + 1
    used = {scheme.mentor for scheme in proposal.schemes}
    context |= {
        "proposal": proposal,
        "schemes": [
            _scheme_view(number, scheme, inputs)
            for number, scheme in enumerate(page.object_list, first)
        ],
        "page": page,
        "unmatched": [(inputs.cities[u.city], WHY[u.why]) for u in proposal.unmatched],
        "not_yet": [inputs.cities[pk] for pk in inputs.not_yet],
        "idle_mentors": [
            (inputs.cities[pk], capacity)
            for pk, capacity in capacities.items()
            if pk not in used and pk in inputs.profiles
        ],
    }
    return render(request, "mentoring/matching.html", context)


urlpatterns = [
    path("matching/", matching_page, name="matching"),
]
