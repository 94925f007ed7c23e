"""Reads for toolkits: the catalogue, a benchmark's content, a city's self-tests.

A self-test's results are the results module's (``integratingcities.results.selftests``); their
page is rendered here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from integratingcities.assessments.models import Assessment, AssessmentState
from integratingcities.frameworks.models import (
    Framework,
    FrameworkKind,
    FrameworkStatus,
    Level,
    Section,
)
from integratingcities.frameworks.selectors import outline
from integratingcities.lib import page_cache
from integratingcities.results.selftests import Results, selftest_results

from .models import Toolkit


def catalogue(*, drafts: bool = False) -> tuple[list[Toolkit], dict[str, Framework]]:
    """The toolkits a reader may see, and the benchmark version shown for each.

    A toolkit shows its latest published version. An uploaded benchmark creates its toolkit at
    once, as a draft: a toolkit whose versions are all drafts is left out until one is published,
    unless ``drafts`` (the secretariat's view), where it comes with its latest draft. A toolkit
    with no version at all is a catalogue entry whose content is not loaded yet: it is listed.
    """
    published: dict[str, Framework] = {}
    draft: dict[str, Framework] = {}
    for framework in Framework.objects.filter(kind=FrameworkKind.BENCHMARK).order_by(
        "lineage", "version"
    ):
        if framework.status == FrameworkStatus.PUBLISHED:
            published[framework.lineage] = framework
        else:
            draft[framework.lineage] = framework
    latest = {**draft, **published} if drafts else published
    toolkits = [
        toolkit
        # The file's order (by project and year) first: an entry whose year is not known stays
        # beside its project's others instead of sorting by NULL.
        for toolkit in Toolkit.objects.select_related("project").order_by("position", "year", "key")
        if toolkit.key in latest or toolkit.key not in draft
    ]
    return toolkits, latest


def catalogue_rows(*, drafts: bool = False) -> SafeString:
    """The catalogue's table rows (``catalogue``), rendered once per view (the secretariat's
    with drafts, or everyone else's) and language, and kept until a toolkit, a framework or a
    project changes."""
    return mark_safe(  # HTML our own template escaped, kept as text
        page_cache.kept(
            f"toolkits:catalogue-rows:{int(drafts)}:{get_language()}",
            lambda: render_to_string(
                "toolkits/catalogue_rows.html",
                {"rows": _catalogue_rows(drafts=drafts)},
            ),
            BODY_SECONDS,
            apps=("toolkits", "frameworks", "network"),
        )
    )


def _catalogue_rows(*, drafts: bool) -> list[tuple[Toolkit, Framework | None]]:
    toolkits, latest = catalogue(drafts=drafts)
    return [(toolkit, latest.get(toolkit.key)) for toolkit in toolkits]


@dataclass(frozen=True)
class BenchmarkContent:
    """What a benchmark's page shows of its structure, from the framework's kept outline (one
    cache read, where five queries re-read the framework and built a model per row): the
    sections in order, each with its ``questions``, and each scale's levels."""

    sections: list[Section]
    scale_levels: list[list[Level]]


BODY_SECONDS = 24 * 3600


def benchmark_body(framework: Framework) -> SafeString:
    """A benchmark's content as its page shows it (the standard, the answers, every key
    factor with its guide questions and examples, the context factors), rendered once per
    version and language and kept until a framework changes: it is the same for everyone, and
    rendering it was most of the page's time."""
    return mark_safe(  # HTML our own template escaped, kept as text
        page_cache.kept(
            f"toolkits:benchmark-body:{framework.pk}:{get_language()}",
            lambda: render_to_string(
                "toolkits/benchmark_body.html",
                {"framework": framework, "content": benchmark_content(framework)},
            ),
            BODY_SECONDS,
            apps=("frameworks",),
        )
    )


def benchmark_content(framework: Framework) -> BenchmarkContent:
    found = outline(framework.pk)
    for section in found.sections:
        section.questions = found.items.get(section.pk, [])  # type: ignore[attr-defined]
    return BenchmarkContent(found.sections, list(found.levels.values()))


def selftests_of(city_id: int, lineage: str) -> QuerySet[Assessment]:
    return (
        Assessment.objects.self_tests()
        .filter(city_id=city_id, framework__lineage=lineage)
        .select_related("framework")
        .order_by("-created_at")
    )


# What a self-test's results show: the city's answers and its place among its peers (their
# statistics), the city's figures, the benchmark's texts and the practices for its gaps.
RESULTS_APPS = ("assessments", "results", "cities", "frameworks", "practices")
RESULTS_SECONDS = 3600
EVIDENCE_SECONDS = 3600


def results_body(assessment: Assessment) -> SafeString:
    """What a self-test's results page shows above the sharing form (the same for everyone who
    may see it), rendered once per self-test and language and kept until one of
    ``RESULTS_APPS`` changes, once its answers can no longer change unseen: the self-test is
    validated, and so is the earlier one it is compared with, if any. A draft's answers are
    saved without a new generation (``lib.page_cache``), so a draft's results are made on
    every visit, as they change with each answer."""
    html, _fixed = page_cache.kept(
        f"toolkits:results:{assessment.pk}:{get_language()}",
        lambda: _results_body(assessment),
        RESULTS_SECONDS,
        apps=RESULTS_APPS,
        keep=lambda made: made[1],
    )
    return mark_safe(html)  # HTML our own template escaped, kept as text


def warm_results(assessment_id: int) -> None:
    """A benchmark self-test's results, made and kept in every language by the worker once the
    peer statistics of its validation are written (``results.tasks``): its city reads them
    next, and would otherwise wait for them to be made (some 40 ms at 2,000 cities)."""
    assessment = (
        Assessment.objects.self_tests()
        .filter(pk=assessment_id, framework__kind=FrameworkKind.BENCHMARK)
        .select_related("city", "framework")
        .first()
    )
    if assessment is None:
        return
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            results_body(assessment)


def _results_body(assessment: Assessment) -> tuple[str, bool]:
    found = selftest_results(assessment)
    _keep_peer_evidence(found)
    html = render_to_string("toolkits/results_body.html", {"r": found, "assessment": assessment})
    validated = AssessmentState.VALIDATED
    fixed = assessment.state == validated and (
        found.previous is None or found.previous.state == validated
    )
    return html, fixed


def _keep_peer_evidence(found: Results) -> None:
    """The inspiring cities' evidence under each weak key factor, as HTML kept in the shared
    cache under the frameworks' token (their items' texts and levels' labels): the rest of
    what it shows is named in its key. Each inspiring self-test is named by its id and the
    time it was validated, as its answers (evidence, levels, cited context) cannot change
    until it is reopened, which clears that time; its city's name and slug, and whether it is
    illustrative, are in the key too. So a validation elsewhere in the network, which makes
    every self-test's results again, does not make their evidence again unless the inspiring
    cities change. Rendering it was a third of the page; kept, a draft's page does not read it
    either."""
    offered = [(g.section.key, tuple(g.inspiring)) for g in found.gap_groups if g.inspiring]
    if not offered:
        return
    drawn_from = repr((get_language(), found.framework.pk, offered))
    key = "toolkits:peer-evidence:" + hashlib.sha256(drawn_from.encode()).hexdigest()
    html = page_cache.kept(
        key,
        lambda: {
            group.section.key: render_to_string("toolkits/peer_evidence.html", {"group": group})
            for group in found.gap_groups
            if group.inspiring
        },
        EVIDENCE_SECONDS,
        apps=("frameworks",),
    )
    for group in found.gap_groups:
        group.evidence_html = mark_safe(html.get(group.section.key, ""))
