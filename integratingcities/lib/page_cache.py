"""Whole public pages kept in the shared cache for anonymous visitors, and never stale.

A public list page costs 60-80 ms to render; a proxy could keep it (``http_cache``), but none
stands in front of gunicorn here. This middleware keeps the whole response in Django's cache
(the database cache by default: every worker reads the same copies) and answers the next
anonymous visitor from it in one cache read, without the session, the user or the view.

**What is kept.** A GET whose request carries no credentials (no cookie but the language's and
the CSRF token's, no ``Authorization``) and whose response is a 200 that ``http_cache`` made
``Cache-Control: public`` (so: an anonymous visitor, no cookie set), that varies on nothing but
``Cookie`` and ``Accept-Language``, is no file (``Content-Disposition``) and no stream, and is
not the admin's. The key is the host, the path, the query sorted, the language the visitor
would be answered in and the date; GET and HEAD share it. The headers are kept with the body,
the ETag too, so a visitor's ``If-None-Match`` is answered 304 without rendering.

**Never stale.** Each copy carries the data *generation* it was rendered in: a random token kept
in the same cache (``GENERATION_KEY``). A copy is served only while its generation is the
current one, and both are read in one cache query. Every write that could change a public page
replaces the token once its transaction commits (``bump``), so the next visitor after a
correction gets a fresh page. A random token, not a counter: a generation lost from the cache
(culled, cleared) starts a new one, which no old copy can match. The generation is read before
the page renders, so a page rendered while a write commits is kept under the old generation and
never served. ``PAGE_CACHE_SECONDS`` bounds each copy's life anyway (0 turns the cache off).

**What bumps.** Every statement that writes a table of an app whose rows show on public pages
(``PUBLIC_APPS``), seen where the SQL is executed (``_watch``): saves and deletes, and also
``QuerySet.update``, ``bulk_create``, raw SQL, ``loaddata``, which send no model signals. The
answers of cities are the exception, because fifteen editors saving drafts would otherwise empty
the cache all the time: an assessment bumps when it is created or deleted, or when a field other
than its activity stamp and answer count changes (state, sharing, validation, scores…); an answer
bumps only when its assessment is validated (checked once per transaction, at commit). Comments
and answer histories are never public. ``migrate`` bumps, and ``manage.py clear_page_cache``
does it by hand. Accounts, audit, notifications and downloads never show on a public page.

**Per app.** Each write also replaces a token of its app. What is made from a few apps only
(``kept(…, apps=("indicators", "cities"))``: an indicator's ranked cities and median windows,
costly at 20,000 cities) is kept under those apps' tokens and an epoch, so that it outlives
writes to the other apps; ``bump()``, ``migrate`` and a write the watcher cannot place replace
the epoch, which makes it stale too.

Time. What a page says about today (days left in a round) changes at midnight: the date is part
of the key. A news item published for a later hour makes the network's pages stale at that
hour: the worker runs ``network.tasks.news_due`` then, queued when the item was saved.
"""

import hashlib
import logging
import re
import threading
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, TypeVar, cast
from urllib.parse import parse_qsl, urlencode

from django.apps import AppConfig, apps
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.cache import cache, caches
from django.db import DatabaseError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import Model
from django.db.models.signals import post_delete, post_init, post_migrate, post_save, pre_save
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone, translation
from django.utils.cache import set_response_etag

from integratingcities.lib.http_cache import is_public

logger = logging.getLogger(__name__)

# "~" sorts after every other key: the database cache, when full, culls the lowest keys first,
# so pages go before the generation that would make them all stale at once.
GENERATION_KEY = "~page:generation"
# Replaced by ``bump()``: what is kept for some apps only is stale after it too.
EPOCH_KEY = "~page:epoch"
KEY_PREFIX = "page:v1:"
# Apps whose rows show on public pages: any write to their tables bumps the generation.
PUBLIC_APPS = (
    "cities",
    "network",
    "practices",
    "rounds",
    "reports",
    "frameworks",
    "toolkits",
    "opendata",
    "indicators",
    "compare",
    "mentoring",
    "site",
    "results",
)
# An assessment's columns that change with every draft save and show on no public page.
QUIET_ASSESSMENT_FIELDS = frozenset({"last_activity_at", "answered_count"})
_comma = re.compile(r"\s*,\s*")
KEPT_VARY = frozenset({"cookie", "accept-language"})
NEVER_KEPT_NAMESPACES = frozenset({"admin", "downloads"})
MAX_BYTES = 2_000_000


# --- the middleware -----------------------------------------------------------------------


class PageCacheMiddleware:
    """Placed between ConditionalGetMiddleware (which answers 304 from the kept ETag) and
    HttpCacheMiddleware (which decides what is public)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        seconds: int = getattr(settings, "PAGE_CACHE_SECONDS", 0)
        if not seconds or not may_serve(request):
            return self.get_response(request)
        key = page_key(request)
        found = cache.get_many([GENERATION_KEY, key])
        current = _current(found.get(GENERATION_KEY))
        kept = found.get(key)
        if kept is not None and kept[0] == current:
            return _response(kept)
        response = self.get_response(request)
        if request.method == "GET" and may_keep(request, response):
            assert isinstance(response, HttpResponse)  # not streaming: may_keep says so
            if not response.has_header("ETag"):
                set_response_etag(response)
            headers = [(k, v) for k, v in response.items() if k.lower() != "date"]
            cache.set(key, (current, response.status_code, headers, response.content), seconds)
        return response


def may_serve(request: HttpRequest) -> bool:
    """Whether the request is an anonymous visitor's read that a kept page may answer."""
    return (
        request.method in ("GET", "HEAD")
        and "HTTP_AUTHORIZATION" not in request.META
        # Cookies that do not change what an anonymous visitor is shown: the language (in the
        # key) and the CSRF token (a page that uses it sets the cookie again: never kept).
        # A session or a message cookie goes to the views.
        and set(request.COOKIES) <= {settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
    )


def may_keep(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Whether a response may be kept for every anonymous visitor of the same key."""
    if (
        response.status_code != 200
        or response.streaming
        or not is_public(request, response)
        or response.has_header("Content-Disposition")
    ):
        return False
    directives = {
        d.strip().split("=")[0].lower() for d in _comma.split(response.get("Cache-Control", ""))
    }
    if "public" not in directives or directives & {"private", "no-store", "no-cache"}:
        return False
    vary = {v.strip().lower() for v in _comma.split(response.get("Vary", "")) if v.strip()}
    if not vary <= KEPT_VARY:
        return False
    match = getattr(request, "resolver_match", None)
    if match is not None and NEVER_KEPT_NAMESPACES & set(match.namespaces):
        return False
    return len(cast(HttpResponse, response).content) <= MAX_BYTES


def page_key(request: HttpRequest) -> str:
    """Host, path, sorted query and the language LocaleMiddleware will choose."""
    i18n_patterns_used, _prefixed = is_language_prefix_patterns_used(settings.ROOT_URLCONF)
    language = translation.get_language_from_request(request, check_path=i18n_patterns_used)
    query = urlencode(
        sorted(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True))
    )
    what = "\n".join(
        (
            request.scheme or "",
            request.get_host(),
            request.path,
            query,
            language,
            timezone.localdate().isoformat(),
        )
    )
    return KEY_PREFIX + hashlib.sha256(what.encode()).hexdigest()


def _response(kept: tuple[str, int, Sequence[tuple[str, str]], bytes]) -> HttpResponse:
    _generation, status, headers, content = kept
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response


# --- the generation ---------------------------------------------------------------------------


def _current(found: Any) -> str:
    """The current generation; a new one when there is none (first visit, cache cleared)."""
    if isinstance(found, str):
        return found
    new = uuid.uuid4().hex
    if cache.add(GENERATION_KEY, new, None):
        return new
    again = cache.get(GENERATION_KEY)
    return again if isinstance(again, str) else bump()


T = TypeVar("T")


def _token(name: str, found: Any) -> str:
    """A generation's token as read; a new one when there is none (first read, culled)."""
    if isinstance(found, str):
        return found
    if name == GENERATION_KEY:
        return bump()  # nothing kept can match a new generation either
    new = uuid.uuid4().hex
    if cache.add(name, new, None):
        return new
    again = cache.get(name)
    return again if isinstance(again, str) else new


def bump() -> str:
    """Start a new generation: every kept page, and everything kept for some apps only
    (``kept(apps=…)``), is stale from now on."""
    new = uuid.uuid4().hex
    cache.set_many({GENERATION_KEY: new, EPOCH_KEY: uuid.uuid4().hex}, None)
    return new


def bump_apps(labels: Collection[str]) -> None:
    """After a write to the tables of ``labels``, or when what they show changes with the time
    (a news item scheduled for this hour): a new generation for the pages, and for what is kept
    for those apps."""
    tokens = {_app_key(label): uuid.uuid4().hex for label in labels}
    cache.set_many({GENERATION_KEY: uuid.uuid4().hex, **tokens}, None)


def _app_key(label: str) -> str:
    return f"{GENERATION_KEY}:{label}"


def kept(
    key: str,
    make: Callable[[], T],
    seconds: int,
    *,
    apps: Sequence[str] = (),
    keep: Callable[[T], bool] | None = None,
) -> T:
    """``make()``, kept in the shared cache under the current data generation: what is made
    from public data only (the same for everyone who may see it) is made again after any write
    that could change a public page, and read in one cache read until then.

    With ``apps`` (labels of ``PUBLIC_APPS``), only after a write to those apps' tables: what
    is made from the indicators and the cities alone need not be made again after a practice
    is edited or a survey validated. A write the watcher cannot place, ``bump()`` and
    ``migrate`` make it stale too. A value that ``keep`` refuses is made again each time: one
    that depends on writes no generation follows (a draft's answers)."""
    generation, value = _read(key, apps)
    if value is not _MISSING:
        return cast(T, value)
    # The generation is read first: a write committing from now on starts another.
    value = make()
    if keep is None or keep(value):
        cache.set(key, (generation, value), seconds)
    return value


def held(key: str, *, apps: Sequence[str] = ()) -> Any | None:
    """What ``kept(key, …, apps=apps)`` holds for the current generation, or None: for a caller
    who, when nothing is kept, would rather make something smaller than the kept value."""
    value = _read(key, apps)[1]
    return None if value is _MISSING else value


_MISSING = object()


def _read(key: str, apps: Sequence[str]) -> tuple[str, Any]:
    """The current generation (of ``apps``, or of every page) and what ``key`` holds for it
    (``_MISSING``: nothing, or what it held for an earlier generation)."""
    if apps:
        unknown = set(apps) - set(PUBLIC_APPS) - {"assessments"}
        if unknown:
            raise ValueError(f"No generation is kept for {sorted(unknown)}")
        keys = [EPOCH_KEY, *(_app_key(label) for label in apps)]
    else:
        keys = [GENERATION_KEY]
    found = cache.get_many([*keys, key])
    generation = ":".join(_token(name, found.get(name)) for name in keys)
    held = found.get(key)
    return generation, held[1] if held is not None and held[0] == generation else _MISSING


# --- after a write: bump once the transaction commits -----------------------------------------


_local = threading.local()


def _after_commit(connection: BaseDatabaseWrapper, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current transaction commits, at most once per transaction.

    In a test, the test's own transaction never commits: the callback runs at once (each
    request of a test reads what the test wrote, on the same connection)."""
    if not connection.in_atomic_block or _in_test_transaction(connection):
        callback()
    elif not any(entry[1] is callback for entry in connection.run_on_commit):
        transaction.on_commit(callback, using=connection.alias)


def _bump_after_commit(connection: BaseDatabaseWrapper, label: str) -> None:
    """Note the app written ("": a write that could be anything) and bump them all once the
    transaction commits."""
    pending: set[str] = connection.__dict__.setdefault("_page_cache_apps", set())
    pending.add(label)
    _after_commit(connection, _bump_pending)


def _bump_pending() -> None:
    connection = transaction.get_connection()
    labels = connection.__dict__.pop("_page_cache_apps", set())
    if labels:
        _bump_now(labels)


def _bump_now(labels: Collection[str] = ("",)) -> None:
    try:
        if "" in labels:
            bump()
        else:
            bump_apps(labels)
    except DatabaseError:
        if _cache_table_missing():
            return  # the first migrate, before the cache's table exists: no page kept yet
        raise


def _cache_table_missing() -> bool:
    from django.core.cache.backends.db import DatabaseCache

    backend = caches["default"]
    if not isinstance(backend, DatabaseCache):
        return False
    using = router.db_for_write(backend.cache_model_class)
    return cast(Any, backend)._table not in connections[using].introspection.table_names()


class _Watcher:
    """An execute wrapper on each database connection: sees every statement that writes."""

    def __init__(self) -> None:
        self.public_tables: dict[str, str] = {}  # table: its app's label
        self.assessment_table = ""

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: Any,
        params: Any,
        many: bool,
        context: Mapping[str, Any],
    ) -> Any:
        result = execute(sql, params, many, context)
        if not isinstance(sql, str):
            self._bump(context)
            return result
        head = sql.lstrip()[:8].upper()
        if not head.startswith(("INSERT", "UPDATE", "DELETE", "REPLACE", "TRUNCATE", "WITH")):
            return result
        match = _WRITE.match(sql)
        if match is None:
            # TRUNCATE, a WITH … that writes, or a shape not foreseen: bump to be safe. A WITH
            # that only reads (the library's facet counts) is a read.
            if not head.startswith("WITH") or _WRITE_WORD.search(sql):
                self._bump(context)
            return result
        table = match.group(1).lower()
        if table in self.public_tables:
            self._bump(context, self.public_tables[table])
        elif table == self.assessment_table and self._assessment_changed(sql, params):
            self._bump(context, "assessments")
        return result

    def _bump(self, context: Mapping[str, Any], label: str = "") -> None:
        """Bump once the transaction commits: the apps written, or everything ("")."""
        _bump_after_commit(context["connection"], label)

    def _assessment_changed(self, sql: str, params: Any) -> bool:
        if sql.lstrip()[:6].upper() != "UPDATE":
            return True  # created or deleted
        saving = getattr(_local, "saving", None)
        if saving is not None and params and params[-1] == saving:
            # A model save: its signal compared what changed (``_assessment_saved``).
            _local.saving = None
            return False
        set_part = sql.split(" SET ", 1)[-1].split(" WHERE ", 1)[0]
        columns = set(re.findall(r'"(\w+)"\s*=', set_part))
        return not columns <= QUIET_ASSESSMENT_FIELDS


_WRITE = re.compile(
    r"""\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+[`"\[]?([\w.]+)""",
    re.IGNORECASE,
)
_WRITE_WORD = re.compile(r"\b(?:INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
watcher = _Watcher()


def _watch(connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    if watcher not in connection.execute_wrappers:
        connection.execute_wrappers.append(watcher)


# The assessment's fields as loaded, to tell a draft save (activity only) from a change.
def _assessment_loaded(instance: Model, **kwargs: object) -> None:
    loaded = instance.__dict__
    instance._page_cache_loaded = {  # type: ignore[attr-defined]
        name: loaded[name] for name in _assessment_fields() if name in loaded
    }


_assessment_columns: list[str] = []


def _assessment_fields() -> list[str]:
    if not _assessment_columns:
        model = apps.get_model("assessments", "Assessment")
        _assessment_columns.extend(
            f.attname
            for f in model._meta.concrete_fields
            if not f.primary_key and f.attname not in QUIET_ASSESSMENT_FIELDS
        )
    return _assessment_columns


def _assessment_saving(instance: Model, update_fields: Any = None, **kwargs: object) -> None:
    if instance._state.adding:
        return  # an INSERT: the watcher bumps
    names = _assessment_fields()
    if update_fields is not None:
        meta = type(instance)._meta
        given = {cast(Any, meta.get_field(name)).attname for name in update_fields}
        names = [name for name in names if name in given]
    loaded: dict[str, Any] = getattr(instance, "_page_cache_loaded", {})
    instance._page_cache_changed = any(  # type: ignore[attr-defined]
        name not in loaded or loaded[name] != getattr(instance, name) for name in names
    )
    _local.saving = instance.pk


def _assessment_saved(instance: Model, created: bool, **kwargs: object) -> None:
    _local.saving = None
    if not created and getattr(instance, "_page_cache_changed", False):
        _bump_after_commit(transaction.get_connection(), "assessments")
    _assessment_loaded(instance)


def _answer_written(instance: Model, **kwargs: object) -> None:
    connection = transaction.get_connection()
    if _in_test_transaction(connection):
        _bump_now(["assessments"])  # no commit to wait for (``_after_commit``): be safe
        return
    pending: set[int] = connection.__dict__.setdefault("_page_cache_answers", set())
    pending.add(instance.assessment_id)  # type: ignore[attr-defined]
    _after_commit(connection, _answers_committed)


def _in_test_transaction(connection: BaseDatabaseWrapper) -> bool:
    return connection.in_atomic_block and any(
        getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def _answers_committed() -> None:
    from integratingcities.assessments.models import Assessment, AssessmentState

    connection = transaction.get_connection()
    ids = connection.__dict__.pop("_page_cache_answers", set())
    if ids and Assessment.objects.filter(pk__in=ids, state=AssessmentState.VALIDATED).exists():
        bump_apps(["assessments"])


def _migrated(**kwargs: object) -> None:
    _bump_now()


# --- after everything kept went stale: the worker makes the costly values again ---------------

_warmers: list[Callable[[], object]] = []


def warm_after_clearing(app_config: AppConfig, enqueue: Callable[[], object]) -> None:
    """``enqueue`` a job that makes again what an app keeps at a cost (an indicator's ranked
    cities, the library's counts) once everything kept is stale: after ``migrate`` (each
    deployment) and ``clear_page_cache``. Otherwise the first visitor after a deployment
    would wait for it: a city's indicators take seconds to compute at 20,000 cities. Writes
    to an app enqueue its job themselves (its services)."""
    if enqueue not in _warmers:
        _warmers.append(enqueue)
    post_migrate.connect(
        _enqueuer(enqueue), sender=app_config, weak=False, dispatch_uid=f"warm:{app_config.label}"
    )


def warm_all() -> None:
    """Every registered job enqueued (``clear_page_cache``)."""
    for enqueue in _warmers:
        _enqueue_safely(enqueue)


def _enqueuer(enqueue: Callable[[], object]) -> Callable[..., None]:
    def receiver(**kwargs: object) -> None:
        _enqueue_safely(enqueue)

    return receiver


def _enqueue_safely(enqueue: Callable[[], object]) -> None:
    try:
        enqueue()
    except DatabaseError:
        # A partial migrate, before the jobs' table exists: the first visitor computes it.
        logger.warning("Could not enqueue %r after the page cache was cleared", enqueue)


class PageCacheConfig(AppConfig):
    """``lib`` as an app for its signals and its ``clear_page_cache`` command."""

    name = "integratingcities.lib"
    label = "lib"
    verbose_name = "Shared helpers"

    def ready(self) -> None:
        watcher.public_tables = {
            model._meta.db_table.lower(): label
            for label in PUBLIC_APPS
            if apps.is_installed(f"integratingcities.{label}")
            for model in apps.get_app_config(label).get_models(include_auto_created=True)
        }
        assessment = apps.get_model("assessments", "Assessment")
        answer = apps.get_model("assessments", "Answer")
        watcher.assessment_table = assessment._meta.db_table.lower()
        connection_created.connect(_watch, dispatch_uid="page_cache_watch")
        for connection in connections.all(initialized_only=True):
            _watch(connection)
        post_init.connect(_assessment_loaded, sender=assessment, dispatch_uid="page_cache_a0")
        post_save.connect(_assessment_saved, sender=assessment, dispatch_uid="page_cache_a2")
        pre_save.connect(_assessment_saving, sender=assessment, dispatch_uid="page_cache_a1")
        post_save.connect(_answer_written, sender=answer, dispatch_uid="page_cache_b1")
        post_delete.connect(_answer_written, sender=answer, dispatch_uid="page_cache_b2")
        post_migrate.connect(_migrated, dispatch_uid="page_cache_migrated")
