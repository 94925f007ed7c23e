"""Time the round XLSX export (open data, issue 13) for N synthetic cities, beside its floor.

Usage (from the project root)::

    .venv/bin/python benchmarks/exports.py --cities 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/exports.py --cities 2000

Same database set-up as the other scripts (see harness.py). For each N it generates the round of
rounds.py (one published round of the Charter, N synthetic cities, each with a validated
assessment answering every item), then times, in the same run:

1. **the export**: the downloads builder ``opendata.round_xlsx`` making the workbook, as the
   background task does (read the validated answers, score each city, write a summary sheet
   per role, the overall sheet, every answer, the data dictionary and the about sheet);
2. **reading**: the rows of the same tables, read from the database and shaped, no file;
3. **the floor**: XlsxWriter alone writing the same cells (the same sheets, options and
   values) from a list prepared beforehand: what the file costs whatever the platform does.

Target (issue 13): the XLSX for 2,000 cities in under 10 s on this 2-core machine. Record the
figures in docs/benchmarks.md with the command.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness import BenchDatabase, analyze, machine, parser, prepare_environment, setup_schema

TARGET_S = 10.0


def _median(run: Callable[[], Any], runs: int) -> tuple[Timing, Any]:
    """The median wall time of ``runs`` runs, and the CPU time of this process in them: on a
    machine shared by many, wall time measures the neighbours too; CPU time, the work."""
    times, cpu, found = [], [], None
    for _ in range(runs):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        found = run()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return Timing(statistics.median(times), statistics.median(cpu)), found


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:.2f} s (CPU {self.cpu:.2f} s)"


def _prepared(export: Any) -> list[tuple[str, list[Any], list[list[Any]]]]:
    """The cells of every sheet, as XlsxWriter takes them (naive UTC datetimes, texts)."""
    from integratingcities.lib.tabular import FALSE, LIST_SEPARATOR, TRUE
    from integratingcities.opendata.datasets import OVERALL

    def plain(column: Any, value: Any) -> Any:
        if value is None or value == "" or value == []:
            return None
        if column.type in {"integer", "number"}:
            return float(value)
        if column.type == "boolean":
            return TRUE if value else FALSE
        if column.type == "datetime":
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        if isinstance(value, list):
            return LIST_SEPARATOR.join(map(str, value))
        return str(value)

    def rows(columns: list[Any], found: Any) -> list[list[Any]]:
        return [[plain(c, v) for c, v in zip(columns, row, strict=True)] for row in found]

    summary = export.summary.columns
    at = next(n for n, c in enumerate(summary) if c.name == "role")
    every = list(export.summary.rows())
    sheets = [
        (title[:31], summary, rows(summary, [r for r in every if r[at] == key]))
        for key, title in [*export.sections, (OVERALL, "Overall")]
    ]
    sheets.append(
        ("Answers", export.answers.columns, rows(export.answers.columns, export.answers.rows()))
    )
    return sheets


def _floor(sheets: list[tuple[str, list[Any], list[list[Any]]]]) -> bytes:
    """XlsxWriter alone: the same sheets, options, header, widths and cells."""
    import xlsxwriter

    output = io.BytesIO()
    book = xlsxwriter.Workbook(
        output,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    header = book.add_format({"bold": True})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for number, (title, columns, rows) in enumerate(sheets):
        sheet = book.add_worksheet(f"{number} {title}"[:31])
        for col, column in enumerate(columns):
            sheet.set_column(col, col, column.width)
            sheet.write_string(0, col, column.name, header)
        sheet.freeze_panes(1, 0)
        for row_number, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, float):
                    sheet.write_number(row_number, col, value)
                elif isinstance(value, dt.datetime):
                    sheet.write_datetime(row_number, col, value, stamp)
                else:
                    sheet.write_string(row_number, col, value)
    book.close()
    return output.getvalue()


def _measure(runs: int) -> tuple[Timing, Timing, Timing, int, int, int]:
    """The export, reading alone and the floor, for the round generated last (seconds), with
    the number of answer rows and the sizes of the two files."""
    from rounds import ROUND_TITLE

    from integratingcities.downloads.registry import builder_for
    from integratingcities.lib.tabular import Book
    from integratingcities.opendata.datasets import round_export
    from integratingcities.rounds.models import Round

    builder = builder_for("opendata.round_xlsx")
    assert builder is not None
    # Warm-up, untimed: XlsxWriter imported and used once, as in a worker that has made a file
    # before (with PYTHONDONTWRITEBYTECODE its first import alone compiles for seconds).
    warm = Book()
    warm.table("warm-up", [], [])
    warm.close()
    round_ = Round.objects.select_related("framework").get(title=ROUND_TITLE)
    params = {"round": str(round_.pk)}
    export_s, built = _median(lambda: builder.build(params, lambda p, d: None), runs)
    export = round_export(round_)
    reading_s, _rows = _median(
        lambda: (list(export.summary.rows()), sum(1 for _ in export.answers.rows())), runs
    )
    sheets = _prepared(export)
    floor_s, floor_bytes = _median(lambda: _floor(sheets), runs)
    return export_s, reading_s, floor_s, len(sheets[-1][2]), len(built.content), len(floor_bytes)


def main() -> None:
    args_parser = parser(__doc__.split("\n\n")[0])
    args_parser.set_defaults(cities=[2000], runs=3)
    args = args_parser.parse_args()
    prepare_environment()
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    bench_db = BenchDatabase(os.environ.get("DATABASE_URL"), args.db_name)
    bench_db.create(drop_existing=args.drop_existing)
    try:
        import django

        django.setup()
        from django.db import connections
        from rounds import generate as generate_round

        started = time.perf_counter()
        load_before = os.getloadavg()
        setup_schema()
        lines = [
            "| N cities | answer rows | export (median) | reading only | floor: XlsxWriter alone "
            "| export / floor (CPU) | file size |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        verdicts = []
        data_lines = []
        for n in args.cities:
            counts = generate_round(n, args.seed)
            analyze()
            data_lines.append(f"- N={n:,}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
            export_s, reading_s, floor_s, answers, size, floor_size = _measure(args.runs)
            lines.append(
                f"| {n:,} | {answers:,} | {export_s} | {reading_s} | {floor_s} | "
                f"{export_s.wall / floor_s.wall:.2f} ({export_s.cpu / floor_s.cpu:.2f}) | "
                f"{size / 1e6:.1f} MB (floor {floor_size / 1e6:.1f} MB) |"
            )
            if n == 2000:
                verdicts.append(
                    f"- Target (XLSX for 2,000 cities under {TARGET_S:.0f} s): wall time "
                    f"{'met' if export_s.wall < TARGET_S else 'NOT met'} ({export_s.wall:.2f} s),"
                    f" CPU time {'met' if export_s.cpu < TARGET_S else 'NOT met'} "
                    f"({export_s.cpu:.2f} s)"
                )
            print(f"  N={n}: export {export_s}, floor {floor_s}", file=sys.stderr)
        print(f"### {'SQLite' if bench_db.vendor == 'sqlite' else 'PostgreSQL'}\n")
        print("\n".join(machine(bench_db.vendor)))
        print(f"- median of {args.runs} runs of each\n")
        print("\n".join(data_lines) + "\n")
        print("\n".join(lines) + "\n")
        if verdicts:
            print("\n".join(verdicts) + "\n")
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
