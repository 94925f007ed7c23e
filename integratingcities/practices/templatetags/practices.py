"""Practices on other apps' pages, without those apps' views knowing about them.

``{% load practices %}`` then:

- ``{% city_practices city as practices %}``: a city's published practices (one query);
- ``{% answer_proposals assessment section user as proposals %}``: for a city editor, per item
  id of the section, the answer whose evidence can be proposed as a practice and the practice
  already made from it (two queries; nothing, and no query, for anybody else).
"""

from typing import Any

from django import template
from django.urls import reverse

from integratingcities.assessments.models import Answer
from integratingcities.permissions import Perm, has_perm

from .. import selectors
from ..models import Practice

register = template.Library()


@register.simple_tag
def city_practices(city: Any) -> list[dict[str, Any]]:
    """Per practice ``url``, ``title``, ``year``, ``city_id`` and ``lead`` (its city's name):
    only the columns the list shows, and the address reversed once for all the rows (the
    ``<slug:key>`` of a practice's address never needs quoting)."""
    prefix, suffix = reverse("practices:detail", kwargs={"key": "key"}).rsplit("key", 1)
    return [
        {
            "url": f"{prefix}{row['key']}{suffix}",
            "title": row["title"],
            "year": row["year"],
            "city_id": row["city_id"],
            "lead": row["city__name"],
        }
        for row in selectors.city_practices(city).values(
            "key", "title", "year", "city_id", "city__name"
        )
    ]


@register.simple_tag
def answer_proposals(assessment: Any, section: Any, user: Any) -> dict[int, dict[str, Any]]:
    if not has_perm(user, Perm.ANSWER_ASSESSMENT, assessment):
        return {}
    answers = dict(
        Answer.objects.filter(assessment=assessment, item__section=section)
        .exclude(evidence="")
        .values_list("item_id", "pk")
    )
    made = {
        practice.from_answer_id: practice
        for practice in Practice.objects.filter(from_answer_id__in=list(answers.values()))
    }
    return {
        item_id: {"answer": answer_id, "practice": made.get(answer_id)}
        for item_id, answer_id in answers.items()
    }
