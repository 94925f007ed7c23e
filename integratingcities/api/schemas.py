from datetime import date
from decimal import Decimal

from ninja import Schema


class CityOut(Schema):
    slug: str
    name: str
    country: str
    signatory: bool
    signed_earliest: date | None
    signed_latest: date | None
    population: int | None
    population_year: int | None
    population_source: str
    foreign_born_share: Decimal | None
    foreign_born_year: int | None
    foreign_born_source: str
    illustrative: bool
    url: str


class ProjectRefOut(Schema):
    slug: str
    name: str
    role: str


class CityDetailOut(CityOut):
    summary: str
    networks: list[str]
    projects: list[ProjectRefOut]


class LevelOut(Schema):
    key: str
    label: dict[str, str]
    score: Decimal | None
    requires_evidence: bool


class ScaleOut(Schema):
    key: str
    levels: list[LevelOut]


class OptionOut(Schema):
    key: str
    label: dict[str, str]


class ItemOut(Schema):
    key: str
    kind: str
    text: dict[str, str]
    guidance: dict[str, str]
    weight: Decimal
    required: bool
    scale: str | None
    options: list[OptionOut]
    min: Decimal | None
    max: Decimal | None


class SectionOut(Schema):
    key: str
    title: dict[str, str]
    description: dict[str, str]
    weight: Decimal
    items: list[ItemOut]


class FrameworkOut(Schema):
    lineage: str
    version: int
    kind: str
    title: dict[str, str]
    status: str
    url: str


class FrameworkDetailOut(FrameworkOut):
    summary: dict[str, str]
    standard: dict[str, str]
    source: dict[str, str]
    scales: list[ScaleOut]
    sections: list[SectionOut]


class ErrorOut(Schema):
    detail: str
