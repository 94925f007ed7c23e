"""Time the pages a city's editors work in (their survey's overview, a section, a save, the
review) against N synthetic cities, each page beside its floor.

Usage (from the project root)::

    .venv/bin/python benchmarks/editors.py --cities 200 2000 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/editors.py --cities 200 2000 20000

Same database set-up, options and report as rounds.py (harness.py, with the floor column and
ratio of floor.py). For each N it:

1. makes rounds.py's data (a published round whose N synthetic cities each have a validated
   assessment answering every item of the Charter), then, as benchmarks/load.py does for its
   savers, an open round on the Charter in which the first 15 cities have draft assessments
   (in progress, about half of the rating items answered with a level, evidence and a link),
   and an editor of synthetic-city-0001 (``bench.editor@example.org``), logged in with
   ``Client.force_login``. City 0001's validated answers are its "last time";
2. runs ANALYZE;
3. measures, as that editor: the draft's overview (``/assessments/<pk>/``), the policymaker
   section (three rating items, the section the load test's editors saved most) and the
   organisation section (choice, number and text items), a save, and the review page.

**The save** posts the policymaker section's form as the browser sends it (every field, the
versions it was loaded at, "Save"), each time with one rating answer changed (another level and
a new evidence text, round the section's items); the form's fields then take what was saved and
the answer's new version, as the page the browser is sent back to would show. Timed is the POST
alone (its answer is a redirect to the section page, measured above); a save that is not
redirected there, a conflict say, stops the run. Its floor replays the save's SQL in a
transaction rolled back. ``--profile`` profiles a GET of each page's URL: for the save, the
section page.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from dataclasses import dataclass
from typing import Any

import floor
import harness
import rounds
from harness import Page, Result, check, nearest_rank, run
from load import draft_round, read_form

EDITOR_EMAIL = "bench.editor@example.org"
OPEN_ROUND_TITLE = "Synthetic open round (editors benchmark)"
DRAFTS = 15  # cities with a draft in the open round, as in the load test
EDITED_CITY = "synthetic-city-0001"
SECTION = "policymaker"  # rating items: what the load test's editors saved
MIXED_SECTION = "organisation"  # choice, number and text items
TARGET_PAGE = f"section {SECTION}"
TARGET_RATIO = 3.0


@dataclass(frozen=True)
class Save(Page):
    """A POST of the section form at ``url``, measured by ``measure_save``."""


def pages() -> list[Page]:
    from integratingcities.assessments.models import Assessment

    pk = Assessment.objects.get(round__title=OPEN_ROUND_TITLE, city__slug=EDITED_CITY).pk
    base = f"/assessments/{pk}/"
    return [
        Page("assessment overview", base, client=editor_client),
        Page(TARGET_PAGE, f"{base}sections/{SECTION}/", client=editor_client),
        Page(f"section {MIXED_SECTION}", f"{base}sections/{MIXED_SECTION}/", client=editor_client),
        Save(f"save {SECTION} (POST)", f"{base}sections/{SECTION}/", client=editor_client),
        Page("review", f"{base}review/", client=editor_client),
    ]


def editor_client() -> Any:
    from django.test import Client

    from integratingcities.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=EDITOR_EMAIL))
    return client


# ---------------------------------------------------------------------------------------
# The save


class SectionForm:
    """The section's answer form as the browser holds it: every field, as last shown."""

    def __init__(self, client: Any, url: str) -> None:
        self.client = client
        self.url = url
        form = read_form(
            check(client.get(url), url).content.decode(), lambda a: "data-autosave" in a
        )
        self.fields: dict[str, list[str]] = {}
        for name, value in form.fields:
            self.fields.setdefault(name, []).append(value)
        self.levels = {
            int(name[1:].split("-")[0]): values
            for name, values in form.options.items()
            if name.endswith("-level")
        }
        if not self.levels:
            raise SystemExit(f"no rating item in {url}")
        self.saves = 0

    def next_change(self) -> dict[str, list[str]]:
        """The fields with one answer changed: the next item in turn, another level."""
        self.saves += 1
        items = sorted(self.levels)
        item = items[self.saves % len(items)]
        levels = self.levels[item]
        shown = self.fields.get(f"i{item}-level", [""])[0]
        level = next(key for key in levels[self.saves % len(levels) :] + levels if key != shown)
        return {
            f"i{item}-level": [level],
            f"i{item}-evidence": [f"Benchmark save {self.saves}: {uuid.uuid4().hex}"],
        }

    def post(self, change: dict[str, list[str]]) -> Any:
        response = self.client.post(self.url, {**self.fields, **change, "save": [""]})
        if response.status_code != 302 or response["Location"] != self.url:
            raise SystemExit(f"POST {self.url} answered {response.status_code}, not saved")
        # What the page sent back shows: the saved answer, at its next version.
        item = next(iter(change))[1:].split("-")[0]
        version = f"i{item}-version"
        self.fields |= change
        self.fields[version] = [str(int(self.fields[version][0] or 0) + 1)]
        return response


def measure_save(database: str, n: int, page: Page, runs: int, warmup: int) -> Result:
    floor.install_floor_page()
    form = SectionForm(page.make_client(), page.url)
    for _ in range(warmup):
        form.post(form.next_change())
    change = form.next_change()
    with floor.recorded() as statements:
        form.post(change)

    def timed_save() -> float:
        change = form.next_change()
        start = time.perf_counter()
        form.post(change)
        return (time.perf_counter() - start) * 1000

    times, tiny, sql = floor.side_by_side(timed_save, statements, runs, warmup)
    return floor.FloorResult(
        database=database,
        n=n,
        page=page.name,
        url=page.url,
        queries=len(statements),
        median_ms=statistics.median(times),
        p95_ms=nearest_rank(times, 0.95),
        size_kb=0.0,
        sql=[s[0] for s in statements],
        tiny_ms=statistics.median(tiny),
        sql_ms=statistics.median(sql),
    )


def measure(database: str, n: int, page: Page, runs: int, warmup: int) -> Result:
    if isinstance(page, Save):
        return measure_save(database, n, page, runs, warmup)
    return floor.measure(database, n, page, runs, warmup)


# ---------------------------------------------------------------------------------------
# Synthetic data (after django.setup())


def generate(n: int, seed: int) -> dict[str, int]:
    """rounds.py's published round of n cities, and an open round with drafts to edit."""
    from django.db import transaction

    from integratingcities.accounts.models import Membership, Role, User
    from integratingcities.cities.models import City

    harness.wipe(Membership)  # they name the cities that rounds.generate replaces
    counts = rounds.generate(n, seed)
    rng = random.Random(seed * 7 + n)
    with transaction.atomic():
        cities = list(City.objects.filter(slug__startswith="synthetic-city-").order_by("slug"))
        drafts, _ratings, answers = draft_round(
            OPEN_ROUND_TITLE, cities[:DRAFTS], rng, written_before="the benchmark"
        )
        editor = User.objects.filter(email=EDITOR_EMAIL).first() or User.objects.create_user(
            EDITOR_EMAIL, None, name="Benchmark editor"
        )
        Membership.objects.create(user=editor, city=cities[0], role=Role.EDITOR)
    return counts | {"draft assessments (open round)": len(drafts), "draft answers": answers}


# ---------------------------------------------------------------------------------------
# Targets


def targets(results: list[Result], vendor: str) -> list[str]:
    top = max(r.n for r in results)
    lines = [f"Within {TARGET_RATIO:.0f} times the floor at N={top:,}:\n"]
    for r in results:
        if r.n == top and isinstance(r, floor.FloorResult):
            verdict = "met" if r.ratio <= TARGET_RATIO else "not met"
            lines.append(f"- {r.page}: {r.ratio:.1f} times ({verdict})")
    return lines


def main() -> None:
    floor.install()
    harness.measure = measure  # type: ignore[assignment]
    run(
        description=__doc__.split("\n\n")[0],
        generate=generate,
        pages=pages,
        report=targets,
        interesting="integratingcities|translation|formats|urls/base|query.py"
        "|defaulttags|loader_tags|forms",
    )


if __name__ == "__main__":
    main()
