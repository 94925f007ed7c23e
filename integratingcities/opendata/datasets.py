"""The open datasets: what each table's columns are (declared once) and its rows.

Two kinds of assessment are published, each as two tables:

- a **round** of the Charter survey: every validated answer (``answers``) and, per city and
  role, the count of each level, the score and the coverage (``summary``);
- the **self-tests of a benchmark** that cities validated and chose to share
  (``Assessment.share_evidence``): the same two tables, per self-test and key factor.

Only validated answers are ever read (``VALIDATED`` below, in the one query each table starts
from): drafts, submitted answers awaiting review and unshared self-tests never reach a file.
Scores come from the results module (``results.scores``), by the platform's stated rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.frameworks.models import Framework, FrameworkKind, Item, ItemKind, Level
from integratingcities.lib import scoring
from integratingcities.lib.tabular import Column
from integratingcities.lib.translation import translate
from integratingcities.results.scores import Scheme, scheme_for, scores_of
from integratingcities.rounds.models import Round

VALIDATED = AssessmentState.VALIDATED
OVERALL = "overall"  # the summary's row for the whole framework, beside one per role

# ---------------------------------------------------------------------------------------------
# Columns: one definition per table, read by the CSV, XLSX and JSON writers, the data
# dictionary and datapackage.json.

_CITY_KEY = Column(
    "city", "string", gettext_lazy("Short name of the city (as in its page's address).")
)
# An answer names its city by key alone: what is true of the city's whole survey (its name,
# country, date of validation, whether its levels are illustrative) is written once per city in
# the summary, not on each of its answers (at 2,000 cities that is 232,000 cells fewer in a
# workbook that must be made in seconds).
_ANSWER_CITY = Column(
    "city",
    "string",
    gettext_lazy(
        "Short name of the city (as in its page's address); its name, country, the date its "
        "answers were validated and whether they are illustrative are in the summary."
    ),
)
_CITY = [
    _CITY_KEY,
    Column("city_name", "string", gettext_lazy("Name of the city."), 18),
    Column("country", "string", gettext_lazy("The city's country (ISO 3166-1 alpha-2)."), 8),
]
_ROUND_LEAD = [Column("round", "integer", gettext_lazy("Number of the monitoring round."), 8)]
_SELFTEST_LEAD = [
    Column("benchmark", "string", gettext_lazy("Key of the thematic benchmark."), 24),
    Column("version", "integer", gettext_lazy("Version of the benchmark answered."), 8),
    Column("self_test", "integer", gettext_lazy("Number of the self-test."), 10),
]
_ROLE = (
    Column(
        "role",
        "string",
        gettext_lazy(
            "Key of the Charter role (policymaker, service_provider, employer, buyer) or of the "
            "survey's other sections (organisation, trends, …)."
        ),
    ),
    Column("role_title", "string", gettext_lazy("Title of the role or section."), 20),
)
_FACTOR = (
    Column(
        "key_factor",
        "string",
        gettext_lazy("Key of the benchmark's key factor (or of its context factors)."),
        20,
    ),
    Column("key_factor_title", "string", gettext_lazy("Title of the key factor."), 24),
)
_COMMITMENT = (
    Column("commitment", "string", gettext_lazy("Key of the commitment or question."), 20),
    Column("commitment_text", "string", gettext_lazy("Text of the commitment or question."), 40),
)
_QUESTION = (
    Column("question", "string", gettext_lazy("Key of the guide question."), 20),
    Column("question_text", "string", gettext_lazy("Text of the guide question."), 40),
)
_ANSWER = [
    Column(
        "kind",
        "string",
        gettext_lazy(
            "What the question asks for: rating (a level on a scale), single_choice, "
            "multiple_choice, number or text."
        ),
        10,
    ),
    Column("level", "string", gettext_lazy("Key of the level given (rated questions)."), 12),
    Column("level_label", "string", gettext_lazy("The level given, in words."), 14),
    Column(
        "score",
        "number",
        gettext_lazy(
            "The level's score, 0 to 100 (the platform's convention: fully 100, partly 50, not "
            "at all 0). Empty for a level without a score, such as not applicable."
        ),
        8,
    ),
    Column(
        "answer",
        "string",
        gettext_lazy(
            "The answer to a question that is not rated: its text, its number, or the options "
            "chosen, separated by “ | ”."
        ),
        40,
    ),
    Column("evidence", "string", gettext_lazy("The city's evidence for its answer."), 60),
    Column("links", "string", gettext_lazy("Links given as evidence, separated by “ | ”."), 30),
]
_ILLUSTRATIVE = Column(
    "illustrative",
    "boolean",
    gettext_lazy("yes: demonstration levels, not the city's own self-assessment."),
    10,
)
_TAIL = [
    Column(
        "validated_at",
        "datetime",
        gettext_lazy("When the answers were validated (UTC)."),
        17,
    ),
    _ILLUSTRATIVE,
]


def _summary_tail(levels: Sequence[tuple[str, str]], unit: str) -> list[Column]:
    counts = [
        Column(
            f"count_{key}",
            "integer",
            gettext_lazy("How many of the city's answers in the %(unit)s are “%(level)s”.")
            % {"unit": unit, "level": label},
            10,
        )
        for key, label in levels
    ]
    return [
        *counts,
        Column(
            "unanswered",
            "integer",
            gettext_lazy("How many rated questions of the %(unit)s have no level.")
            % {"unit": unit},
            10,
        ),
        Column(
            "items",
            "integer",
            gettext_lazy("How many rated questions the %(unit)s has.") % {"unit": unit},
            8,
        ),
        Column(
            "score",
            "number",
            gettext_lazy(
                "Weighted mean of the scores of the answers, 0 to 100. Left empty when too "
                "little is answered to score (see coverage) and never counted as zero."
            ),
            8,
        ),
        Column(
            "coverage",
            "number",
            gettext_lazy(
                "Share of the %(unit)s's weight answered with a scored level, in percent. "
                "Below %(share)s%% there is not enough to score."
            )
            % {"unit": unit, "share": round(100 * scoring.MIN_ANSWERED_SHARE)},
            10,
        ),
    ]


ROUND_ANSWERS = [*_ROUND_LEAD, _ANSWER_CITY, *_ROLE, *_COMMITMENT, *_ANSWER]
ROUND_ANSWERS_KEY = ["round", "city", "role", "commitment"]
SELFTEST_ANSWERS = [
    *_SELFTEST_LEAD,
    _ANSWER_CITY,
    *_FACTOR,
    *_QUESTION,
    *_ANSWER,
]
SELFTEST_ANSWERS_KEY = ["self_test", "key_factor", "question"]
ROUND_SUMMARY_KEY = ["round", "city", "role"]
SELFTEST_SUMMARY_KEY = ["self_test", "key_factor"]


def round_summary_columns(levels: Sequence[tuple[str, str]]) -> list[Column]:
    """The summary's columns: one count per level of the round's scale."""
    return [
        *_ROUND_LEAD,
        *_CITY,
        Column(
            "role",
            "string",
            gettext_lazy("Key of the Charter role, or “overall” for all roles together."),
        ),
        _ROLE[1],
        *_summary_tail(levels, str(_("role"))),
        *_TAIL,
    ]


def selftest_summary_columns(levels: Sequence[tuple[str, str]]) -> list[Column]:
    return [
        *_SELFTEST_LEAD,
        *_CITY,
        Column(
            "key_factor",
            "string",
            gettext_lazy("Key of the key factor, or “overall” for the whole benchmark."),
            20,
        ),
        _FACTOR[1],
        *_summary_tail(levels, str(_("key factor"))),
        *_TAIL,
    ]


# ---------------------------------------------------------------------------------------------
# What is published


def round_assessments(round_id: int) -> QuerySet[Assessment]:
    """A round's validated answers: the only ones any file of the round holds."""
    return Assessment.objects.surveys().filter(round_id=round_id, state=VALIDATED)


def shared_selftests(lineage: str) -> QuerySet[Assessment]:
    """Self-tests of a benchmark that are validated and that their city chose to share."""
    return Assessment.objects.self_tests().filter(
        framework__lineage=lineage,
        framework__kind=FrameworkKind.BENCHMARK,
        state=VALIDATED,
        share_evidence=True,
    )


def stamp(assessments: QuerySet[Assessment]) -> str:
    """A fingerprint of the published answers among these (one aggregate query).

    Validated answers never change: the set changes when one more assessment is validated, a
    validation is taken back, or a city turns sharing off or on again; each moves the count,
    the sum of the ids (ids are never reused) or the latest validation time."""
    found = assessments.aggregate(n=Count("pk"), ids=Sum("pk"), last=Max("validated_at"))
    last = found["last"].isoformat() if found["last"] else "-"
    return f"{found['n']}:{found['ids']}:{last}"


@dataclass(frozen=True)
class Table:
    name: str  # the resource's name in datapackage.json, the file's stem
    columns: list[Column]
    primary_key: list[str]
    rows: Callable[[], Iterator[tuple[Any, ...]]]
    size: Callable[[], int]  # how many rows (one count query), for progress


@dataclass(frozen=True)
class Export:
    """One published dataset: its answers and its summary."""

    key: str  # "round-12", "benchmark-anti-discrimination-job-market"
    title: str
    answers: Table
    summary: Table
    sections: list[tuple[str, str]]  # the scored sections (key, title): a summary sheet each
    illustrative: bool


@dataclass(frozen=True)
class Parts:
    """What the tables of several frameworks need to name their columns and sheets, fetched
    at once (two queries, whatever the number of datasets)."""

    levels: dict[int, list[tuple[str, str]]]  # per framework: (level key, label), in order
    sections: dict[int, list[tuple[str, str]]]  # per framework: scored (section key, title)

    @classmethod
    def load(cls, frameworks: Sequence[int]) -> Parts:
        levels: dict[int, dict[str, str]] = defaultdict(dict)
        for framework_id, key, label in (
            Level.objects.filter(scale__framework_id__in=frameworks)
            .order_by("scale_id", "position")
            .values_list("scale__framework_id", "key", "label")
        ):
            levels[framework_id].setdefault(key, translate(label))
        sections: dict[int, dict[str, str]] = defaultdict(dict)
        for framework_id, key, title in (
            Item.objects.filter(
                section__framework_id__in=frameworks,
                kind=ItemKind.RATING,
                section__is_context=False,
            )
            .order_by("section__position")
            .values_list("section__framework_id", "section__key", "section__title")
            .distinct()
        ):
            sections[framework_id].setdefault(key, translate(title))
        return cls(
            {pk: list(found.items()) for pk, found in levels.items()},
            {pk: list(found.items()) for pk, found in sections.items()},
        )

    def levels_of(self, frameworks: Sequence[int]) -> list[tuple[str, str]]:
        seen: dict[str, str] = {}
        for pk in frameworks:
            for key, label in self.levels.get(pk, []):
                seen.setdefault(key, label)
        return list(seen.items())

    def sections_of(self, frameworks: Sequence[int]) -> list[tuple[str, str]]:
        seen: dict[str, str] = {}
        for pk in frameworks:
            for key, title in self.sections.get(pk, []):
                seen.setdefault(key, title)
        return list(seen.items())


def round_export(round_: Round, parts: Parts | None = None) -> Export:
    assessments = round_assessments(round_.pk)
    parts = parts or Parts.load([round_.framework_id])
    levels = parts.levels_of([round_.framework_id])
    sections = parts.sections_of([round_.framework_id])

    def lead(row: _Assessed) -> tuple[Any, ...]:
        return (round_.pk,)

    return Export(
        key=f"round-{round_.pk}",
        title=round_.title,
        answers=Table(
            f"round-{round_.pk}-answers",
            ROUND_ANSWERS,
            ROUND_ANSWERS_KEY,
            lambda: answer_rows(assessments, lead),
            lambda: answers_query(assessments).count(),
        ),
        summary=Table(
            f"round-{round_.pk}-summary",
            round_summary_columns(levels),
            ROUND_SUMMARY_KEY,
            lambda: summary_rows(
                assessments, lead, levels, sections, round_.is_illustrative, str(_("All roles"))
            ),
            assessments.count,
        ),
        sections=sections,
        illustrative=round_.is_illustrative,
    )


def benchmark_export(
    framework: Framework,
    versions: Sequence[int] = (),
    parts: Parts | None = None,
    illustrative: bool | None = None,
) -> Export:
    """The shared self-tests of a benchmark's lineage (``framework``: its latest version;
    ``versions``: the ids of every version of the lineage, and ``illustrative``: whether any
    of them is demonstration data, if known)."""
    lineage = framework.lineage
    assessments = shared_selftests(lineage)
    if illustrative is None:
        illustrative = assessments.filter(is_illustrative=True).exists()
    versions = versions or list(
        Framework.objects.filter(lineage=lineage).values_list("pk", flat=True)
    )
    parts = parts or Parts.load(versions)
    levels = parts.levels_of([framework.pk, *versions])
    sections = parts.sections_of([framework.pk, *versions])

    def lead(row: _Assessed) -> tuple[Any, ...]:
        return (lineage, row.version, row.pk)

    return Export(
        key=f"benchmark-{lineage}",
        title=translate(framework.title),
        answers=Table(
            f"benchmark-{lineage}-answers",
            SELFTEST_ANSWERS,
            SELFTEST_ANSWERS_KEY,
            lambda: answer_rows(assessments, lead),
            lambda: answers_query(assessments).count(),
        ),
        summary=Table(
            f"benchmark-{lineage}-summary",
            selftest_summary_columns(levels),
            SELFTEST_SUMMARY_KEY,
            lambda: summary_rows(
                assessments, lead, levels, sections, False, str(_("All key factors"))
            ),
            assessments.count,
        ),
        sections=sections,
        illustrative=illustrative,
    )


# ---------------------------------------------------------------------------------------------
# Rows


@dataclass(frozen=True)
class _Assessed:
    pk: int
    city: str
    city_name: str
    country: str
    framework_id: int
    version: int
    validated_at: Any
    illustrative: bool
    scores: Any


def _assessed(assessments: QuerySet[Assessment]) -> dict[int, _Assessed]:
    """The assessments, by city name (one query)."""
    return {
        row[0]: _Assessed(*row)
        for row in assessments.order_by("city__name", "pk").values_list(
            "pk",
            "city__slug",
            "city__name",
            "city__country",
            "framework_id",
            "framework__version",
            "validated_at",
            "is_illustrative",
            "scores",
        )
    }


@dataclass(frozen=True)
class _Question:
    section: str
    section_title: str
    key: str
    text: str
    kind: str
    options: dict[str, str]


def _questions(frameworks: Sequence[int]) -> dict[int, _Question]:
    found = {}
    for pk, section, title, key, text, kind, options in Item.objects.filter(
        section__framework_id__in=frameworks
    ).values_list("pk", "section__key", "section__title", "key", "text", "kind", "options"):
        labels = {o.get("key", ""): translate(o.get("label")) for o in options or []}
        found[pk] = _Question(section, translate(title), key, translate(text), kind, labels)
    return found


def _level_rows(frameworks: Sequence[int]) -> dict[int, tuple[str, str, Any]]:
    return {
        pk: (key, translate(label), score)
        for pk, key, label, score in Level.objects.filter(
            scale__framework_id__in=frameworks
        ).values_list("pk", "key", "label", "score")
    }


def answers_query(assessments: QuerySet[Assessment]) -> QuerySet[Answer, tuple[Any, ...]]:
    """The answers given (not the empty rows of questions left blank), by city and in the
    framework's order, as plain tuples: one query, read in chunks."""
    return (
        Answer.objects.filter(assessment__in=assessments)
        .filter(Q(is_answered=True) | ~Q(evidence="") | Q(level__isnull=False))
        .order_by(
            "assessment__city__name",
            "assessment_id",
            "item__section__position",
            "item__position",
        )
        .values_list(
            "assessment_id", "item_id", "level_id", "choices", "number", "text", "evidence", "links"
        )
    )


class AnswerRows:
    """Turns answer tuples into rows of the answers table, with what they name fetched once."""

    def __init__(
        self,
        assessments: QuerySet[Assessment],
        lead: Callable[[_Assessed], tuple[Any, ...]],
    ) -> None:
        self.assessed = _assessed(assessments)
        frameworks = sorted({a.framework_id for a in self.assessed.values()})
        self.questions = _questions(frameworks)
        self.levels = _level_rows(frameworks)
        self.lead = lead

    def row(self, found: Sequence[Any]) -> tuple[Any, ...]:
        assessment_id, item_id, level_id, choices, number, text, evidence, links = found
        who = self.assessed[assessment_id]
        question = self.questions[item_id]
        level_key, level_label, score = self.levels.get(level_id, ("", "", None))
        if question.kind == ItemKind.RATING:
            answer: Any = ""
        elif question.kind in {ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE}:
            answer = [question.options.get(choice, choice) for choice in choices or []]
        elif question.kind == ItemKind.NUMBER:
            answer = "" if number is None else format(number.normalize(), "f")
        else:
            answer = text
        return (
            *self.lead(who),
            who.city,
            question.section,
            question.section_title,
            question.key,
            question.text,
            question.kind,
            level_key,
            level_label,
            score,
            answer,
            evidence,
            list(links or []),
        )


def answer_rows(
    assessments: QuerySet[Assessment],
    lead: Callable[[_Assessed], tuple[Any, ...]],
) -> Iterator[tuple[Any, ...]]:
    rows = AnswerRows(assessments, lead)
    for found in answers_query(assessments).iterator(chunk_size=2000):
        yield rows.row(found)


def summary_rows(
    assessments: QuerySet[Assessment],
    lead: Callable[[_Assessed], tuple[Any, ...]],
    levels: Sequence[tuple[str, str]],
    sections: Sequence[tuple[str, str]],
    illustrative: bool,
    overall_title: str,
) -> Iterator[tuple[Any, ...]]:
    """Per assessment, a row per scored section and one for the whole framework: the count of
    each level, the score and the coverage (a fixed number of queries)."""
    assessed = _assessed(assessments)
    counts: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    for assessment_id, section, level, n in (
        Answer.objects.filter(
            assessment__in=assessments,
            item__kind=ItemKind.RATING,
            item__section__is_context=False,
            level__isnull=False,
        )
        .order_by()
        .values_list("assessment_id", "item__section__key", "level__key")
        .annotate(n=Count("pk"))
    ):
        counts[(assessment_id, section)][level] = n
    schemes: dict[int, Scheme] = {}
    for framework in Framework.objects.filter(pk__in={a.framework_id for a in assessed.values()}):
        schemes[framework.pk] = scheme_for(framework)
    scores: dict[int, scoring.Result] = {}
    for framework_id, of in schemes.items():
        rows = [
            (a.pk, a.framework_id, a.scores)
            for a in assessed.values()
            if a.framework_id == framework_id
        ]
        scores |= {pk: scored.result for pk, scored in scores_of(rows, of).items()}
    titles = dict(sections)
    keys = [key for key, _label in levels]
    for who in assessed.values():
        of, result = schemes[who.framework_id], scores[who.pk]
        total = dict.fromkeys(keys, 0)
        for section, size in of.sizes.items():
            given = counts.get((who.pk, section), {})
            for key in keys:
                total[key] += given.get(key, 0)
            part = result.sections[section]
            yield _summary_row(
                lead(who),
                who,
                (section, titles.get(section, section)),
                [given.get(key, 0) for key in keys],
                size.items,
                part.headline,
                part.answered_share,
                illustrative,
            )
        yield _summary_row(
            lead(who),
            who,
            (OVERALL, overall_title),
            list(total.values()),
            result.items,
            result.headline,
            result.answered_share,
            illustrative,
        )


def _summary_row(
    lead: tuple[Any, ...],
    who: _Assessed,
    section: tuple[str, str],
    counts: list[int],
    items: int,
    score: float | None,
    answered_share: float,
    illustrative: bool,
) -> tuple[Any, ...]:
    return (
        *lead,
        who.city,
        who.city_name,
        who.country,
        *section,
        *counts,
        max(items - sum(counts), 0),
        items,
        None if score is None else round(score, 1),
        round(100 * answered_share, 1),
        who.validated_at,
        illustrative or who.illustrative,
    )
