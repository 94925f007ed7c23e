"""Time the practice library's search against N synthetic practices.

Usage (from the project root)::

    .venv/bin/python benchmarks/practices.py --practices 100 10000 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/practices.py --practices 100 10000 100000

Same database set-up, options and report as pages.py (see harness.py; ``--practices`` is the
N, also accepted as ``--cities``; the report's "N cities" column is N practices). For each N it:

1. replaces all practices and cities with 200 synthetic cities ("Synthetic city 001",
   is_illustrative=True) and N published synthetic practices (is_illustrative=True). Their
   texts are drawn from the shipped library (content/practices.yaml), so that words and phrases
   come as often as in real practices: a real title with the synthetic city's name, a summary
   of 2-4 sentences picked from real summaries; a third also have "for whom" and partners.
   Each practice has 1-2 Charter commitments, one in five a key factor of the
   anti-discrimination benchmark, one in ten 1-2 other cities; 60 % a year (1995-2025);
   sources 70 % report, 20 % toolkit, 10 % submitted. All made with
   bulk_create, then the full-text index is rebuilt (``search.index_all``);
2. runs ANALYZE;
3. measures the library page (no search; a common word; two words; a phrase; a rare word;
   filters without words; words, a filter and page 3), the JSON API with a common word, and one
   practice's page, all anonymous.

Targets (the practice library issue): the median of a search under 100 ms at N = 10,000; the
query count of every page does not grow with N. The report ends with both verdicts.
"""

from __future__ import annotations

import random
import re

import floor
from harness import COUNTRIES, COUNTRY_WEIGHTS, ROOT, Page, Result, parser, run, wipe

CITIES = 200
TARGET_N = 10_000
TARGET_MS = 100.0
COMMON, PAIR, PHRASE, RARE = (
    "discrimination",
    "migrant services",
    '"city council"',
    "mediators",
)
MEASURED = "synthetic-practice-000001"


def pages() -> list[Page]:
    from django.core.cache import cache

    library = "/practices/"
    return [
        Page("library, no search, cold cache", library, before=cache.clear),
        Page("library, no search", library),
        Page(f"library ?q={COMMON}", f"{library}?q={COMMON}"),
        Page(f"library ?q={PAIR}", f"{library}?q={PAIR.replace(' ', '+')}"),
        Page(f"library ?q={PHRASE}", f"{library}?q=%22city+council%22"),
        Page(f"library ?q={RARE}", f"{library}?q={RARE}"),
        Page("library ?role=employer&country=DE", f"{library}?role=employer&country=DE"),
        Page(
            f"library ?q={COMMON}&role=employer&page=3",
            f"{library}?q={COMMON}&role=employer&page=3",
        ),
        Page(f"API list ?q={COMMON}", f"/api/v1/practices/?q={COMMON}"),
        Page("practice page", f"{library}{MEASURED}/"),
    ]


# ---------------------------------------------------------------------------------------
# Synthetic data (after django.setup())


def _corpus() -> tuple[list[str], list[str]]:
    """The sentences of the shipped practices' summaries, and their titles."""
    import yaml

    data = yaml.safe_load((ROOT / "content" / "practices.yaml").read_text())
    sentences = [
        sentence.strip()
        for practice in data["practices"]
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(practice["summary"].split()))
        if sentence.strip()
    ]
    return sentences, [practice["title"] for practice in data["practices"]]


def _text(rng: random.Random, sentences: list[str], low: int, high: int) -> str:
    return " ".join(rng.choice(sentences) for _ in range(rng.randint(low, high)))


def generate(n: int, seed: int) -> dict[str, int]:
    """Replace practices and cities with 200 synthetic cities and n synthetic practices."""
    from django.db import transaction
    from django.utils import timezone

    from integratingcities.cities.models import City
    from integratingcities.frameworks.services import framework_import_path
    from integratingcities.practices import search
    from integratingcities.practices.models import (
        CHARTER_LINEAGE,
        Practice,
        PracticeSource,
        PracticeStatus,
        PracticeTheme,
    )
    from integratingcities.practices.selectors import charter_commitments, facets_changed
    from integratingcities.practices.services import BENCHMARK_LINEAGE, KEY_FACTORS

    benchmark = ROOT / "content" / "frameworks" / f"{BENCHMARK_LINEAGE}.v1.yaml"
    if benchmark.exists():  # key factor labels, as on the real site
        framework_import_path(path=benchmark, publish=True)
    rng = random.Random(seed * 100_003 + n)
    sentences, titles = _corpus()
    roles = charter_commitments()
    commitments = sorted(roles)
    now = timezone.now()
    with transaction.atomic():
        wipe(
            PracticeTheme,
            Practice.other_cities.through,
            Practice.history.model,
            Practice,
            City,
        )
        cities = City.objects.bulk_create(
            City(
                slug=f"synthetic-city-{i:03d}",
                name=f"Synthetic city {i:03d}",
                country=rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0],
                is_illustrative=True,
            )
            for i in range(1, CITIES + 1)
        )
        sources = [
            PracticeSource.REPORT_2015,
            PracticeSource.TOOLKIT_2018,
            PracticeSource.SUBMITTED,
        ]
        batch: list[Practice] = []
        others: list[tuple[int, int]] = []
        themes: list[tuple[int, str, str, str]] = []
        for i in range(1, n + 1):
            city = rng.choice(cities)
            rich = rng.random() < 1 / 3
            batch.append(
                Practice(
                    key=f"synthetic-practice-{i:06d}",
                    title=f"{rng.choice(titles)} ({city.name})",
                    city=city,
                    year=rng.randint(1995, 2025) if rng.random() < 0.6 else None,
                    summary=_text(rng, sentences, 2, 4),
                    for_whom=_text(rng, sentences, 1, 1) if rich else "",
                    partners=_text(rng, sentences, 1, 1) if rich else "",
                    source=rng.choices(sources, [70, 20, 10])[0],
                    source_section="synthetic",
                    status=PracticeStatus.PUBLISHED,
                    published_at=now,
                    is_illustrative=True,
                )
            )
            if rng.random() < 0.1:
                for other in rng.sample(cities, rng.randint(1, 2)):
                    if other.pk != city.pk:
                        others.append((i, other.pk))
            for commitment in rng.sample(commitments, rng.randint(1, 2)):
                themes.append((i, CHARTER_LINEAGE, roles[commitment], commitment))
            if rng.random() < 0.2:
                themes.append((i, BENCHMARK_LINEAGE, rng.choice(KEY_FACTORS), ""))
        made = Practice.objects.bulk_create(batch, batch_size=2000)
        ids = {number: practice.pk for number, practice in enumerate(made, start=1)}
        Practice.other_cities.through.objects.bulk_create(
            (
                Practice.other_cities.through(practice_id=ids[i], city_id=city_id)
                for i, city_id in dict.fromkeys(others)
            ),
            batch_size=5000,
        )
        PracticeTheme.objects.bulk_create(
            (
                PracticeTheme(practice_id=ids[i], lineage=lin, section_key=sec, item_key=item)
                for i, lin, sec, item in themes
            ),
            batch_size=5000,
        )
        search.index_all()
    # Written around the services, as a bulk load would be: the cached facet counts are stale.
    facets_changed()
    common = Practice.objects.filter(summary__icontains=COMMON).count()
    return {
        "practices": n,
        "cities": CITIES,
        "themes": len(themes),
        "other-city credits": len(set(others)),
        f"summaries containing '{COMMON}'": common,
    }


# ---------------------------------------------------------------------------------------
# Targets


def targets(results: list[Result], vendor: str) -> list[str]:
    at_target = [r for r in results if r.n == TARGET_N and "?q=" in r.page]
    slowest = max(at_target, key=lambda r: r.median_ms) if at_target else None
    growing = [
        page
        for page in dict.fromkeys(r.page for r in results)
        if len({r.queries for r in results if r.page == page}) > 1
    ]
    lines = ["Targets:\n"]
    if slowest is None:
        lines.append(f"- search at N={TARGET_N:,}: not measured (pass {TARGET_N} in --practices)")
    else:
        met = slowest.median_ms < TARGET_MS
        lines.append(
            f"- search at N={TARGET_N:,}: slowest median {slowest.median_ms:.1f} ms "
            f"({slowest.page}), target < {TARGET_MS:.0f} ms: {'met' if met else 'MISSED'}"
        )
    lines.append(
        "- query count flat in N: "
        + ("met on every page" if not growing else "MISSED on " + ", ".join(growing))
    )
    return lines


def main() -> None:
    floor.install()
    args_parser = parser(__doc__.split("\n\n")[0])
    args_parser.add_argument("--practices", dest="cities", type=int, nargs="+", metavar="N")
    args_parser.set_defaults(cities=[100, TARGET_N, 100_000])
    run(
        description=__doc__.split("\n\n")[0],
        generate=generate,
        pages=pages,
        report=targets,
        args=args_parser.parse_args(),
        interesting="integratingcities|translation|query.py|paginator|defaulttags|loader_tags",
    )


if __name__ == "__main__":
    main()
