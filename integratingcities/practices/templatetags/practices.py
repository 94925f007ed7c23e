"""Practices on other apps' pages, without those apps' views knowing about them.

``{% load practices %}`` then:

- ``{% city_practices city as practices %}``: a city's published practices (one query);
- ``{% answer_proposals assessment section user as proposals %}``: for a city editor, per item
  id of the section, the answer whose evidence can be proposed as a practice and the practice
  already made from it (one query; nothing, and no query, for anybody else).
"""

from collections.abc import Callable
from typing import Any

from django import template
from django.db.models import OuterRef, Subquery
from django.urls import reverse

from integratingcities.assessments.models import Answer
from integratingcities.permissions import Perm, has_perm

from .. import selectors
from ..models import Practice, PracticeStatus

register = template.Library()


@register.simple_tag
def city_practices(city: Any) -> list[dict[str, Any]]:
    """Per practice ``url``, ``title``, ``year``, ``city_id`` and ``lead`` (its city's name):
    only the columns the list shows."""
    url = _practice_url()
    return [
        {
            "url": url(row["key"]),
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
    """Per item: ``answer`` (its id) and ``practice`` (``url`` and ``status``, the words for
    its state) when one was made from it; the answers with evidence and the practices made
    from them in one query of values.

    The practice (one at most per answer) is looked up per answer by its unique
    ``from_answer``. Joined instead, SQLite read the whole library once per answer as soon
    as the database had been analysed (``ANALYZE``, ``PRAGMA optimize``): most practices
    come from no answer, so its statistics made the index look useless."""
    if not has_perm(user, Perm.ANSWER_ASSESSMENT, assessment):
        return {}
    url = _practice_url()
    statuses = dict(PracticeStatus.choices)
    made = Practice.objects.filter(from_answer_id=OuterRef("pk")).order_by()
    return {
        item_id: {
            "answer": answer_id,
            "practice": {"url": url(key), "status": statuses[status]} if key else None,
        }
        for item_id, answer_id, key, status in Answer.objects.filter(
            assessment=assessment, item__section=section
        )
        .exclude(evidence="")
        .order_by()
        .annotate(
            practice_key=Subquery(made.values("key")[:1]),
            practice_status=Subquery(made.values("status")[:1]),
        )
        .values_list("item_id", "pk", "practice_key", "practice_status")
    }


def _practice_url() -> Callable[[str], str]:
    """A practice's address from its key, reversed once for all the rows (the ``<slug:key>``
    of a practice's address never needs quoting)."""
    prefix, suffix = reverse("practices:detail", kwargs={"key": "key"}).rsplit("key", 1)
    return lambda key: f"{prefix}{key}{suffix}"
