"""What every benchmark script here shares: its own database, measurement and the report.

A script (``pages.py``, ``rounds.py``) supplies two things and calls :func:`run`:

- ``generate(n, seed)``: replace the data with n synthetic cities (bulk_create), return counts
  for the report;
- ``pages()``: the pages to measure, as :class:`Page` objects, read after each ``generate``
  (so a page's URL may name a row made by it).

:func:`run` parses the common options, creates the database (a temporary SQLite file, or a
PostgreSQL database of its own on the server named by DATABASE_URL, dropped at the end), runs
the migrations, imports the Charter, and for each N generates the data, runs ANALYZE and
measures every page: warm-up requests, one request under CaptureQueriesContext for the query
count, then timed requests (median and nearest-rank p95 of ``Client.get`` wall time). It
prints Markdown to stdout and progress to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import math
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHARTER = ROOT / "content" / "frameworks" / "charter.v1.yaml"

# 30 ISO codes, most frequent first (weight 1/sqrt(rank) gives a realistic long tail).
COUNTRIES = [
    "DE", "IT", "ES", "FR", "NL", "BE", "PL", "SE", "AT", "GB",
    "PT", "GR", "CZ", "FI", "DK", "IE", "NO", "CH", "HU", "RO",
    "BG", "HR", "SK", "SI", "LT", "LV", "EE", "LU", "CY", "MT",
]  # fmt: skip
COUNTRY_WEIGHTS = [1 / math.sqrt(k + 1) for k in range(len(COUNTRIES))]

# Population bands (integratingcities.lib.scoring.BAND_BOUNDS): share of cities, range drawn.
BANDS = [
    ("SMALL", 0.30, (60_000, 249_999)),
    ("MEDIUM", 0.30, (250_000, 499_999)),
    ("LARGE", 0.25, (500_000, 999_999)),
    ("VERY_LARGE", 0.15, (1_000_000, 3_700_000)),
]

# Project code and the usual per-row suspects (translation, formats, reverse, ORM).
PROFILE_INTERESTING = "integratingcities|translation|formats|countries|urls/base|query.py|ninja"


@dataclass(frozen=True)
class Page:
    """One page to measure.

    ``client`` makes the client (default: an anonymous ``django.test.Client``); ``before`` runs
    before every request, untimed (for example ``cache.clear`` for a cold-cache figure).
    """

    name: str
    url: str
    client: Callable[[], Any] | None = None
    before: Callable[[], None] | None = None

    def make_client(self) -> Any:
        from django.test import Client

        return self.client() if self.client else Client()


# ---------------------------------------------------------------------------------------
# Environment and database, before django.setup()


def prepare_environment() -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    defaults = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench",
        "ALLOWED_HOSTS": "testserver",
        "SITE_URL": "http://testserver",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_MANIFEST": "false",
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)


class BenchDatabase:
    """A database of the benchmark's own: a temporary SQLite file or a PostgreSQL database."""

    def __init__(self, url: str | None, db_name: str) -> None:
        import dj_database_url

        self.original_url = url
        self.db_name = db_name
        self.tmpdir: tempfile.TemporaryDirectory[str] | None = None
        self.pg: dict[str, Any] | None = None
        engine = dj_database_url.parse(url)["ENGINE"] if url else "django.db.backends.sqlite3"
        if engine == "django.db.backends.sqlite3":
            self.vendor = "sqlite"
        elif engine == "django.db.backends.postgresql":
            self.vendor = "postgresql"
            self.pg = dj_database_url.parse(url)
        else:
            raise SystemExit(f"benchmarks: unsupported database engine {engine}")

    def create(self, *, drop_existing: bool) -> None:
        if self.vendor == "sqlite":
            self.tmpdir = tempfile.TemporaryDirectory(prefix="ic-bench-")
            path = Path(self.tmpdir.name) / "bench.sqlite3"
            os.environ["DATABASE_URL"] = f"sqlite:///{path}"
            return
        from psycopg import sql

        with self._maintenance() as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [self.db_name]
            ).fetchone()
            if exists and not drop_existing:
                raise SystemExit(
                    f"database {self.db_name!r} already exists (left by an interrupted run?); "
                    "pass --drop-existing to replace it or --db-name to use another name"
                )
            if exists:
                conn.execute(
                    sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(self.db_name))
                )
            conn.execute(
                sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(self.db_name))
            )
        assert self.original_url is not None
        base, _, query = self.original_url.partition("?")
        base = base.rsplit("/", 1)[0] + "/" + self.db_name
        os.environ["DATABASE_URL"] = base + ("?" + query if query else "")

    def drop(self) -> None:
        if self.tmpdir is not None:
            self.tmpdir.cleanup()
            return
        if self.pg is None:
            return
        from psycopg import sql

        with self._maintenance() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(self.db_name)
                )
            )

    def _maintenance(self) -> Any:
        import psycopg

        assert self.pg is not None
        params = {
            "dbname": "postgres",
            "user": self.pg.get("USER") or None,
            "password": self.pg.get("PASSWORD") or None,
            "host": self.pg.get("HOST") or None,
            "port": self.pg.get("PORT") or None,
        }
        return psycopg.connect(
            **{k: v for k, v in params.items() if v is not None}, autocommit=True
        )


# ---------------------------------------------------------------------------------------
# Schema and data helpers (after django.setup())


def setup_schema() -> None:
    from django.core.management import call_command

    from integratingcities.frameworks.services import framework_import_path

    call_command("migrate", interactive=False, verbosity=0)
    framework_import_path(path=CHARTER, publish=True)


def wipe(*models: Any) -> None:
    """DELETE every row of these models' tables, in this order, in SQL.

    No signals and no collector: ``QuerySet.delete()`` would send a post_delete per row
    (django-simple-history writes a history row for each). Give the tables that refer to
    others first.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


def drawn_level(
    rng: random.Random,
    tendency: float,
    unknown_share: float,
    unknown: str,
    levels: tuple[str, str, str],
) -> str:
    """One synthetic answer: ``unknown`` with probability ``unknown_share``; otherwise the top,
    middle or bottom of ``levels``, the top more often the higher the city's ``tendency``."""
    if rng.random() < unknown_share:
        return unknown
    roll = rng.random()
    if roll < 0.7 * tendency:
        return levels[0]
    if roll < 0.7 * tendency + 0.35:
        return levels[1]
    return levels[2]


def synthetic_cities(
    n: int, rng: Any, measured_country: str, *, foreign_born: bool = False
) -> tuple[list[Any], dict[str, int]]:
    """n unsaved synthetic cities across the size bands, and how many fell in each band.

    City 0001, the one whose pages are measured, is in ``measured_country`` and the MEDIUM band.
    """
    from decimal import Decimal

    from integratingcities.cities.models import City

    cities = []
    bands: dict[str, int] = {}
    for i in range(1, n + 1):
        measured = i == 1
        band, _, (low, high) = (
            BANDS[1] if measured else rng.choices(BANDS, [b[1] for b in BANDS])[0]
        )
        bands[band] = bands.get(band, 0) + 1
        signed = dt.date(2010, 2, 1) + dt.timedelta(days=rng.randrange(5_000))
        city = City(
            slug=f"synthetic-city-{i:04d}",
            name=f"Synthetic city {i:04d}",
            country=measured_country if measured else rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0],
            summary=f"Synthetic city number {i}, generated for benchmarks.",
            website=f"https://city-{i:04d}.example.org/",
            signed_earliest=signed,
            signed_latest=signed,
            signature_source="synthetic",
            population=rng.randint(low, high),
            population_year=rng.randint(2018, 2024),
            population_source="synthetic",
            is_illustrative=True,
        )
        if foreign_born:
            city.foreign_born_share = Decimal(rng.randint(50, 450)) / 10
            city.foreign_born_year = rng.randint(2018, 2024)
            city.foreign_born_source = "synthetic"
        cities.append(city)
    return cities, bands


def analyze() -> None:
    """Statistics for the planner; on PostgreSQL also the visibility map that index-only scans
    read, as autovacuum sets it within a minute of a bulk load."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


# ---------------------------------------------------------------------------------------
# Measurement


@dataclass
class Result:
    database: str
    n: int
    page: str
    url: str
    queries: int
    median_ms: float
    p95_ms: float
    size_kb: float
    sql: list[str]


def nearest_rank(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@contextmanager
def no_cache_cull() -> Iterator[None]:
    """The counted request writes the shared cache without culling it: one write in fifty,
    at random, counts and culls the table (``lib.cache.CULL_EVERY``, four more statements),
    which made a page that writes several kept values look as if its queries varied with N."""
    try:
        from integratingcities.lib import cache as shared_cache
    except ImportError:  # a tree from before the shared cache
        yield
        return
    every = shared_cache.CULL_EVERY
    shared_cache.CULL_EVERY = math.inf  # type: ignore[assignment]
    try:
        yield
    finally:
        shared_cache.CULL_EVERY = every


def measure(database: str, n: int, page: Page, runs: int, warmup: int) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = page.make_client()
    before = page.before or (lambda: None)
    url = page.url
    for _ in range(warmup):
        before()
        check(client.get(url), url)
    before()
    with CaptureQueriesContext(connection) as captured, no_cache_cull():
        response = check(client.get(url), url)
    # Read the log now: the next request's request_started signal clears it.
    sql = [query["sql"] for query in captured.captured_queries]
    size_kb = len(response.content) / 1024
    times = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        check(response, url)
    return Result(
        database=database,
        n=n,
        page=page.name,
        url=url,
        queries=len(sql),
        median_ms=statistics.median(times),
        p95_ms=nearest_rank(times, 0.95),
        size_kb=size_kb,
        sql=sql,
    )


def profile(page: Page, interesting: str = PROFILE_INTERESTING, limit: int = 25) -> str:
    """Where one request spends its time: cumulative, interesting functions only."""
    import cProfile
    import io
    import pstats

    client = page.make_client()
    before = page.before or (lambda: None)
    before()
    check(client.get(page.url), page.url)
    before()
    profiler = cProfile.Profile()
    profiler.enable()
    check(client.get(page.url), page.url)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(interesting, limit)
    return "\n".join("    " + line for line in out.getvalue().strip().splitlines())


def check(response: Any, url: str) -> Any:
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    return response


# ---------------------------------------------------------------------------------------
# Report


def machine(vendor: str) -> list[str]:
    import django
    from django.db import connection

    lines = [
        f"- CPU cores (`nproc`): {os.cpu_count()}; {platform.machine()}, "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, Django {django.get_version()}",
    ]
    if vendor == "sqlite":
        lines.append(f"- SQLite {sqlite3.sqlite_version}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            lines.append(f"- PostgreSQL {cursor.fetchone()[0]}")
    return lines


def table(results: list[Result]) -> list[str]:
    lines = [
        "| Page | N cities | SQL queries | median (ms) | p95 (ms) | response (KB) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    pages = list(dict.fromkeys(r.page for r in results))
    for page in pages:
        for r in (r for r in results if r.page == page):
            lines.append(
                f"| {page} | {r.n:,} | {r.queries} | {r.median_ms:.1f} | {r.p95_ms:.1f} "
                f"| {r.size_kb:.0f} |"
            )
    return lines


def flatness(results: list[Result]) -> list[str]:
    lines = []
    for page in dict.fromkeys(r.page for r in results):
        counts = [r.queries for r in results if r.page == page]
        verdict = "flat" if len(set(counts)) == 1 else "GROWS WITH N"
        lines.append(f"- {page}: {' / '.join(map(str, counts))} queries ({verdict})")
    return lines


# ---------------------------------------------------------------------------------------
# The command


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--cities", type=int, nargs="+", default=[20, 200, 2000], metavar="N")
    p.add_argument("--runs", type=int, default=30, help="timed requests per page")
    p.add_argument("--warmup", type=int, default=3, help="untimed requests per page")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--db-name", default="ic_bench", help="PostgreSQL database to create")
    p.add_argument(
        "--drop-existing", action="store_true", help="replace an existing --db-name database"
    )
    p.add_argument(
        "--show-queries", action="store_true", help="print the SQL of each counted request"
    )
    p.add_argument(
        "--profile",
        action="store_true",
        help="print a cProfile summary of one request per page at the last N",
    )
    return p


def run(
    *,
    description: str,
    generate: Callable[[int, int], dict[str, int]],
    pages: Callable[[], list[Page]],
    report: Callable[[list[Result], str], list[str]] | None = None,
    interesting: str = PROFILE_INTERESTING,
    args: argparse.Namespace | None = None,
) -> list[Result]:
    """Set up, generate and measure for each N, print the Markdown report; return the results.

    ``report(results, vendor)`` adds lines after the query-count summary (targets, say).
    """
    args = args or parser(description).parse_args()
    prepare_environment()
    # WhiteNoise warns that staticfiles/ (collectstatic's output) is missing; pages don't care.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    bench_db = BenchDatabase(os.environ.get("DATABASE_URL"), args.db_name)
    bench_db.create(drop_existing=args.drop_existing)
    try:
        import django

        django.setup()
        from django.db import connections

        started = time.perf_counter()
        load_before = os.getloadavg()
        setup_schema()
        results: list[Result] = []
        data_lines = []
        for n in args.cities:
            counts = generate(n, args.seed)
            analyze()
            # As config/wsgi.py does when a worker starts: what is alive now is left out of
            # the garbage collector's full collections.
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            data_lines.append(f"- N={n:,}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
            for page in pages():
                results.append(measure(bench_db.vendor, n, page, args.runs, args.warmup))
                print(
                    f"  measured N={n} {page.name}: {results[-1].median_ms:.1f} ms",
                    file=sys.stderr,
                    flush=True,
                )
        print(f"### {'SQLite' if bench_db.vendor == 'sqlite' else 'PostgreSQL'}\n")
        print("\n".join(machine(bench_db.vendor)))
        print(f"- {args.runs} timed requests per page after {args.warmup} warm-up requests\n")
        print("\n".join(data_lines) + "\n")
        print("\n".join(table(results)) + "\n")
        print("Query counts across N:\n")
        print("\n".join(flatness(results)) + "\n")
        if report:
            print("\n".join(report(results, bench_db.vendor)) + "\n")
        load_after = os.getloadavg()
        print(
            f"Whole run: {time.perf_counter() - started:.0f} s; 1-minute load average "
            f"{load_before[0]:.2f} before, {load_after[0]:.2f} after"
        )
        if args.show_queries:
            for r in results:
                if r.n == max(args.cities):
                    print(f"\n#### {r.page} (N={r.n:,}), {r.queries} queries\n")
                    print("\n".join(f"    {q}" for q in r.sql))
        if args.profile:
            for page in pages():
                print(f"\n#### Profile: {page.name} (N={args.cities[-1]:,})\n")
                print(profile(page, interesting))
        connections.close_all()
        return results
    finally:
        bench_db.drop()
