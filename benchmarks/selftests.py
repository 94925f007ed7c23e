"""Time the thematic-benchmark self-test results page against N cities with self-tests.

Usage (from the project root)::

    .venv/bin/python benchmarks/selftests.py --cities 20 200 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/selftests.py --cities 20 200 2000

Same database set-up, options and report as pages.py and rounds.py (see harness.py): a
temporary SQLite file, or a database of its own (``ic_bench``) on the PostgreSQL server named by
DATABASE_URL, dropped at the end; migrations; the Charter imported and published. This script
also imports and publishes the benchmark "Anti-discrimination strategies for the local job
market" (content/frameworks/anti-discrimination-job-market.v1.yaml) and loads the toolkit
catalogue (content/toolkits.yaml), once. For each N it:

1. replaces all assessments, answers, memberships and cities with N synthetic cities
   ("Synthetic city 0001", is_illustrative=True, source "synthetic"), each with a VALIDATED
   self-test of the benchmark (is_illustrative=True, sharing its evidence for about half of
   them) that answers all 34 rating items (yes, partly, no or don't know, with a tendency per
   city; evidence for yes and partly) and cites 0 to 3 context factors. City 0001 (DE, MEDIUM
   band) also has an earlier validated self-test, so its results show progress. Populations are
   spread over the four size bands, foreign-born shares over 5-45 %, countries over 30 codes.
   All made with bulk_create; then their scores are recorded, as validation does
   (``assessments.services.scores_record``);
2. runs ANALYZE, and freezes the garbage collector's view of what is loaded, as a worker does
   (config/wsgi.py);
3. measures, logged in as an editor of city 0001 (``Client.force_login``), the results page of
   its latest self-test, cold (the peers memo, Django's cache and the stored peer statistics
   cleared, untimed, before every request: the peers are read, scored and grouped again, as on
   the first visit after a validation, before the worker has computed the statistics), on a
   first visit once the worker has run (what a validation makes stale made stale, then the
   worker's job, ``refresh_peer_statistics``, untimed): after the validation of this
   self-test (the worker makes its results too) and after another city's (city 0002's), and
   warm;
   its scores chart, drawn (Django's cache cleared before every request, the peers scored
   again untimed) and cached; and, anonymous, the benchmark's page and the catalogue.

Targets (the thematic benchmarks issue): the query count of every page does not grow with N;
the results page answers in under 300 ms (median) at N = 2,000 on PostgreSQL. The report ends
with both verdicts, for the cold and the warm results page. Record results in
docs/benchmarks.md with the command.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from harness import BANDS, ROOT, Page, Result, drawn_level, run, synthetic_cities, wipe

LINEAGE = "anti-discrimination-job-market"
BENCHMARK = ROOT / "content" / "frameworks" / f"{LINEAGE}.v1.yaml"
TOOLKITS = ROOT / "content" / "toolkits.yaml"
EDITOR_EMAIL = "bench.editor.0001@example.org"
MEASURED_CITY = "synthetic-city-0001"  # DE, MEDIUM band, two self-tests
MEASURED_COUNTRY = "DE"
TARGET_PAGES = ("self-test results, cold cache", "self-test results, warm cache")
TARGET_MS = 300.0
# The city's first visit after its own self-test's validation, and after another city's.
AFTER_OWN_VALIDATION = "self-test results, first visit after its validation, once the worker ran"
AFTER_WORKER = "self-test results, first visit after another city's validation, once the worker ran"
OTHER_CITY = "synthetic-city-0002"

LEVEL_KEYS = ["yes", "partly", "no", "dont_know"]


def pages() -> list[Page]:
    from django.core.cache import cache

    from integratingcities.assessments.models import Assessment

    try:  # Before the results module, the peers were also kept in a per-process memo.
        from integratingcities.toolkits.selectors import (  # type: ignore[attr-defined]
            forget_peers,
        )
    except ImportError:

        def forget_peers() -> None:
            """The peers are in Django's cache only: clearing it is enough."""

    def cold() -> None:
        cache.clear()
        forget_peers()
        forget_statistics()

    def worker_done(validated: int) -> Callable[[], None]:
        def before() -> None:
            """A first visit after the validation of ``validated`` once the worker has run its
            job: what a validation makes stale is stale (the stored statistics, and so the
            results' token; the assessments' token and the page generation), then the
            worker's job for that validation (``refresh_peer_statistics``: the statistics for
            the new stamp, and, since part 16, that self-test's results made), untimed. What no
            validation touches (the benchmark's outline, the practices) stays kept, as in a
            running server."""
            from integratingcities.lib import page_cache

            forget_statistics()
            page_cache.bump_apps(["assessments"])
            try:
                from integratingcities.results.tasks import refresh_peer_statistics
            except ImportError:
                return  # no worker computed them before the results module
            refresh_peer_statistics.call(validated)

        return before

    def chart_only() -> None:
        """Only the chart is drawn again: the peers stay scored (in the memo before the results
        module, in Django's cache after it), as after any request in a running server."""
        cache.clear()
        try:
            from integratingcities.frameworks.models import Framework
            from integratingcities.results.selftests import peer_set
        except ImportError:
            return  # the memo was not cleared
        peer_set(Framework.objects.get(lineage=LINEAGE, status="published"))

    pk, other = (
        Assessment.objects.filter(city__slug=city, round=None)
        .order_by("-created_at")
        .values_list("pk", flat=True)
        .first()
        for city in (MEASURED_CITY, OTHER_CITY)
    )
    results = f"/benchmarks/self-tests/{pk}/"
    return [
        Page(TARGET_PAGES[0], results, client=editor_client, before=cold),
        Page(TARGET_PAGES[1], results, client=editor_client),
        Page(AFTER_OWN_VALIDATION, results, client=editor_client, before=worker_done(pk)),
        Page(AFTER_WORKER, results, client=editor_client, before=worker_done(other)),
        Page(
            "scores chart, drawn",
            f"{results}chart/scores.svg",
            client=editor_client,
            before=chart_only,
        ),
        Page("scores chart, cached", f"{results}chart/scores.svg", client=editor_client),
        Page("benchmark page (anonymous)", f"/benchmarks/{LINEAGE}/"),
        Page("catalogue (anonymous)", "/benchmarks/"),
    ]


def forget_statistics() -> None:
    """The first visit after a validation: the stored peer statistics (``results.stored``) are
    not of the current stamp, and the visit computes them again. Before they were stored, the
    peers were in the cache only."""
    try:
        from integratingcities.results.models import PeerHeadline, PeerStatistics
    except ImportError:
        return
    PeerStatistics.objects.all().delete()
    PeerHeadline.objects.all().delete()


def editor_client() -> Any:
    from django.test import Client

    from integratingcities.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=EDITOR_EMAIL))
    return client


# ---------------------------------------------------------------------------------------
# Synthetic data (after django.setup())


def ensure_benchmark() -> Any:
    """The published benchmark, imported (with the toolkit catalogue) on the first call."""
    import yaml

    from integratingcities.frameworks.models import Framework
    from integratingcities.frameworks.services import framework_import_path
    from integratingcities.toolkits.models import Toolkit
    from integratingcities.toolkits.services import toolkits_load

    found = Framework.objects.filter(lineage=LINEAGE, status="published").order_by("-version")
    if not found.exists():
        framework_import_path(path=BENCHMARK, publish=True)
    if not Toolkit.objects.exists():
        toolkits_load(yaml.safe_load(TOOLKITS.read_text(encoding="utf-8")))
    return found.first()


def generate(n: int, seed: int) -> dict[str, int]:
    """Replace assessments, answers and cities with n cities, each with a validated self-test."""
    from django.db import transaction
    from django.utils import timezone

    from integratingcities.accounts.models import Membership, Role, User
    from integratingcities.assessments.models import Answer, Assessment, AssessmentState, Comment
    from integratingcities.assessments.services import scores_record
    from integratingcities.cities.models import City
    from integratingcities.frameworks.models import Item, ItemKind, Level

    rng = random.Random(seed * 100_003 + n)
    now = timezone.now()
    with transaction.atomic():
        benchmark = ensure_benchmark()
        wipe(Answer.history.model, Answer, Comment, Assessment, Membership, City)
        editor = User.objects.filter(email=EDITOR_EMAIL).first() or User.objects.create_user(
            EDITOR_EMAIL, None
        )
        items = list(
            Item.objects.filter(section__framework=benchmark)
            .select_related("section")
            .order_by("section__position", "position")
        )
        ratings = [item for item in items if item.kind == ItemKind.RATING]
        context_items = [item for item in items if item.section.is_context]
        levels = {level.key: level for level in Level.objects.filter(scale__framework=benchmark)}

        cities, bands = synthetic_cities(n, rng, MEASURED_COUNTRY, foreign_born=True)
        cities = City.objects.bulk_create(cities, batch_size=500)
        Membership.objects.create(user=editor, city=cities[0], role=Role.EDITOR)

        # (city, when validated, tendency): one self-test per city; city 0001 has two, the
        # earlier one weaker, and a middling tendency so that it has gaps to show.
        tests = [
            (city, now - dt.timedelta(days=rng.randint(1, 90)), rng.uniform(0.15, 0.85))
            for city in cities
        ]
        tests[0] = (cities[0], now - dt.timedelta(days=5), 0.5)
        tests.append((cities[0], now - dt.timedelta(days=400), 0.3))
        assessments = Assessment.objects.bulk_create(
            (
                Assessment(
                    city=city,
                    framework=benchmark,
                    round=None,  # a self-test
                    state=AssessmentState.VALIDATED,
                    is_illustrative=True,
                    share_evidence=rng.random() < 0.5,
                    last_activity_at=validated - dt.timedelta(days=rng.randint(10, 40)),
                    submitted_at=validated - dt.timedelta(days=rng.randint(1, 9)),
                    validated_at=validated,
                )
                for city, validated, _ in tests
            ),
            batch_size=500,
        )
        # created_at is auto_now_add: bulk_create stamps them all "now"; date the earlier one.
        earlier = assessments[-1]
        Assessment.objects.filter(pk=earlier.pk).update(
            created_at=earlier.validated_at - dt.timedelta(days=30)
        )

        answers = []
        given: dict[str, int] = dict.fromkeys(LEVEL_KEYS, 0)
        cited = 0
        for assessment, (city, _, tendency) in zip(assessments, tests, strict=True):
            for item in ratings:
                key = drawn_level(rng, tendency, 0.06, "dont_know", ("yes", "partly", "no"))
                given[key] += 1
                evidence = ""
                if key in ("yes", "partly"):
                    evidence = (
                        f"Synthetic evidence for {item.key} in {city.name}: an adopted plan "
                        f"({rng.randint(2015, 2024)}), a named body responsible, a yearly "
                        "public report and figures on its reach. Generated for benchmarks; "
                        "not a real city's answer."
                    )
                answers.append(
                    Answer(
                        assessment=assessment,
                        item=item,
                        level=levels[key],
                        evidence=evidence,
                        is_answered=True,
                        version=1,
                    )
                )
            for item in rng.sample(context_items, rng.randint(0, min(3, len(context_items)))):
                cited += 1
                answers.append(
                    Answer(
                        assessment=assessment,
                        item=item,
                        text=f"Synthetic context for {city.name}, generated for benchmarks: "
                        "how this factor limits or helps the city's work on the theme.",
                        is_answered=True,
                        version=1,
                    )
                )
        Answer.objects.bulk_create(answers, batch_size=2000)
        Assessment.objects.filter(pk__in=[a.pk for a in assessments]).recount_answered()
        # What assessment_validate does for each self-test it validates.
        scores_record(assessments=assessments)

    measured_share = cities[0].foreign_born_share
    return {
        "cities": len(cities),
        "validated self-tests": len(assessments),
        "sharing evidence": sum(a.share_evidence for a in assessments),
        "answers": len(answers),
        "rating answers": sum(given.values()),
        **{f"`{key}`": count for key, count in given.items()},
        "context factors cited": cited,
        **{f"{band} band": bands.get(band, 0) for band, _, _ in BANDS},
        f"cities in {MEASURED_COUNTRY}": sum(c.country == MEASURED_COUNTRY for c in cities),
        "in city 0001's foreign-born band": sum(
            c.foreign_born_share // 10 == measured_share // 10 for c in cities
        ),
    }


# ---------------------------------------------------------------------------------------
# Targets


def targets(results: list[Result], vendor: str) -> list[str]:
    top = max(r.n for r in results)
    where = "" if vendor == "postgresql" else " (the target is for PostgreSQL; this run is SQLite)"
    lines = ["Targets:\n"]
    for name in TARGET_PAGES:
        main = next(r for r in results if r.page == name and r.n == top)
        met = main.median_ms < TARGET_MS
        lines.append(
            f"- {name} at N={top:,}: median {main.median_ms:.1f} ms, target < "
            f"{TARGET_MS:.0f} ms{where}: {'met' if met else 'MISSED'}"
        )
    growing = [
        page
        for page in dict.fromkeys(r.page for r in results)
        if len({r.queries for r in results if r.page == page}) > 1
    ]
    lines.append(
        "- query count flat in N: "
        + ("met on every page" if not growing else "MISSED on " + ", ".join(growing))
    )
    return lines


def main() -> None:
    import floor
    from rounds import replay_computing

    floor.install()
    floor._replay = replay_computing(floor._replay)
    run(
        description=__doc__.split("\n\n")[0],
        generate=generate,
        pages=pages,
        report=targets,
        interesting="integratingcities|translation|formats|countries|urls/base|query.py"
        "|statistics|defaulttags|loader_tags|locmem|charts",
    )


if __name__ == "__main__":
    main()
