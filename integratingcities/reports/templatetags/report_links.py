"""Links from the rounds' pages to their published reports (one query per page)."""

from collections.abc import Iterable
from typing import Any

from django import template

from integratingcities.reports.models import Edition
from integratingcities.reports.selectors import latest_edition, latest_editions

register = template.Library()


@register.simple_tag
def latest_report(round_: Any) -> Edition | None:
    """``{% latest_report round as edition %}``: the round's latest published edition."""
    return latest_edition(round_)


@register.simple_tag
def report_editions(rounds: Iterable[Any]) -> dict[int, int]:
    """``{% report_editions rounds as editions %}``: per round id, its latest edition number."""
    return latest_editions([round_.pk for round_ in rounds])
