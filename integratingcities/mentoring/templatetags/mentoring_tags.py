"""Template helpers of the mentoring pages: a city's schemes for the city page."""

from typing import Any

from django import template

from integratingcities.mentoring import selectors

register = template.Library()


@register.simple_tag
def city_schemes(city: Any) -> list[dict[str, Any]]:
    """The city's schemes and its role in each (one query; selectors.city_schemes)."""
    return selectors.city_schemes(city.pk)
