"""Time the Charter monitoring round pages against N synthetic cities with complete answers.

Usage (from the project root)::

    .venv/bin/python benchmarks/rounds.py --cities 20 200 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/rounds.py --cities 20 200 2000

Same database set-up, options and report as pages.py (see harness.py): a temporary SQLite
file, or a database of its own (``ic_bench``) on the PostgreSQL server named by DATABASE_URL,
dropped at the end; migrations; the Charter imported and published. For each N it:

1. replaces all rounds, assessments, answers and cities with one published round
   ("Synthetic Charter round", is_illustrative=True) on the Charter and N synthetic cities
   ("Synthetic city 0001", is_illustrative=True, source "synthetic"), each with a VALIDATED
   assessment that answers every item of the Charter: the 11 rating items (levels spread over
   fully, partly, not at all and not applicable, each with evidence and a link) and the
   survey's choice, number and text items. Populations are spread over the four size bands,
   countries over 30 codes. All made with bulk_create; then their scores are recorded, as
   validation does (``assessments.services.scores_record``);
2. runs ANALYZE;
3. measures the round results page (cold: the cache and the stored peer statistics are
   cleared, untimed, before every request, as on the first visit after a validation before
   the worker has run; warm, ?country=DE and ?band=MEDIUM), the policymaker chart (cold: the
   cache is cleared; and warm), the city results page of synthetic-city-0001 (DE, MEDIUM band;
   cold, on a first visit once the worker has run ``warm_round`` after what a validation makes
   stale, and warm), all
   anonymous; and
   the response board and the API's list of assessments (the first 100, every answer),
   logged in as a staff user (``Client.force_login``).

Targets (the Charter monitoring issue): the query count of every page does not grow with N;
the round results page answers in under 300 ms (median) at N = 2,000 on PostgreSQL. The
report ends with both verdicts. Record results in docs/benchmarks.md with the command.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import floor
from harness import BANDS, Page, Result, drawn_level, run, synthetic_cities, wipe

ROUND_TITLE = "Synthetic Charter round (benchmark)"
STAFF_EMAIL = "bench.secretariat@example.org"
FILTER_COUNTRY = "DE"
FILTER_BAND = "MEDIUM"
MEASURED_CITY = "synthetic-city-0001"  # DE, MEDIUM band
CHART_SECTION = "policymaker"
TARGET_PAGE = "round results"
TARGET_MS = 300.0

LEVEL_KEYS = ["fully", "partly", "not_at_all", "not_applicable"]


def pages() -> list[Page]:
    from django.core.cache import cache

    from integratingcities.rounds.models import Round

    def cold() -> None:
        """The first visit after a validation: the cache and the stored peer statistics."""
        cache.clear()
        forget_statistics()

    def worker_done() -> None:
        """A first visit after a validation once the worker has run its job: what a validation
        makes stale is stale (the stored statistics, the assessments' token, the page
        generation), then the worker computes the statistics and the unfiltered level counts
        (``warm_round``), untimed."""
        from integratingcities.lib import page_cache

        forget_statistics()
        page_cache.bump_apps(["assessments"])
        try:
            from integratingcities.results.refresh import warm_round
        except ImportError:
            return  # no worker computed them before the results module
        warm_round(pk)

    pk = Round.objects.get(title=ROUND_TITLE).pk
    results = f"/rounds/{pk}/results/"
    chart = f"{results}chart/{CHART_SECTION}.svg"
    return [
        Page(f"{TARGET_PAGE}, cold cache", results, before=cold),
        Page(TARGET_PAGE, results),
        Page(f"round results ?country={FILTER_COUNTRY}", f"{results}?country={FILTER_COUNTRY}"),
        Page(f"round results ?band={FILTER_BAND}", f"{results}?band={FILTER_BAND}"),
        Page(f"chart {CHART_SECTION}.svg, cold cache", chart, before=cache.clear),
        Page(f"chart {CHART_SECTION}.svg, warm cache", chart),
        Page("city results, cold cache", f"{results}{MEASURED_CITY}/", before=cold),
        Page(
            "city results, first visit once the worker has run",
            f"{results}{MEASURED_CITY}/",
            before=worker_done,
        ),
        Page("city results", f"{results}{MEASURED_CITY}/"),
        Page("response board (staff)", f"/rounds/{pk}/", client=staff_client),
        Page(
            "response board ?sort=-answered&page=2 (staff)",
            f"/rounds/{pk}/?sort=-answered&page=2",
            client=staff_client,
        ),
        # The secretariat's first 100 surveys with every answer (some 3,500), as JSON.
        Page("API assessments list (staff)", "/api/v1/assessments/", client=staff_client),
    ]


def forget_statistics() -> None:
    """As if a validation had just made the stored peer statistics (``results.stored``) stale:
    the next visit computes them again. Before they were stored, the peers were in the cache
    only."""
    try:
        from integratingcities.results.models import PeerHeadline, PeerStatistics
    except ImportError:
        return
    PeerStatistics.objects.all().delete()
    PeerHeadline.objects.all().delete()


def replay_computing(replay: Any) -> Any:
    """``floor._replay`` for a page that computed the statistics: its statements write them,
    so they are replayed as they ran, after the statistics are forgotten again (untimed)."""

    def replayed(statements: list[Any]) -> float:
        if any(
            "results_peerstatistics" in sql and sql.lstrip().upper().startswith("INSERT")
            for sql, _params, _many in statements
        ):
            forget_statistics()
        return float(replay(statements))

    return replayed


def staff_client() -> Any:
    from django.test import Client

    from integratingcities.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=STAFF_EMAIL))
    return client


# ---------------------------------------------------------------------------------------
# Synthetic data (after django.setup())


def generate(n: int, seed: int) -> dict[str, int]:
    """Replace rounds, assessments, answers and cities with one published round of n cities."""
    from django.db import transaction
    from django.utils import timezone

    from integratingcities.accounts.models import User
    from integratingcities.assessments.models import Answer, Assessment, AssessmentState, Comment
    from integratingcities.assessments.services import scores_record
    from integratingcities.cities.models import City
    from integratingcities.frameworks.models import Framework, Item, ItemKind, Level
    from integratingcities.rounds.models import Round, RoundStatus

    rng = random.Random(seed * 100_003 + n)
    now = timezone.now()
    with transaction.atomic():
        wipe(Answer.history.model, Answer, Comment, Assessment, Round, City)
        staff = User.objects.filter(email=STAFF_EMAIL).first() or User.objects.create_user(
            STAFF_EMAIL, None, is_staff=True
        )
        charter = Framework.objects.get(lineage="charter", status="published")
        items = list(
            Item.objects.filter(section__framework=charter).order_by(
                "section__position", "position"
            )
        )
        levels = {level.key: level for level in Level.objects.filter(scale__framework=charter)}
        round_ = Round.objects.create(
            title=ROUND_TITLE,
            framework=charter,
            opens_on=dt.date(2025, 1, 15),
            closes_on=dt.date(2025, 4, 30),
            status=RoundStatus.PUBLISHED,
            is_illustrative=True,
            created_by=staff,
            published_at=now,
        )

        cities, bands = synthetic_cities(n, rng, FILTER_COUNTRY)
        cities = City.objects.bulk_create(cities, batch_size=500)

        assessments = Assessment.objects.bulk_create(
            (
                Assessment(
                    city=city,
                    framework=charter,
                    round=round_,
                    state=AssessmentState.VALIDATED,
                    is_illustrative=True,
                    last_activity_at=now - dt.timedelta(days=rng.randint(20, 60)),
                    submitted_at=now - dt.timedelta(days=rng.randint(10, 19)),
                    validated_at=now - dt.timedelta(days=rng.randint(1, 9)),
                )
                for city in cities
            ),
            batch_size=500,
        )

        answers = []
        given: dict[str, int] = dict.fromkeys(LEVEL_KEYS, 0)
        for assessment, city in zip(assessments, cities, strict=True):
            commitment = rng.uniform(0.15, 0.85)  # how far this city meets the Charter
            for item in items:
                answer = Answer(assessment=assessment, item=item, version=1, is_answered=True)
                if item.kind == ItemKind.RATING:
                    key = drawn_level(
                        rng, commitment, 0.07, "not_applicable", ("fully", "partly", "not_at_all")
                    )
                    given[key] += 1
                    answer.level = levels[key]
                    answer.evidence = (
                        f"Synthetic evidence for {item.key} in {city.name}: an adopted plan "
                        f"({rng.randint(2015, 2024)}), a named body responsible, a yearly "
                        "public report and figures on its reach. Generated for benchmarks; "
                        "not a real city's answer."
                    )
                    if key in ("fully", "partly"):
                        answer.links = [f"https://city-{city.pk}.example.org/{item.key}"]
                elif item.kind == ItemKind.SINGLE_CHOICE:
                    answer.choices = [rng.choice(item.options)["key"]]
                elif item.kind == ItemKind.MULTIPLE_CHOICE:
                    keys = [option["key"] for option in item.options]
                    answer.choices = sorted(rng.sample(keys, rng.randint(1, min(3, len(keys)))))
                elif item.kind == ItemKind.NUMBER:
                    answer.number = number(rng, item.key)
                else:
                    answer.text = (
                        f"Synthetic answer to {item.key} for {city.name}, generated for "
                        "benchmarks: a paragraph of plain text about the city's situation."
                    )
                answers.append(answer)
        Answer.objects.bulk_create(answers, batch_size=2000)
        # The board's count of answers given, which the answer service keeps (bulk_create skips it).
        round_.assessments.recount_answered()
        # What assessment_validate does for each assessment it validates.
        scores_record(assessments=assessments)

    return {
        "cities": len(cities),
        "validated assessments": len(assessments),
        "answers": len(answers),
        "rating answers": sum(given.values()),
        **{f"`{key}`": count for key, count in given.items()},
        **{f"{band} band": bands.get(band, 0) for band, _, _ in BANDS},
        f"cities in {FILTER_COUNTRY}": sum(c.country == FILTER_COUNTRY for c in cities),
    }


def number(rng: random.Random, key: str) -> Decimal:
    if key.endswith("-year"):
        return Decimal(rng.randint(2018, 2024))
    if key == "foreign-born-share":
        return Decimal(rng.randint(50, 450)) / 10
    return Decimal(rng.randint(1, 80)) / 2  # staff, full-time equivalents


# ---------------------------------------------------------------------------------------
# Targets


def targets(results: list[Result], vendor: str) -> list[str]:
    top = max(r.n for r in results)
    main = next(r for r in results if r.page == TARGET_PAGE and r.n == top)
    met = main.median_ms < TARGET_MS
    where = "" if vendor == "postgresql" else " (the target is for PostgreSQL; this run is SQLite)"
    growing = [
        page
        for page in dict.fromkeys(r.page for r in results)
        if len({r.queries for r in results if r.page == page}) > 1
    ]
    return [
        "Targets:\n",
        f"- {TARGET_PAGE} at N={top:,}: median {main.median_ms:.1f} ms, target < "
        f"{TARGET_MS:.0f} ms{where}: {'met' if met else 'MISSED'}",
        "- query count flat in N: "
        + ("met on every page" if not growing else "MISSED on " + ", ".join(growing)),
    ]


def main() -> None:
    floor.install()
    floor._replay = replay_computing(floor._replay)
    run(
        description=__doc__.split("\n\n")[0],
        generate=generate,
        pages=pages,
        report=targets,
        interesting="integratingcities|translation|formats|countries|urls/base|query.py"
        "|statistics|defaulttags|loader_tags",
    )


if __name__ == "__main__":
    main()
