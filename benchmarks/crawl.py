"""Find the pages that grow with the network: crawl a database's site as one person and list the
slowest pages, with their queries and size.

Usage (from the project root), on a database a benchmark left or the demo's::

    DATABASE_URL=sqlite:///path/to/bench.sqlite3 .venv/bin/python benchmarks/crawl.py \\
        --as secretariat@example.org --limit 250 --top 25
    .venv/bin/python benchmarks/crawl.py --as -      # a visitor, not logged in

Starting at the home page, it follows the links of every HTML page (at most two addresses of
each shape: ids and synthetic slugs alike count as one), skipping files, downloads, the admin
and logging out. Each page is requested once untimed, then timed as the best of three, with the
page cache off (``PAGE_CACHE_SECONDS=0``) so that every request renders. It changes nothing it
can avoid: only GET requests. Prints a Markdown table of the ``--top`` slowest pages.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from dataclasses import dataclass

import harness

SKIP = re.compile(
    r"logout|/admin/|\.(pdf|xlsx|csv|json|zip|svg|png)$|/static/|/media/|download|/api/docs"
    r"|export|/i18n/|\?page=[3-9]|\?page=\d\d|sort=|/history/"
)


@dataclass(frozen=True)
class Crawled:
    url: str
    queries: int
    ms: float
    kilobytes: int


def shape(url: str) -> str:
    """The address with its ids and synthetic slugs generalised, and its parameters' values."""
    path, _, query = url.partition("?")
    path = re.sub(r"\d+", "N", re.sub(r"synthetic-[a-z]+-\d+", "S", path))
    return path + ("?" + re.sub(r"=[^&]*", "=", query) if query else "")


def crawl(email: str | None, limit: int) -> list[Crawled]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from integratingcities.accounts.models import User

    client = Client()
    if email:
        client.force_login(User.objects.get(email=email))
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = ["/"]
    found: list[Crawled] = []
    while queue and len(found) < limit:
        url = queue.pop(0)
        if url in seen or shapes.get(shape(url), 0) >= 2:
            continue
        seen.add(url)
        shapes[shape(url)] = shapes.get(shape(url), 0) + 1
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        count = len(queries.captured_queries)  # before the next request empties the log
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        times = []
        for _ in range(3):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        body = response.content.decode(errors="ignore")
        found.append(Crawled(url, count, min(times), len(body) // 1024))
        print(f"  {url}: {min(times):.0f} ms", file=sys.stderr)
        for link in re.findall(r'href="(/[^"#]*)"', body):
            link = link.replace("&amp;", "&")
            if not SKIP.search(link) and link not in seen:
                queue.append(link)
    return found


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--as", dest="email", default="-", help="an account's e-mail, - for a visitor")
    p.add_argument("--limit", type=int, default=250, help="pages to time at most")
    p.add_argument("--top", type=int, default=25, help="slowest pages to list")
    args = p.parse_args()
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    harness.prepare_environment()
    import django

    django.setup()
    found = crawl(None if args.email == "-" else args.email, args.limit)
    print(f"{len(found)} pages crawled as {args.email}\n")
    print("| page | ms (best of 3) | queries | KB |")
    print("|---|---:|---:|---:|")
    for page in sorted(found, key=lambda page: -page.ms)[: args.top]:
        print(f"| `{page.url}` | {page.ms:.0f} | {page.queries} | {page.kilobytes} |")


if __name__ == "__main__":
    main()
