"""Reads for the practice library: search with filters and counts, a practice's page, the
practices that answer a city's gaps, and the labels of roles, commitments and key factors."""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, When, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.translation import get_language
from django_countries import countries

from integratingcities.cities.models import City
from integratingcities.frameworks.models import (
    Framework,
    FrameworkKind,
    FrameworkStatus,
    Item,
    ItemKind,
    Section,
)
from integratingcities.lib import page_cache
from integratingcities.lib.prepared import prepared
from integratingcities.lib.translation import translate
from integratingcities.permissions import visible_to

from . import search
from .models import (
    CHARTER_LINEAGE,
    Practice,
    PracticeSource,
    PracticeStatus,
    PracticeTheme,
)

PER_PAGE = 20
SORTS = ("relevance", "newest", "title")
FACETS = ("role", "commitment", "benchmark", "factor", "country", "city", "year", "source")
OtherCities = Practice.other_cities.through


# ---------------------------------------------------------------------------------------
# Labels of themes, from the published frameworks


@dataclass
class Labels:
    """Titles of roles, commitments, benchmarks and key factors, in the active language."""

    roles: dict[str, str] = field(default_factory=dict)
    commitments: dict[str, str] = field(default_factory=dict)
    commitment_roles: dict[str, str] = field(default_factory=dict)
    benchmarks: dict[str, str] = field(default_factory=dict)
    factors: dict[str, str] = field(default_factory=dict)
    # Order of appearance in the frameworks, for listing options as the frameworks do.
    order: dict[tuple[str, str], int] = field(default_factory=dict)

    def role(self, key: str) -> str:
        return self.roles.get(key, key)

    def commitment(self, key: str) -> str:
        return self.commitments.get(key, key)

    def benchmark(self, lineage: str) -> str:
        return self.benchmarks.get(lineage, lineage)

    def factor(self, key: str) -> str:
        return self.factors.get(key, key)


def latest_published_frameworks() -> dict[str, Framework]:
    """The newest published version of each framework lineage (one query)."""
    latest: dict[str, Framework] = {}
    # Only what the labels and the facets read: not the frameworks' long JSON texts.
    published = Framework.objects.filter(status=FrameworkStatus.PUBLISHED)
    for framework in published.only("lineage", "version", "kind", "title").order_by(
        "lineage", "-version"
    ):
        latest.setdefault(framework.lineage, framework)
    return latest


def labels() -> Labels:
    """Three queries: frameworks, their sections, the Charter's commitments."""
    result = Labels()
    frameworks = latest_published_frameworks()
    by_id = {framework.pk: framework for framework in frameworks.values()}
    for lineage, framework in frameworks.items():
        if framework.kind == FrameworkKind.BENCHMARK:
            result.benchmarks[lineage] = translate(framework.title)
    sections = (
        Section.objects.filter(framework_id__in=list(by_id))
        .only("framework_id", "key", "position", "title", "is_context")
        .order_by("framework_id", "position")
    )
    for position, section in enumerate(sections):
        framework = by_id[section.framework_id]
        if framework.kind == FrameworkKind.CHARTER:
            result.roles[section.key] = translate(section.title)
            result.order[("role", section.key)] = position
        elif not getattr(section, "is_context", False):
            result.factors.setdefault(section.key, translate(section.title))
            result.order.setdefault(("factor", section.key), position)
    charter = frameworks.get(CHARTER_LINEAGE)
    if charter is not None:
        items = (
            Item.objects.filter(section__framework=charter, kind=ItemKind.RATING)
            .select_related("section")
            .only("key", "text", "section__key")
            .order_by("section__position", "position")
        )
        for position, item in enumerate(items):
            result.commitments[item.key] = translate(item.text)
            result.commitment_roles[item.key] = item.section.key
            result.order[("commitment", item.key)] = position
    return result


def charter_commitments() -> dict[str, str]:
    """Commitment key -> role key, from the newest published Charter (one query)."""
    charter = (
        Framework.objects.filter(lineage=CHARTER_LINEAGE, status=FrameworkStatus.PUBLISHED)
        .order_by("-version")
        .first()
    )
    if charter is None:
        return {}
    return dict(
        Item.objects.filter(section__framework=charter, kind=ItemKind.RATING).values_list(
            "key", "section__key"
        )
    )


def benchmark_factors() -> dict[str, list[str]]:
    """Benchmark lineage -> its key factors (sections that are not context factors)."""
    result: dict[str, list[str]] = {}
    for lineage, framework in latest_published_frameworks().items():
        if framework.kind != FrameworkKind.BENCHMARK:
            continue
        sections = Section.objects.filter(framework=framework).order_by("position")
        result[lineage] = [s.key for s in sections if not getattr(s, "is_context", False)]
    return result


# ---------------------------------------------------------------------------------------
# Search


@dataclass(frozen=True)
class PracticeFilters:
    """What a search asks for. Values are already checked (see forms.SearchForm)."""

    q: str = ""
    role: str = ""
    commitment: str = ""
    benchmark: str = ""
    factor: str = ""
    country: str = ""
    city: str = ""
    year: int | None = None
    source: str = ""
    sort: str = ""

    def without(self, name: str) -> PracticeFilters:
        cleared: dict[str, Any] = {name: None if name == "year" else ""}
        return replace(self, **cleared)

    @property
    def query(self) -> search.Query:
        return search.parse(self.q)

    @property
    def effective_sort(self) -> str:
        if self.sort in SORTS and (self.sort != "relevance" or self.query):
            return self.sort
        return "relevance" if self.query else "title"

    def is_empty(self) -> bool:
        return self == PracticeFilters(sort=self.sort)


def _with_theme(*conditions: Q, **more: Any) -> Q:
    """Practices with a theme matching the conditions: an uncorrelated ``IN (SELECT ...)``,
    which both databases answer from the theme indexes once per query, not once per row."""
    themes = PracticeTheme.objects.filter(*conditions, **more).values("practice_id")
    return Q(pk__in=themes)


def _credited(**city: Any) -> Q:
    """Practices of the city (or cities) given, first or among the others."""
    cities = City.objects.filter(**city).values("pk")
    others = OtherCities.objects.filter(city_id__in=cities).values("practice_id")
    return Q(city_id__in=cities) | Q(pk__in=others)


def filtered(
    filters: PracticeFilters, practices: QuerySet[Practice] | None = None
) -> QuerySet[Practice]:
    """Published practices (or those given) that match every filter, text included."""
    result = Practice.objects.published() if practices is None else practices
    if filters.role:
        result = result.filter(_with_theme(lineage=CHARTER_LINEAGE, section_key=filters.role))
    if filters.commitment:
        result = result.filter(_with_theme(lineage=CHARTER_LINEAGE, item_key=filters.commitment))
    if filters.benchmark:
        result = result.filter(_with_theme(lineage=filters.benchmark, item_key=""))
    if filters.factor:
        factor = Q(section_key=filters.factor, item_key="") & ~Q(lineage=CHARTER_LINEAGE)
        if filters.benchmark:
            factor &= Q(lineage=filters.benchmark)
        result = result.filter(_with_theme(factor))
    if filters.country:
        result = result.filter(_credited(country=filters.country))
    if filters.city:
        result = result.filter(_credited(slug=filters.city))
    if filters.year is not None:
        result = result.filter(year=filters.year)
    if filters.source:
        result = result.filter(source=filters.source)
    return search.apply(result, filters.query)


def ordered(practices: QuerySet[Practice], filters: PracticeFilters) -> QuerySet[Practice]:
    sort = filters.effective_sort
    if sort == "relevance":
        return practices.order_by("-relevance", "title", "pk")  # type: ignore[misc]
    if sort == "newest":
        return practices.order_by(F("year").desc(nulls_last=True), "title", "pk")
    return practices.order_by("title", "pk")


def for_listing(practices: QuerySet[Practice]) -> QuerySet[Practice]:
    """With their cities and themes: a fixed number of queries for any page."""
    return practices.select_related("city").prefetch_related(
        Prefetch("other_cities", queryset=City.objects.order_by("name")),
        Prefetch("themes", queryset=PracticeTheme.objects.order_by("lineage", "section_key")),
    )


def search_practices(filters: PracticeFilters) -> QuerySet[Practice]:
    """The library's result list, ordered, ready to paginate."""
    return for_listing(ordered(filtered(filters), filters))


# What the library's page shows of each practice: read as plain values, not model instances.
LISTED_FIELDS = (
    "pk",
    "key",
    "title",
    "year",
    "source",
    "is_illustrative",
    "summary",
    "city__slug",
    "city__name",
    "city__country",
)


def search_listed(filters: PracticeFilters) -> QuerySet[Practice, dict[str, Any]]:
    """``search_practices`` as the values of ``LISTED_FIELDS``, ready to paginate; a page's
    other cities and themes come from ``listed_extras``."""
    return ordered(filtered(filters), filters).values(*LISTED_FIELDS)


@dataclass(frozen=True)
class ListedExtras:
    other_cities: dict[int, list[tuple[str, str]]]  # per practice: (name, slug), by name
    themes: dict[int, list[ThemeKeys]]  # per practice, in lineage and key order


def listed_extras(practice_ids: Sequence[int]) -> ListedExtras:
    """The other cities and themes of a page of practices: two queries of plain values."""
    cities: dict[int, list[tuple[str, str]]] = {pk: [] for pk in practice_ids}
    for practice_id, name, slug in (
        Practice.other_cities.through.objects.filter(practice_id__in=practice_ids)
        .order_by("city__name")
        .values_list("practice_id", "city__name", "city__slug")
    ):
        cities[practice_id].append((name, slug))
    themes: dict[int, list[ThemeKeys]] = {pk: [] for pk in practice_ids}
    for practice_id, *keys in (
        PracticeTheme.objects.filter(practice_id__in=practice_ids)
        .order_by("lineage", "section_key", "item_key")
        .values_list("practice_id", "lineage", "section_key", "item_key")
    ):
        themes[practice_id].append((keys[0], keys[1], keys[2]))
    return ListedExtras(cities, themes)


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int

    @property
    def text(self) -> str:
        """What the filter's menu shows: the label, shortened, and the count."""
        label = self.label if len(self.label) <= 70 else self.label[:69].rstrip() + "…"
        return f"{label} ({self.count})"


@dataclass
class Facet:
    name: str
    options: list[Option]
    selected: str = ""

    @property
    def selected_label(self) -> str:
        return next((o.label for o in self.options if o.value == self.selected), self.selected)


@dataclass
class FacetCounts:
    """What ``facet_counts`` found: the number of practices matching every filter, and per
    facet its values with their counts (and the city names)."""

    total: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    city_names: dict[str, str] = field(default_factory=dict)


# One SELECT per facet: (facet, value, city name, count) of the practices in the common table
# expression {base}: (id, city_id, year, source) of each practice matching the filters, joined
# (not "IN"), so that each is read once. The {names} are tables: no input is formatted in.
_FACET_SQL = {
    "role": "SELECT 'role', t.section_key, NULL, COUNT(DISTINCT t.practice_id)"
    " FROM {base} b JOIN {theme} t ON t.practice_id = b.id WHERE t.lineage = %s"
    " GROUP BY t.section_key",
    # A practice has a commitment once (a unique constraint): no DISTINCT needed.
    "commitment": "SELECT 'commitment', t.item_key, NULL, COUNT(*)"
    " FROM {base} b JOIN {theme} t ON t.practice_id = b.id WHERE t.lineage = %s"
    " GROUP BY t.item_key",
    "benchmark": "SELECT 'benchmark', t.lineage, NULL, COUNT(DISTINCT t.practice_id)"
    " FROM {base} b JOIN {theme} t ON t.practice_id = b.id"
    " WHERE t.lineage <> %s AND t.item_key = '' GROUP BY t.lineage",
    "factor": "SELECT 'factor', t.section_key, NULL, COUNT(DISTINCT t.practice_id)"
    " FROM {base} b JOIN {theme} t ON t.practice_id = b.id"
    " WHERE t.lineage <> %s AND t.item_key = '' {benchmark} GROUP BY t.section_key",
    "country": "SELECT 'country', c.country, NULL, COUNT(*) FROM {base} b"
    " JOIN {city} c ON c.id = b.city_id GROUP BY c.country"
    # Other cities, where the first city is in another country (one count per country).
    " UNION ALL SELECT 'country', c.country, NULL, COUNT(DISTINCT o.practice_id) FROM {base} b"
    " JOIN {others} o ON o.practice_id = b.id JOIN {city} c ON c.id = o.city_id"
    " JOIN {city} lc ON lc.id = b.city_id WHERE c.country <> lc.country GROUP BY c.country",
    "city": "SELECT 'city', c.slug, c.name, COUNT(*) FROM {base} b"
    " JOIN {city} c ON c.id = b.city_id GROUP BY c.slug, c.name"
    " UNION ALL SELECT 'city', c.slug, c.name, COUNT(*) FROM {base} b"
    " JOIN {others} o ON o.practice_id = b.id JOIN {city} c ON c.id = o.city_id"
    " GROUP BY c.slug, c.name",
    "year": "SELECT 'year', CAST(b.year AS TEXT), NULL, COUNT(*) FROM {base} b"
    " WHERE b.year IS NOT NULL GROUP BY b.year",
    "source": "SELECT 'source', b.source, NULL, COUNT(*) FROM {base} b GROUP BY b.source",
}
_FACET_PARAMS = {"role": 1, "commitment": 1, "benchmark": 1, "factor": 1}


def facet_counts(filters: PracticeFilters) -> FacetCounts:
    """Every facet's counts, and the total, in one query.

    Each facet counts the practices that match every filter but its own, so that a chosen
    filter still shows its other values. The practices matching each such set of filters are
    a common table expression, computed once however many facets share it (with no filter
    chosen, all share one); each facet's ``GROUP BY`` reads from it, and ``UNION ALL`` returns
    them all as rows of (facet, value, city name, count). City and country count both the first
    city of a practice and its other cities.
    """
    quote = connection.ops.quote_name
    tables = {
        "practice": quote(Practice._meta.db_table),
        "theme": quote(PracticeTheme._meta.db_table),
        "city": quote(City._meta.db_table),
        "others": quote(OtherCities._meta.db_table),
    }
    bases: dict[PracticeFilters, str] = {}
    ctes: list[str] = []
    params: list[Any] = []

    def base(chosen: PracticeFilters) -> str:
        if chosen not in bases:
            matching = filtered(chosen).order_by().values("pk", "city_id", "year", "source")
            sql, found = matching.query.sql_with_params()
            bases[chosen] = f"base{len(bases)}"
            ctes.append(f"{bases[chosen]} (id, city_id, year, source) AS ({sql})")
            params.extend(found)
        return bases[chosen]

    selects = [f"SELECT 'total', NULL, NULL, COUNT(*) FROM {base(filters)}"]  # noqa: S608
    branch_params: list[Any] = []
    for facet, template in _FACET_SQL.items():
        benchmark = "AND t.lineage = %s" if facet == "factor" and filters.benchmark else ""
        selects.append(
            template.format(
                **tables,
                base=base(filters.without(facet)),
                benchmark=benchmark,
            )
        )
        branch_params += [CHARTER_LINEAGE] * _FACET_PARAMS.get(facet, 0)
        if benchmark:
            branch_params.append(filters.benchmark)
    sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(selects)
    with connection.cursor() as cursor:
        cursor.execute(sql, params + branch_params)
        rows = cursor.fetchall()
    result = FacetCounts()
    for facet, value, name, count in rows:
        if facet == "total":
            result.total = count
        elif value not in (None, ""):
            result.counts[facet][value] = result.counts[facet].get(value, 0) + count
            if name is not None:
                result.city_names[value] = name
    return result


# Facet counts are kept in the shared cache under the current version of the library, which
# every change of a practice replaces (services.py calls facets_changed): a new version names new
# keys, so nothing counted before a change is read after it. A city renamed or moved (its name
# and country are in the counts) through the site replaces it too (cities.services.city_save);
# loaded from the content file, it shows within the hour.
FACETS_VERSION_KEY = "practices:facets:version"
FACETS_SECONDS = 3600
GAP_LINKS_SECONDS = 3600


def facets_changed() -> None:
    """The published practices changed: every facet count cached so far is stale."""
    cache.set(FACETS_VERSION_KEY, uuid.uuid4().hex, None)


def _library_version() -> str:
    version = cache.get(FACETS_VERSION_KEY)
    if version is None:
        # Never set, or evicted: a version of its own, so that no count kept before is read.
        cache.add(FACETS_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(FACETS_VERSION_KEY)
    return str(version)


def cached_facet_counts(filters: PracticeFilters) -> FacetCounts:
    """``facet_counts``, from the shared cache when the library has not changed since."""
    return _counts(_library_version(), filters)


def _counts(version: str, filters: PracticeFilters) -> FacetCounts:
    key = "practices:facets:" + hashlib.sha256(repr((version, filters)).encode()).hexdigest()
    found: FacetCounts | None = cache.get(key)
    if found is None:
        found = facet_counts(filters)
        cache.set(key, found, FACETS_SECONDS)
    return found


def facets(
    filters: PracticeFilters, names: Labels | None = None, found: FacetCounts | None = None
) -> dict[str, Facet]:
    """Each filter's options, labelled, with how many practices each would give."""
    names = names or labels()
    found = found or facet_counts(filters)
    counts = found.counts

    def options(name: str, label: Any, order: Any = None) -> list[Option]:
        made = [Option(value, label(value), n) for value, n in counts.get(name, {}).items()]
        return sorted(made, key=order or (lambda o: o.label.lower()))

    def framework_order(kind: str) -> Any:
        return lambda o: (names.order.get((kind, o.value), 10_000), o.label.lower())

    sources = dict(PracticeSource.choices)
    labellers: dict[str, Callable[[str], str]] = {
        "role": names.role,
        "commitment": names.commitment,
        "benchmark": names.benchmark,
        "factor": names.factor,
        "country": lambda code: str(countries.name(code) or code),
        "city": lambda slug: found.city_names.get(slug, slug),
        "year": str,
        "source": lambda value: str(sources.get(value, value)),
    }
    orders = {
        "role": framework_order("role"),
        "commitment": framework_order("commitment"),
        "factor": framework_order("factor"),
        "year": lambda o: -int(o.value),
    }
    result = {}
    for name, labeller in labellers.items():
        made = options(name, labeller, orders.get(name))
        selected = str(getattr(filters, name) or "")
        if selected and selected not in {option.value for option in made}:
            made = [Option(selected, labeller(selected), 0), *made]
        result[name] = Facet(name, made, selected)
    return result


# ---------------------------------------------------------------------------------------
# One practice


def visible_practices(user: Any) -> QuerySet[Practice]:
    """Published practices; also the unpublished ones of the user's cities (all of them for
    the secretariat)."""
    return visible_to(user, Practice)


def for_page(practices: QuerySet[Practice]) -> QuerySet[Practice]:
    """What a practice's record (the API) reads with it: its city, other cities and themes.
    (Its page reads them as rows, ``practice_rows``; its form, ``for_form``.)"""
    return practices.select_related("city").prefetch_related(
        Prefetch("other_cities", queryset=City.objects.order_by("name")),
        Prefetch("themes", queryset=PracticeTheme.objects.order_by("lineage", "section_key")),
    )


def for_form(practices: QuerySet[Practice]) -> QuerySet[Practice]:
    """What a practice's form and the steps on its page read with it: its city and the
    themes the form starts from (its other cities are read as rows, ``other_city_links``)."""
    return practices.select_related("city").prefetch_related(
        Prefetch("themes", queryset=PracticeTheme.objects.order_by("lineage", "section_key"))
    )


def practice_for_page(key: str, user: Any) -> Practice | None:
    """The practice if the user may see it."""
    return for_page(visible_to(user, Practice).filter(key=key)).first()


def _names_key() -> str:
    return f"practices:labels:{get_language()}"


def _kept_names(found: dict[str, Any]) -> Labels:
    """The themes' labels in the active language (``labels``: three queries), from what a
    ``get_many`` of the page cache's generation and ``_names_key()`` found; kept again under
    the generation, which any change of a framework replaces (``lib.page_cache``)."""
    generation = found.get(page_cache.GENERATION_KEY)
    if not isinstance(generation, str):
        generation = page_cache.bump()  # none yet, or lost: no kept page can match it either
    kept = found.get(_names_key())
    if kept is not None and kept[0] == generation:
        names: Labels = kept[1]
        return names
    # The generation is read first: a write committing from now on starts another.
    names = labels()
    cache.set(_names_key(), (generation, names), FACETS_SECONDS)
    return names


def kept_labels() -> Labels:
    """``labels`` in the active language, kept under the data generation (one cache read)."""
    return _kept_names(cache.get_many([page_cache.GENERATION_KEY, _names_key()]))


def library_names_and_counts(filters: PracticeFilters) -> tuple[Labels, FacetCounts]:
    """What the library reads besides its page of practices: the themes' labels
    (``_kept_names``) and the facet counts (``cached_facet_counts``), in two reads of the
    shared cache rather than two reads and three queries."""
    found = cache.get_many([page_cache.GENERATION_KEY, FACETS_VERSION_KEY, _names_key()])
    version = found.get(FACETS_VERSION_KEY)
    return _kept_names(found), _counts(
        version if isinstance(version, str) else _library_version(), filters
    )


@dataclass(frozen=True)
class PracticeRows:
    """What a practice's page shows of its themes and other cities, as plain rows."""

    themes: list[ThemeKeys]  # by lineage and section
    other_cities: list[dict[str, str]]  # ``name`` and ``url``, by name


def practice_rows(practice: Practice) -> PracticeRows:
    """A practice's themes and other cities, by two prepared queries: compiling the page's
    prefetches cost more than running them."""
    return PracticeRows(list(_theme_keys(practice.pk)), other_city_links(practice))


def other_city_links(practice: Practice) -> list[dict[str, str]]:
    """The cities a practice credits besides its own, by name: ``name`` and ``url``."""
    prefix, suffix = reverse("cities:detail", kwargs={"slug": "slug"}).rsplit("slug", 1)
    return [
        {"name": name, "url": f"{prefix}{slug}{suffix}"}
        for name, slug in _other_cities(practice.pk)
    ]


@prepared
def _theme_keys(practice_id: int) -> QuerySet[Any]:
    return (
        PracticeTheme.objects.filter(practice_id=practice_id)
        .order_by("lineage", "section_key")
        .values_list("lineage", "section_key", "item_key")
    )


@prepared
def _other_cities(practice_id: int) -> QuerySet[Any]:
    return (
        City.objects.filter(shared_practices__id=practice_id)
        .order_by("name")
        .values_list("name", "slug")
    )


def page_names_and_related(
    practice: Practice, themes: Iterable[ThemeKeys], limit: int = 5
) -> tuple[Labels, list[Practice]]:
    """What a practice's page reads beside the practice, in one read of the shared cache (and
    one query for the related practices): the themes' labels in the active language
    (``labels``, three queries otherwise), kept under the page cache's data generation, which
    any change of a framework replaces (``lib.page_cache``); and the related practices
    (``related_ids``), chosen once per version of the library: at 100,000 practices, counting
    the themes each shares with this one costs a tenth of a second. They are kept as ids and
    read, with only what the page shows of them."""
    related_key = f"practices:related:{practice.pk}:{limit}"
    found = cache.get_many(
        [page_cache.GENERATION_KEY, FACETS_VERSION_KEY, _names_key(), related_key]
    )
    names = _kept_names(found)
    version = found.get(FACETS_VERSION_KEY)
    if not isinstance(version, str):
        version = _library_version()
    kept = found.get(related_key)
    if kept is None or kept[0] != version:
        ids = related_ids(practice, themes, limit)
        cache.set(related_key, (version, ids), FACETS_SECONDS)
    else:
        ids = kept[1]
    by_id = (
        Practice.objects.published()
        .select_related("city")
        .only("key", "title", "year", "city__name")
        .in_bulk(ids)
    )
    return names, [by_id[pk] for pk in ids if pk in by_id]


def related_ids(practice: Practice, themes: Iterable[ThemeKeys], limit: int = 5) -> list[int]:
    """The ids of the published practices that share most of ``themes`` (the practice's own)
    with this one (then the same city's), best first.

    The matching theme rows are counted per practice id alone: grouping the practices' own
    rows (their long texts included) cost four times as much (105 against 416 ms at 100,000
    practices on SQLite)."""
    shared = Q()
    for lineage, section_key, item_key in themes:
        if item_key:
            shared |= Q(lineage=lineage, item_key=item_key)
        else:
            shared |= Q(lineage=lineage, section_key=section_key, item_key="")
    found: list[int] = []
    if shared:
        found = list(
            PracticeTheme.objects.filter(shared, practice__status=PracticeStatus.PUBLISHED)
            .exclude(practice_id=practice.pk)
            .values("practice_id")
            .annotate(shared=Count("pk"))
            .order_by("-shared", "-practice__year", "practice__title")
            .values_list("practice_id", flat=True)[:limit]
        )
    if len(found) < limit:
        found += list(
            Practice.objects.published()
            .filter(city_id=practice.city_id)
            .exclude(pk__in=[practice.pk, *found])
            .order_by("title")
            .values_list("pk", flat=True)[: limit - len(found)]
        )
    return found


def themes_of(practice: Practice, names: Labels) -> dict[str, list[dict[str, str]]]:
    """The practice's commitments (with their role) and key factors, labelled."""
    return labelled_themes(
        ((t.lineage, t.section_key, t.item_key) for t in practice.themes.all()), names
    )


ThemeKeys = tuple[str, str, str]  # lineage, section key, item key: a PracticeTheme's row


def labelled_themes(themes: Iterable[ThemeKeys], names: Labels) -> dict[str, list[dict[str, str]]]:
    """Commitments (with their role) and key factors, labelled, from their rows' keys."""
    commitments, factors = [], []
    for lineage, section_key, item_key in themes:
        if lineage == CHARTER_LINEAGE:
            commitments.append(
                {
                    "key": item_key,
                    "label": names.commitment(item_key),
                    "role": section_key,
                    "role_label": names.role(section_key),
                }
            )
        else:
            factors.append(
                {
                    "key": section_key,
                    "label": names.factor(section_key),
                    "benchmark": lineage,
                    "benchmark_label": names.benchmark(lineage),
                }
            )
    commitments.sort(key=lambda c: names.order.get(("commitment", c["key"]), 10_000))
    factors.sort(key=lambda f: names.order.get(("factor", f["key"]), 10_000))
    return {"commitments": commitments, "factors": factors}


# ---------------------------------------------------------------------------------------
# Practices elsewhere on the site


def city_practices(city: City | int) -> QuerySet[Practice]:
    """A city's published practices, those it shares with other cities included."""
    city_id = city if isinstance(city, int) else city.pk
    # The ids of its own and of its shared practices, as one list: an OR of the two made
    # PostgreSQL read every practice (8 ms, and growing with the library).
    own = Practice.objects.filter(city_id=city_id).order_by().values("pk")
    shared = OtherCities.objects.filter(city_id=city_id).order_by().values("practice_id")
    return (
        Practice.objects.published()
        .filter(pk__in=own.union(shared, all=True))
        .select_related("city")
        .order_by(F("year").desc(nulls_last=True), "title")
    )


@prepared
def city_practice_rows(city_id: int) -> QuerySet[Any]:
    """``city_practices``' ``key``, ``title``, ``year``, ``city_id`` and ``city__name``, for the
    city's page."""
    return city_practices(city_id).values("key", "title", "year", "city_id", "city__name")


def pending_for(user: Any) -> QuerySet[Practice]:
    """Practices not published yet that the user may see: every one for the secretariat, their
    cities' for city members, none for anybody else."""
    practices = visible_to(user, Practice).exclude(status=PracticeStatus.PUBLISHED)
    return practices.select_related("city", "created_by").order_by("-updated_at")


def practices_for_gaps(
    *,
    lineage: str,
    keys: Iterable[str],
    cities: set[int] | None = None,
    limit: int = 3,
    met_in_round: Any = None,
    top_levels: Iterable[int] = (),
) -> dict[str, list[Practice]]:
    """Published practices per gap, in one query: at most ``limit`` for each key.

    ``keys`` are item keys (Charter commitments) or section keys (benchmark key factors);
    the result maps each key that has practices to them, newest first. ``cities`` keeps the
    practices of those cities only (None: any city). ``met_in_round`` (a round of ``lineage``)
    keeps, for each commitment, the practices of cities that gave it the top level of its scale
    in a validated assessment of that round (``top_levels``: the ids of the round framework's
    top levels, from the results module); it applies to item keys.
    """
    keys = sorted(set(keys))
    if not keys:
        return {}
    if cities is not None and not cities:
        return {}
    themes = PracticeTheme.objects.filter(
        Q(item_key__in=keys) | Q(item_key="", section_key__in=keys),
        lineage=lineage,
        practice__status=PracticeStatus.PUBLISHED,
    )
    if cities is not None:
        themes = themes.filter(practice__city_id__in=sorted(cities))
    if met_in_round is not None:
        themes = themes.filter(_met_in_round(met_in_round, top_levels))
    themes = themes.annotate(
        gap_key=_gap_key(),
        rank=Window(
            RowNumber(),
            partition_by=[_gap_key()],
            order_by=[F("practice__year").desc(nulls_last=True), F("practice__title"), "pk"],
        ),
    ).filter(rank__lte=limit)
    result: dict[str, list[Practice]] = defaultdict(list)
    for theme in themes.select_related("practice", "practice__city").order_by("gap_key", "rank"):
        result[theme.gap_key].append(theme.practice)
    return dict(result)


def _gap_key() -> Any:
    """The commitment (item key), or the key factor (section key) of a benchmark's theme."""
    return Case(When(item_key="", then=F("section_key")), default=F("item_key"))


def _met_in_round(round_: Any, top_levels: Iterable[int]) -> Exists:
    """The practice's city gave the theme's commitment the top level of its scale (one of
    ``top_levels``) in a validated assessment of the round."""
    from integratingcities.assessments.models import Answer, AssessmentState

    return Exists(
        Answer.objects.filter(
            assessment__round=round_,
            assessment__state=AssessmentState.VALIDATED,
            assessment__city_id=OuterRef("practice__city_id"),
            item__key=OuterRef("item_key"),
            level_id__in=sorted(top_levels),
        )
    )


@dataclass(frozen=True)
class PracticeLink:
    """What a list of suggested practices shows of one (kept in the cache: no model)."""

    key: str
    title: str
    year: int | None
    city_name: str
    url: str
    is_illustrative: bool = False


def practice_address() -> Callable[[str], str]:
    """A practice's address from its key, reversed once for all of a page's practices (the
    ``<slug:key>`` of a practice's address never needs quoting)."""
    prefix, suffix = reverse("practices:detail", kwargs={"key": "key"}).rsplit("key", 1)
    return lambda key: f"{prefix}{key}{suffix}"


def _links(found: dict[str, list[Practice]]) -> dict[str, list[PracticeLink]]:
    """``practices_for_gaps``' practices as the links a page lists."""
    address = practice_address()
    return {
        gap: [
            PracticeLink(
                practice.key,
                practice.title,
                practice.year,
                practice.city.name,
                address(practice.key),
                practice.is_illustrative,
            )
            for practice in practices
        ]
        for gap, practices in found.items()
    }


def round_practice_links(
    round_: Any, *, commitments: Iterable[str], top_levels: Iterable[int], limit: int = 3
) -> dict[str, list[PracticeLink]]:
    """Per commitment of a round (``commitments``), published practices of cities that meet it
    in that round (``practices_for_gaps``), as a city's results page shows them under each of
    its gaps (one query). Every city's page of the round reads the same: ``results.rounds``
    keeps them with the round's other facts."""
    return _links(
        practices_for_gaps(
            lineage=round_.framework.lineage,
            keys=commitments,
            limit=limit,
            met_in_round=round_,
            top_levels=top_levels,
        )
    )


def gap_practice_links(
    *, lineage: str, keys: Iterable[str], limit: int = 3
) -> dict[str, list[PracticeLink]]:
    """``practices_for_gaps`` of any city, as links, kept in the shared cache until a practice
    or a city changes: a self-test's results page lists them under each weak key factor, and
    reading them afresh (whole practices, long texts and all, ranked per key factor) cost more
    than the rest of its queries together."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    digest = hashlib.sha256("\n".join(wanted).encode()).hexdigest()[:32]
    return page_cache.kept(
        f"practices:gap-links:{lineage}:{limit}:{digest}",
        lambda: _links(practices_for_gaps(lineage=lineage, keys=wanted, limit=limit)),
        GAP_LINKS_SECONDS,
        apps=("practices", "cities"),
    )
