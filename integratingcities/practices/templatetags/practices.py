"""Practices on other apps' pages, without those apps' views knowing about them.

``{% load practices %}`` then:

- ``{% city_practices city as practices %}``: a city's published practices (one query);
- ``{% answer_proposals assessment answers user as proposals %}``: for a city editor, per item
  id of a section, the answer whose evidence can be proposed as a practice and the practice
  already made from it (one query at most; nothing, and no query, for anybody else).
"""

from collections.abc import Mapping
from typing import Any

from django import template

from integratingcities.permissions import Perm, has_perm

from .. import selectors
from ..models import Practice, PracticeStatus

register = template.Library()


@register.simple_tag
def city_practices(city: Any) -> list[dict[str, Any]]:
    """Per practice ``url``, ``title``, ``year``, ``city_id`` and ``lead`` (its city's name):
    only the columns the list shows."""
    url = selectors.practice_address()
    return [
        {
            "url": url(row["key"]),
            "title": row["title"],
            "year": row["year"],
            "city_id": row["city_id"],
            "lead": row["city__name"],
        }
        for row in selectors.city_practice_rows(city.pk)
    ]


@register.simple_tag
def answer_proposals(
    assessment: Any, answers: Mapping[int, Any], user: Any
) -> dict[int, dict[str, Any]]:
    """Per item: ``answer`` (its id) and ``practice`` (``url`` and ``status``, the words for
    its state) when one was made from it, for those of the section's ``answers`` (by item id,
    as the page read them) that have evidence: one query of the practices made from them, and
    none when no answer has evidence.

    The practices (one at most per answer) are found by their unique ``from_answer``. Joined
    to the answers instead, SQLite read the whole library once per answer as soon as the
    database had been analysed (``ANALYZE``, ``PRAGMA optimize``): most practices come from
    no answer, so its statistics made the index look useless."""
    if not has_perm(user, Perm.ANSWER_ASSESSMENT, assessment):
        return {}
    with_evidence = {answer.pk: item_id for item_id, answer in answers.items() if answer.evidence}
    if not with_evidence:
        return {}
    made = {
        answer_id: (key, status)
        for answer_id, key, status in Practice.objects.filter(
            from_answer_id__in=sorted(with_evidence)
        ).values_list("from_answer_id", "key", "status")
    }
    url = selectors.practice_address()
    statuses = dict(PracticeStatus.choices)
    return {
        item_id: {
            "answer": answer_id,
            "practice": {"url": url(made[answer_id][0]), "status": statuses[made[answer_id][1]]}
            if answer_id in made
            else None,
        }
        for answer_id, item_id in with_evidence.items()
    }
