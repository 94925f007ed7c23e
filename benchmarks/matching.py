"""Time mentor matching (issue 15) for N candidate cities, beside the solver alone.

Usage (from the project root)::

    .venv/bin/python benchmarks/matching.py --cities 20 200 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/matching.py --cities 20 200 2000

Same database set-up as the other scripts (see harness.py). For each N the data is that of
``selftests.py``: N synthetic cities (``is_illustrative=True``), each with a validated self-test
of the anti-discrimination benchmark answering all 34 guide questions, scores recorded as
validation records them. Then half the cities, drawn at random, are implementing cities and the
other half are willing mentors, each with a capacity of 1 to 4; schemes hold 5 cities.

It times, in one run on the same data:

- **matching, cold**: what the page does before it renders, ``matching_inputs.propose``:
  ``matching_inputs`` (each city's latest validated self-test and its headlines from the results
  module, the lowest-level counts, the peer-group figures) and ``matching.match`` (benefit and
  similarity matrices, the assignment, reasons, schemes), with Django's cache cleared first, so
  the peers are read and scored again;
- **matching, warm**: the same with the peers cached, as after any request in a running server;
- **the matrices**: ``benefit_matrix`` and ``similarity_matrix`` alone;
- **solver alone (the floor)**: ``matching.assign`` (``linear_sum_assignment`` on the cost
  matrix with each mentor repeated ``capacity`` times) on the same matrices;
- **the page**: ``GET /mentoring/matching/?…`` as the secretariat (warm), rendered in full.

Median and nearest-rank p95 of the wall time over ``--runs`` runs after ``--warmup``, the median
CPU time of the process (``time.process_time``: on a shared machine it says what a run costs
whatever else is running; the database's own work in another process is not in it), and the
SQL queries of one run.
Target (issue 15): matching under 2 s at N = 2,000 on this machine.
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from harness import (
    BenchDatabase,
    analyze,
    machine,
    nearest_rank,
    parser,
    prepare_environment,
    setup_schema,
)
from selftests import LINEAGE, generate

TARGET_S = 2.0
SCHEME_SIZE = 5
STAFF_EMAIL = "bench.secretariat@example.org"


@dataclass
class Timing:
    n: int
    name: str
    queries: int
    median_ms: float
    p95_ms: float
    cpu_ms: float  # median CPU time of this process: what the run costs, whatever the load
    note: str = ""


def timed(
    n: int,
    name: str,
    work: Callable[[], Any],
    runs: int,
    warmup: int,
    before: Callable[[], None] = lambda: None,
    note: Callable[[Any], str] = lambda _result: "",
) -> Timing:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        before()
        work()
    before()
    with CaptureQueriesContext(connection) as captured:
        result = work()
    # Read the count now: the next request's request_started signal clears the log.
    queries = len(captured.captured_queries)
    samples = []
    cpu = []
    for _ in range(runs):
        before()
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    found = Timing(
        n,
        name,
        queries,
        statistics.median(samples),
        nearest_rank(samples, 0.95),
        statistics.median(cpu),
        note(result),
    )
    print(f"  N={n} {name}: {found.median_ms:.1f} ms", file=sys.stderr, flush=True)
    return found


def measure(n: int, seed: int, runs: int, warmup: int) -> list[Timing]:
    from django.core.cache import cache
    from django.test import Client

    from integratingcities.accounts.models import User
    from integratingcities.cities.models import City
    from integratingcities.mentoring import matching
    from integratingcities.mentoring.matching_inputs import benchmarks, matching_inputs, propose

    framework = next(f for f in benchmarks() if f.lineage == LINEAGE)
    rng = random.Random(seed * 7 + n)
    cities = list(City.objects.order_by("slug").values_list("pk", "slug"))
    rng.shuffle(cities)
    implementing = [pk for pk, _slug in cities[: n // 2]]
    capacities = {pk: rng.randint(1, 4) for pk, _slug in cities[n // 2 :]}
    everyone = [*implementing, *capacities]

    def whole() -> matching.Proposal:
        return propose(framework, implementing, capacities, SCHEME_SIZE)[1]

    def described(proposal: matching.Proposal) -> str:
        return (
            f"{len(proposal.schemes)} schemes, {len(proposal.pairs)} pairs, "
            f"{len(proposal.unmatched)} unmatched"
        )

    inputs = matching_inputs(framework, everyone, implementing)
    own = [inputs.profiles[pk] for pk in implementing]
    mentors = [inputs.profiles[pk] for pk in capacities]
    benefits = matching.benefit_matrix(own, mentors, inputs.factors)
    similarity = matching.similarity_matrix(own, mentors)
    columns = sum(min(c, n // 2) for c in capacities.values())
    shape = f"{len(own)} x {columns} (cost matrix)"

    staff = User.objects.filter(email=STAFF_EMAIL).first() or User.objects.create_user(
        STAFF_EMAIL, None, is_staff=True
    )
    client = Client()
    client.force_login(staff)
    slugs = dict(cities)
    url = "/mentoring/matching/?" + urlencode(
        {
            "benchmark": LINEAGE,
            "implementing": "\n".join(slugs[pk] for pk in implementing),
            "mentors": "\n".join(f"{slugs[pk]}, {c}" for pk, c in capacities.items()),
            "scheme_size": SCHEME_SIZE,
        }
    )

    def page() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"the matching page answered {response.status_code}")
        return response

    return [
        timed(n, "matching, cold", whole, runs, warmup, before=cache.clear, note=described),
        timed(n, "matching, warm", whole, runs, warmup, note=described),
        timed(
            n,
            "benefit and similarity matrices",
            lambda: (
                matching.benefit_matrix(own, mentors, inputs.factors),
                matching.similarity_matrix(own, mentors),
            ),
            runs,
            warmup,
        ),
        timed(
            n,
            "solver alone (the floor)",
            lambda: matching.assign(benefits, list(capacities.values()), similarity),
            runs,
            warmup,
            note=lambda _found: shape,
        ),
        timed(
            n,
            "the page (secretariat, warm)",
            page,
            max(3, runs // 2),
            1,
            note=lambda response: f"{len(response.content) / 1024:,.0f} KB",
        ),
    ]


def main() -> None:
    p = parser(__doc__.split("\n\n")[0])
    p.set_defaults(runs=7, warmup=1)
    args = p.parse_args()
    prepare_environment()
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    database = BenchDatabase(os.environ.get("DATABASE_URL"), args.db_name)
    database.create(drop_existing=args.drop_existing)
    try:
        import django

        django.setup()
        started = time.perf_counter()
        load_before = os.getloadavg()
        setup_schema()
        results: list[Timing] = []
        data_lines = []
        for n in args.cities:
            counts = generate(n, args.seed)
            analyze()
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            data_lines.append(f"- N={n:,}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
            results += measure(n, args.seed, args.runs, args.warmup)
        print(f"### {'SQLite' if database.vendor == 'sqlite' else 'PostgreSQL'}\n")
        print("\n".join(machine(database.vendor)))
        print(f"- {args.runs} timed runs after {args.warmup} warm-up runs (the page: fewer)\n")
        print("\n".join(data_lines) + "\n")
        print("| What | N cities | SQL queries | median (ms) | p95 (ms) | CPU (ms) | |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for name in dict.fromkeys(r.name for r in results):
            for r in (r for r in results if r.name == name):
                print(
                    f"| {name} | {r.n:,} | {r.queries} | {r.median_ms:.1f} | {r.p95_ms:.1f} "
                    f"| {r.cpu_ms:.1f} | {r.note} |"
                )
        top = max(args.cities)
        print("\nTarget:\n")
        for name in ("matching, cold", "matching, warm"):
            found = next(r for r in results if r.name == name and r.n == top)
            verdict = "met" if found.median_ms < TARGET_S * 1000 else "MISSED"
            print(
                f"- {name} at N={top:,}: median {found.median_ms / 1000:.2f} s "
                f"(CPU {found.cpu_ms / 1000:.2f} s), target < {TARGET_S:.0f} s: {verdict}"
            )
        counts_by_name = {
            name: {r.queries for r in results if r.name == name and r.queries}
            for name in dict.fromkeys(r.name for r in results)
        }
        growing = [name for name, counts in counts_by_name.items() if len(counts) > 1]
        print(
            "- query count flat in N: "
            + ("met" if not growing else "MISSED on " + ", ".join(growing))
        )
        load_after = os.getloadavg()
        print(
            f"\nWhole run: {time.perf_counter() - started:.0f} s; 1-minute load average "
            f"{load_before[0]:.2f} before, {load_after[0]:.2f} after"
        )
    finally:
        database.drop()


if __name__ == "__main__":
    main()
