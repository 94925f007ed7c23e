"""Time the network report's PDF for N synthetic cities, beside WeasyPrint's own time (the floor).

Usage (from the project root)::

    .venv/bin/python benchmarks/report_pdf.py --cities 20 200 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/report_pdf.py --cities 20 200 2000

Same database set-up as the other scripts (see harness.py): a temporary SQLite file, or a
database of its own on the PostgreSQL server named by DATABASE_URL, dropped at the end. For each
N it makes the synthetic round of ``rounds.py`` (N cities, each validated, answering every item:
ratings with evidence, and the survey's text items, which the report credits city by city), then
writes a report on it (every narrative part, a role overview and trends per commitment, three
highlights per commitment) and measures, in one run:

1. *publish*: freezing the edition (``edition_publish``: the snapshot of every figure and text);
2. *PDF*: what the background task does (``reports.downloads.EDITION_PDF.build``): the context
   and its four charts (chart cache cleared first), the print template, WeasyPrint;
3. *floor*: WeasyPrint alone (``lib.pdf.html_to_pdf``) on a static copy of the same HTML, read
   from a string: what the renderer costs whatever the platform does;
4. the pages (``Client.get``, the page cache off): the published edition's page and the
   secretariat's preview of the draft, each the median of ``--runs`` requests once it is kept,
   and the preview "after a change" (``page_cache.bump()`` before each request: what the first
   visit after a change pays, were the worker not to run); then after a change once the
   worker has done what it does after a validation (``display.warm_preview``, timed too):
   what the secretariat's next preview pays; with the query count of a kept request and the
   size.

``--no-pdf`` leaves out 2 and 3 (at 20,000 cities the PDF has some 180,000 credited answers):
the pages alone.

Target (issue 13): the PDF of 200 cities in under 30 s on this 2-core machine.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Any

from harness import BenchDatabase, machine, parser, prepare_environment, setup_schema

TARGET_N = 200
TARGET_S = 30.0


@dataclass
class Figures:
    n: int
    pages: int
    size_kb: float
    publish_s: float
    pdf_s: list[float]
    floor_s: list[float]
    page_ms: float
    page_queries: int
    page_kb: float
    preview_ms: float
    preview_cold_ms: float
    worker_ms: float
    preview_warmed_ms: float
    preview_queries: int
    preview_kb: float


def write_report(round_: Any, actor: Any) -> Any:
    """Every narrative part, and three highlights per commitment, as the secretariat would."""
    from integratingcities.reports import selectors
    from integratingcities.reports.services import (
        highlight_add,
        report_cover_save,
        report_text_save,
    )

    report_cover_save(
        round_=round_,
        actor=actor,
        title="Synthetic network report",
        subtitle="Benchmark of the report's PDF",
        network="Benchmark network",
    )
    paragraph = (
        "A synthetic paragraph of the secretariat's narrative, about as long as the 2015 "
        "report's paragraphs: it names **a few cities**, a trend and a figure or two. "
    ) * 3
    for key in selectors.text_keys(round_):
        report_text_save(round_=round_, actor=actor, key=key, text=paragraph)
    evidence = selectors.highlightable(round_)
    for section in selectors.rated_sections(round_):
        for item in section.items.all():
            for answer in evidence.filter(item=item)[:3]:
                highlight_add(
                    round_=round_,
                    actor=actor,
                    answer=answer,
                    text=f"{answer.assessment.city.name} did something worth copying.",
                )
    return selectors.report_of(round_)


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.1f}" if values else "-"


def measure(n: int, seed: int, runs: int, page_runs: int, pdf: bool) -> Figures:
    import rounds as round_bench
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from harness import check, wipe
    from pypdf import PdfReader

    from integratingcities.accounts.models import User
    from integratingcities.audit.models import AuditEntry
    from integratingcities.lib import page_cache
    from integratingcities.lib.pdf import html_to_pdf, render_html
    from integratingcities.reports import display
    from integratingcities.reports.downloads import EDITION_PDF
    from integratingcities.reports.models import Edition, Highlight, Report, ReportText
    from integratingcities.reports.services import edition_publish
    from integratingcities.rounds.models import Round

    # The report's rows and its audit trail (which names cities) go before the round's data.
    wipe(Edition, Highlight, ReportText, Report, AuditEntry)
    round_bench.generate(n, seed)
    round_ = Round.objects.select_related("framework").get(title=round_bench.ROUND_TITLE)
    actor = User.objects.get(email=round_bench.STAFF_EMAIL)
    report = write_report(round_, actor)

    started = time.perf_counter()
    edition = edition_publish(report=report, actor=actor, published_on=dt.date(2025, 6, 1))
    publish_s = time.perf_counter() - started
    params = {"round": str(round_.pk), "edition": str(edition.number)}

    pdf_s, floor_s = [], []
    content = b""
    for _ in range(runs if pdf else 0):
        cache.clear()
        started = time.perf_counter()
        content = EDITION_PDF.build(params, lambda percent, what: None).content
        pdf_s.append(time.perf_counter() - started)
    if pdf:
        html = render_html(
            "reports/print.html", display.context(edition.snapshot, edition=edition), None
        )
    for _ in range(runs if pdf else 0):
        started = time.perf_counter()
        html_to_pdf(html)
        floor_s.append(time.perf_counter() - started)

    def timed(client: Any, url: str, before: Any = None) -> tuple[float, int, float]:
        """The median of ``page_runs`` requests, and the queries and size of a kept one."""
        check(client.get(url), url)
        times = []
        for _ in range(page_runs):
            if before is not None:
                before()
            started = time.perf_counter()
            check(client.get(url), url)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            response = check(client.get(url), url)
        return statistics.median(times), len(captured.captured_queries), len(response.content)

    page_ms, page_queries, page_size = timed(Client(), edition.get_absolute_url())
    secretariat = Client()
    secretariat.force_login(actor)
    preview = reverse("reports:preview", kwargs={"pk": round_.pk})
    preview_ms, preview_queries, preview_size = timed(secretariat, preview)
    preview_cold_ms, _queries, _size = timed(secretariat, preview, before=page_cache.bump)
    worker_ms: list[float] = []

    def change_then_worker() -> None:
        """A change, then what the worker does after a validation (``warm_preview``), timed."""
        page_cache.bump()
        started = time.perf_counter()
        display.warm_preview(round_.pk)
        worker_ms.append((time.perf_counter() - started) * 1000)

    preview_warmed_ms, _queries, _size = timed(secretariat, preview, before=change_then_worker)
    return Figures(
        n=n,
        pages=len(PdfReader(io.BytesIO(content)).pages) if pdf else 0,
        size_kb=len(content) / 1024,
        publish_s=publish_s,
        pdf_s=pdf_s,
        floor_s=floor_s,
        page_ms=page_ms,
        page_queries=page_queries,
        page_kb=page_size / 1024,
        preview_ms=preview_ms,
        preview_cold_ms=preview_cold_ms,
        worker_ms=statistics.median(worker_ms),
        preview_warmed_ms=preview_warmed_ms,
        preview_queries=preview_queries,
        preview_kb=preview_size / 1024,
    )


def main() -> None:
    p = parser(__doc__ or "")
    p.set_defaults(runs=1)
    p.add_argument("--page-runs", type=int, default=10, help="timed requests per page")
    p.add_argument("--no-pdf", action="store_true", help="time the pages only")
    args = p.parse_args()
    prepare_environment()
    os.environ["PAGE_CACHE_SECONDS"] = "0"  # every request renders
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    bench_db = BenchDatabase(os.environ.get("DATABASE_URL"), args.db_name)
    bench_db.create(drop_existing=args.drop_existing)
    try:
        import logging

        import django

        django.setup()
        # WeasyPrint warns about the site stylesheet's screen-only rules; not the point here.
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        started = time.perf_counter()
        load_before = os.getloadavg()
        setup_schema()
        from integratingcities.lib.pdf import html_to_pdf

        if not args.no_pdf:
            # WeasyPrint's first document loads its fonts: paid once per worker, not per file.
            html_to_pdf('<html lang="en"><p>warm-up</p></html>')
        results = []
        for n in args.cities:
            results.append(measure(n, args.seed, args.runs, args.page_runs, not args.no_pdf))
            r = results[-1]
            # Each N's figures as soon as they are known: the largest N takes long.
            print(
                f"  N={n}: {_median(r.pdf_s)} s PDF, {_median(r.floor_s)} s floor, "
                f"{r.pages} pages, {r.size_kb:.0f} KB, publish {r.publish_s:.2f} s, edition "
                f"page {r.page_ms:.0f} ms, preview {r.preview_ms:.0f} ms "
                f"({r.preview_cold_ms:.0f} ms after a change; {r.preview_warmed_ms:.0f} ms once "
                f"the worker has spent {r.worker_ms:.0f} ms)",
                file=sys.stderr,
                flush=True,
            )
        print(f"### {'SQLite' if bench_db.vendor == 'sqlite' else 'PostgreSQL'}\n")
        print("\n".join(machine(bench_db.vendor)))
        print(f"- {args.runs} timed run(s) of the PDF and of the floor per N", end="")
        print(" (none: --no-pdf)" if args.no_pdf else "", end="")
        print(f"; {args.page_runs} timed requests per page\n")
        if not args.no_pdf:
            print(
                "| N cities | pages | PDF (KB) | publish (s) | PDF (s) "
                "| floor: WeasyPrint alone (s) | PDF - floor (s) |"
            )
            print("|---:|---:|---:|---:|---:|---:|---:|")
            for r in results:
                pdf, floor = statistics.median(r.pdf_s), statistics.median(r.floor_s)
                print(
                    f"| {r.n:,} | {r.pages} | {r.size_kb:.0f} | {r.publish_s:.2f} | {pdf:.1f} "
                    f"| {floor:.1f} | {pdf - floor:.1f} |"
                )
            print()
        print(
            "| N cities | publish (s) | edition page (ms) | its queries | its KB "
            "| preview (ms) | after a change (ms) | the worker after a validation (ms) "
            "| the preview after it (ms) | its queries | its KB |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in results:
            print(
                f"| {r.n:,} | {r.publish_s:.2f} | {r.page_ms:.1f} | {r.page_queries} "
                f"| {r.page_kb:.0f} | {r.preview_ms:.1f} | {r.preview_cold_ms:.1f} "
                f"| {r.worker_ms:.1f} | {r.preview_warmed_ms:.1f} "
                f"| {r.preview_queries} | {r.preview_kb:.0f} |"
            )
        target = next((r for r in results if r.n == TARGET_N and r.pdf_s), None)
        if target is not None:
            took = statistics.median(target.pdf_s)
            verdict = "met" if took < TARGET_S else "NOT MET"
            print(
                f"\nTarget: the PDF for {TARGET_N} cities in under {TARGET_S:.0f} s: {verdict} "
                f"({took:.1f} s)."
            )
        load_after = os.getloadavg()
        print(
            f"\nWhole run: {time.perf_counter() - started:.0f} s; 1-minute load average "
            f"{load_before[0]:.2f} before, {load_after[0]:.2f} after"
        )
        from django.db import connections

        connections.close_all()
    finally:
        bench_db.drop()


if __name__ == "__main__":
    main()
