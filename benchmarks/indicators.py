"""Time city indicators against N synthetic cities: an import of 100,000 values and its undo,
an indicator across the network, a city's indicators and its chart, each beside its floor.

Usage (from the project root)::

    .venv/bin/python benchmarks/indicators.py --cities 200 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/indicators.py --cities 200 2000

Same database set-up and options as pages.py (see harness.py), plus ``--import-rows``
(100,000) and ``--import-runs`` (3). For each N it:

1. replaces all cities and indicator values with N synthetic cities ("Synthetic city 0001",
   is_illustrative=True) and, for 6 indicators of the shipped catalogue
   (content/indicators.yaml), each city's values for 2015-2024 (each year present with
   probability 0.85; one city in twenty on another definition from 2020, a break), made with
   bulk_create and copied onto the cities (``city_figures_sync``), then runs ANALYZE;
2. builds 100,000 rows in memory, as a file's reader would give them (``Row``), for 5 other
   indicators and years from 1900 on (none stored yet), and, ``--import-runs`` times: checks
   them (``check_rows``, alone), imports them (``values_import``, which checks them again, then
   writes; its check, INSERT and city sync are timed apart) and undoes the import
   (``import_undo``). Medians are reported;
3. measures the catalogue ``/indicators/`` and ``/indicators/<key>/`` (also filtered and its
   page 2), each also cold (Django's cache cleared, untimed, before each request, as after a
   change the worker has not made them again yet), the indicator's chart (cold),
   ``/indicators/cities/<slug>/`` and the city chart SVG (cold and warm), anonymous. The SQL
   of each page (its floor) is recorded on a request like the timed ones.

The floor. This machine is shared, so absolute times drift by 30 % or more between runs; each
figure is measured beside its floor in the same run, and the ratio is what to compare:

- a page's floor is the median of a tiny page (a view returning "ok", through the same
  middleware) plus the median of the page's own SQL replayed on the connection (the statements
  and parameters recorded on the counted request, each executed and its rows fetched);
- the check's floor is its SQL replayed; the import's and the undo's are their SQL replayed
  (the INSERT of 100,000 rows as one ``executemany``) in a transaction rolled back.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from floor import Statement, install_floor_page, page_timer, recorded, replay, side_by_side
from harness import (
    PROFILE_INTERESTING,
    ROOT,
    BenchDatabase,
    Page,
    analyze,
    check,
    machine,
    nearest_rank,
    parser,
    prepare_environment,
    profile,
    setup_schema,
    synthetic_cities,
    wipe,
)

MEASURED_CITY = "synthetic-city-0001"
DETAIL = "staff-migrant-background-share"  # ranked (higher is better), read against a reference
CHART = "staff-migrant-background-share"
PAGE_INDICATORS = (
    "population",
    "foreign-born-share",
    "migrant-background-share",
    "staff-migrant-background-share",
    "turnout-all-residents",
    "turnout-foreign-residents",
)
IMPORT_INDICATORS = (
    "foreign-nationals-share",
    "trainees-migrant-background-share",
    "staff-foreign-nationals-share",
    "turnout-foreign-residents",
    "foreign-born-residents",
)
YEARS = range(2015, 2025)
IMPORT_TARGET_S = 10.0


def pages() -> list[Page]:
    from django.core.cache import cache

    city = f"/indicators/cities/{MEASURED_CITY}/"
    return [
        Page("indicator catalogue", "/indicators/"),
        Page("indicator catalogue, cold cache", "/indicators/", before=cache.clear),
        Page(f"indicator {DETAIL}", f"/indicators/{DETAIL}/"),
        Page(f"indicator {DETAIL}, cold cache", f"/indicators/{DETAIL}/", before=cache.clear),
        Page(f"indicator {DETAIL} ?country=DE", f"/indicators/{DETAIL}/?country=DE"),
        Page(f"indicator {DETAIL} ?band=MEDIUM", f"/indicators/{DETAIL}/?band=MEDIUM"),
        Page(f"indicator {DETAIL} page 2", f"/indicators/{DETAIL}/?page=2"),
        Page(
            f"indicator chart {DETAIL}.svg, cold cache",
            f"/indicators/{DETAIL}/chart.svg",
            before=cache.clear,
        ),
        Page("city indicators", city),
        Page("city indicators ?group=country", f"{city}?group=country"),
        Page(f"city chart {CHART}.svg, cold cache", f"{city}{CHART}.svg", before=cache.clear),
        Page(f"city chart {CHART}.svg, warm cache", f"{city}{CHART}.svg"),
    ]


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


# ---------------------------------------------------------------------------------------
# Synthetic data (after django.setup())


def generate(n: int, seed: int) -> dict[str, int]:
    """Replace cities and indicator values with n synthetic cities and their values."""
    from django.db import transaction

    from integratingcities.cities.models import City
    from integratingcities.indicators.models import ImportBatch, Indicator, IndicatorValue
    from integratingcities.indicators.services import city_figures_sync

    rng = random.Random(seed * 100_003 + n)
    indicators = {i.key: i for i in Indicator.objects.filter(key__in=PAGE_INDICATORS)}
    other_basis = {"migrant_background": "foreign_born", "foreign_born": "foreign_nationals"}
    with transaction.atomic():
        wipe(IndicatorValue, ImportBatch)
        _wipe_cities()
        cities, _bands = synthetic_cities(n, rng, "DE", foreign_born=True)
        cities = City.objects.bulk_create(cities, batch_size=500)
        values = []
        for number, city in enumerate(cities, start=1):
            measured = number == 1
            breaks = not measured and rng.random() < 0.05
            for key in PAGE_INDICATORS:
                indicator = indicators[key]
                level = _level(rng, indicator.unit, city.population or 100_000)
                for year in YEARS:
                    if not measured and rng.random() > 0.85:
                        continue
                    basis = indicator.basis
                    if breaks and year >= 2020:
                        basis = other_basis.get(basis, basis)
                    drift = 1 + (year - 2015) * rng.uniform(-0.01, 0.02)
                    values.append(
                        IndicatorValue(
                            indicator=indicator,
                            city=city,
                            year=year,
                            value=_rounded(level * drift, indicator.unit),
                            basis=basis,
                            source="synthetic",
                            is_illustrative=True,
                        )
                    )
        IndicatorValue.objects.bulk_create(values, batch_size=5000)
        city_figures_sync()
    return {"cities": n, "stored values": len(values)}


def _wipe_cities() -> None:
    """Every city and what refers to it, without signals (no history rows)."""
    from django.apps import apps
    from django.db import connection

    from integratingcities.cities.models import City

    # Other apps' rows that point at cities: none are made here, but the charter's import
    # or a previous N may have left some; delete them first, in dependency order.
    tables = set(connection.introspection.table_names())
    dependants = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model is not City
        and model._meta.db_table in tables
        and any(
            getattr(field, "related_model", None) is City for field in model._meta.concrete_fields
        )
    ]
    wipe(*dependants, City)


def _level(rng: random.Random, unit: str, population: int) -> float:
    if unit == "count":
        return float(population)
    return rng.uniform(5, 60)


def _rounded(value: float, unit: str) -> Decimal:
    if unit == "count":
        return Decimal(round(value))
    return Decimal(f"{min(max(value, 0.0), 100.0):.1f}")


def import_rows(n: int, count: int, seed: int) -> list[Any]:
    """``count`` rows, as read from a file, for IMPORT_INDICATORS and years from 1900 on."""
    from integratingcities.cities.models import City
    from integratingcities.indicators.imports import Row
    from integratingcities.indicators.models import Indicator

    rng = random.Random(seed + count)
    units = dict(Indicator.objects.filter(key__in=IMPORT_INDICATORS).values_list("key", "unit"))
    cities = list(City.objects.order_by("slug").values_list("slug", "population"))
    per_year = len(cities) * len(IMPORT_INDICATORS)
    if 1900 + (count - 1) // per_year >= YEARS.start:
        raise SystemExit(f"--import-rows {count} needs years up to {YEARS.start} at N={n}")
    rows = []
    for number in range(count):
        slug, population = cities[number % len(cities)]
        key = IMPORT_INDICATORS[(number // len(cities)) % len(IMPORT_INDICATORS)]
        year = 1900 + number // per_year
        unit = units[key]
        value = (
            str(round((population or 100_000) * rng.uniform(0.05, 0.4)))
            if unit == "count"
            else f"{rng.uniform(0, 100):.1f}"
        )
        cells = {
            "city": slug,
            "indicator": key,
            "year": str(year),
            "date": f"{year}-01-01" if number % 10 == 0 else "",
            "value": value,
            "unit": unit,
            "basis": "",
            "source": "Synthetic statistics office",
            "note": "synthetic" if number % 20 == 0 else "",
            "illustrative": "yes",
        }
        rows.append(Row(number + 2, cells))
    return rows


# ---------------------------------------------------------------------------------------
# The import


@dataclass
class ImportResult:
    n: int
    rows: int
    check_ms: list[float]
    check_queries: int
    check_floor_ms: list[float]
    import_ms: list[float]
    import_check_ms: list[float]
    insert_ms: list[float]
    sync_ms: list[float]
    import_queries: int
    import_floor_ms: list[float]
    undo_ms: list[float]
    undo_queries: int
    undo_floor_ms: list[float]
    deleted: int


@contextmanager
def timed_parts(parts: dict[str, list[float]]) -> Iterator[None]:
    """Time check_rows, _insert and city_figures_sync as values_import calls them."""
    from integratingcities.indicators import services

    originals = {
        name: getattr(services, name) for name in ("check_rows", "_insert", "city_figures_sync")
    }

    def timer(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                parts.setdefault(name, []).append(time.perf_counter() - start)

        return timed

    for name, function in originals.items():
        setattr(services, name, timer(name, function))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(services, name, function)


def measure_import(n: int, count: int, runs: int, seed: int) -> ImportResult:
    from django.db import transaction

    from integratingcities.accounts.models import User
    from integratingcities.indicators.imports import check_rows
    from integratingcities.indicators.models import IndicatorValue
    from integratingcities.indicators.services import import_undo, values_import

    user = User.objects.filter(email="bench-secretariat@example.org").first()
    if user is None:
        user = User.objects.create_superuser(email="bench-secretariat@example.org")
    rows = import_rows(n, count, seed)
    stored = IndicatorValue.objects.count()
    checks, imports, undos, deleted = [], [], [], 0
    parts: dict[str, list[float]] = {}
    check_sql: list[Statement] = []
    import_sql: list[Statement] = []
    undo_sql: list[Statement] = []
    for run in range(runs):
        gc.collect()
        with recorded() as statements:
            start = time.perf_counter()
            report = check_rows(rows)
            checks.append(time.perf_counter() - start)
        if not report.ok:
            raise SystemExit(f"the synthetic rows have problems: {report.problems[:3]}")
        del report
        gc.collect()
        with recorded() as statements_import, timed_parts(parts):
            start = time.perf_counter()
            batch = values_import(rows=rows, user=user, file_name="bench.csv", file_format="csv")
            imports.append(time.perf_counter() - start)
        if IndicatorValue.objects.count() != stored + count:
            raise SystemExit("the import did not write every row")
        gc.collect()
        with recorded() as statements_undo:
            start = time.perf_counter()
            deleted = import_undo(batch=batch, user=user)
            undos.append(time.perf_counter() - start)
        if os.environ.get("BENCH_SHOW_SQL") and run == 0:
            for name, recorded_sql in (
                ("check", statements),
                ("import", statements_import),
                ("undo", statements_undo),
            ):
                for sql, _params, many in recorded_sql:
                    print(f"    {name}{' (many)' if many else ''}: {sql[:150]}", file=sys.stderr)
        if run == 0:
            check_sql, import_sql, undo_sql = statements, statements_import, statements_undo
        print(
            f"  import N={n} run {run + 1}: check {checks[-1]:.2f} s, import "
            f"{imports[-1]:.2f} s, undo {undos[-1]:.2f} s",
            file=sys.stderr,
            flush=True,
        )
    # Floors: the same SQL again, rolled back. The INSERT names the first batch (undone, still
    # there), so the undo's statements find the rows it wrote.
    check_floor = [replay(check_sql) for _ in range(runs)]
    import_floor, undo_floor = [], []
    for _ in range(runs):
        with transaction.atomic():
            import_floor.append(replay(import_sql))
            undo_floor.append(replay(undo_sql))
            transaction.set_rollback(True)
    return ImportResult(
        n=n,
        rows=count,
        check_ms=checks,
        check_queries=len(check_sql),
        check_floor_ms=check_floor,
        import_ms=imports,
        import_check_ms=parts.get("check_rows", []),
        insert_ms=parts.get("_insert", []),
        sync_ms=parts.get("city_figures_sync", []),
        import_queries=len(import_sql),
        import_floor_ms=import_floor,
        undo_ms=undos,
        undo_queries=len(undo_sql),
        undo_floor_ms=undo_floor,
        deleted=deleted,
    )


# ---------------------------------------------------------------------------------------
# Pages beside their floor


@dataclass
class PageResult:
    n: int
    page: str
    queries: int
    median_ms: float
    p95_ms: float
    size_kb: float
    tiny_ms: float
    sql_ms: float

    @property
    def floor_ms(self) -> float:
        return self.tiny_ms + self.sql_ms

    @property
    def ratio(self) -> float:
        return self.median_ms / self.floor_ms


def measure_page(n: int, page: Page, runs: int, warmup: int) -> PageResult:
    client = page.make_client()
    before = page.before or (lambda: None)
    # The SQL recorded is that of a request like the timed ones: after one that made what the
    # page keeps (unless ``before`` clears the cache, as it does before each timed request).
    for _ in range(max(warmup, 1)):
        before()
        check(client.get(page.url), page.url)
    before()
    with recorded() as statements:
        response = check(client.get(page.url), page.url)
    size_kb = len(response.content) / 1024
    times, tiny, sql = side_by_side(page_timer(page), statements, runs, warmup, replay)
    return PageResult(
        n=n,
        page=page.name,
        queries=len(statements),
        median_ms=statistics.median(times),
        p95_ms=nearest_rank(times, 0.95),
        size_kb=size_kb,
        tiny_ms=statistics.median(tiny),
        sql_ms=statistics.median(sql),
    )


# ---------------------------------------------------------------------------------------
# Report


def import_table(results: list[ImportResult]) -> list[str]:
    lines = [
        "| N cities | rows | step | SQL statements | median (s) | floor (s) | ratio |",
        "|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in results:
        rows = [
            ("check (`check_rows` alone)", r.check_queries, r.check_ms, r.check_floor_ms),
            ("import (`values_import`, all)", r.import_queries, r.import_ms, r.import_floor_ms),
            ("  of which check again", None, r.import_check_ms, None),
            ("  of which INSERT (`_insert`)", None, r.insert_ms, None),
            ("  of which city sync", None, r.sync_ms, None),
            ("undo (`import_undo`)", r.undo_queries, r.undo_ms, r.undo_floor_ms),
        ]
        for step, queries, samples, floor in rows:
            median = statistics.median(samples) if samples else float("nan")
            floor_s = statistics.median(floor) if floor else None
            lines.append(
                f"| {r.n:,} | {r.rows:,} | {step} | {'' if queries is None else queries} "
                f"| {median:.3f} | {'' if floor_s is None else f'{floor_s:.3f}'} "
                f"| {'' if floor_s is None else f'{median / floor_s:.1f}'} |"
            )
    return lines


def page_table(results: list[PageResult]) -> list[str]:
    lines = [
        "| Page | N cities | SQL queries | median (ms) | p95 (ms) | tiny page (ms) "
        "| its SQL (ms) | floor (ms) | ratio | response (KB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for page in dict.fromkeys(r.page for r in results):
        for r in (r for r in results if r.page == page):
            lines.append(
                f"| {page} | {r.n:,} | {r.queries} | {r.median_ms:.1f} | {r.p95_ms:.1f} "
                f"| {r.tiny_ms:.1f} | {r.sql_ms:.1f} | {r.floor_ms:.1f} | {r.ratio:.1f} "
                f"| {r.size_kb:.0f} |"
            )
    return lines


def targets(imports: list[ImportResult], results: list[PageResult]) -> list[str]:
    lines = ["Targets:\n"]
    for r in imports:
        median = statistics.median(r.import_ms)
        verdict = "met" if median < IMPORT_TARGET_S else "MISSED"
        lines.append(
            f"- import of {r.rows:,} values at N={r.n:,}: median {median:.2f} s "
            f"(check {statistics.median(r.check_ms):.2f} s alone), target < "
            f"{IMPORT_TARGET_S:.0f} s: {verdict}"
        )
    for page in dict.fromkeys(r.page for r in results):
        counts = [r.queries for r in results if r.page == page]
        verdict = "flat" if len(set(counts)) == 1 else "GROWS WITH N"
        lines.append(f"- {page}: {' / '.join(map(str, counts))} queries ({verdict})")
    return lines


# ---------------------------------------------------------------------------------------
# The command


def main() -> None:
    args_parser = parser(__doc__.split("\n\n")[0])
    args_parser.add_argument("--import-rows", type=int, default=100_000)
    args_parser.add_argument("--import-runs", type=int, default=3)
    args_parser.set_defaults(cities=[200, 2000])
    args = args_parser.parse_args()
    prepare_environment()
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    bench_db = BenchDatabase(os.environ.get("DATABASE_URL"), args.db_name)
    bench_db.create(drop_existing=args.drop_existing)
    try:
        import django

        django.setup()
        from django.db import connections

        from integratingcities.indicators.services import indicators_load

        started = time.perf_counter()
        load_before = os.getloadavg()
        setup_schema()
        indicators_load(ROOT / "content" / "indicators.yaml")
        install_floor_page()
        imports: list[ImportResult] = []
        results: list[PageResult] = []
        data_lines = []
        for n in args.cities:
            counts = generate(n, args.seed)
            analyze()
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            data_lines.append(f"- N={n:,}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
            imports.append(measure_import(n, args.import_rows, args.import_runs, args.seed))
            analyze()
            for page in pages():
                results.append(measure_page(n, page, args.runs, args.warmup))
                r = results[-1]
                print(
                    f"  measured N={n} {page.name}: {r.median_ms:.1f} ms, floor "
                    f"{r.floor_ms:.1f} ms",
                    file=sys.stderr,
                    flush=True,
                )
        print(f"### {'SQLite' if bench_db.vendor == 'sqlite' else 'PostgreSQL'}\n")
        print("\n".join(machine(bench_db.vendor)))
        print(
            f"- import: {args.import_rows:,} rows, {args.import_runs} runs (check, import, "
            f"undo); pages: {args.runs} timed requests after {args.warmup} warm-up requests\n"
        )
        print("\n".join(data_lines) + "\n")
        print("\n".join(import_table(imports)) + "\n")
        print("\n".join(page_table(results)) + "\n")
        print("\n".join(targets(imports, results)) + "\n")
        if args.profile:
            for page in pages():
                print(f"#### Profile: {page.name} (N={args.cities[-1]:,})\n")
                print(profile(page, PROFILE_INTERESTING) + "\n")
        load_after = os.getloadavg()
        print(
            f"Whole run: {time.perf_counter() - started:.0f} s; 1-minute load average "
            f"{load_before[0]:.2f} before, {load_after[0]:.2f} after; "
            f"{dt.datetime.now():%Y-%m-%d %H:%M}"
        )
        connections.close_all()
    finally:
        bench_db.drop()


if __name__ == "__main__":
    main()
