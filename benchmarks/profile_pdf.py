"""The city profile PDF against N synthetic cities, beside WeasyPrint's own time (the floor).

```sh
.venv/bin/python benchmarks/profile_pdf.py --cities 200 2000
DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
    .venv/bin/python benchmarks/profile_pdf.py --cities 200 2000
```

Its own database (a temporary SQLite file, or a PostgreSQL database created and dropped); the
Charter and the anti-discrimination benchmark imported and published. For each N it makes:

- N synthetic cities over the size bands, 30 countries and foreign-born shares;
- two published Charter rounds (not illustrative, so that the profile ranks the city), each
  with a validated survey of every city answering the 11 commitments, scores recorded as
  validation records them;
- a validated self-test of the benchmark for every city, half of them shared (city 0001's
  shared, with two context factors cited); scores recorded;
- eight published practices of city 0001 and one per key factor from other cities (suggested
  for its gaps); each city's population and staff-share indicator values for two years.

Then, for city 0001's profile (``synthetic-city-0001``, Germany, the 250,000-500,000 band), it
times, after one untimed build (fonts, matplotlib):

- **PDF, cold**: the builder the downloads app runs (read, chart, render, print) with Django's
  cache cleared first, so that every chart is drawn again: what a first request costs;
- **PDF, charts cached**: the same with the charts in the cache (a new validation elsewhere
  changes the peers and so the charts; a new practice does not);
- **floor**: WeasyPrint alone on a static copy of the same HTML (``lib.pdf.html_to_pdf``);
- **the page**: the HTML profile, cold and warm, through ``django.test.Client``.

It prints Markdown: the machine, the data, one table (median and slowest of the runs, SQL
queries of the build), the PDF's size and page count, and the target (a PDF under 3 s).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import statistics
import sys
import time
from typing import Any

from harness import (
    BANDS,
    BenchDatabase,
    drawn_level,
    machine,
    parser,
    prepare_environment,
    setup_schema,
    synthetic_cities,
    wipe,
)

MEASURED = "synthetic-city-0001"
MEASURED_COUNTRY = "DE"
BENCHMARK = "anti-discrimination-job-market"
TARGET_SECONDS = 3.0


def generate(n: int, seed: int) -> dict[str, int]:
    from django.db import transaction
    from django.utils import timezone

    from integratingcities.assessments.models import Answer, Assessment, AssessmentState, Comment
    from integratingcities.assessments.services import scores_record
    from integratingcities.cities.models import City
    from integratingcities.downloads.models import Download
    from integratingcities.frameworks.models import Framework, Item, ItemKind, Level
    from integratingcities.indicators.models import Indicator, IndicatorValue
    from integratingcities.practices.models import Practice, PracticeTheme
    from integratingcities.rounds.models import Round, RoundStatus

    rng = random.Random(seed * 100_003 + n)
    now = timezone.now()
    with transaction.atomic():
        wipe(
            Download,
            Answer.history.model,
            Answer,
            Comment,
            Assessment,
            Round,
            PracticeTheme,
            Practice.other_cities.through,
            Practice.history.model,
            Practice,
            IndicatorValue,
            City,
        )
        charter = Framework.objects.get(lineage="charter", status="published")
        benchmark = Framework.objects.get(lineage=BENCHMARK, status="published")
        cities, bands = synthetic_cities(n, rng, MEASURED_COUNTRY, foreign_born=True)
        cities = City.objects.bulk_create(cities, batch_size=500)
        tendency = {city.pk: rng.uniform(0.15, 0.85) for city in cities}
        tendency[cities[0].pk] = 0.5  # a middling city: ranked mid-table, with gaps

        assessments: list[Any] = []
        answers: list[Any] = []
        for framework, levels_of, unknown in (
            (charter, ("fully", "partly", "not_at_all"), "not_applicable"),
            (benchmark, ("yes", "partly", "no"), "dont_know"),
        ):
            rated = list(
                Item.objects.filter(
                    section__framework=framework,
                    kind=ItemKind.RATING,
                    section__is_context=False,
                ).order_by("section__position", "position")
            )
            levels = {lv.key: lv for lv in Level.objects.filter(scale__framework=framework)}
            if framework == charter:
                made = []
                for year, drift in ((2023, -0.1), (2025, 0.0)):
                    round_ = Round.objects.create(
                        title=f"Synthetic Charter round {year} (benchmark)",
                        framework=charter,
                        opens_on=dt.date(year, 1, 15),
                        closes_on=dt.date(year, 4, 30),
                        status=RoundStatus.PUBLISHED,
                        published_at=now - dt.timedelta(days=365 * (2026 - year)),
                    )
                    made += [
                        (
                            Assessment(
                                city=city,
                                framework=charter,
                                round=round_,
                                state=AssessmentState.VALIDATED,
                                validated_at=now - dt.timedelta(days=rng.randint(1, 90)),
                            ),
                            max(0.05, tendency[city.pk] + drift),
                        )
                        for city in cities
                    ]
            else:
                made = [
                    (
                        Assessment(
                            city=city,
                            framework=benchmark,
                            state=AssessmentState.VALIDATED,
                            share_evidence=city == cities[0] or rng.random() < 0.5,
                            validated_at=now - dt.timedelta(days=rng.randint(1, 90)),
                        ),
                        tendency[city.pk],
                    )
                    for city in cities
                ]
            created = Assessment.objects.bulk_create([a for a, _t in made], batch_size=500)
            for assessment, (_a, leaning) in zip(created, made, strict=True):
                for item in rated:
                    key = drawn_level(rng, leaning, 0.06, unknown, levels_of)
                    answers.append(
                        Answer(
                            assessment=assessment,
                            item=item,
                            level=levels[key],
                            evidence=f"Synthetic evidence for {item.key}.",
                            is_answered=True,
                            version=1,
                        )
                    )
            assessments += created
        measured_test = next(
            a for a in assessments if a.city_id == cities[0].pk and a.framework_id == benchmark.pk
        )
        for item in Item.objects.filter(section__framework=benchmark, section__is_context=True)[:2]:
            answers.append(
                Answer(
                    assessment=measured_test,
                    item=item,
                    text="Synthetic context, generated for benchmarks: how this factor limits "
                    "or helps the city's work on the theme.",
                    is_answered=True,
                    version=1,
                )
            )
        Answer.objects.bulk_create(answers, batch_size=2000)
        Assessment.objects.filter(pk__in=[a.pk for a in assessments]).recount_answered()
        scores_record(assessments=assessments)

        practices = [
            Practice(
                key=f"synthetic-practice-{k}",
                title=f"Synthetic practice {k} of {cities[min(k, 8) % len(cities)].name}",
                city=cities[0] if k < 8 else cities[k % len(cities)],
                year=2015 + k % 9,
                summary="A synthetic practice, generated for benchmarks.",
                source="submitted",
                status="published",
                is_illustrative=True,
            )
            for k in range(16)
        ]
        Practice.objects.bulk_create(practices)
        factors = list(benchmark.sections.filter(is_context=False).values_list("key", flat=True))
        PracticeTheme.objects.bulk_create(
            PracticeTheme(practice=practice, lineage=BENCHMARK, section_key=factors[k % 7])
            for k, practice in enumerate(practices[8:])
        )

        population = Indicator.objects.get(key="population")
        staff = Indicator.objects.get(key="staff-migrant-background-share")
        values = [
            IndicatorValue(
                indicator=indicator,
                city=city,
                year=year,
                value=figure,
                basis=indicator.basis,
                source="synthetic",
                is_illustrative=True,
            )
            for city in cities
            for year in (2020, 2022)
            for indicator, figure in (
                (population, city.population),
                (staff, round(rng.uniform(2, 25), 1)),
            )
        ]
        IndicatorValue.objects.bulk_create(values, batch_size=2000)
    return {
        "cities": len(cities),
        "validated assessments": len(assessments),
        "answers": len(answers),
        "indicator values": len(values),
        "practices": len(practices),
        **{f"{band} band": bands.get(band, 0) for band, _, _ in BANDS},
    }


def timed(action: Any, runs: int, before: Any = None) -> list[float]:
    found = []
    for _run in range(runs):
        if before:
            before()
        started = time.perf_counter()
        action()
        found.append(time.perf_counter() - started)
    return found


def measure(runs: int) -> list[tuple[str, list[float], str]]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from pypdf import PdfReader

    from integratingcities.cities.models import City
    from integratingcities.cities.profile import city_profile
    from integratingcities.cities.profile_views import PROFILE_PDF, profile_context
    from integratingcities.lib.pdf import html_to_pdf, render_html

    params = {"slug": MEASURED}

    def build() -> bytes:
        return PROFILE_PDF.build(params, lambda percent, what: None).content

    build()  # fonts, matplotlib, the schemes' cache: paid once per worker
    cache.clear()
    counted: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counted.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        pdf = build()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    cold = timed(build, runs, cache.clear)
    warm = timed(build, runs)
    html = render_html(
        "cities/profile_print.html",
        profile_context(city_profile(City.objects.get(slug=MEASURED))),
        None,
    )
    floor = timed(lambda: html_to_pdf(html), runs)
    client = Client()
    url = f"/cities/{MEASURED}/profile/"
    page_cold = timed(lambda: client.get(url), runs, cache.clear)
    page_warm = timed(lambda: client.get(url), runs)
    note = f"{len(counted)} queries (cold), {len(pdf) / 1024:.0f} KB, {pages} pages"
    return [
        ("PDF, cold (charts drawn)", cold, note),
        ("PDF, charts cached", warm, ""),
        ("floor: WeasyPrint on the same HTML", floor, f"{len(html) / 1024:.0f} KB of HTML"),
        ("page, cold", page_cold, ""),
        ("page, warm", page_warm, ""),
    ]


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.set_defaults(cities=[200, 2000], runs=5)
    args = p.parse_args()
    prepare_environment()
    bench_db = BenchDatabase(os.environ.get("DATABASE_URL"), args.db_name)
    bench_db.create(drop_existing=args.drop_existing)
    try:
        import django

        django.setup()
        from pathlib import Path

        from django.conf import settings
        from django.core.management import call_command
        from django.db import connections

        from integratingcities.frameworks.services import framework_import_path
        from integratingcities.indicators.services import indicators_load

        started = time.perf_counter()
        load_before = os.getloadavg()
        setup_schema()
        call_command("createcachetable", verbosity=0)  # the database cache, as in production
        content = Path(settings.BASE_DIR) / "content"
        framework_import_path(path=content / "frameworks" / f"{BENCHMARK}.v1.yaml", publish=True)
        indicators_load(content / "indicators.yaml")
        rows = []
        data = []
        for n in args.cities:
            counts = generate(n, args.seed)
            data.append(f"- N={n:,}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
            for name, times, note in measure(args.runs):
                rows.append((name, n, times, note))
                print(f"  N={n} {name}: {statistics.median(times):.2f} s", file=sys.stderr)
        vendor = "sqlite" if "sqlite" in os.environ["DATABASE_URL"] else "postgresql"
        print(f"### {'SQLite' if vendor == 'sqlite' else 'PostgreSQL'}\n")
        print("\n".join(machine(vendor)))
        print(f"- {args.runs} timed runs of each, after one untimed build\n")
        print("\n".join(data) + "\n")
        print("| What | N cities | median (s) | slowest (s) | notes |")
        print("|---|---:|---:|---:|---|")
        for name, n, times, note in rows:
            print(
                f"| {name} | {n:,} | {statistics.median(times):.2f} | {max(times):.2f} | {note} |"
            )
        worst = max(
            statistics.median(times) for name, _n, times, _note in rows if name.startswith("PDF")
        )
        verdict = "met" if worst < TARGET_SECONDS else "NOT met"
        print(
            f"\nTarget: the city profile PDF under {TARGET_SECONDS:.0f} s: {verdict} (slowest "
            f"median {worst:.2f} s).\n"
        )
        load_after = os.getloadavg()
        print(
            f"Whole run: {time.perf_counter() - started:.0f} s; 1-minute load average "
            f"{load_before[0]:.2f} before, {load_after[0]:.2f} after"
        )
        connections.close_all()
    finally:
        bench_db.drop()


if __name__ == "__main__":
    main()
