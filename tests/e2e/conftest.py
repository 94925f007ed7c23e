"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Chromium is /usr/bin/chromium (``playwright install`` cannot download here). Without it the
browser tests are skipped, except in CI (CI=true), where they fail: CI must never skip them.
"""

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from integratingcities.lib.testing import People, make_people
from integratingcities.site.management.commands.load_demo import load_content

# Playwright's sync API runs an asyncio event loop in the test thread, so Django believes the
# test code is async and refuses ORM calls in it (SynchronousOnlyOperation) while a browser is
# open. The tests only call the ORM between browser steps, never from a coroutine, so the
# check can safely be turned off. It is read when the ORM is used, so set it at import time.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# E2E_CHROMIUM points elsewhere only to try the skip/fail rule below.
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = ["--no-sandbox", "--disable-background-networking"]
TIMEOUT_MS = 10_000
# A test that has not finished after this long is stuck (page.evaluate has no time limit):
# the watchdog then kills its Chromium, so that the test fails instead of hanging the run.
TEST_TIME_LIMIT_S = float(os.environ.get("E2E_TEST_TIME_LIMIT", "180"))


def _chromium_pids() -> list[int]:
    """The Chromium browser processes that this test process started (through Playwright)."""
    parents: dict[int, int] = {}
    commands: dict[int, bytes] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            commands[int(entry.name)] = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])

    def mine(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == os.getpid():
                return True
        return False

    return [
        pid
        for pid, command in commands.items()
        if b"--remote-debugging-pipe" in command and b"--type=" not in command and mine(pid)
    ]


def _kill_stuck_chromium(test: str) -> None:
    pids = _chromium_pids()
    print(
        f"\n{test} ran over {TEST_TIME_LIMIT_S:.0f}s: killing Chromium {pids} so that it fails",
        file=sys.stderr,
    )
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Module-scoped: the event loop stops with the module, not after unrelated tests."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        message = f"{CHROMIUM} is missing: the browser tests need Debian's chromium package."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " CI=true, so they must not be skipped.", pytrace=False)
        pytest.skip(message)
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_context(
    browser: Browser, request: pytest.FixtureRequest
) -> Iterator[Callable[..., BrowserContext]]:
    """Make fresh browser contexts (separate cookies: separate people); closed after the test."""
    contexts: list[BrowserContext] = []
    watchdog = threading.Timer(TEST_TIME_LIMIT_S, _kill_stuck_chromium, [request.node.nodeid])
    watchdog.daemon = True
    watchdog.start()

    def make(**kwargs: object) -> BrowserContext:
        kwargs.setdefault("viewport", {"width": 1280, "height": 800})
        kwargs.setdefault("locale", "en-GB")
        context = browser.new_context(**kwargs)  # type: ignore[arg-type]
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    watchdog.cancel()
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(new_context: Callable[..., BrowserContext]) -> Callable[..., Page]:
    """A page in a fresh context of its own."""

    def make(**kwargs: object) -> Page:
        return new_context(**kwargs).new_page()

    return make


@pytest.fixture
def site(transactional_db: None) -> People:
    """The real content (cities, network, the Charter) and the named people of every role.

    live_server tests run on a transactional database emptied after each test, so every test
    loads what it needs.
    """
    load_content()
    return make_people()
