"""What a comparison asks for, read from the query string: the whole choice is in the address,
so that it can be shared, bookmarked and opened without JavaScript.

``?data=round:7&city=ghent&city=riga&what=policymaker&what=overall`` compares Ghent and Riga on
the role "policymaker" and overall in round 7; ``data=benchmark:<lineage>`` takes the public
self-tests of a benchmark instead; ``country``, ``band`` and ``foreign_born`` add the cities of
a peer group. Nothing here raises: input that cannot be read is left out and said so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from integratingcities.lib import scoring

MAX_CITIES = 12  # more bars than this no longer read side by side
MAX_SUBJECTS = 8  # things compared at once (roles, commitments, key factors)
MAX_VALUES = 200  # values of one parameter read at all; the rest of a hostile list is ignored
OVERALL = "overall"

_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,100}$")
_SUBJECT = re.compile(r"^[-a-zA-Z0-9_]{1,80}(\.[-a-zA-Z0-9_]{1,80})?$")
_SOURCE = re.compile(r"^(round:[0-9]{1,9}|benchmark:[-a-zA-Z0-9_]{1,100})$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


@dataclass(frozen=True)
class CompareQuery:
    source: str = ""  # "round:<id>" or "benchmark:<lineage>"
    cities: tuple[str, ...] = ()  # city slugs, in the order given, without repeats
    typed: tuple[str, ...] = ()  # cities typed one a line, by name or short name
    what: tuple[str, ...] = ()  # "overall", a section key, or "<section key>.<item key>"
    country: str = ""
    band: scoring.Band | None = None
    foreign_born: str = ""

    @property
    def has_group(self) -> bool:
        return bool(self.country or self.band or self.foreign_born)

    @property
    def round_id(self) -> int | None:
        kind, _sep, value = self.source.partition(":")
        return int(value) if kind == "round" else None

    @property
    def lineage(self) -> str:
        kind, _sep, value = self.source.partition(":")
        return value if kind == "benchmark" else ""

    def params(self) -> list[tuple[str, str]]:
        """The query again, in a stable order: what the CSV and SVG links carry."""
        found = [("data", self.source)] if self.source else []
        found += [("city", slug) for slug in self.cities]
        found += [("what", token) for token in self.what]
        if self.country:
            found.append(("country", self.country))
        if self.band is not None:
            found.append(("band", self.band.name))
        if self.foreign_born:
            found.append(("foreign_born", self.foreign_born))
        return found


def _values(data: Any, name: str) -> list[str]:
    """Up to ``MAX_VALUES`` non-empty values of one parameter, stripped. A value with a NUL
    or longer than any name could be is left out (PostgreSQL refuses a NUL in text)."""
    found = []
    for raw in data.getlist(name)[:MAX_VALUES]:
        for value in str(raw).split(","):
            value = value.strip()
            if value and "\x00" not in value and len(value) <= 200:
                found.append(value)
    return found


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def parse(data: Any) -> tuple[CompareQuery, list[str]]:
    """The query in ``data`` (a QueryDict), and what was left out of it, in words."""
    notes: list[str] = []
    sources = _values(data, "data")
    source = sources[0] if sources else ""
    if source and not _SOURCE.match(source):
        notes.append(_("There are no published results called “%(name)s”.") % {"name": source})
        source = ""
    slugs = _values(data, "city")
    bad = [slug for slug in slugs if not _SLUG.match(slug)]
    if bad:
        notes.append(_("There is no city called “%(name)s”.") % {"name": bad[0]})
    typed = [
        line.strip()
        for text in data.getlist("cities")[:1]
        for line in str(text).splitlines()
        if line.strip() and "\x00" not in line and len(line.strip()) <= 200
    ]
    if len(typed) > MAX_VALUES:
        notes.append(_("At most %(max)d cities a list.") % {"max": MAX_VALUES})
        typed = typed[:MAX_VALUES]
    what = _values(data, "what")
    unreadable = [token for token in what if not _SUBJECT.match(token)]
    if unreadable:
        notes.append(
            _("“%(name)s” is not something these results compare.") % {"name": unreadable[0]}
        )
    country = (_values(data, "country") or [""])[0]
    if country and not _COUNTRY.match(country):
        notes.append(_("“%(code)s” is not a country code.") % {"code": country})
        country = ""
    band_name = (_values(data, "band") or [""])[0]
    band = scoring.Band.__members__.get(band_name)
    if band_name and band is None:
        notes.append(_("“%(name)s” is not a city size.") % {"name": band_name})
    foreign_born = (_values(data, "foreign_born") or [""])[0]
    if foreign_born and foreign_born not in scoring.FOREIGN_BORN_BANDS:
        notes.append(_("“%(name)s” is not a share born abroad.") % {"name": foreign_born})
        foreign_born = ""
    query = CompareQuery(
        source=source,
        cities=_unique([slug.lower() for slug in slugs if _SLUG.match(slug)]),
        typed=_unique(typed),
        what=_unique([token for token in what if _SUBJECT.match(token)]),
        country=country.upper(),
        band=band,
        foreign_born=foreign_born,
    )
    return query, notes
