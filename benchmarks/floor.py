"""Each page beside its floor, measured in the same run (pages.py, rounds.py, practices.py).

The machine is shared, so absolute times drift between runs; the ratio to the floor is what to
compare. A page's floor is what it cannot avoid: the median of a tiny page (a view returning
"ok", through the same URLs and middleware) plus the median of the page's own SQL replayed on
the connection (the statements and parameters of the counted request, every row fetched). The
same definition as indicators.py.

``install()`` replaces harness.measure and harness.table, so that harness.run measures and
reports the floor too; call it before ``run``.
"""

from __future__ import annotations

import statistics
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import harness
from harness import Page, Result, check, nearest_rank

FLOOR_URL = "/bench-floor/"

Statement = tuple[str, Any, bool]


@dataclass
class FloorResult(Result):
    tiny_ms: float = 0.0
    sql_ms: float = 0.0

    @property
    def floor_ms(self) -> float:
        return self.tiny_ms + self.sql_ms

    @property
    def ratio(self) -> float:
        return self.median_ms / self.floor_ms if self.floor_ms else 0.0


_installed_urls = False


def install_floor_page() -> None:
    global _installed_urls
    if _installed_urls:
        return
    from django.conf import settings
    from django.http import HttpRequest, HttpResponse
    from django.urls import clear_url_caches, include, path

    def tiny(request: HttpRequest) -> HttpResponse:
        return HttpResponse(b"ok", content_type="text/plain")

    urls = types.ModuleType("bench_floor_urls")
    urls.urlpatterns = [  # type: ignore[attr-defined]
        path(FLOOR_URL.strip("/") + "/", tiny),
        path("", include(settings.ROOT_URLCONF)),
    ]
    settings.ROOT_URLCONF = urls  # a module object is accepted where a dotted path is
    clear_url_caches()
    _installed_urls = True


@contextmanager
def recorded() -> Iterator[list[Statement]]:
    from django.db import connection

    statements: list[Statement] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params, many))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper), harness.no_cache_cull():
        yield statements


def replay(statements: list[Statement]) -> float:
    """Run the statements again, fetching every row; seconds. Transaction control (BEGIN,
    COMMIT, savepoints) and writes to the cache's and the task queue's tables are left out: the
    caller runs them in its own transaction or none."""
    from django.db import connection

    skip = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for sql, params, many in statements:
            if sql.lstrip().upper().startswith(skip) or writes_cache(sql) or enqueues(sql):
                continue
            if many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
    return time.perf_counter() - start


def _replay(statements: list[Statement]) -> float:
    """``replay``, its writes rolled back; seconds."""
    from django.db import transaction

    try:
        with transaction.atomic():
            elapsed = replay(statements)
            raise _Undo
    except _Undo:
        pass
    return elapsed


def writes_cache(sql: str) -> bool:
    """A write to the database cache's table: replayed, it would clash with the row the page
    wrote; its reads are replayed."""
    from django.conf import settings

    table = settings.CACHES["default"].get("LOCATION", "")
    return bool(table) and table in sql and not sql.lstrip().upper().startswith("SELECT")


def enqueues(sql: str) -> bool:
    """A job put on the worker's queue (``django_tasks_db``): its id is a new UUID each time, so
    replayed it would clash with the job the request enqueued; the worker's work is not the
    page's."""
    return "dbtaskresult" in sql and not sql.lstrip().upper().startswith("SELECT")


class _Undo(Exception):
    pass


def page_timer(page: Page) -> Callable[[], float]:
    """One timed request of ``page`` (its ``before`` run first, untimed), in milliseconds."""
    client = page.make_client()
    before = page.before or (lambda: None)

    def timed() -> float:
        before()
        start = time.perf_counter()
        response = client.get(page.url)
        elapsed = (time.perf_counter() - start) * 1000
        check(response, page.url)
        return elapsed

    return timed


def side_by_side(
    timed_page: Callable[[], float],
    statements: list[Statement],
    runs: int,
    warmup: int,
    replayed: Callable[[list[Statement]], float] | None = None,
) -> tuple[list[float], list[float], list[float]]:
    """The page's times, the tiny page's and its SQL replayed (``_replay`` unless ``replayed``
    is given; seconds, reported in milliseconds), taken in turn: each run times the page, then
    the tiny page, then the SQL, so that the three see the machine as it is at that moment.
    Timed one series after the other, a page and its floor a few seconds apart, a load that came
    or went between them moved the ratio by a third or more on this shared machine."""
    replay_once = replayed or (lambda recorded: _replay(recorded))
    tiny = page_timer(Page("tiny", FLOOR_URL))
    for _ in range(warmup):  # the page is warmed by the caller, which records its SQL
        tiny()
    replay_once(statements)  # warm-up
    page_ms: list[float] = []
    tiny_ms: list[float] = []
    sql_ms: list[float] = []
    for _ in range(runs):
        page_ms.append(timed_page())
        tiny_ms.append(tiny())
        sql_ms.append(replay_once(statements) * 1000)
    return page_ms, tiny_ms, sql_ms


def measure(database: str, n: int, page: Page, runs: int, warmup: int) -> FloorResult:
    install_floor_page()
    client = page.make_client()
    for _ in range(warmup):
        (page.before or (lambda: None))()
        check(client.get(page.url), page.url)
    (page.before or (lambda: None))()
    with recorded() as statements:
        response = check(client.get(page.url), page.url)
    size_kb = len(response.content) / 1024
    times, tiny, sql = side_by_side(page_timer(page), statements, runs, warmup)
    return FloorResult(
        database=database,
        n=n,
        page=page.name,
        url=page.url,
        queries=len(statements),
        median_ms=statistics.median(times),
        p95_ms=nearest_rank(times, 0.95),
        size_kb=size_kb,
        sql=[s[0] for s in statements],
        tiny_ms=statistics.median(tiny),
        sql_ms=statistics.median(sql),
    )


def table(results: list[Result]) -> list[str]:
    lines = [
        "| Page | N cities | SQL queries | median (ms) | p95 (ms) | response (KB) "
        "| tiny page (ms) | its SQL (ms) | floor (ms) | ratio to floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for page in dict.fromkeys(r.page for r in results):
        for r in (r for r in results if r.page == page):
            floor = (
                f"{r.tiny_ms:.1f} | {r.sql_ms:.1f} | {r.floor_ms:.1f} | {r.ratio:.1f}"
                if isinstance(r, FloorResult)
                else " | | | "
            )
            lines.append(
                f"| {page} | {r.n:,} | {r.queries} | {r.median_ms:.1f} | {r.p95_ms:.1f} "
                f"| {r.size_kb:.0f} | {floor} |"
            )
    return lines


def install() -> None:
    harness.measure = measure  # type: ignore[assignment]
    harness.table = table
