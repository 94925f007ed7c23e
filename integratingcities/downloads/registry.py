"""What files the platform can make in the background, and who may have each.

Each app registers its builders in its ``AppConfig.ready()``. A builder knows the query
parameters it takes, who may have the file, a cheap fingerprint of the data it is made from (a new
fingerprint means a kept file is stale), and how to make it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Progress = Callable[[int, str], None]  # progress(percent 0-100, "what is being done")
Params = dict[str, str]


@dataclass(frozen=True)
class Built:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Builder:
    kind: str  # "reports.edition_pdf"
    params: tuple[str, ...]  # the query parameters it takes
    title: Callable[[Params], str]  # what the person sees: "… (PDF)"
    allowed: Callable[[Any, Params], bool]  # (user, params); False for unknown objects too
    version: Callable[[Params], str]  # a fingerprint of the data the file is made from
    build: Callable[[Params, Progress], Built]


_BUILDERS: dict[str, Builder] = {}


def register(builder: Builder) -> Builder:
    _BUILDERS[builder.kind] = builder
    return builder


def builder_for(kind: str) -> Builder | None:
    return _BUILDERS.get(kind)
