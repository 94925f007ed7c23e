"""Reads for rounds: the response board. The results are the results module's
(``integratingcities.results.rounds``); the names below stay for the API that asks for them."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, TextChoices
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone, localtime
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from integratingcities.accounts.models import Membership, Role
from integratingcities.assessments.models import (
    EDITABLE_STATES,
    Answer,
    Assessment,
    AssessmentState,
)
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Item, ItemKind
from integratingcities.lib import page_cache, scoring
from integratingcities.permissions import visible_to
from integratingcities.results.rounds import (
    ResultFilters,
    RoundResults,
    counted_assessment,
    counted_assessments,
    round_results,
)
from integratingcities.results.rounds import city_results as round_city_results

from .models import Round

__all__ = [
    "Board",
    "BoardRow",
    "Invitation",
    "InvitationReview",
    "InviteGroup",
    "Named",
    "ResultFilters",
    "RoundResults",
    "board",
    "board_rows",
    "cities_named",
    "city_results_body",
    "city_results_key",
    "counted_assessment",
    "counted_assessments",
    "invitation_query",
    "invitation_review",
    "last_activity",
    "own_answers",
    "round_results",
    "uninvited",
    "visible_rounds",
    "without_editor",
]


def visible_rounds(user: Any) -> QuerySet[Round]:
    return visible_to(user, Round).order_by("-opens_on")


BOARD_PER_PAGE = 100
# The board's sort keys (?sort=), each with its ORDER BY; the city's name breaks ties.
BOARD_SORTS: dict[str, tuple[Any, ...]] = {
    "city": ("city__name", "pk"),
    "-city": ("-city__name", "-pk"),
    "state": ("state", "city__name", "pk"),
    "-state": ("-state", "city__name", "pk"),
    "answered": ("answered_count", "city__name", "pk"),
    "-answered": ("-answered_count", "city__name", "pk"),
    "activity": (F("last_activity_at").asc(nulls_first=True), "city__name", "pk"),
    "-activity": (F("last_activity_at").desc(nulls_last=True), "city__name", "pk"),
}
# Up to this many cities not invited yet, the board offers them all as boxes to tick; beyond,
# a search lists the cities whose names match, this many at most.
INVITE_LIMIT = 50


# What a row of the board shows, and nothing else: the database sorts narrow rows (a survey's
# recorded scores would make each one wide), and a page of them makes no model instance.
BOARD_FIELDS = ("pk", "city_id", "city__name", "state", "last_activity_at", "answered_count")


@dataclass(frozen=True)
class Board:
    rows: QuerySet[Any]  # ``.values(*BOARD_FIELDS)``, filtered and sorted; the view pages it
    total: int  # items in the framework
    states: dict[str, int]  # invited cities per state, over the whole round
    # How many rows there are, where the state counts say it; None after a search by name.
    count: int | None


def board(round_: Round, *, state: str = "", q: str = "", sort: str = "city") -> Board:
    """Per invited city: state, answers given and last activity; the number of items; and the
    invited cities per state, over all of them whatever the filter."""
    total = Item.objects.filter(section__framework_id=round_.framework_id).count()
    # Answers given are counted by the services that save them (``Assessment.answered_count``):
    # counting them here would count every invited city's answers before taking a page.
    # Whether a city has an editor is asked for the page's rows only (``board_rows``): asked
    # here, the database would ask it of every invited city it sorts.
    rows = round_.assessments.values(*BOARD_FIELDS)
    if state:
        rows = rows.filter(state=state)
    if q:
        rows = rows.filter(city__name__icontains=q)
    counts = round_.assessments.aggregate(
        **{value: Count("pk", filter=Q(state=value)) for value in AssessmentState.values}
    )
    states = {value: counts[value] or 0 for value in AssessmentState.values}
    return Board(
        rows=rows.order_by(*BOARD_SORTS.get(sort, BOARD_SORTS["city"])),
        total=total,
        states=states,
        count=None if q else states.get(state, 0) if state else sum(states.values()),
    )


class BoardRow(dict[str, Any]):
    """A row of the board: ``url`` (the survey), ``name`` (the city's), ``state_label``,
    ``percent`` (of the items answered) and ``answered`` ("answered/items"), ``activity``
    (the last, formatted, or "—"), ``has_editor``, and, for a city without one, ``invite_url``
    (to invite an editor) and ``invite_label``; ``share_label`` names the progress bar.
    Numbers come as text, as the template wrote them (no thousands separator is set): it
    would localize each again.

    A dict, as ``cities.selectors.CityRow`` is (a template looks a key up first); its keys
    also read as attributes."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def board_rows(rows: Iterable[dict[str, Any]], total: int) -> list[BoardRow]:
    """A page of ``board().rows`` as the board shows it, with one query (which cities have
    an editor), so that 100 rows cost no model instance, ``reverse()`` or translation each.

    The survey's URL is reversed once with a stand-in number; the texts a row repeats are
    translated once and filled in, escaped, as ``{% blocktranslate %}`` would; each last
    activity is formatted once per moment and language (``_moment_text``)."""
    rows = list(rows)
    with_editor = set(
        Membership.objects.filter(
            city_id__in={row["city_id"] for row in rows}, role=Role.EDITOR, user__is_active=True
        ).values_list("city_id", flat=True)
    )
    stand_in = 1234567890
    prefix, suffix = reverse("assessments:detail", kwargs={"pk": stand_in}).split(str(stand_in))
    invitations = reverse("accounts:invitations")
    labels = {value: str(label) for value, label in AssessmentState.choices}
    language, zone = get_language(), get_current_timezone()
    invite = gettext("invite an editor for %(city)s")
    share = gettext("%(city)s: share answered")
    board: list[BoardRow] = []
    for row in rows:
        name = escape(row["city__name"])
        has_editor = row["city_id"] in with_editor
        moment = row["last_activity_at"]
        board.append(
            BoardRow(
                url=f"{prefix}{row['pk']}{suffix}",
                name=row["city__name"],
                state_label=labels.get(row["state"], row["state"]),
                percent=str(round(100 * row["answered_count"] / total) if total else 0),
                answered=f"{row['answered_count']}/{total}",
                activity=_moment_text(language, zone, moment) if moment else "—",
                has_editor=has_editor,
                invite_url="" if has_editor else f"{invitations}?city={row['city_id']}&role=editor",
                invite_label="" if has_editor else mark_safe(invite % {"city": name}),
                share_label=mark_safe(share % {"city": name}),
            )
        )
    return board


@lru_cache(maxsize=8192)
def _moment_text(language: str | None, zone: tzinfo, moment: datetime) -> str:
    """A moment as ``|date:"DATETIME_FORMAT"`` writes it in the current language and time zone
    (with the moment, the cache key). The board shows the same last activities on every visit
    until its cities work again, so each is formatted once rather than on every visit: 100
    formats were a fifth of the board's time."""
    return date_format(localtime(moment, zone), "DATETIME_FORMAT")


class InviteGroup(TextChoices):
    """Whom an invitation reaches besides the cities it names."""

    NAMED = "", _("Only the cities named below")
    SIGNATORIES = "signatories", _("Every signatory of the Charter")
    ALL = "all", _("Every city in the network")


@dataclass(frozen=True)
class Invitation:
    """Who is invited: a group narrowed by filters, plus cities by name or id. The filters
    narrow the group only; a city named or given by id is invited whatever they say."""

    group: str = InviteGroup.NAMED
    country: str = ""
    band: scoring.Band | None = None
    network: int | None = None  # a Network's id
    names: tuple[str, ...] = ()  # names or short names, as typed
    ids: tuple[int, ...] = ()  # cities by id, as scripts and the board post them

    @property
    def is_filtered(self) -> bool:
        return bool(self.country or self.band or self.network)


@dataclass(frozen=True)
class Named:
    """The typed names, matched: a short name, else a name (case aside) that one city has."""

    found: dict[str, int]  # name as typed → city id
    not_found: list[str]
    ambiguous: dict[str, list[str]]  # name as typed → the short names of the cities that have it


def cities_named(names: Iterable[str]) -> Named:
    """Match names in one query. The database narrows by exact or lower-cased text; the
    comparison itself is Python's ``casefold``, which knows every alphabet (SQLite's lower()
    knows only ASCII)."""
    typed = list(dict.fromkeys(name.strip() for name in names if name.strip()))
    if not typed:
        return Named({}, [], {})
    folded = [name.casefold() for name in typed]
    rows = list(
        City.objects.annotate(lowered=Lower("name"))
        .filter(Q(slug__in=folded) | Q(name__in=typed) | Q(lowered__in=folded))
        .values_list("pk", "slug", "name")
    )
    by_slug = {slug: pk for pk, slug, _name in rows}
    by_name: dict[str, list[tuple[int, str]]] = {}
    for pk, slug, name in rows:
        by_name.setdefault(name.casefold(), []).append((pk, slug))
    found: dict[str, int] = {}
    not_found: list[str] = []
    ambiguous: dict[str, list[str]] = {}
    for name, key in zip(typed, folded, strict=True):
        if key in by_slug:
            found[name] = by_slug[key]
        elif len(by_name.get(key, [])) == 1:
            found[name] = by_name[key][0][0]
        elif key in by_name:
            ambiguous[name] = sorted(slug for _pk, slug in by_name[key])
        else:
            not_found.append(name)
    return Named(found, not_found, ambiguous)


def invitation_query(invitation: Invitation, named: Named) -> Q | None:
    """The cities the invitation reaches, as a condition on City (None: nobody)."""
    query: Q | None = None
    if invitation.group:
        query = Q(pk__isnull=False)  # every city: an empty Q() would vanish in the OR below
        if invitation.group == InviteGroup.SIGNATORIES:
            query &= Q(signed_latest__isnull=False)
        if invitation.country:
            query &= Q(country=invitation.country)
        if invitation.band is not None:
            low, high = scoring.BAND_BOUNDS[invitation.band]
            query &= Q(population__gte=low)
            if high is not None:
                query &= Q(population__lt=high)
        if invitation.network is not None:
            # A subquery, not a join: a join inside an OR would repeat cities.
            members = City.networks.through.objects.filter(network_id=invitation.network)
            query &= Q(pk__in=members.values("city_id"))
    chosen = {*named.found.values(), *invitation.ids}
    if chosen:
        query = Q(pk__in=sorted(chosen)) if query is None else query | Q(pk__in=sorted(chosen))
    return query


@dataclass(frozen=True)
class InvitationReview:
    """What the confirmation step says before a round opens."""

    count: int  # cities invited
    without_editor: int  # invited cities nobody will be told of
    sample: list[str]  # the first names, alphabetically
    more: int  # invited cities beyond the sample


REVIEW_SAMPLE = 30


def invitation_review(cities: QuerySet[City]) -> InvitationReview:
    editors = Membership.objects.filter(
        city_id=OuterRef("pk"), role=Role.EDITOR, user__is_active=True
    )
    counts = cities.aggregate(
        count=Count("pk"), without_editor=Count("pk", filter=~Exists(editors))
    )
    sample = list(cities.order_by("name", "pk").values_list("name", flat=True)[:REVIEW_SAMPLE])
    return InvitationReview(
        count=counts["count"],
        without_editor=counts["without_editor"],
        sample=sample,
        more=max(counts["count"] - len(sample), 0),
    )


def uninvited(round_: Round, *, q: str = "") -> QuerySet[City]:
    """Cities not invited to the round, by name; ``q`` keeps those whose name contains it.
    The invited are a subquery: a list of ids would be one parameter per city."""
    cities = City.objects.exclude(pk__in=round_.assessments.values("city_id"))
    if q:
        cities = cities.filter(name__icontains=q)
    return cities.order_by("name", "pk")


def without_editor(round_: Round) -> list[str]:
    """The names of the invited cities that have no active editor: nobody there is told."""
    editors = Membership.objects.filter(
        city_id=OuterRef("city_id"), role=Role.EDITOR, user__is_active=True
    )
    return list(
        round_.assessments.filter(~Exists(editors))
        .order_by("city__name")
        .values_list("city__name", flat=True)
    )


def last_activity(round_: Round) -> Any:
    return round_.assessments.aggregate(last=Max("last_activity_at"))["last"]


@dataclass(frozen=True)
class DecisionSummary:
    """What closing or publishing a round would do: the invited cities by what they have done."""

    waiting: int  # invited, in progress or asked for changes: cannot answer once closed
    submitted: int  # not validated yet: not counted
    validated: int  # counted in the published results
    days_left: int  # before the announced closing date (0 or less: the date has passed)


def decision_summary(round_: Round) -> DecisionSummary:
    counts = dict(
        round_.assessments.values("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    return DecisionSummary(
        waiting=sum(counts.get(state, 0) for state in EDITABLE_STATES),
        submitted=counts.get(AssessmentState.SUBMITTED, 0),
        validated=counts.get(AssessmentState.VALIDATED, 0),
        days_left=(round_.closes_on - timezone.localdate()).days,
    )


def own_answers(assessment: Assessment) -> QuerySet[Answer]:
    """A city's answers to the commitments of a round, with their level and evidence, in the
    framework's order: what its public page shows where the levels are illustrative."""
    return (
        Answer.objects.filter(assessment=assessment, item__kind=ItemKind.RATING)
        .select_related("item", "item__section", "level")
        .order_by("item__section__position", "item__position")
    )


CITY_RESULTS_SECONDS = 3600
# What a city's results show: the round, the city's answers and its place among the others'
# (their statistics), its figures, the frameworks' texts and the practices for its gaps.
CITY_RESULTS_APPS = ("rounds", "assessments", "results", "cities", "frameworks", "practices")


def city_results_body(round_: Round, assessment: Assessment) -> SafeString:
    """What a city's results page shows below its title (``results.rounds.city_results``),
    rendered once per round, survey and language and kept until one of ``CITY_RESULTS_APPS``
    changes: it is the same for everyone who may see it, and making it (the city's answers,
    its peers' statistics, the practices for its gaps, the tables) was most of the page."""
    return mark_safe(  # HTML our own template escaped, kept as text
        page_cache.kept(
            city_results_key(round_.pk, assessment.pk),
            lambda: _city_results_body(round_, assessment),
            CITY_RESULTS_SECONDS,
            apps=CITY_RESULTS_APPS,
        )
    )


def city_results_key(round_pk: int, assessment_pk: int) -> str:
    """Where a city's results are kept, in the active language."""
    return f"rounds:city-results:{round_pk}:{assessment_pk}:{get_language()}"


def _city_results_body(round_: Round, assessment: Assessment) -> str:
    found = round_city_results(round_, assessment)
    return render_to_string(
        "rounds/city_results_body.html",
        {
            "round": round_,
            "assessment": assessment,
            "city": assessment.city,
            "r": found,
            # Each commitment not fully met, with practices of cities that meet it.
            "gap_practices": found.gaps,
            # Illustrative levels rank no real city: the page shows the city's own answers.
            "own_answers": found.answers,
        },
    )
