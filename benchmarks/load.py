"""The real server under load: gunicorn, many simultaneous users, fixed duration, loopback only.

Usage (from the project root)::

    # SQLite (a temporary file)
    .venv/bin/python benchmarks/load.py --cities 50 --users 10 --duration 10
    # PostgreSQL: a throwaway cluster of its own (initdb as .ci/run does), removed at the end
    .venv/bin/python benchmarks/load.py --start-postgres --cities 2000 --users 50 --duration 60
    # or a server you may create databases on (the script makes ``ic_load`` and drops it)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/load.py
    # each public page alone, hammered by --users users (requests a second)
    .venv/bin/python benchmarks/load.py --start-postgres --rate-test
    .venv/bin/python benchmarks/load.py --rate-test /signatories/ /cities/

It makes its own database (harness.BenchDatabase), runs the migrations, imports the Charter, and
generates: N synthetic cities with a published round of validated answers (rounds.py); an open
round in which the first ``--savers`` cities have a draft assessment (half of the rating items
answered) and an editor account each, whose password the script knows; the practice library
(practices.py, ``--practices`` practices). It collects the static files into a temporary
directory (the production storage: compressed, fingerprinted, served by WhiteNoise), then starts
``gunicorn config.wsgi`` on 127.0.0.1 (a free port; ``--workers``; production settings:
DEBUG=false, only cookies without the Secure flag and no HTTPS redirect, since there is no TLS
proxy on the loopback). The settings module is config.settings with two additions, in a
temporary module: STATIC_ROOT in the temporary directory, and a tiny page (``/bench-tiny/``,
"ok" through every middleware), the server's own ceiling.

Then, after a warm-up that is not counted, ``--users`` threads (each with its own HTTP session,
cookies and connections, sending what a browser sends) use the site for ``--duration`` seconds
with no pause between requests (``--think`` adds one):

- savers (``--savers``, 30 % of the users by default): log in through the login form (CSRF),
  open their assessment, then again and again open one of its rating sections, change one
  answer (a level and a unique evidence text) and post the whole form as the browser does (the
  Save button). A save counts as confirmed when the server answers with the redirect to the
  section (what ``section_edit`` does after saving), and the page it leads to shows the text;
- browsers (the others): the home page, signatories, the cities list, a city's page, the round
  results, a city's round results, the practice library with and without a search, a practice's
  page and the API's cities list, each a fresh draw; and on their first visit the page's static
  files. With ``--revalidate`` they send If-None-Match with the ETag they were given (off by
  default: the figures are the worst case).

Then the tiny page alone, hammered by the same number of users (``--rate-seconds``), and with
``--rate-test`` each public page alone likewise instead of the mixed run. Afterwards every save
the server confirmed is looked up in the database through the ORM: in the answers' history (each
save's text is unique) and, for the last save of each answer, in the answer itself. Missing or
different ones are "lost answers" (target 0).

It prints Markdown to stdout (progress to stderr): the machine, the data, per kind of request
the requests, requests a second, median, p95, max and errors (any status other than 2xx/3xx, a
timeout, a refused connection, a save not confirmed) with the first error samples, the lost
answers, and the server's log of errors (tracebacks) if any. The issue's targets: 95th
percentile under 500 ms, no error, no lost answer; each public page 100 requests a second.

Bounded: at most 600 s and 200 users; only 127.0.0.1. ``import benchmarks.load`` starts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent
HOST = "127.0.0.1"
MAX_DURATION = 600
MAX_USERS = 200
PASSWORD = "load-test-password-7Qm2"  # noqa: S105 (synthetic accounts in a throwaway database)
EDITOR_EMAIL = "load.editor{:03d}@example.org"
OPEN_ROUND_TITLE = "Synthetic open round (load test)"
TINY_URL = "/bench-tiny/"
TIMEOUT = (5, 60)  # connect, read (seconds)
TARGET_P95_MS = 500.0
TARGET_RATE = 100.0
BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 "
    "(integratingcities load test)",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Encoding": "gzip, deflate",
}
LANGUAGES = ["en-GB,en;q=0.9", "en-US,en;q=0.8", "fr-FR,fr;q=0.9,en;q=0.5", "de-DE,de;q=0.8"]


# ---------------------------------------------------------------------------------------
# Options


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cities", type=int, default=2000, metavar="N")
    p.add_argument("--practices", type=int, default=3000, metavar="N")
    p.add_argument("--users", type=int, default=50, help="simultaneous users (at most 200)")
    p.add_argument("--savers", type=int, help="of the users, how many save answers (30 %%)")
    p.add_argument("--duration", type=float, default=60, help="counted seconds (at most 600)")
    p.add_argument("--warmup", type=float, default=10, help="seconds before counting")
    p.add_argument("--think", type=float, default=0, help="pause after each request (s)")
    p.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    p.add_argument(
        "--revalidate", action="store_true", help="browsers send If-None-Match with their ETag"
    )
    p.add_argument(
        "--rate-test",
        nargs="*",
        metavar="URL",
        help="instead of the mixed run, hammer each public page (or these paths) alone",
    )
    p.add_argument("--rate-seconds", type=float, default=10, help="counted seconds per page")
    p.add_argument(
        "--start-postgres", action="store_true", help="a throwaway PostgreSQL cluster of its own"
    )
    p.add_argument("--db-name", default="ic_load", help="PostgreSQL database to create")
    p.add_argument("--drop-existing", action="store_true")
    p.add_argument("--seed", type=int, default=2024)
    args = p.parse_args(argv)
    if not 0 < args.duration <= MAX_DURATION or not 0 < args.rate_seconds <= MAX_DURATION:
        p.error(f"durations are between 0 and {MAX_DURATION} seconds")
    if not 0 <= args.warmup <= 120 or not 0 <= args.think <= 60:
        p.error("--warmup is at most 120 s and --think at most 60 s")
    if not 1 <= args.users <= MAX_USERS:
        p.error(f"--users is between 1 and {MAX_USERS}")
    if args.savers is None:
        args.savers = round(0.3 * args.users)
    if not 0 <= args.savers <= args.users:
        p.error("--savers is between 0 and --users")
    if not 1 <= args.cities <= 20_000 or not 1 <= args.practices <= 100_000:
        p.error("--cities is between 1 and 20,000, --practices between 1 and 100,000")
    if args.savers > args.cities:
        p.error("--savers is at most --cities (one city each)")
    if not 1 <= args.workers <= 16:
        p.error("--workers is between 1 and 16")
    if args.start_postgres and os.environ.get("DATABASE_URL"):
        p.error("--start-postgres and DATABASE_URL exclude each other")
    args.rate_paths = [loopback_path(p, url) for url in args.rate_test or []]
    return args


def loopback_path(p: argparse.ArgumentParser, url: str) -> str:
    """A path on the server started here: "/x/", or an address on 127.0.0.1 reduced to its path."""
    parts = urlsplit(url)
    if (parts.scheme or parts.netloc) and (parts.scheme != "http" or parts.hostname != HOST):
        p.error(f"{url}: only pages of the server on {HOST} are requested")
    if not parts.path.startswith("/"):
        p.error(f"{url}: give a path starting with /")
    return parts.path + (f"?{parts.query}" if parts.query else "")


# ---------------------------------------------------------------------------------------
# A throwaway PostgreSQL cluster, as .ci/run makes one


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts[-3])
    if not bins:
        raise SystemExit("--start-postgres: no /usr/lib/postgresql/*/bin/initdb")
    bin_dir = bins[-1].parent
    root = os.geteuid() == 0
    pg_dir = Path(tempfile.mkdtemp(prefix="ic-load-pg."))
    if root:
        shutil.chown(pg_dir, "postgres")
    port = free_port()
    data, log = pg_dir / "data", pg_dir / "log"

    def as_postgres(command: str) -> None:
        shell = ["su", "postgres", "-s", "/bin/sh", "-c"] if root else ["/bin/sh", "-c"]
        subprocess.run([*shell, command], check=True, stdout=subprocess.DEVNULL)  # noqa: S603

    try:
        as_postgres(f"{bin_dir}/initdb -D {data} -U postgres -A trust -E UTF8 --locale=C.UTF-8")
        options = f"-p {port} -k {pg_dir} -c listen_addresses={HOST} -c fsync=off"
        as_postgres(f"{bin_dir}/pg_ctl -D {data} -l {log} -w -o '{options}' start")
        progress(f"PostgreSQL ({bin_dir}) on {HOST}:{port}, data in {data}")
        yield f"postgres://postgres@{HOST}:{port}/postgres"
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            as_postgres(f"{bin_dir}/pg_ctl -D {data} -m fast stop")
        shutil.rmtree(pg_dir, ignore_errors=True)
        progress("PostgreSQL stopped and removed")


# ---------------------------------------------------------------------------------------
# Settings for the server: production, plus the static files' place and the tiny page

SETTINGS_MODULE = """\
import os
from pathlib import Path

from config.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["IC_LOAD_STATIC_ROOT"])
ROOT_URLCONF = "ic_load_urls"
"""

URLS_MODULE = """\
from django.http import HttpResponse
from django.urls import include, path

from config.urls import handler403, handler404, handler500  # noqa: F401


def tiny(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path({tiny!r}, tiny), path("", include("config.urls"))]
"""


def write_settings(directory: Path) -> None:
    (directory / "ic_load_settings.py").write_text(SETTINGS_MODULE)
    (directory / "ic_load_urls.py").write_text(URLS_MODULE.format(tiny=TINY_URL.lstrip("/")))


def collected_static() -> Path:
    """The static files as collectstatic leaves them for production (fingerprinted, gzip and
    brotli), kept between runs in the temporary directory under a key of the sources: the
    compression of the admin's and the API docs' files costs the better part of a minute."""
    import hashlib
    from importlib.metadata import version

    key = hashlib.sha256()
    for package in ("django", "django-ninja", "whitenoise"):
        key.update(f"{package} {version(package)}\n".encode())
    for path in sorted((ROOT / "static").rglob("*")):
        stat = path.stat()
        key.update(f"{path.relative_to(ROOT)} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    final = Path(tempfile.gettempdir()) / "ic-load-static" / key.hexdigest()[:16]
    if final.is_dir():
        progress(f"static files: {final} (collected by an earlier run)")
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix="partial-", dir=final.parent))
    progress(f"collectstatic into {final}")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, "IC_LOAD_STATIC_ROOT": str(partial)},
        check=True,
    )
    try:
        partial.rename(final)
    except OSError:  # another run got there first
        shutil.rmtree(partial, ignore_errors=True)
    return final


def server_environment(port: int, directory: Path) -> None:
    """What the script and the server share (DATABASE_URL is set by BenchDatabase)."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "ic_load_settings",
            "DEBUG": "false",
            "SECRET_KEY": "load-test-secret-not-for-production",
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": f"http://{HOST}:{port}",
            # No TLS proxy on the loopback: no redirect to https, cookies without Secure.
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "STATIC_MANIFEST": "true",
            "PYTHONPATH": os.pathsep.join([str(directory), str(ROOT)]),
            "PYTHONUNBUFFERED": "1",
        }
    )
    sys.path.insert(0, str(directory))


# ---------------------------------------------------------------------------------------
# Data (after django.setup())


@dataclass(frozen=True)
class Saver:
    email: str
    assessment: int
    sections: tuple[str, ...]


@dataclass(frozen=True)
class Data:
    cities: int
    practices: int
    round_pk: int
    savers: tuple[Saver, ...]
    counts: dict[str, int]


def draft_round(
    title: str, cities: list[Any], rng: random.Random, *, written_before: str
) -> tuple[list[Any], list[Any], int]:
    """An open round on the Charter (``title``) in which each of ``cities`` has a draft in
    progress answering about half of the rating items (a level, evidence and a link): the
    drafts, the rating items in order (their sections read) and the number of answers. For
    the load test's savers and the editors benchmark's editor."""
    import rounds
    from django.utils import timezone

    from integratingcities.accounts.models import User
    from integratingcities.assessments.models import Answer, Assessment, AssessmentState
    from integratingcities.frameworks.models import Framework, Item, ItemKind, Level
    from integratingcities.rounds.models import Round, RoundStatus

    charter = Framework.objects.get(lineage="charter", status="published")
    open_round = Round.objects.create(
        title=title,
        framework=charter,
        opens_on=dt.date.today() - dt.timedelta(days=30),
        closes_on=dt.date.today() + dt.timedelta(days=60),
        status=RoundStatus.OPEN,
        is_illustrative=True,
        created_by=User.objects.get(email=rounds.STAFF_EMAIL),
    )
    drafts = Assessment.objects.bulk_create(
        Assessment(
            city=city,
            framework=charter,
            round=open_round,
            state=AssessmentState.IN_PROGRESS,
            is_illustrative=True,
            last_activity_at=timezone.now(),
        )
        for city in cities
    )
    ratings = list(
        Item.objects.filter(section__framework=charter, kind=ItemKind.RATING)
        .select_related("section")
        .order_by("section__position", "position")
    )
    levels: dict[int | None, list[Level]] = {}
    for level in Level.objects.filter(scale__framework=charter).exclude(key="not_applicable"):
        levels.setdefault(level.scale_id, []).append(level)
    answers = Answer.objects.bulk_create(
        Answer(
            assessment=draft,
            item=item,
            level=rng.choice(levels[item.scale_id]),
            evidence=f"Draft evidence for {item.key}, written before {written_before}.",
            links=[f"https://example.org/{item.key}"],
            is_answered=True,
            version=1,
        )
        for draft in drafts
        for item in ratings
        if rng.random() < 0.5
    )
    Assessment.objects.filter(pk__in=[d.pk for d in drafts]).recount_answered()
    return drafts, ratings, len(answers)


def generate(args: argparse.Namespace) -> Data:
    import harness
    import practices
    import rounds
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from integratingcities.accounts.models import Membership, Role, User
    from integratingcities.cities.models import City
    from integratingcities.rounds.models import Round

    counts = rounds.generate(args.cities, args.seed)
    # practices.py replaces the cities too, which the rounds' assessments now refer to: here
    # it adds its 200 cities ("synthetic-city-001", other slugs) beside them.
    practices.wipe = lambda *models: harness.wipe(*(m for m in models if m is not City))
    counts |= {f"library: {k}": v for k, v in practices.generate(args.practices, args.seed).items()}

    rng = random.Random(args.seed)
    with transaction.atomic():
        cities = list(City.objects.filter(slug__startswith="synthetic-city-").order_by("slug"))
        cities = [c for c in cities if len(c.slug) == len("synthetic-city-0001")][: args.savers]
        assessments, ratings, _answers = draft_round(
            OPEN_ROUND_TITLE, cities, rng, written_before="the load test"
        )
        hashed = make_password(PASSWORD)  # once: each hash costs the server's hasher's time
        users = User.objects.bulk_create(
            User(email=EDITOR_EMAIL.format(i), name=f"Load editor {i}", password=hashed)
            for i in range(1, len(cities) + 1)
        )
        Membership.objects.bulk_create(
            Membership(user=user, city=city, role=Role.EDITOR)
            for user, city in zip(users, cities, strict=True)
        )
    sections = tuple(dict.fromkeys(item.section.key for item in ratings))
    published = Round.objects.get(title=rounds.ROUND_TITLE)
    counts |= {"open-round draft assessments (savers' cities)": len(assessments)}
    return Data(
        cities=args.cities,
        practices=args.practices,
        round_pk=published.pk,
        savers=tuple(
            Saver(user.email, assessment.pk, sections)
            for user, assessment in zip(users, assessments, strict=True)
        ),
        counts=counts,
    )


# ---------------------------------------------------------------------------------------
# The server

# The kind of request the client named, and the microseconds the worker spent on it.
ACCESS_FORMAT = "%({x-load-kind}i)s %(D)s"


def server_times(access_log: Path) -> dict[str, list[float]]:
    """Per kind of counted request, the worker's time (ms) from gunicorn's access log."""
    times: dict[str, list[float]] = {}
    if not access_log.exists():
        return times
    for line in access_log.read_text(errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "1" and parts[2].isdigit():
            times.setdefault(unquote(parts[0]), []).append(int(parts[2]) / 1000)
    return times


class Server:
    """gunicorn config.wsgi on 127.0.0.1, in a process group of its own; stopped on exit."""

    def __init__(self, port: int, workers: int, log: Path) -> None:
        self.port = port
        self.base = f"http://{HOST}:{port}"
        self.log = log
        self.access_log = log.with_name("access.log")
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 (fixed arguments)
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--bind",
                    f"{HOST}:{self.port}",
                    "--workers",
                    str(self.workers),
                    "--timeout",
                    "60",
                    "--no-control-socket",
                    "--access-logfile",
                    str(self.access_log),
                    "--access-logformat",
                    ACCESS_FORMAT,
                ],
                cwd=ROOT,
                env=os.environ.copy(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        import requests

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped:\n{self.tail()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.base + TINY_URL, timeout=2).status_code == 200:
                    progress(f"gunicorn answers on {self.base} ({self.workers} workers)")
                    return self
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within 60 s:\n{self.tail()}")

    def __exit__(self, *exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: the workers finish their request
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        progress("gunicorn stopped")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


# ---------------------------------------------------------------------------------------
# Forms, as a browser reads and submits them


class FormReader(HTMLParser):
    """The fields of the first form whose attributes match, as the browser would submit them
    (without any button), and the values each radio or checkbox name offers."""

    def __init__(self, match: Callable[[dict[str, str]], bool]) -> None:
        super().__init__(convert_charrefs=True)
        self.match = match
        self.state = "before"  # inside, after
        self.fields: list[tuple[str, str]] = []
        self.options: dict[str, list[str]] = {}
        self.textarea: str | None = None
        self.text: list[str] = []
        self.select: tuple[str, bool] | None = None
        self.selected: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.state == "before" and self.match(a):
            self.state = "inside"
            return
        if self.state != "inside" or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("radio", "checkbox"):
                self.options.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            else:
                self.fields.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []
        elif tag == "select" and name:
            self.select, self.selected = (name, "multiple" in a), []
        elif tag == "option" and self.select:
            self.selected.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self.state != "inside":
            return
        if tag == "textarea" and self.textarea is not None:
            value = "".join(self.text)
            # HTML drops one newline right after <textarea>.
            value = value[2:] if value.startswith("\r\n") else value.removeprefix("\n")
            self.fields.append((self.textarea, value))
            self.textarea = None
        elif tag == "select" and self.select:
            name, multiple = self.select
            chosen = [v for v, on in self.selected if on]
            if not chosen and not multiple and self.selected:
                chosen = [self.selected[0][0]]
            self.fields.extend((name, v) for v in chosen)
            self.select = None
        elif tag == "form":
            self.state = "after"


def read_form(html: str, match: Callable[[dict[str, str]], bool]) -> FormReader:
    reader = FormReader(match)
    reader.feed(html)
    if reader.state == "before":
        raise ValueError("form not found in the page")
    return reader


STATIC_LINK = re.compile(r'(?:href|src)="(/static/[^"]+)"')


# ---------------------------------------------------------------------------------------
# Users


@dataclass
class Sample:
    kind: str
    start: float
    ms: float
    error: str = ""
    status: int = 0


@dataclass
class Window:
    start: float
    end: float
    stop: threading.Event = field(default_factory=threading.Event)

    def over(self) -> bool:
        return self.stop.is_set() or time.monotonic() >= self.end


@dataclass(frozen=True)
class Confirmed:
    assessment: int
    item: int
    level: str
    evidence: str
    at: float


class User:
    """One person with a browser: a session (cookies, connections) and a record of requests."""

    def __init__(self, base: str, window: Window, rng: random.Random, think: float) -> None:
        import requests

        self.base = base
        self.window = window
        self.rng = rng
        self.think = think
        self.http = requests.Session()
        self.http.headers.update(BROWSER_HEADERS)
        self.http.headers["Accept-Language"] = rng.choice(LANGUAGES)
        self.samples: list[Sample] = []

    def request(
        self, kind: str, method: str, path: str, *, ok: tuple[int, ...] = (), **kw: Any
    ) -> Any:
        """The response, or None after an error (recorded); 2xx and 3xx are fine by default."""
        import requests

        start = time.monotonic()
        error = ""
        response = None
        # Named in gunicorn's access log, which gives the time spent in the worker.
        counted = self.window.start <= start < self.window.end
        headers = {**kw.pop("headers", {}), "X-Load-Kind": f"{quote(kind)} {int(counted)}"}
        try:
            response = self.http.request(
                method,
                urljoin(self.base, path),
                timeout=TIMEOUT,
                allow_redirects=False,
                headers=headers,
                **kw,
            )
            good = response.status_code in ok if ok else response.status_code < 400
            if not good:
                error = f"{response.status_code} {method} {path}"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__} {method} {path}: {str(exc)[:160]}"
        status = response.status_code if response is not None else 0
        self.samples.append(Sample(kind, start, (time.monotonic() - start) * 1000, error, status))
        if self.think:
            time.sleep(self.think)
        return None if error else response

    def fail(self, kind: str, message: str) -> None:
        """A request that answered but not as it should (recorded as an error of its own)."""
        self.samples.append(Sample(kind, time.monotonic(), 0.0, message))

    def run(self) -> None:
        try:
            self.visit()
        except Exception as exc:  # a bug of the script shows in the report, not as a hang
            self.fail("script", f"{type(exc).__name__}: {exc}")

    def visit(self) -> None:
        raise NotImplementedError


class Browser(User):
    """An anonymous visitor going from public page to public page."""

    def __init__(self, *a: Any, pages: list[tuple[str, Callable[[], str], int]], revalidate: bool):
        super().__init__(*a)
        self.kinds = [kind for kind, _, _ in pages]
        self.makers = {kind: make for kind, make, _ in pages}
        self.weights = [weight for _, _, weight in pages]
        self.revalidate = revalidate
        self.etags: dict[str, str] = {}

    def visit(self) -> None:
        first = True
        while not self.window.over():
            kind = self.rng.choices(self.kinds, self.weights)[0]
            path = self.makers[kind]()
            headers = {}
            if self.revalidate and path in self.etags:
                headers["If-None-Match"] = self.etags[path]
            response = self.request(kind, "GET", path, headers=headers)
            if response is None:
                continue
            if "ETag" in response.headers:
                self.etags[path] = response.headers["ETag"]
            if first and response.status_code == 200:
                # A first visit fetches the page's static files; then the browser keeps them.
                first = False
                for asset in dict.fromkeys(STATIC_LINK.findall(response.text)):
                    self.request("static file (first visit)", "GET", asset, ok=(200,))


class Editor(User):
    """A city editor saving answers: logs in, then opens a section, changes one answer, saves."""

    def __init__(self, *a: Any, saver: Saver, label: str) -> None:
        super().__init__(*a)
        self.saver = saver
        self.label = label
        self.confirmed: list[Confirmed] = []
        self.http.headers["Accept-Language"] = "en-GB,en;q=0.9"

    def post_form(self, kind: str, path: str, fields: list[tuple[str, str]]) -> Any:
        return self.request(
            kind,
            "POST",
            path,
            data=fields,
            headers={"Origin": self.base, "Referer": urljoin(self.base, path)},
        )

    def visit(self) -> None:
        login = "/accounts/login/"
        page = self.request("login page", "GET", login, ok=(200,))
        if page is None:
            return
        form = read_form(page.text, lambda a: a.get("method", "").lower() == "post")
        fields = [(k, v) for k, v in form.fields if k not in ("username", "password")]
        fields += [("username", self.saver.email), ("password", PASSWORD)]
        answer = self.post_form("login", login, fields)
        if answer is None:
            return
        if answer.status_code != 302 or "/login/" in answer.headers.get("Location", ""):
            self.fail("login", f"login refused for {self.saver.email}: {answer.status_code}")
            return
        assessment = f"/assessments/{self.saver.assessment}/"
        self.request("assessment page", "GET", assessment, ok=(200,))
        number = 0
        while not self.window.over():
            key = self.rng.choice(self.saver.sections)
            path = f"{assessment}sections/{key}/"
            page = self.request("section page", "GET", path, ok=(200,))
            if page is None:
                continue
            number += 1
            self.save(path, page.text, number)

    def save(self, path: str, html: str, number: int) -> None:
        form = read_form(html, lambda a: "data-autosave" in a)
        items = sorted(
            {int(name[1:].split("-")[0]) for name in form.options if name.endswith("-level")}
        )
        if not items:
            self.fail("save", f"no rating item in {path}")
            return
        item = self.rng.choice(items)
        level = self.rng.choice(form.options[f"i{item}-level"])
        evidence = f"Load test {self.label}, save {number}: {uuid.uuid4().hex}"
        changed = {f"i{item}-level": level, f"i{item}-evidence": evidence}
        fields = [(k, v) for k, v in form.fields if k not in changed]
        fields += [*changed.items(), ("save", "")]
        answer = self.post_form("save", path, fields)
        if answer is None:
            return
        where = urlsplit(answer.headers.get("Location", "")).path
        if answer.status_code != 302 or where != path:
            self.fail("save", f"save not confirmed: {answer.status_code} to {where or '-'}")
            return
        self.confirmed.append(
            Confirmed(self.saver.assessment, item, level, evidence, time.monotonic())
        )
        # The browser follows the redirect: the section again, with the message and the text.
        after = self.request("section page after save", "GET", path, ok=(200,))
        if after is not None:
            shown = dict(read_form(after.text, lambda a: "data-autosave" in a).fields)
            if shown.get(f"i{item}-evidence") != evidence:
                self.fail("save", f"saved text not shown after the save of item {item}")


def browse_pages(data: Data, rng: random.Random) -> list[tuple[str, Callable[[], str], int]]:
    """What a browser may ask for: (kind, a path drawn afresh each time, weight)."""
    import practices

    results = f"/rounds/{data.round_pk}/results/"
    words = [practices.COMMON, practices.PAIR, practices.PHRASE, practices.RARE]

    def city() -> str:
        return f"synthetic-city-{rng.randint(1, data.cities):04d}"

    return [
        ("home", lambda: "/", 1),
        ("signatories", lambda: "/signatories/", 1),
        ("cities list", lambda: "/cities/", 1),
        ("city page", lambda: f"/cities/{city()}/", 2),
        ("round results", lambda: results, 1),
        ("city's round results", lambda: f"{results}{city()}/", 2),
        ("practice library", lambda: "/practices/", 1),
        ("library search ?q=", lambda: f"/practices/?q={rng.choice(words)}", 2),
        (
            "practice page",
            lambda: f"/practices/synthetic-practice-{rng.randint(1, data.practices):06d}/",
            2,
        ),
        ("API cities list", lambda: "/api/v1/cities/", 1),
    ]


PathMaker = Callable[[random.Random], str]


def rate_pages(data: Data) -> list[tuple[str, PathMaker]]:
    """The public pages for --rate-test: one address each, which the shared page cache keeps
    after the first request; and a city's pages and a practice's drawn afresh for each request,
    as many visitors reading different cities would ask for them."""
    results = f"/rounds/{data.round_pk}/results/"

    def fixed(path: str) -> PathMaker:
        return lambda rng: path

    def city(rng: random.Random) -> str:
        return f"synthetic-city-{rng.randint(1, data.cities):04d}"

    return [
        ("home", fixed("/")),
        ("signatories", fixed("/signatories/")),
        ("cities list", fixed("/cities/")),
        ("city page", fixed("/cities/synthetic-city-0001/")),
        ("city page, a random city", lambda rng: f"/cities/{city(rng)}/"),
        ("round results", fixed(results)),
        ("city's round results", fixed(f"{results}synthetic-city-0001/")),
        ("city's round results, a random city", lambda rng: f"{results}{city(rng)}/"),
        ("practice library", fixed("/practices/")),
        ("library search ?q=discrimination", fixed("/practices/?q=discrimination")),
        ("practice page", fixed("/practices/synthetic-practice-000001/")),
        (
            "practice page, a random practice",
            lambda rng: f"/practices/synthetic-practice-{rng.randint(1, data.practices):06d}/",
        ),
        ("API cities list", fixed("/api/v1/cities/")),
    ]


class Hammer(User):
    """One page again and again (the rate test and the tiny page)."""

    def __init__(self, *a: Any, kind: str, path: PathMaker, revalidate: bool) -> None:
        super().__init__(*a)
        self.kind, self.path, self.revalidate = kind, path, revalidate
        self.etags: dict[str, str] = {}

    def visit(self) -> None:
        while not self.window.over():
            path = self.path(self.rng)
            etag = self.etags.get(path)
            headers = {"If-None-Match": etag} if self.revalidate and etag else {}
            response = self.request(self.kind, "GET", path, headers=headers)
            if response is not None and "ETag" in response.headers:
                self.etags[path] = response.headers["ETag"]


@dataclass
class Phase:
    title: str
    users: list[User]
    window: Window
    client_cpu_s: float = 0.0

    def counted(self) -> list[Sample]:
        return [
            s
            for user in self.users
            for s in user.samples
            if self.window.start <= s.start < self.window.end
        ]


def run_phase(
    title: str, make_users: Callable[[Window], list[User]], warmup: float, seconds: float
) -> Phase:
    now = time.monotonic()
    window = Window(now + warmup, now + warmup + seconds)
    users = make_users(window)
    threads = [threading.Thread(target=u.run, daemon=True) for u in users]
    progress(f"{title}: {len(users)} users, {warmup:.0f} s warm-up + {seconds:.0f} s")
    try:
        for thread in threads:
            thread.start()
        while time.monotonic() < window.start:
            time.sleep(0.05)
        cpu = time.process_time()
        while time.monotonic() < window.end:
            time.sleep(0.05)
        client_cpu = time.process_time() - cpu
        for thread in threads:
            thread.join(timeout=TIMEOUT[0] + TIMEOUT[1] + 5)
    finally:
        window.stop.set()
    return Phase(title, users, window, client_cpu)


# ---------------------------------------------------------------------------------------
# Lost answers


def lost_answers(confirmed: list[Confirmed]) -> tuple[int, list[str]]:
    """Each confirmed save in the answers' history; the last of each in the answer itself."""
    from integratingcities.assessments.models import Answer

    assessments = {c.assessment for c in confirmed}
    history = set(
        Answer.history.filter(assessment_id__in=assessments)
        .exclude(evidence="")
        .values_list("assessment_id", "item_id", "level__key", "evidence")
    )
    missing = [c for c in confirmed if (c.assessment, c.item, c.level, c.evidence) not in history]
    last: dict[tuple[int, int], Confirmed] = {}
    for c in sorted(confirmed, key=lambda c: c.at):
        last[(c.assessment, c.item)] = c
    stored = {
        (a, i): (level, evidence)
        for a, i, level, evidence in Answer.objects.filter(
            assessment_id__in=assessments
        ).values_list("assessment_id", "item_id", "level__key", "evidence")
    }
    different = [c for key, c in last.items() if stored.get(key) != (c.level, c.evidence)]
    lines = [
        f"- confirmed saves: {len(confirmed):,} (the warm-up's included), of {len(last):,} "
        f"answers ({len(assessments)} assessments)",
        f"- missing from the answers' history: {len(missing)}",
        f"- answers whose stored value is not their last confirmed save: {len(different)}",
        f"- **lost answers: {len(missing) + len(different)}** (target 0)",
    ]
    for c in (missing + different)[:5]:
        lines.append(f"  - assessment {c.assessment}, item {c.item}: {c.level}, {c.evidence!r}")
    return len(missing) + len(different), lines


# ---------------------------------------------------------------------------------------
# Report


def percentile(values: list[float], fraction: float) -> float:
    import harness

    return harness.nearest_rank(values, fraction) if values else 0.0


KIND_ORDER = [
    "login page", "login", "assessment page", "section page", "save", "section page after save",
    "home", "signatories", "cities list", "city page", "round results", "city's round results",
    "practice library", "library search ?q=", "practice page", "API cities list",
    "static file (first visit)",
]  # fmt: skip


HEADER = [
    "| requests of | requests | per second | median (ms) | p95 (ms) | max (ms) "
    "| in the worker: median (ms) | p95 (ms) | 304s | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
]


def row(
    name: str, group: list[Sample], seconds: float, worker: list[float], extra: str = ""
) -> str:
    """One line of a table: fail() samples (ms 0) are errors, not requests. ``worker``: the
    times gunicorn logged for these requests (without the wait for a free worker)."""
    timed = [s.ms for s in group if s.ms > 0]
    errors = sum(1 for s in group if s.error)
    return (
        f"| {name} | {len(timed):,} | {len(timed) / seconds:.1f} "
        f"| {statistics.median(timed) if timed else 0:.0f} | {percentile(timed, 0.95):.0f} "
        f"| {max(timed, default=0):.0f} "
        f"| {statistics.median(worker) if worker else 0:.0f} | {percentile(worker, 0.95):.0f} "
        f"| {sum(s.status == 304 for s in group)} | {errors} |" + extra
    )


def first_errors(samples: list[Sample], limit: int = 8) -> list[str]:
    errors = dict.fromkeys(f"{s.kind}: {s.error}" for s in samples if s.error)
    return [f"- {e}" for e in list(errors)[:limit]]


def mixed_table(phase: Phase, seconds: float, worker: dict[str, list[float]]) -> list[str]:
    samples = phase.counted()
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    kinds = sorted(dict.fromkeys(s.kind for s in samples), key=lambda k: order.get(k, len(order)))
    lines = list(HEADER)
    lines += [
        row(kind, [s for s in samples if s.kind == kind], seconds, worker.get(kind, []))
        for kind in kinds
    ]
    lines.append(
        row("**all**", samples, seconds, [t for kind in kinds for t in worker.get(kind, [])])
    )
    errors = first_errors(samples)
    return lines + (["", "First errors:", *errors] if errors else [])


def overall(phase: Phase) -> tuple[float, int]:
    samples = phase.counted()
    return percentile([s.ms for s in samples if s.ms > 0], 0.95), sum(1 for s in samples if s.error)


def server_errors(log: Path) -> list[str]:
    """What gunicorn's log says went wrong: tracebacks, worker timeouts, errors."""
    text = log.read_text(errors="replace")
    lines = text.splitlines()
    interesting = [
        line
        for line in lines
        if re.search(r"Traceback|ERROR|CRITICAL|WORKER TIMEOUT|locked|Internal Server Error", line)
    ]
    if not interesting:
        return ["None: no traceback, error or worker timeout in gunicorn's log."]
    out = [
        f"{sum('Traceback' in line for line in lines)} tracebacks, "
        f"{sum('WORKER TIMEOUT' in line for line in lines)} worker timeouts, "
        f"{sum('database is locked' in line for line in lines)} lines with "
        "'database is locked'. The first:",
        "",
        "```",
    ]
    start = next(i for i, line in enumerate(lines) if line in interesting)
    out += [line[:200] for line in lines[start : start + 60]]
    out.append("```")
    return out


def progress(message: str) -> None:
    print(
        f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", file=sys.stderr, flush=True
    )


# ---------------------------------------------------------------------------------------
# The command


def interrupted(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    sys.path.insert(0, str(BENCHMARKS))
    # SIGTERM as Ctrl-C: the server, the database and the cluster are removed either way.
    signal.signal(signal.SIGTERM, interrupted)
    load_before = os.getloadavg()
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ic-load-")))
        url = (
            stack.enter_context(throwaway_postgres())
            if args.start_postgres
            else os.environ.get("DATABASE_URL")
        )
        port = free_port()
        write_settings(tmp)
        server_environment(port, tmp)
        import harness

        harness.prepare_environment()
        bench_db = harness.BenchDatabase(url, args.db_name)
        bench_db.create(drop_existing=args.drop_existing)
        stack.callback(bench_db.drop)
        os.environ["IC_LOAD_STATIC_ROOT"] = str(tmp / "static")  # until collected
        import django

        django.setup()
        from django.db import connections

        progress("migrations, the Charter")
        harness.setup_schema()
        progress(f"data: {args.cities} cities, {args.practices} practices")
        data = generate(args)
        harness.analyze()
        os.environ["IC_LOAD_STATIC_ROOT"] = str(collected_static())
        machine = harness.machine(bench_db.vendor)
        connections.close_all()
        log = tmp / "gunicorn.log"
        server = stack.enter_context(Server(port, args.workers, log))
        seed = random.Random(args.seed)
        phases: list[tuple[Phase, float]] = []
        editors: list[Editor] = []

        def users_of(window: Window) -> list[User]:
            made: list[User] = []
            for i, saver in enumerate(data.savers):
                rng = random.Random(seed.random())
                editor = Editor(
                    server.base, window, rng, args.think, saver=saver, label=f"{i + 1:03d}"
                )
                editors.append(editor)
                made.append(editor)
            pages = browse_pages(data, random.Random(seed.random()))
            for _ in range(args.users - len(data.savers)):
                rng = random.Random(seed.random())
                made.append(
                    Browser(
                        server.base,
                        window,
                        rng,
                        args.think,
                        pages=pages,
                        revalidate=args.revalidate,
                    )
                )
            return made

        def hammer(kind: str, path: PathMaker) -> Callable[[Window], list[User]]:
            def make(window: Window) -> list[User]:
                return [
                    Hammer(
                        server.base,
                        window,
                        random.Random(i),
                        0.0,
                        kind=kind,
                        path=path,
                        revalidate=args.revalidate,
                    )
                    for i in range(args.users)
                ]

            return make

        rate = args.rate_test is not None
        if not rate:
            phases.append((run_phase("mixed", users_of, args.warmup, args.duration), args.duration))
        else:
            targets = [
                (path, lambda rng, path=path: path) for path in args.rate_paths
            ] or rate_pages(data)
            for kind, path in targets:
                phase = run_phase(kind, hammer(kind, path), 2, args.rate_seconds)
                phases.append((phase, args.rate_seconds))
        tiny = run_phase(
            "tiny page", hammer("tiny page", lambda rng: TINY_URL), 2, args.rate_seconds
        )
        phases.append((tiny, args.rate_seconds))
        server.__exit__(None, None, None)  # stopped before the database is read
        load_after = os.getloadavg()
        confirmed = [c for e in editors for c in e.confirmed]
        lost = lost_answers(confirmed) if not rate else (0, [])
        errors = server_errors(log)
        worker = server_times(server.access_log)
        report(args, data, machine, phases, lost, errors, worker, load_before, load_after)
        progress(f"done in {time.perf_counter() - started:.0f} s")
        connections.close_all()


def report(
    args: argparse.Namespace,
    data: Data,
    machine: list[str],
    phases: list[tuple[Phase, float]],
    lost: tuple[int, list[str]],
    errors: list[str],
    worker: dict[str, list[float]],
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> None:
    import gunicorn

    vendor = "PostgreSQL" if any("PostgreSQL" in line for line in machine) else "SQLite"
    out = [f"### Under load: gunicorn on {vendor}\n"]
    out += machine
    out += [
        f"- gunicorn {gunicorn.__version__}, {args.workers} sync workers, on {HOST}; "
        f"client: Python requests in {args.users} threads of one process on the same machine",
        f"- 1-minute load average: {load_before[0]:.2f} before, {load_after[0]:.2f} after "
        f"(5-minute: {load_before[1]:.2f} → {load_after[1]:.2f}); "
        f"{platform.node()}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- N = {data.cities:,} cities, {data.practices:,} practices; data: "
        + ", ".join(f"{v:,} {k}" for k, v in data.counts.items()),
        f"- {args.users} users ("
        + (
            "each page alone"
            if args.rate_test is not None
            else f"{len(data.savers)} saving answers, {args.users - len(data.savers)} browsing; "
            f"{args.warmup:.0f} s warm-up not counted, {args.duration:.0f} s counted, "
            f"think time {args.think:g} s"
        )
        + "), revalidation (If-None-Match) "
        + ("on" if args.revalidate else "off"),
        "- times: as the client saw them (the wait for a free worker included), and in the "
        "worker as gunicorn's access log gives them (from the request read to the response "
        "sent)",
        "",
    ]
    mixed = next((p for p, _ in phases if p.title == "mixed"), None)
    if mixed is not None:
        out.append(
            f"#### Mixed use ({len(mixed.users)} users, {args.duration:.0f} s; "
            f"client CPU {mixed.client_cpu_s:.1f} s)\n"
        )
        out += [*mixed_table(mixed, args.duration, worker), ""]
    alone = [(p, seconds) for p, seconds in phases if p is not mixed]
    out += [
        f"#### Each page alone ({args.users} users hammering it, {args.rate_seconds:.0f} s "
        "after 2 s of warm-up; target at least 100 requests a second)\n",
        HEADER[0].replace("requests of", "page") + " client CPU (s) | target |",
        HEADER[1] + "---:|---|",
    ]
    for phase, seconds in alone:
        per_second = sum(1 for s in phase.counted() if s.ms > 0) / seconds
        verdict = (
            "ceiling"
            if phase.title == "tiny page"
            else ("met" if per_second >= TARGET_RATE else "MISSED")
        )
        out.append(
            row(
                phase.title,
                phase.counted(),
                seconds,
                worker.get(phase.title, []),
                f" {phase.client_cpu_s:.1f} | {verdict} |",
            )
        )
    errors_alone = first_errors([s for p, _ in alone for s in p.counted()])
    out += (["", "First errors:", *errors_alone] if errors_alone else []) + [""]
    if lost[1]:
        out += ["#### Lost answers (checked in the database through the ORM)\n", *lost[1], ""]
    out += ["#### Server errors (gunicorn's log)\n", *errors, ""]
    if mixed is not None:
        p95, errs = overall(mixed)
        lost_count = lost[0]
        out += [
            "#### Targets (issue 16, item 4)\n",
            f"- 95th percentile, all requests: {p95:.0f} ms, target < {TARGET_P95_MS:.0f} ms: "
            f"{'met' if p95 < TARGET_P95_MS else 'MISSED'}",
            f"- errors: {errs}, target 0: {'met' if errs == 0 else 'MISSED'}",
            f"- lost answers: {lost_count}, target 0: {'met' if lost_count == 0 else 'MISSED'}",
        ]
    print("\n".join(out))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: the server, the database and any cluster were removed")
