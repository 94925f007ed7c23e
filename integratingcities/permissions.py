"""Who may do what to which object: the one place the platform decides access.

Two questions, answered once each:

- **What may a person know exists?** ``visible_to(user, Model)`` is the queryset of the objects of
  a model that the person may see. Lists, search, exports and the API all start from it; an object
  outside it is answered with 404, as if it did not exist.
- **What may they do to an object they can see?** ``has_perm(user, perm, obj)`` answers for one of
  the named permissions of :class:`Perm`. Refused, a page answers 403 and a service raises
  :class:`~integratingcities.lib.errors.NotAllowed`.

Views declare what they need with :func:`permission_required`; services call :func:`require`
themselves, so the API and the pages are refused the same steps. Workflow rules that depend on
the state of an object (a round that is closed, a survey already submitted) are not permissions:
they live in the services and raise a ``DomainError``.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeAlias, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integratingcities.accounts.models import Membership, Role, User
from integratingcities.assessments.models import Assessment
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework, FrameworkStatus
from integratingcities.indicators.models import Indicator
from integratingcities.lib.errors import NotAllowed
from integratingcities.lib.prepared import prepared
from integratingcities.mentoring.models import Roadmap, Scheme, SchemeRole
from integratingcities.network.models import NewsItem
from integratingcities.notifications.models import Notification
from integratingcities.practices.models import Practice, PracticeStatus
from integratingcities.rounds.models import Round, RoundStatus

M = TypeVar("M", bound=Model)


class Perm(StrEnum):
    # A city's own space
    VIEW_CITY_TEAM = "city.view_team"
    MANAGE_CITIES = "city.manage"
    START_SELF_TEST = "city.start_self_test"
    # Surveys and self-tests
    VIEW_ASSESSMENT = "assessment.view"
    ANSWER_ASSESSMENT = "assessment.answer"  # save answers, submit, share evidence, propose
    REVIEW_ASSESSMENT = "assessment.review"  # comment, request changes, validate
    CORRECT_ASSESSMENT = "assessment.correct"  # take a validation back
    # Rounds
    MANAGE_ROUNDS = "round.manage"  # open, invite, remind, close, publish, correct
    # Practices
    EDIT_PRACTICE = "practice.edit"
    SUBMIT_PRACTICE = "practice.submit"
    PUBLISH_PRACTICE = "practice.publish"  # publish, send back
    # The network's content
    MANAGE_FRAMEWORKS = "framework.manage"
    MANAGE_NEWS = "news.manage"
    MANAGE_INVITATIONS = "account.invite"
    # City indicators: the catalogue and imports are the secretariat's; a city's editors may
    # enter their own city's values of an indicator the secretariat opened to cities.
    MANAGE_INDICATORS = "indicator.manage"
    ENTER_INDICATOR_VALUES = "indicator.enter_values"
    # The network report (narrative, highlights, editions) and the open-data licence
    MANAGE_REPORTS = "report.manage"
    # Mentoring: forming schemes and matching mentors is the secretariat's
    MANAGE_SCHEMES = "scheme.manage"
    # A roadmap: its implementing city's editors (and the secretariat) write it; its readers
    # (the city's members, the scheme's mentor cities, the facilitator) comment on it.
    EDIT_ROADMAP = "roadmap.edit"
    COMMENT_ROADMAP = "roadmap.comment"
    LOG_VISIT = "roadmap.log_visit"  # the host's editors, the facilitator, the secretariat
    USE_ACCOUNT = "account.use"  # one's own home page, API tokens, notifications


# ---------------------------------------------------------------------------------------
# Who the person is


def is_secretariat(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


@prepared
def _roles(user_id: int) -> QuerySet[Any]:
    return Membership.objects.filter(user_id=user_id).order_by().values_list("city_id", "role")


def city_role(user: Any, city_id: int | None) -> str | None:
    """The user's role for a city, or None. Read once per request and kept on the user."""
    if city_id is None or not user.is_authenticated:
        return None
    roles: dict[int, str] | None = getattr(user, "_city_roles", None)
    if roles is None:
        roles = dict(_roles(user.pk))
        user._city_roles = roles
    return roles.get(city_id)


def _member_cities(user: Any) -> QuerySet[Membership, int]:
    return Membership.objects.filter(user=user).values_list("city_id", flat=True)


# ---------------------------------------------------------------------------------------
# What a person may know exists


_ASSESSMENT_RELATED = ("city", "framework", "round")
_ROUND_RELATED = ("framework",)


def _assessments(user: Any) -> QuerySet[Assessment]:
    """A city's surveys and self-tests: its members and the secretariat."""
    assessments = Assessment.objects.select_related(*_ASSESSMENT_RELATED)
    if is_secretariat(user):
        return assessments
    if not user.is_authenticated:
        return assessments.none()
    return assessments.filter(city_id__in=_member_cities(user))


def _rounds(user: Any) -> QuerySet[Round]:
    """Published rounds; every round for the secretariat."""
    rounds = Round.objects.select_related(*_ROUND_RELATED)
    if is_secretariat(user):
        return rounds
    return rounds.filter(status=RoundStatus.PUBLISHED)


def _frameworks(user: Any) -> QuerySet[Framework]:
    """Published versions; drafts too for the secretariat."""
    if is_secretariat(user):
        return Framework.objects.all()
    return Framework.objects.filter(status=FrameworkStatus.PUBLISHED)


def _practices(user: Any) -> QuerySet[Practice]:
    """Published practices; also the unpublished ones of the user's cities (all of them for
    the secretariat)."""
    if is_secretariat(user):
        return Practice.objects.all()
    if not user.is_authenticated:
        return Practice.objects.filter(status=PracticeStatus.PUBLISHED)
    return Practice.objects.filter(
        Q(status=PracticeStatus.PUBLISHED) | Q(city_id__in=_member_cities(user))
    )


def _news(user: Any) -> QuerySet[NewsItem]:
    if is_secretariat(user):
        return NewsItem.objects.all()
    return NewsItem.objects.published()


def _cities(user: Any) -> QuerySet[City]:
    return City.objects.all()  # every city page is public; its team is a permission


def _notifications(user: Any) -> QuerySet[Notification]:
    """One's own notifications, nobody else's (the secretariat's included)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def _schemes(user: Any) -> QuerySet[Scheme]:
    return Scheme.objects.all()  # schemes are public; their roadmaps are not


def _roadmaps(user: Any) -> QuerySet[Roadmap]:
    """The implementing city's members, the members of the scheme's mentor cities, the
    scheme's facilitator and the secretariat; nobody else (a mentor of another scheme neither)."""
    roadmaps = Roadmap.objects.select_related("scheme", "city")
    if is_secretariat(user):
        return roadmaps
    if not user.is_authenticated:
        return roadmaps.none()
    cities = _member_cities(user)
    return roadmaps.filter(
        Q(city_id__in=cities)
        | Q(scheme__facilitator_user=user)
        | Q(
            scheme_id__in=Scheme.objects.filter(
                members__role=SchemeRole.MENTOR, members__city_id__in=cities
            ).values("pk")
        )
    )


_VISIBLE: dict[type[Model], Callable[[Any], QuerySet[Any]]] = {
    Scheme: _schemes,
    Roadmap: _roadmaps,
    Notification: _notifications,
    Assessment: _assessments,
    Round: _rounds,
    Framework: _frameworks,
    Practice: _practices,
    NewsItem: _news,
    City: _cities,
}


def visible_to(user: User | AnonymousUser, model: type[M]) -> QuerySet[M]:
    """The objects of ``model`` that ``user`` may know exist."""
    return _VISIBLE[model](user)


def may_see(user: User | AnonymousUser, obj: Model) -> bool:
    """Whether one object already loaded is visible to the user (without a query where the
    rule can be read from the object)."""
    if isinstance(obj, Assessment):
        return is_secretariat(user) or city_role(user, obj.city_id) is not None
    if isinstance(obj, Round):
        return obj.is_published or is_secretariat(user)
    if isinstance(obj, Framework):
        return obj.is_published or is_secretariat(user)
    if isinstance(obj, Practice):
        return obj.is_published or is_secretariat(user) or city_role(user, obj.city_id) is not None
    if isinstance(obj, City):
        return True  # as ``_cities``: every city page is public
    return visible_to(user, type(obj)).filter(pk=obj.pk).exists()


# ---------------------------------------------------------------------------------------
# What a person may do


def _secretariat(user: Any, obj: Any) -> bool:
    return is_secretariat(user)


def _logged_in(user: Any, obj: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _city_id(obj: Any) -> int | None:
    if isinstance(obj, City):
        return obj.pk
    return getattr(obj, "city_id", None)


def _member(user: Any, obj: Any) -> bool:
    return is_secretariat(user) or city_role(user, _city_id(obj)) is not None


def _editor(user: Any, obj: Any) -> bool:
    """Only the city's own editors answer for it; the secretariat does not answer for cities."""
    return city_role(user, _city_id(obj)) == Role.EDITOR


def _reviewer(user: Any, obj: Any) -> bool:
    return is_secretariat(user) or city_role(user, _city_id(obj)) == Role.REVIEWER


def _practice_editor(user: Any, practice: Practice) -> bool:
    """The secretariat edits any practice; the city edits its draft or one sent back to it,
    not while the secretariat reviews it."""
    return is_secretariat(user) or (practice.is_editable_by_city and _editor(user, practice))


def _enters_values(user: Any, value: Any) -> bool:
    """``value``: an indicator value (saved or not), naming its city and indicator; or None:
    may the person enter any value at all (edit a city, with an indicator open to cities)?"""
    if is_secretariat(user):
        return True
    if value is None:
        return bool(
            user.is_authenticated
            and Membership.objects.filter(user=user, role=Role.EDITOR).exists()
            and Indicator.objects.filter(cities_may_enter=True).exists()
        )
    return bool(value.indicator.cities_may_enter and _editor(user, value))


def _mentors_roadmap(user: Any, roadmap: Roadmap) -> bool:
    """A member of one of the roadmap's scheme's mentor cities."""
    return bool(
        user.is_authenticated
        and roadmap.scheme.members.filter(
            role=SchemeRole.MENTOR, city_id__in=_member_cities(user)
        ).exists()
    )


def _roadmap_editor(user: Any, roadmap: Roadmap) -> bool:
    return is_secretariat(user) or _editor(user, roadmap)


def _roadmap_commenter(user: Any, roadmap: Roadmap) -> bool:
    return (
        is_secretariat(user)
        or city_role(user, roadmap.city_id) is not None
        or (
            roadmap.scheme.facilitator_user_id is not None
            and roadmap.scheme.facilitator_user_id == user.pk
        )
        or _mentors_roadmap(user, roadmap)
    )


def _visit_logger(user: Any, roadmap: Roadmap) -> bool:
    return _roadmap_editor(user, roadmap) or (
        roadmap.scheme.facilitator_user_id is not None
        and roadmap.scheme.facilitator_user_id == user.pk
    )


_RULES: dict[Perm, Callable[[Any, Any], bool]] = {
    Perm.VIEW_CITY_TEAM: _member,
    Perm.MANAGE_CITIES: _secretariat,
    Perm.START_SELF_TEST: _editor,
    Perm.VIEW_ASSESSMENT: _member,
    Perm.ANSWER_ASSESSMENT: _editor,
    Perm.REVIEW_ASSESSMENT: _reviewer,
    Perm.CORRECT_ASSESSMENT: _secretariat,
    Perm.MANAGE_ROUNDS: _secretariat,
    Perm.EDIT_PRACTICE: _practice_editor,
    Perm.SUBMIT_PRACTICE: _editor,
    Perm.PUBLISH_PRACTICE: _secretariat,
    Perm.MANAGE_FRAMEWORKS: _secretariat,
    Perm.MANAGE_NEWS: _secretariat,
    Perm.MANAGE_INVITATIONS: _secretariat,
    Perm.MANAGE_INDICATORS: _secretariat,
    Perm.ENTER_INDICATOR_VALUES: _enters_values,
    Perm.MANAGE_REPORTS: _secretariat,
    Perm.MANAGE_SCHEMES: _secretariat,
    Perm.EDIT_ROADMAP: _roadmap_editor,
    Perm.COMMENT_ROADMAP: _roadmap_commenter,
    Perm.LOG_VISIT: _visit_logger,
    Perm.USE_ACCOUNT: _logged_in,
}

# Permissions that do not depend on the object: refused before it is looked up (a city officer
# may manage no round at all, so a round's management page is a 403, whichever round it is).
_ANY_OBJECT = {
    Perm.MANAGE_INDICATORS,
    Perm.MANAGE_CITIES,
    Perm.MANAGE_ROUNDS,
    Perm.PUBLISH_PRACTICE,
    Perm.MANAGE_FRAMEWORKS,
    Perm.MANAGE_NEWS,
    Perm.MANAGE_INVITATIONS,
    Perm.MANAGE_REPORTS,
    Perm.MANAGE_SCHEMES,
    Perm.USE_ACCOUNT,
}

_REFUSALS: dict[Perm, Any] = {
    Perm.ANSWER_ASSESSMENT: gettext_lazy(
        "Only the city's editors may change or submit its answers."
    ),
    Perm.REVIEW_ASSESSMENT: gettext_lazy(
        "Only the city's reviewers and the secretariat may review its answers."
    ),
    Perm.START_SELF_TEST: gettext_lazy("Only the city's editors may start a self-test for it."),
    Perm.SUBMIT_PRACTICE: gettext_lazy("Only the city's editors may send its practice for review."),
    Perm.EDIT_PRACTICE: gettext_lazy("You cannot change this practice now."),
    Perm.MANAGE_ROUNDS: gettext_lazy("Only the secretariat manages rounds."),
    Perm.CORRECT_ASSESSMENT: gettext_lazy("Only the secretariat takes a validation back."),
    Perm.PUBLISH_PRACTICE: gettext_lazy("Only the secretariat publishes practices."),
    Perm.MANAGE_FRAMEWORKS: gettext_lazy("Only the secretariat manages frameworks."),
    Perm.MANAGE_REPORTS: gettext_lazy("Only the secretariat writes and publishes reports."),
    Perm.MANAGE_SCHEMES: gettext_lazy("Only the secretariat forms mentoring schemes."),
    Perm.EDIT_ROADMAP: gettext_lazy(
        "Only the implementing city's editors and the secretariat may change this roadmap."
    ),
    Perm.COMMENT_ROADMAP: gettext_lazy(
        "Only the roadmap's city, its mentors, the facilitator and the secretariat may comment."
    ),
    Perm.LOG_VISIT: gettext_lazy(
        "Only the host city's editors, the facilitator and the secretariat may log visits."
    ),
}


def has_perm(user: User | AnonymousUser, perm: Perm, obj: Any = None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return _RULES[perm](user, obj)


def require(user: User | AnonymousUser, perm: Perm, obj: Any = None) -> None:
    """For services: refuse the step with a reason the page and the API both show."""
    if not has_perm(user, perm, obj):
        raise NotAllowed(str(_REFUSALS.get(perm) or _("You may not do this.")))


# ---------------------------------------------------------------------------------------
# Views declare what they need


View: TypeAlias = Callable[..., HttpResponse]


@prepared
def _assessment(pk: int) -> QuerySet[Assessment]:
    return Assessment.objects.select_related(*_ASSESSMENT_RELATED).filter(pk=pk)


@prepared
def _round(pk: int) -> QuerySet[Round]:
    return Round.objects.select_related(*_ROUND_RELATED).filter(pk=pk)


@prepared
def _city(slug: str) -> QuerySet[City]:
    return City.objects.filter(slug=slug)


@prepared
def _practice(key: str) -> QuerySet[Practice]:
    return Practice.objects.select_related("city").filter(key=key)


# Models read by their key (the URL's keyword and the field of the same name) with a prepared
# query, then checked by ``may_see``, which reads the rule from the object: on every page of a
# survey, a round, a city or a practice, compiling the lookup cost more than running it.
_BY_KEY: dict[tuple[type[Model], str], tuple[type, Callable[[Any], list[Any]]]] = {
    (Assessment, "pk"): (int, _assessment),
    (Round, "pk"): (int, _round),
    (City, "slug"): (str, _city),
    (Practice, "key"): (str, _practice),
}


def permission_required(
    perm: Perm | None,
    model: type[Model] | None = None,
    *,
    lookup: dict[str, str] | None = None,
    login: bool = True,
    refine: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None,
    accept: Callable[[Any], bool] | None = None,
) -> Callable[[View], View]:
    """Load the object named by the URL, then check the permission, the same way everywhere.

    - ``login``: anonymous visitors are sent to log in (for pages that are never public);
    - with ``model``: the object is looked up in ``visible_to(user, model)`` by the URL keywords
      in ``lookup`` (URL keyword → field, default ``{"pk": "pk"}``) and passed to the view in
      their place; one the person may not know exists is a 404 (``refine`` adds what the page
      reads with it: related rows, prefetches), as is one ``accept`` refuses (a page for some
      kinds of the model only);
    - with ``perm``: a person who may see the object but not do this gets 403.
    """
    fields = lookup or {"pk": "pk"}
    by_key_name = next(iter(fields))
    by_key = (
        _BY_KEY.get((model, by_key_name))
        if model is not None and refine is None and fields == {by_key_name: by_key_name}
        else None
    )

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if login and not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if perm in _ANY_OBJECT and not has_perm(user, perm):
                raise PermissionDenied
            obj = None
            if by_key is not None:
                key = kwargs.pop(by_key_name)
                read = by_key[1](key) if isinstance(key, by_key[0]) else []
                obj = read[0] if read and may_see(user, read[0]) else None
                if obj is None or (accept is not None and not accept(obj)):
                    raise Http404
                args = (obj, *args)
            elif model is not None:
                try:
                    where = {field: kwargs.pop(name) for name, field in fields.items()}
                    found = visible_to(user, model).filter(**where)
                    obj = (refine(found) if refine else found).first()
                except (ValueError, OverflowError):
                    obj = None
                if obj is None or (accept is not None and not accept(obj)):
                    raise Http404
                args = (obj, *args)
            if perm is not None and not has_perm(user, perm, obj):
                if not user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.permission = perm  # type: ignore[attr-defined]
        return wrapped

    return decorate
