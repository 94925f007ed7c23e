"""The editors' pages and the save read a fixed number of queries, however many cities answer
(benchmarks/editors.py times them). The counts are pinned: a change that adds a query to these
pages, which 15 editors used at once in the load test, should be a decision."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integratingcities.accounts.models import Membership, Role
from integratingcities.assessments.models import Answer, Assessment, AssessmentState, Comment
from integratingcities.frameworks.models import Framework, Item, ItemKind, Level
from integratingcities.lib import page_cache
from integratingcities.lib.testing import People, SignatoryFactory, client_for
from integratingcities.rounds.models import Round, RoundStatus

# Each request reads the session, the user, the assessment (with its city, framework and
# round) and the user's memberships; each page, the unread notifications of the menu.
# The framework's outline (sections, questions, levels) is one read of the shared cache once
# kept: ``OUTLINE_QUERIES`` more on the first page after a change to a framework (or a bump).
PINNED = {
    # This assessment's answers by section, whether there are answers (to offer "start from
    # last time"), the comments.
    "overview": 8,
    # The answers by section, the section's answers, the comments; the answers that may become
    # a practice, with those that did (the practices app's tag). Last time, from a validated
    # earlier assessment, is one read of the shared cache once kept: ``LAST_TIME_QUERIES`` more
    # (the earlier assessment, its answers) after a change to the assessments.
    "section": 9,
    # The answers, the questions, the carried-over answers by section.
    "review": 8,
    # The answers; then, in a transaction (a savepoint here, opened and released), the locked
    # assessment with its round, the answers, the one answer changed and its history row, the
    # assessment's activity stamp.
    "save": 12,
}
OUTLINE_QUERIES = 3
LAST_TIME_QUERIES = 2


def _answer_everything(assessment: Assessment, charter: Framework, level: Level) -> None:
    Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            item=item,
            level=level if item.kind == ItemKind.RATING else None,
            evidence="What the city does.",
            text="" if item.kind == ItemKind.RATING else "An answer.",
            is_answered=True,
            version=1,
        )
        for item in Item.objects.filter(section__framework=charter)
    )


@pytest.fixture
def earlier_round(people: People, charter: Framework) -> Round:
    return Round.objects.create(
        title="Survey 2024",
        framework=charter,
        opens_on=date(2024, 1, 1),
        closes_on=date(2024, 12, 31),
        status=RoundStatus.PUBLISHED,
    )


def _cities(count: int, charter: Framework, rounds: list[Round], level: Level) -> None:
    """More cities answering every question of every round, each with an editor."""
    for _ in range(count):
        city = SignatoryFactory.create()
        for round_ in rounds:
            assessment = Assessment.objects.create(
                city=city, framework=charter, round=round_, state=AssessmentState.SUBMITTED
            )
            _answer_everything(assessment, charter, level)
        editor = Membership.objects.filter(city__slug="riga").get().user
        Membership.objects.get_or_create(user=editor, city=city, role=Role.EDITOR)


def _counted(request: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = request()
    assert response.status_code in (200, 302), response.status_code
    return len(queries.captured_queries)


def test_the_editors_pages_read_a_fixed_number_of_queries(
    people: People,
    charter: Framework,
    open_round: Round,
    earlier_round: Round,
    ghent_assessment: Assessment,
) -> None:
    fully = Level.objects.get(scale__framework=charter, key="fully")
    # Last time: Ghent's validated answers of the earlier round, shown beside each question.
    earlier = Assessment.objects.create(
        city=people.ghent, framework=charter, round=earlier_round, state=AssessmentState.VALIDATED
    )
    _answer_everything(earlier, charter, fully)
    items = list(
        Item.objects.filter(section__framework=charter, section__key="policymaker").order_by(
            "position"
        )
    )
    Comment.objects.create(
        assessment=ghent_assessment, item=items[0], author=people.reviewer, text="Which plan?"
    )
    client = client_for(people.editor)
    pk = ghent_assessment.pk
    section = reverse("assessments:section", args=[pk, "policymaker"])
    # The form as the browser sends it: every question answered "fully" with some evidence,
    # at the versions the page showed; each save changes the first question's evidence.
    form = {"save": ""}
    for item in items:
        form |= {f"i{item.pk}-version": "0", f"i{item.pk}-level": "fully"}
        form |= {f"i{item.pk}-evidence": "A plan.", f"i{item.pk}-links": ""}

    def next_save() -> None:
        """The versions the page the browser was sent back to shows, and a new change."""
        versions = dict(
            Answer.objects.filter(assessment=ghent_assessment).values_list("item_id", "version")
        )
        for item in items:
            form[f"i{item.pk}-version"] = str(versions.get(item.pk, 0))
        changed = versions.get(items[0].pk, 0) + 1
        form[f"i{items[0].pk}-evidence"] = f"Adopted in 2024 (version {changed})."

    pages: dict[str, Callable[[], Any]] = {
        "overview": lambda: client.get(reverse("assessments:detail", args=[pk])),
        "section": lambda: client.get(section),
        "review": lambda: client.get(reverse("assessments:review", args=[pk])),
        "save": lambda: client.post(section, form),
    }
    for request in pages.values():  # the first save starts the answers (and logs it)
        request()
    next_save()
    client.get(section)  # the outline kept again, after the first save changed the state

    assert {name: _counted(request) for name, request in pages.items()} == PINNED
    next_save()
    assert "Last time (Survey 2024)" in client.get(section).content.decode()
    page_cache.bump()  # as any change to public data does
    assert _counted(pages["section"]) == PINNED["section"] + OUTLINE_QUERIES + LAST_TIME_QUERIES
    next_save()

    _cities(12, charter, [open_round, earlier_round], fully)
    client.get(section)

    assert {name: _counted(request) for name, request in pages.items()} == PINNED
