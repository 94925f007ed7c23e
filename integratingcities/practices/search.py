"""Full-text search of practices, the same on SQLite (FTS5) and PostgreSQL (tsvector).

What a visitor types is read as plain words, never as the database's own query syntax:

- words: all of them must appear (``monitoring migrants``); words are stemmed, so ``monitoring``
  also finds "monitor" and ``discriminated`` finds "discrimination";
- ``"a phrase"``: these words, next to each other, in this order;
- ``-word`` or ``-"a phrase"``: leave out practices that contain it;
- ``or`` between words: either side may match (``housing or health``);
- common English words (``the``, ``of``, ``and``...) are ignored outside a phrase, and every
  character but letters and digits (``*``, ``(``, ``:``, a lone ``"``...) separates words; a
  word joined by such characters (``anti-discrimination``) is read as a phrase.

``parse`` turns the text into a small tree of words; ``to_fts5`` and ``to_tsquery`` write it out
for each database with every word quoted (FTS5) or bound as a parameter (PostgreSQL), so no input
can raise a syntax error. ``apply`` filters a queryset and annotates ``relevance`` (higher is
better): bm25 on SQLite, ts_rank on PostgreSQL, with the title weighing most, then the cities,
then the text.

The index: PostgreSQL keeps a tsvector in ``Practice.search_vector`` (GIN index); SQLite keeps an
FTS5 table, ``practices_practice_fts``. Both use the same Porter stemmer and no stop words (see
migration 0002): on PostgreSQL the text search configuration ``practices``, fed text whose ASCII
punctuation is turned into spaces, so that its parser splits words where SQLite's does.
``index`` rewrites the entries of the practices given, ``index_all`` of every practice; the
services call ``index`` after each write, and deleting a practice removes its FTS5 row by a
trigger.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from typing import TYPE_CHECKING

from django.db import connection

if TYPE_CHECKING:
    from django.contrib.postgres.search import SearchQuery
    from django.db.models import QuerySet

    from .models import Practice

MAX_QUERY_LENGTH = 500
MAX_TERMS = 16
MAX_WORD_LENGTH = 100
CONFIG = "practices"  # PostgreSQL text search configuration made by migration 0002

# Common English words (PostgreSQL's english.stop): a query word among them is left out, on both
# databases. The index keeps them, so that a phrase such as "city of Ghent" still matches.
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom this
    that these those am is are was were be been being have has had having do does did doing a an
    the and but if or because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don should now""".split()
)

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    """One word, or several that must follow each other (a phrase)."""

    words: tuple[str, ...]

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass
class Group:
    """Terms that must all match, and terms that must not."""

    include: list[Term] = field(default_factory=list)
    exclude: list[Term] = field(default_factory=list)


@dataclass(frozen=True)
class Query:
    """Groups of which any may match. Empty: no text condition at all."""

    groups: tuple[Group, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.groups)


def _term(text: str) -> Term | None:
    words = tuple(word.lower() for word in _WORD.findall(text) if len(word) <= MAX_WORD_LENGTH)
    if not words or all(word in STOP_WORDS for word in words):
        return None
    return Term(words)


def parse(text: str | None) -> Query:
    """The query a visitor typed, as words; whatever is not a word is dropped."""
    text = (text or "")[:MAX_QUERY_LENGTH]
    groups: list[Group] = [Group()]
    terms = 0
    for match in _TOKEN.finditer(text):
        negative, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare.lower() == "or":
                if groups[-1].include:
                    groups.append(Group())
                continue
            negative = "-" if bare.startswith("-") else ""
            # A bare word with inner punctuation ("anti-discrimination") reads as a phrase.
            term = _term(bare)
        else:
            term = _term(quoted)
        if term is None or terms >= MAX_TERMS:
            continue
        terms += 1
        target = groups[-1].exclude if negative else groups[-1].include
        if term not in target:
            target.append(term)
    # A group of exclusions alone would match nearly everything: it is dropped.
    return Query(tuple(group for group in groups if group.include))


def to_fts5(query: Query) -> str:
    """An FTS5 MATCH expression: every term is a quoted string (stemmed by the tokenizer)."""

    def quoted(term: Term) -> str:
        return '"' + " ".join(term.words) + '"'  # words hold letters and digits only

    parts = []
    for group in query.groups:
        text = "(" + " AND ".join(quoted(term) for term in group.include) + ")"
        if group.exclude:
            text += " NOT (" + " OR ".join(quoted(term) for term in group.exclude) + ")"
        parts.append("(" + text + ")")
    return " OR ".join(parts)


def to_tsquery(query: Query) -> SearchQuery:
    """The same tree as a PostgreSQL tsquery, every word a bound parameter."""
    from django.contrib.postgres.search import SearchQuery

    def one(term: Term) -> SearchQuery:
        return SearchQuery(
            " ".join(term.words),
            search_type="phrase" if term.is_phrase else "plain",
            config=CONFIG,
        )

    def group_query(group: Group) -> SearchQuery:
        result = reduce(lambda a, b: a & b, (one(term) for term in group.include))
        for term in group.exclude:
            result = result & ~one(term)
        return result

    return reduce(lambda a, b: a | b, (group_query(group) for group in query.groups))


def apply(practices: QuerySet[Practice], query: Query) -> QuerySet[Practice]:
    """Only the practices that match, annotated with ``relevance`` (higher is better)."""
    from django.db.models import F

    if not query:
        return practices
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchRank

        tsquery = to_tsquery(query)
        return practices.filter(search_vector=tsquery).annotate(
            relevance=SearchRank(F("search_vector"), tsquery)
        )
    return practices.filter(search_row__title__match=to_fts5(query)).annotate(
        relevance=-F("search_row__rank")
    )


# ---------------------------------------------------------------------------------------
# The index

_SQLITE_INSERT = """
INSERT INTO practices_practice_fts (rowid, title, places, body)
SELECT p.id, p.title,
       c.name || ' ' || COALESCE((
           SELECT group_concat(o.name, ' ') FROM practices_practice_other_cities t
           JOIN cities_city o ON o.id = t.city_id WHERE t.practice_id = p.id), ''),
       p.summary || ' ' || p.what || ' ' || p.for_whom || ' ' || p.partners || ' ' ||
       p.results || ' ' || p.responsible_body || ' ' || p.transfer
FROM practices_practice p JOIN cities_city c ON c.id = p.city_id
"""

# ASCII punctuation becomes a space, as SQLite's unicode61 tokenizer reads it.
_POSTGRESQL_WORDS = "regexp_replace({}, '[!-/:-@[-`{{-~]+', ' ', 'g')"
_POSTGRESQL_UPDATE = f"""
UPDATE practices_practice p SET search_vector =
    setweight(to_tsvector('{CONFIG}', {_POSTGRESQL_WORDS.format("p.title")}), 'A') ||
    setweight(to_tsvector('{CONFIG}', {
    _POSTGRESQL_WORDS.format(
        "c.name || ' ' || COALESCE(("
        "SELECT string_agg(o.name, ' ') FROM practices_practice_other_cities t "
        "JOIN cities_city o ON o.id = t.city_id WHERE t.practice_id = p.id), '')"
    )
}), 'B') ||
    setweight(to_tsvector('{CONFIG}', {
    _POSTGRESQL_WORDS.format(
        "concat_ws(' ', p.summary, p.what, p.for_whom, p.partners, p.results, "
        "p.responsible_body, p.transfer)"
    )
}), 'C')
FROM cities_city c WHERE c.id = p.city_id
"""  # noqa: S608 - built from the constants above, no input

_CHUNK = 500


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def index(practice_ids: Iterable[int]) -> None:
    """Rewrite the search entries of these practices (a few statements per 500)."""
    ids = sorted(set(practice_ids))
    if not ids:
        return
    with connection.cursor() as cursor:
        for chunk in _chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            if connection.vendor == "postgresql":
                cursor.execute(_POSTGRESQL_UPDATE + " AND p.id = ANY(%s)", [chunk])
            else:
                cursor.execute(
                    f"DELETE FROM practices_practice_fts WHERE rowid IN ({marks})",  # noqa: S608
                    chunk,
                )
                cursor.execute(_SQLITE_INSERT + f" WHERE p.id IN ({marks})", chunk)


def index_all() -> None:
    """Rebuild the whole index (after bulk loads, or when cities are renamed)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_POSTGRESQL_UPDATE)
        else:
            cursor.execute("DELETE FROM practices_practice_fts")
            cursor.execute(_SQLITE_INSERT)


def describe(query: Query) -> list[str]:
    """The terms as understood, for the page ("monitoring", "city council", not "-rumour")."""
    described: list[str] = []
    for group in query.groups:
        described.extend(" ".join(term.words) for term in group.include)
    return described


def as_text(query: Query) -> str:
    """The query written back in the syntax above (for tests and messages)."""

    def written(term: Term) -> str:
        return f'"{" ".join(term.words)}"' if term.is_phrase else term.words[0]

    groups = []
    for group in query.groups:
        parts = [written(term) for term in group.include]
        parts += ["-" + written(term) for term in group.exclude]
        groups.append(" ".join(parts))
    return " or ".join(groups)
