"""Time the key public pages against N synthetic cities.

Usage (from the project root)::

    .venv/bin/python benchmarks/pages.py --cities 20 200 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/pages.py --cities 20 200 2000

The script never touches the project's own database. On SQLite (DATABASE_URL unset or
``sqlite://...``) it works in a temporary file; on PostgreSQL it creates a database of
its own (``ic_bench`` unless ``--db-name`` says otherwise) on the server named by
DATABASE_URL, and drops it at the end. It then runs the migrations, imports the Charter
(content/frameworks/charter.v1.yaml, published), and for each N:

1. replaces all cities with N synthetic ones ("Synthetic city 0001", is_illustrative=True),
   made with bulk_create: ~90 % signatories with signature windows, 30 countries, some
   population and foreign-born figures (source "synthetic"), each city in 0-3 of a few
   synthetic networks and 0-3 of a few synthetic projects, a few conferences hosted by
   synthetic cities, and five published synthetic news items;
2. runs ANALYZE, as autovacuum would on a live database;
3. for each page: 3 warm-up requests, 1 request under CaptureQueriesContext to count the
   SQL queries, then 30 timed requests through django.test.Client (anonymous visitor).

It prints Markdown to stdout (progress goes to stderr): the machine, the data, one table,
and whether each page's query count stays the same across N. "SQL queries" comes from the
counted request; "median" and "p95" are the wall time of ``Client.get`` (URL resolution,
middleware, view, queries, template rendering) over the timed requests, in milliseconds;
p95 is the nearest-rank 95th percentile. The 1-minute load average before and after is
printed because timings are only comparable on a quiet machine. ``--show-queries`` prints
the SQL of each page at the largest N; ``--profile`` a cProfile summary of one request per
page at the last N. Record results in docs/benchmarks.md with the command that made them.

The settings are the production ones (DEBUG off), with DEBUG=false, SECRET_KEY=bench,
ALLOWED_HOSTS=testserver, SECURE_SSL_REDIRECT=false and STATIC_MANIFEST=false set
unless already in the environment. Timings belong here, never in timed unit tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHARTER = ROOT / "content" / "frameworks" / "charter.v1.yaml"

# 30 ISO codes, most frequent first (the weights below give a realistic long tail).
COUNTRIES = [
    "DE", "IT", "ES", "FR", "NL", "BE", "PL", "SE", "AT", "GB",
    "PT", "GR", "CZ", "FI", "DK", "IE", "NO", "CH", "HU", "RO",
    "BG", "HR", "SK", "SI", "LT", "LV", "EE", "LU", "CY", "MT",
]  # fmt: skip
FILTER_COUNTRY = "DE"
RICH_CITY = "synthetic-city-0001"  # 3 networks, 3 projects, hosts conferences
N_NETWORKS = 6
N_PROJECTS = 8
N_CONFERENCES = 6
N_NEWS = 5


def page_urls() -> list[tuple[str, str]]:
    return [
        ("home", "/"),
        ("signatories", "/signatories/"),
        ("signatories ?sort=-signed", "/signatories/?sort=-signed"),
        (f"signatories ?country={FILTER_COUNTRY}", f"/signatories/?country={FILTER_COUNTRY}"),
        ("city page", f"/cities/{RICH_CITY}/"),
        ("API cities list", "/api/v1/cities/"),
    ]


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
            raise SystemExit(f"benchmarks/pages.py: unsupported database engine {engine}")

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
# Synthetic data (after django.setup())


def setup_schema() -> None:
    from django.core.management import call_command

    from integratingcities.frameworks.services import framework_import_path

    call_command("migrate", interactive=False, verbosity=0)
    framework_import_path(path=CHARTER, publish=True)


def generate(n: int, seed: int) -> dict[str, int]:
    """Replace all cities (and what hangs off them) with n synthetic ones."""
    from django.db import transaction
    from django.utils import timezone

    from integratingcities.cities.models import City, Network
    from integratingcities.network.models import (
        Conference,
        NewsItem,
        NewsStatus,
        PartnerRole,
        Project,
        ProjectPartner,
    )

    rng = random.Random(seed * 100_003 + n)
    membership = City.networks.through
    with transaction.atomic():
        ProjectPartner.objects.all().delete()
        Conference.objects.all().delete()
        membership.objects.all().delete()
        City.objects.all().delete()
        Project.objects.all().delete()
        Network.objects.all().delete()
        NewsItem.objects.all().delete()

        networks = Network.objects.bulk_create(
            Network(
                slug=f"synthetic-network-{i}",
                name=f"Synthetic network {i}",
                description="Synthetic network for benchmarks.",
            )
            for i in range(1, N_NETWORKS + 1)
        )
        projects = Project.objects.bulk_create(
            Project(
                slug=f"synthetic-project-{i}",
                name=f"Synthetic project {i}",
                full_name=f"Synthetic benchmark project number {i}",
                start_year=2008 + i,
                end_year=2008 + i + rng.randint(0, 3),
                themes=["synthetic"],
                summary="Synthetic project for benchmarks.",
                position=i,
            )
            for i in range(1, N_PROJECTS + 1)
        )

        weights = [1 / math.sqrt(k + 1) for k in range(len(COUNTRIES))]
        launch = dt.date(2010, 2, 1)
        span = (dt.date(2024, 12, 31) - launch).days
        cities = []
        for i in range(1, n + 1):
            rich = i == 1
            city = City(
                slug=f"synthetic-city-{i:04d}",
                name=f"Synthetic city {i:04d}",
                country=FILTER_COUNTRY if rich else rng.choices(COUNTRIES, weights)[0],
                summary=f"Synthetic city number {i}, generated for benchmarks.",
                website=f"https://city-{i:04d}.example.org/",
                is_illustrative=True,
            )
            if rich or rng.random() < 0.9:  # ~all signatories, mostly with a window
                earliest = launch + dt.timedelta(days=rng.randrange(span))
                kind = rng.random()
                if kind < 0.7:
                    latest = earliest + dt.timedelta(days=rng.randint(30, 900))
                elif kind < 0.9:
                    latest = earliest
                else:
                    earliest, latest = None, earliest  # only "by <date>"
                city.signed_earliest, city.signed_latest = earliest, latest
                city.signature_source = "synthetic"
            if rich or rng.random() < 0.6:
                city.population = rng.randint(50_000, 3_500_000)
                city.population_year = rng.randint(2015, 2023)
                city.population_source = "synthetic"
            if rich or rng.random() < 0.4:
                city.foreign_born_share = Decimal(rng.randint(20, 450)) / 10
                city.foreign_born_year = rng.randint(2015, 2023)
                city.foreign_born_source = "synthetic"
            cities.append(city)
        cities = City.objects.bulk_create(cities, batch_size=500)

        memberships = []
        partners = []
        roles = [choice for choice, _ in PartnerRole.choices]
        for city in cities:
            rich = city.slug == RICH_CITY
            for network in rng.sample(networks, 3 if rich else rng.randint(0, 3)):
                memberships.append(membership(city_id=city.pk, network_id=network.pk))
            for project in rng.sample(projects, 3 if rich else rng.randint(0, 3)):
                partners.append(ProjectPartner(project=project, city=city, role=rng.choice(roles)))
        membership.objects.bulk_create(memberships, batch_size=1000)
        ProjectPartner.objects.bulk_create(partners, batch_size=1000)

        hosts = [cities[0], cities[0], *cities[1:N_CONFERENCES]]  # 0001 hosts two
        Conference.objects.bulk_create(
            Conference(
                number=number,
                title=f"Synthetic conference {number}",
                year=2006 + 2 * number,
                host=host,
                summary="Synthetic conference for benchmarks.",
            )
            for number, host in enumerate(hosts[:N_CONFERENCES], start=1)
        )

        now = timezone.now()
        NewsItem.objects.bulk_create(
            NewsItem(
                slug=f"synthetic-news-{i}",
                title=f"Synthetic news {i}",
                summary="Synthetic news item for benchmarks.",
                body="Synthetic **news** body.",
                status=NewsStatus.PUBLISHED,
                published_at=now - dt.timedelta(days=i),
            )
            for i in range(1, N_NEWS + 1)
        )

    analyze()
    return {
        "cities": len(cities),
        "signatories": sum(c.signed_latest is not None for c in cities),
        "network memberships": len(memberships),
        "project partnerships": len(partners),
        f"cities in {FILTER_COUNTRY}": sum(c.country == FILTER_COUNTRY for c in cities),
    }


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


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


def measure(database: str, n: int, name: str, url: str, runs: int, warmup: int) -> Result:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for _ in range(warmup):
        check(client.get(url), url)
    with CaptureQueriesContext(connection) as captured:
        response = check(client.get(url), url)
    # Read the log now: the next request's request_started signal clears it.
    sql = [query["sql"] for query in captured.captured_queries]
    size_kb = len(response.content) / 1024
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        check(response, url)
    return Result(
        database=database,
        n=n,
        page=name,
        url=url,
        queries=len(sql),
        median_ms=statistics.median(times),
        p95_ms=nearest_rank(times, 0.95),
        size_kb=size_kb,
        sql=sql,
    )


def profile(url: str, limit: int = 25) -> str:
    """Where one request spends its time: cumulative, interesting functions only."""
    import cProfile
    import io
    import pstats

    from django.test import Client

    client = Client()
    check(client.get(url), url)
    profiler = cProfile.Profile()
    profiler.enable()
    check(client.get(url), url)
    profiler.disable()
    out = io.StringIO()
    # Project code and the usual per-row suspects (translation, formats, reverse, ORM).
    interesting = "integratingcities|translation|formats|countries|urls/base|query.py|ninja"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cities", type=int, nargs="+", default=[20, 200, 2000], metavar="N")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--db-name", default="ic_bench", help="PostgreSQL database to create")
    parser.add_argument(
        "--drop-existing", action="store_true", help="replace an existing --db-name database"
    )
    parser.add_argument(
        "--show-queries", action="store_true", help="print the SQL of each counted request"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="print a cProfile summary of one request per page at the last N",
    )
    args = parser.parse_args()

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
            data_lines.append(f"- N={n:,}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
            for name, url in page_urls():
                results.append(measure(bench_db.vendor, n, name, url, args.runs, args.warmup))
                print(
                    f"  measured N={n} {name}: {results[-1].median_ms:.1f} ms",
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
            for name, url in page_urls():
                print(f"\n#### Profile: {name} (N={args.cities[-1]:,})\n")
                print(profile(url))
        connections.close_all()
    finally:
        bench_db.drop()


if __name__ == "__main__":
    main()
