"""PracticeFactory: a practice with its themes, indexed for search as the services index it;
and ``menu_counts``, a library filter's counts as its menu shows them."""

import re
from html import unescape
from typing import Any

import factory

from integratingcities.lib.testing import CityFactory
from integratingcities.practices import search, selectors
from integratingcities.practices.models import (
    CHARTER_LINEAGE,
    Practice,
    PracticeSource,
    PracticeStatus,
    PracticeTheme,
)

ROLES = {
    "communicate-commitment": "policymaker",
    "equal-access-non-discrimination": "policymaker",
    "migrant-engagement": "policymaker",
    "equal-access-to-services": "service_provider",
    "needs-understood": "service_provider",
    "workforce-diversity": "employer",
    "fair-treatment-of-staff": "employer",
    "staff-understand-diversity": "employer",
    "equality-in-procurement": "buyer",
    "equality-among-contractors": "buyer",
    "diverse-supplier-base": "buyer",
}


class PracticeFactory(factory.django.DjangoModelFactory[Practice]):
    """``commitments=[...]`` and ``key_factors=[...]`` add themes; the practice is indexed."""

    class Meta:
        model = Practice
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"practice-{n}")
    title = factory.Sequence(lambda n: f"Practice number {n}")
    city = factory.SubFactory(CityFactory)
    summary = "A city did something for its residents."
    source = PracticeSource.REPORT_2015
    status = PracticeStatus.PUBLISHED

    @factory.post_generation
    def commitments(practice: Practice, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            PracticeTheme.objects.bulk_create(
                PracticeTheme(
                    practice=practice, lineage=CHARTER_LINEAGE, section_key=ROLES[key], item_key=key
                )
                for key in extracted
            )

    @factory.post_generation
    def key_factors(practice: Practice, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            PracticeTheme.objects.bulk_create(
                PracticeTheme(
                    practice=practice,
                    lineage="anti-discrimination-job-market",
                    section_key=key,
                    item_key="",
                )
                for key in extracted
            )

    @factory.post_generation
    def indexed(practice: Practice, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            search.index([practice.pk])
            selectors.facets_changed()  # as the services do: cached facet counts are stale


_SELECT = r'<select name="{}"[^>]*>(.*?)</select>'
_COUNTED_OPTION = re.compile(r'<option value="([^"]*)"[^>]*>[^<]*\((\d+)\)</option>')


def menu_counts(response: Any, facet: str) -> dict[str, int]:
    """A filter's menu on the library's page: each value with the count it shows."""
    page = response.content.decode()
    menu = re.search(_SELECT.format(facet), page, re.S)
    assert menu is not None, f"no menu named {facet}"
    return {unescape(value): int(n) for value, n in _COUNTED_OPTION.findall(menu.group(1))}
