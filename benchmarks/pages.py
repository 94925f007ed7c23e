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
The database set-up, measurement and report are in harness.py, shared with rounds.py.

The settings are the production ones (DEBUG off), with DEBUG=false, SECRET_KEY=bench,
ALLOWED_HOSTS=testserver, SECURE_SSL_REDIRECT=false and STATIC_MANIFEST=false set
unless already in the environment. Timings belong here, never in timed unit tests.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import floor
from harness import COUNTRIES, COUNTRY_WEIGHTS, Page, run

FILTER_COUNTRY = "DE"
RICH_CITY = "synthetic-city-0001"  # 3 networks, 3 projects, hosts conferences
N_NETWORKS = 6
N_PROJECTS = 8
N_CONFERENCES = 6
N_NEWS = 5


def page_urls() -> list[Page]:
    return [
        Page("home", "/"),
        Page("signatories", "/signatories/"),
        Page("signatories ?sort=-signed", "/signatories/?sort=-signed"),
        Page(f"signatories ?country={FILTER_COUNTRY}", f"/signatories/?country={FILTER_COUNTRY}"),
        Page("cities list", "/cities/"),
        Page("city page", f"/cities/{RICH_CITY}/"),
        Page("API cities list", "/api/v1/cities/"),
    ]


# ---------------------------------------------------------------------------------------
# Synthetic data (after django.setup())


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

        launch = dt.date(2010, 2, 1)
        span = (dt.date(2024, 12, 31) - launch).days
        cities = []
        for i in range(1, n + 1):
            rich = i == 1
            city = City(
                slug=f"synthetic-city-{i:04d}",
                name=f"Synthetic city {i:04d}",
                country=FILTER_COUNTRY if rich else rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0],
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

    return {
        "cities": len(cities),
        "signatories": sum(c.signed_latest is not None for c in cities),
        "network memberships": len(memberships),
        "project partnerships": len(partners),
        f"cities in {FILTER_COUNTRY}": sum(c.country == FILTER_COUNTRY for c in cities),
    }


def main() -> None:
    floor.install()
    run(description=__doc__.split("\n\n")[0], generate=generate, pages=page_urls)


if __name__ == "__main__":
    main()
