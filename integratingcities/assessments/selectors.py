from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from integratingcities.accounts.models import Membership, Role
from integratingcities.audit import selectors as audit_selectors
from integratingcities.audit.models import Action
from integratingcities.frameworks.models import Framework, Item, Level, Section
from integratingcities.frameworks.selectors import Outline
from integratingcities.frameworks.selectors import outline as framework_outline
from integratingcities.lib import page_cache
from integratingcities.lib.prepared import prepared
from integratingcities.lib.translation import translate
from integratingcities.permissions import visible_to

from .models import Answer, Assessment, AssessmentKind, AssessmentState, Comment

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


# What ``last_time`` keeps expires anyway after a day.
LAST_TIME_SECONDS = 24 * 3600


class SectionProgress(TypedDict):
    """What ``sections_of`` counts on each section."""

    item_count: int
    answered: int
    to_confirm: int


def assessments_for(user: Any) -> QuerySet[Assessment]:
    """The assessments of the user's cities (all of them for the secretariat), each with
    ``answered``: the count the answer services keep (``answered_count``). Counting the answers
    here joined every listed assessment's answers: for the secretariat, every city's (3.4 s of
    SQL at 2,000 cities).

    Only the columns a list shows are read: the newest first are found by sorting every
    assessment, and with the frameworks' long texts and the cities' in each row the sort took
    0.3 s at 20,000 cities."""
    return (
        visible_to(user, Assessment)
        .only(
            "state",
            "kind",
            "is_illustrative",
            "answered_count",
            "created_at",
            "city__slug",
            "city__name",
            "framework__lineage",
            "framework__version",
            "framework__title",
            "round__title",
            "round__is_illustrative",
        )
        .annotate(answered=F("answered_count"))
        .order_by("-created_at", "city__name", "pk")  # the pk: each page the same rows
    )


@prepared
def _answer_states(assessment_id: int) -> QuerySet[Any]:
    return (
        Answer.objects.filter(assessment_id=assessment_id)
        .order_by()
        .values_list("item__section_id", "is_answered", "is_carried_over")
    )


def sections_of(
    assessment: Assessment, outline: Outline | None = None
) -> "list[WithAnnotations[Section, SectionProgress]]":
    """The framework's sections in order, each with its number of questions and how many of
    this assessment's answers to them are given and still to confirm (one query, and the
    framework's kept ``outline`` unless given).

    The answers are counted from this assessment's own (one row per question answered): a join
    from the sections through every item's answers would read the answers of every city, and
    correlated subqueries per section cost twice as much to build and run as both queries."""
    counts: dict[int, tuple[int, int]] = {}
    for section_id, answered, carried in _answer_states(assessment.pk):
        given, to_confirm = counts.get(section_id, (0, 0))
        counts[section_id] = (given + answered, to_confirm + carried)
    sections = (outline or framework_outline(assessment.framework_id)).sections
    for section in sections:
        section.answered, section.to_confirm = counts.get(section.pk, (0, 0))  # type: ignore[attr-defined]
    return cast("list[WithAnnotations[Section, SectionProgress]]", sections)


def section_content(
    assessment: Assessment, section: Section, outline: Outline | None = None
) -> dict[str, Any]:
    """A section's questions, the levels of their scales (from the framework's kept
    ``outline`` unless given) and this assessment's answers to them (one query). Each item's
    section is ``section`` itself."""
    outline = outline or framework_outline(assessment.framework_id)
    items = outline.items.get(section.pk, [])
    for item in items:
        item.section = section
    answers = {answer.item_id: answer for answer in _section_answers(assessment.pk, section.pk)}
    return {"items": items, "levels": outline.levels, "answers": answers}


@prepared
def _section_answers(assessment_id: int, section_id: int) -> QuerySet[Answer]:
    return (
        Answer.objects.filter(assessment_id=assessment_id, item__section_id=section_id)
        .select_related("level")
        .order_by()
    )


@prepared
def _section_comments(assessment_id: int, section_id: int) -> QuerySet[Comment]:
    return Comment.objects.filter(
        assessment_id=assessment_id, item__section_id=section_id
    ).select_related("author")


def comments_on(assessment: Assessment, section: Section) -> dict[int, list[Comment]]:
    """Per question of the section, the comments on this assessment's answer to it, oldest
    first (one query)."""
    comments: dict[int, list[Comment]] = defaultdict(list)
    for comment in _section_comments(assessment.pk, section.pk):
        comments[comment.item_id].append(comment)
    return comments


@dataclass(frozen=True)
class AnswerReading:
    """One answer as a reader sees it: the level as a word with its tone, the rest as text."""

    item: Item
    level: Level | None
    tone: str  # "yes" (full score), "partly", "no" (no score) or "none" (not counted)
    choices: tuple[str, ...]
    number: Decimal | None
    text: str
    evidence: str
    links: tuple[str, ...]
    carried_over: bool = False  # copied from earlier answers, not confirmed yet

    @property
    def is_empty(self) -> bool:
        return (
            not (
                self.level or self.choices or self.number is not None or self.text or self.evidence
            )
            and not self.links
        )


def level_tone(level: Level | None) -> str:
    """The colour family of a level, from its score: the same for every scale."""
    if level is None or level.score is None:
        return "none"
    if level.score <= 0:
        return "no"
    if level.score >= 100:
        return "yes"
    return "partly"


def answers_to_read(items: list[Item], answers: Mapping[int, Answer]) -> list[AnswerReading]:
    """The answers of a section's questions, in their order, for reading (not editing)."""
    return [reading_of(item, answers.get(item.pk)) for item in items]


def reading_of(item: Item, answer: Answer | None) -> AnswerReading:
    """One answer for reading: choices by their labels in ``item``'s options."""
    options = {
        str(option.get("key")): translate(option.get("label")) or str(option.get("key"))
        for option in item.options or []
        if isinstance(option, dict)
    }
    level = answer.level if answer is not None and answer.level_id else None
    return AnswerReading(
        item=item,
        level=level,
        tone=level_tone(level),
        choices=tuple(
            options.get(str(key), str(key)) for key in (answer.choices if answer else [])
        ),
        number=answer.number if answer is not None else None,
        text=answer.text.strip() if answer is not None else "",
        evidence=answer.evidence.strip() if answer is not None else "",
        links=tuple(str(link) for link in (answer.links if answer else [])),
        carried_over=answer is not None and answer.is_carried_over,
    )


# ---------------------------------------------------------------------------------------
# Start from last time: the city's earlier answers to the same questions


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The city's earlier assessment that this one starts from and shows beside its questions.

    The one it was carried over from, if it was; otherwise, for a survey, the city's most
    recent validated survey of an earlier round of the same framework (any version), else its
    most recent earlier survey with answers; for a self-test (and any other kind), the city's
    latest earlier one of the same benchmark, any version. Only ever the same city's (one query).
    """
    own = Assessment.objects.filter(city_id=assessment.city_id).select_related("round")
    if assessment.carried_over_from_id is not None:
        source = own.filter(pk=assessment.carried_over_from_id).first()
        if source is not None:
            return source
    # The framework read with the assessment (as the pages do) saves building a subquery.
    lineage: Any = (
        assessment.framework.lineage
        if Assessment.framework.is_cached(assessment)
        else Subquery(Framework.objects.filter(pk=assessment.framework_id).values("lineage"))
    )
    earlier = (
        own.filter(kind=assessment.kind, framework__lineage=lineage)
        .exclude(pk=assessment.pk)
        .filter(Exists(Answer.objects.filter(assessment=OuterRef("pk"), is_answered=True)))
    )
    if assessment.kind == AssessmentKind.SURVEY and assessment.round is not None:
        opens_on = assessment.round.opens_on
        return (
            earlier.filter(
                Q(round__opens_on__lt=opens_on)
                | Q(round__opens_on=opens_on, created_at__lt=assessment.created_at)
            )
            .order_by(
                Case(When(state=AssessmentState.VALIDATED, then=0), default=1),
                "-round__opens_on",
                "-created_at",
            )
            .first()
        )
    return earlier.filter(created_at__lt=assessment.created_at).order_by("-created_at").first()


def source_name(source: Assessment) -> str:
    """An earlier assessment as people name it: its round's title, or the self-test's date."""
    if source.round is not None:
        return source.round.title
    return _("the self-test of %(date)s") % {"date": _date(source.created_at)}


def source_status(source: Assessment) -> str:
    """Where the earlier answers stood, with the date: "validated on 3 March 2025"."""
    if source.state == AssessmentState.VALIDATED and source.validated_at:
        return _("validated on %(date)s") % {"date": _date(source.validated_at)}
    if source.state == AssessmentState.SUBMITTED and source.submitted_at:
        return _("submitted on %(date)s") % {"date": _date(source.submitted_at)}
    if source.last_activity_at:
        return _("%(state)s, last saved on %(date)s") % {
            "state": source.get_state_display().lower(),
            "date": _date(source.last_activity_at),
        }
    return str(source.get_state_display()).lower()


def _date(moment: datetime) -> str:
    return str(formats.date_format(timezone.localtime(moment).date(), "DATE_FORMAT"))


def matching_answers(previous: Assessment, items: Sequence[Item]) -> dict[int, Answer]:
    """Per item of ``items`` (their sections read with them), the previous assessment's
    answer to the same question, with its item and level (one query, however many items; a
    second when some question is matched by its key alone).

    Frameworks change between rounds: a question is the same when it has the same key in a
    section of the same key, or follows that key (``Item.follows``); failing that, the same
    key (or the key it follows) alone, where the key names one question only in each version.
    A question of the earlier version with no place in this one is left out.
    """
    if not items:
        return {}
    keys = {item.key for item in items} | {item.follows for item in items if item.follows}
    framework_id = items[0].section.framework_id
    earlier = list(
        Answer.objects.filter(assessment_id=previous.pk, item__key__in=keys)
        .select_related("item", "item__section", "level")
        .order_by()
    )
    by_place = {(answer.item.section.key, answer.item.key): answer for answer in earlier}
    found: dict[int, Answer] = {}
    used: set[int] = set()

    def take(item: Item, answer: Answer | None) -> None:
        if answer is not None and answer.pk not in used and item.pk not in found:
            found[item.pk] = answer
            used.add(answer.pk)

    for item in items:  # the same place first, so that a key used twice stays in its section
        take(item, by_place.get((item.section.key, item.key)))
    for item in items:
        if item.follows:
            take(item, by_place.get((item.section.key, item.follows)))
    left = [item for item in items if item.pk not in found]
    if not left or len(used) == len(earlier):
        return found  # nothing to match by key alone: its count is not needed
    counts = {
        (framework, key): count
        for framework, key, count in Item.objects.filter(
            section__framework_id__in={framework_id, previous.framework_id}, key__in=keys
        )
        .order_by()
        .values_list("section__framework_id", "key")
        .annotate(count=Count("pk"))
    }
    by_key = {
        answer.item.key: answer
        for answer in earlier
        if counts.get((previous.framework_id, answer.item.key)) == 1
    }
    for item in left:
        if counts.get((framework_id, item.key)) == 1:
            take(item, by_key.get(item.key) or (by_key.get(item.follows) if item.follows else None))
    return found


@dataclass(frozen=True)
class LastTime:
    """The city's earlier answers, for reading beside this assessment's questions."""

    source: Assessment
    name: str
    readings: dict[int, AnswerReading]  # by the item of this assessment


def last_time(assessment: Assessment, items: Sequence[Item]) -> LastTime | None:
    """The earlier assessment's answers to ``items`` (their sections read with them), as they
    were given there.

    Kept in the shared cache while the earlier assessment is validated: its answers, and which
    assessment is the earlier one, then change only with a write that replaces the
    assessments' generation (``page_cache``: an assessment created, deleted, validated or
    reopened, a validated answer corrected). Made each time otherwise (two queries for a whole
    section, three when a question is matched by its key alone): finding it was a fifth of an
    editor's section page. No earlier assessment is not kept: a draft's first answer, which
    replaces no generation, could make one."""
    sections = "-".join(str(pk) for pk in sorted({item.section_id for item in items}))
    return page_cache.kept(
        f"assessments:last-time:v1:{assessment.pk}:{sections}:{get_language()}",
        lambda: _last_time(assessment, items),
        LAST_TIME_SECONDS,
        apps=("assessments", "frameworks"),
        keep=lambda found: found is not None and found.source.state == AssessmentState.VALIDATED,
    )


def _last_time(assessment: Assessment, items: Sequence[Item]) -> LastTime | None:
    source = previous_assessment(assessment)
    if source is None:
        return None
    found = matching_answers(source, items)
    readings = {
        pk: reading
        for pk, answer in found.items()
        if not (reading := reading_of(answer.item, answer)).is_empty
    }
    return LastTime(source=source, name=source_name(source), readings=readings)


def unconfirmed_by_section(assessment: Assessment) -> list[dict[str, Any]]:
    """Per section with answers still carried over and not confirmed: its key, title and
    how many (one query)."""
    rows = (
        Answer.objects.filter(assessment=assessment, is_carried_over=True)
        .order_by("item__section__position")
        .values("item__section__key", "item__section__title", "item__section__position")
        .annotate(count=Count("pk"))
    )
    return [dict(row) for row in rows]


def history(
    assessment: Assessment, limit: int = 500, section: Section | None = None
) -> list["HistoryEvent"]:
    """The assessment's timeline, newest first: answer changes, comments and decisions.

    With a ``section``, only its answer changes and comments; the decisions on the whole
    survey are always told, as they explain why answers changed. At most ``limit`` events;
    the number of queries does not grow with them.
    """
    questions = Item.objects.filter(section__framework_id=assessment.framework_id)
    if section is not None:
        questions = questions.filter(section=section)
    items = {item.pk: item for item in questions.select_related("section").order_by()}
    only = set(items) if section is not None else None
    levels = {
        level.pk: level
        for level in Level.objects.filter(scale__framework_id=assessment.framework_id).order_by()
    }
    events = [
        *_answer_events(assessment, items, levels, limit, only),
        *_comment_events(assessment, items, limit, only),
        *_decision_events(assessment, limit),
    ]
    events.sort(key=lambda event: event.when, reverse=True)
    return events[:limit]


@dataclass(frozen=True)
class FieldChange:
    """One field of an answer as it was and as it became, in words."""

    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEvent:
    """One line of an assessment's history."""

    kind: str  # "answer" (saved or removed), "comment" or "decision"
    when: datetime
    who: str  # empty when the person is not known
    item: Item | None = None  # the question an answer or comment is about
    changes: tuple[FieldChange, ...] = ()
    text: str = ""  # the comment, or the decision in words
    removed: bool = False


def _answer_events(
    assessment: Assessment,
    items: Mapping[int, Item],
    levels: Mapping[int, Level],
    limit: int,
    only: set[int] | None,
) -> list[HistoryEvent]:
    """Answer versions, each compared with the version before it (fetched in one query)."""
    versions = Answer.history.all()
    mine = versions.filter(assessment_id=assessment.pk)
    if only is not None:
        mine = mine.filter(item_id__in=only)
    earlier = versions.filter(id=OuterRef("id")).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
    )
    rows = list(
        mine.select_related("history_user")
        .annotate(
            previous_id=Subquery(
                earlier.order_by("-history_date", "-history_id").values("history_id")[:1]
            )
        )
        .order_by("-history_date", "-history_id")[:limit]
    )
    wanted = [row.previous_id for row in rows if row.previous_id is not None]
    previous = {row.history_id: row for row in versions.filter(history_id__in=wanted)}
    events = []
    for row in rows:
        item = items.get(row.item_id)
        before = previous.get(row.previous_id)
        removed = row.history_type == "-"
        changes = () if removed else _answer_changes(before, row, item, levels)
        events.append(
            HistoryEvent(
                kind="answer",
                when=row.history_date,
                who=str(row.history_user) if row.history_user else "",
                item=item,
                changes=changes,
                removed=removed,
            )
        )
    return events


def _answer_fields(
    version: Any, item: Item | None, levels: Mapping[int, Level]
) -> list[tuple[str, str]]:
    """An answer version's fields as (label, value in words); empty values are ""."""
    if version is None:
        return [(label, "") for label in _answer_labels()]
    level = levels.get(version.level_id) if version.level_id else None
    options = {
        str(option.get("key")): translate(option.get("label")) or str(option.get("key"))
        for option in (item.options if item is not None else [])
        if isinstance(option, dict)
    }
    number = version.number
    values = [
        translate(level.label) if level is not None else "",
        ", ".join(options.get(str(key), str(key)) for key in version.choices or []),
        "" if number is None else format(Decimal(number).normalize(), "f"),
        version.text or "",
        version.evidence or "",
        ", ".join(str(link) for link in version.links or []),
    ]
    return list(zip(_answer_labels(), values, strict=True))


def _answer_labels() -> list[str]:
    return [_("Level"), _("Choices"), _("Number"), _("Answer"), _("Evidence"), _("Links")]


def _answer_changes(
    before: Any, after: Any, item: Item | None, levels: Mapping[int, Level]
) -> tuple[FieldChange, ...]:
    """Only the fields that changed from ``before`` (None: nothing yet) to ``after``, and
    whether a carried-over answer was confirmed."""
    changes = [
        FieldChange(label=label, old=old, new=new)
        for (label, old), (_label, new) in zip(
            _answer_fields(before, item, levels), _answer_fields(after, item, levels), strict=True
        )
        if old != new
    ]
    was = bool(getattr(before, "is_carried_over", False))
    now = bool(getattr(after, "is_carried_over", False))
    if was != now:
        pending = _("carried over, to be confirmed")
        changes.append(
            FieldChange(
                label=_("Earlier answer"),
                old=pending if was else "",
                new=pending if now else _("confirmed"),
            )
        )
    return tuple(changes)


def _comment_events(
    assessment: Assessment, items: Mapping[int, Item], limit: int, only: set[int] | None
) -> list[HistoryEvent]:
    comments = Comment.objects.filter(assessment_id=assessment.pk)
    if only is not None:
        comments = comments.filter(item_id__in=only)
    comments = comments.select_related("author").order_by("-created_at", "-pk")[:limit]
    return [
        HistoryEvent(
            kind="comment",
            when=comment.created_at,
            who=str(comment.author) if comment.author else "",
            item=items.get(comment.item_id),
            text=comment.text,
        )
        for comment in comments
    ]


def _decision_events(assessment: Assessment, limit: int) -> list[HistoryEvent]:
    """Audit entries in words. Comments are shown from the comments themselves, with their text."""
    entries = (
        audit_selectors.entries_for(assessment)
        .exclude(action=Action.ASSESSMENT_COMMENT_ADDED)
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        HistoryEvent(
            kind="decision",
            when=entry.created_at,
            who=audit_selectors.actor_name(entry),
            text=audit_selectors.describe(entry),
        )
        for entry in entries
    ]


def comments_of(assessment: Assessment) -> QuerySet[Comment]:
    return assessment.comments.select_related("author", "item", "item__section").order_by(
        "item__section__position", "item__position", "created_at"
    )


def with_framework(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return assessments.select_related("city", "framework", "round").prefetch_related(
        Prefetch("framework__sections", queryset=Section.objects.order_by("position"))
    )


def review_comments(assessment: Assessment) -> QuerySet[Comment]:
    """The comments written since the answers were last submitted: what asking for changes
    sends to the city (earlier rounds of review are in the history)."""
    comments = assessment.comments.select_related("item__section", "author").order_by(
        "item__section__position", "item__position", "created_at"
    )
    if assessment.submitted_at:
        comments = comments.filter(created_at__gte=assessment.submitted_at)
    return comments


def editor_count(assessment: Assessment) -> int:
    """How many active editors the city has: who is told when changes are asked for."""
    return Membership.objects.filter(
        city_id=assessment.city_id, role=Role.EDITOR, user__is_active=True
    ).count()
