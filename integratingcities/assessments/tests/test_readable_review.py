"""Reading answers as text, commenting beside each one, and the city answering a comment."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from integratingcities.accounts.models import User
from integratingcities.assessments.models import Answer, Assessment, AssessmentState, Comment
from integratingcities.assessments.selectors import level_tone
from integratingcities.assessments.services import AssessmentError, comment_reply
from integratingcities.frameworks.models import Framework, Item, Level
from integratingcities.lib.testing import People, client_for


def _item(charter: Framework, key: str) -> Item:
    return Item.objects.get(section__framework=charter, key=key)


def _answered(assessment: Assessment, state: str = AssessmentState.SUBMITTED) -> Item:
    """Ghent rated one question "Fully" with evidence over two lines and a link."""
    charter = assessment.framework
    item = _item(charter, "communicate-commitment")
    Answer.objects.create(
        assessment=assessment,
        item=item,
        level=Level.objects.get(scale__framework=charter, key="fully"),
        evidence="Leaflets in 9 languages.\nA <b>bold</b> claim.",
        links=["https://www.gent.be/integratie"],
        is_answered=True,
    )
    assessment.state = state
    assessment.save(update_fields=["state"])
    return item


def _page(user: User, assessment: Assessment, key: str = "policymaker") -> str:
    response = client_for(user).get(reverse("assessments:section", args=[assessment.pk, key]))
    assert response.status_code == 200
    return response.content.decode()


def _block(page: str, item: Item) -> str:
    """The part of the page about one question."""
    start = page.index(f'id="item-{item.pk}"')
    following = re.search(r'<section class="question', page[start:])
    return page[start : start + following.start()] if following else page[start:]


class TestReading:
    def test_a_reviewer_reads_the_answers_as_text_not_as_form_controls(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        item = _answered(ghent_assessment)
        page = _page(people.reviewer, ghent_assessment)
        assert '<input type="radio"' not in page
        assert f'name="i{item.pk}-evidence"' not in page
        block = _block(page, item)
        assert '<span class="pill level level-yes">Fully</span>' in block
        # The evidence as paragraphs, escaped, its line break kept; the link as a link.
        assert "Leaflets in 9 languages.<br>A &lt;b&gt;bold&lt;/b&gt; claim." in block
        assert '<a href="https://www.gent.be/integratie"' in block
        assert "Not answered" in page  # the questions Ghent left empty

    def test_each_level_has_its_colour_from_its_score(self) -> None:
        def tone(score: str | None) -> str:
            return level_tone(Level(score=None if score is None else Decimal(score)))

        assert (tone("100"), tone("50"), tone("0"), tone(None)) == ("yes", "partly", "no", "none")
        assert level_tone(None) == "none"

    def test_editors_read_their_submitted_answers_without_a_comment_box(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        item = _answered(ghent_assessment)
        page = _page(people.editor, ghent_assessment)
        assert '<input type="radio"' not in page
        assert "level-yes" in _block(page, item)
        assert "Add comment" not in page
        assert "Answer the comment" not in page

    def test_while_answering_the_form_is_kept(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        _answered(ghent_assessment, AssessmentState.IN_PROGRESS)
        assert '<input type="radio"' in _page(people.editor, ghent_assessment)

    def test_another_city_is_not_found(self, people: People, ghent_assessment: Assessment) -> None:
        item = _answered(ghent_assessment)
        outsider = client_for(people.outsider)
        url = reverse("assessments:section", args=[ghent_assessment.pk, "policymaker"])
        assert outsider.get(url).status_code == 404
        reply = reverse("assessments:reply", args=[ghent_assessment.pk])
        assert outsider.post(reply, {"item": item.pk, "text": "Hi"}).status_code == 404


class TestCommentingBesideEachAnswer:
    def test_the_reviewer_sees_earlier_comments_and_a_box_beside_each_answer(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        item = _answered(ghent_assessment)
        other = Item.objects.filter(section=item.section).exclude(pk=item.pk).first()
        assert other is not None
        Comment.objects.create(
            assessment=ghent_assessment, item=item, author=people.reviewer, text="Which 9?"
        )
        page = _page(people.reviewer, ghent_assessment)
        block = _block(page, item)
        assert "Which 9?" in block
        assert f'form="comment-{item.pk}"' in block
        assert "Which 9?" not in _block(page, other)
        assert f'form="comment-{other.pk}"' in _block(page, other)
        assert '<select name="item"' not in page
        action = reverse("assessments:comment", args=[ghent_assessment.pk])
        assert f'<form id="comment-{item.pk}" method="post" action="{action}"' in page

    def test_a_comment_lands_on_its_answer(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        item = _answered(ghent_assessment)
        response = client_for(people.reviewer).post(
            reverse("assessments:comment", args=[ghent_assessment.pk]),
            {"item": item.pk, "text": "Please add this year's figures."},
        )
        url = reverse("assessments:section", args=[ghent_assessment.pk, "policymaker"])
        assert response.status_code == 302
        assert response["Location"] == f"{url}#item-{item.pk}"
        comment = Comment.objects.get(assessment=ghent_assessment)
        assert (comment.item, comment.author) == (item, people.reviewer)
        assert "Please add this year&#x27;s figures." in _block(
            _page(people.reviewer, ghent_assessment), item
        )


class TestTheCityAnswersAComment:
    def _asked(self, people: People, assessment: Assessment, state: str) -> Item:
        item = _answered(assessment, state)
        Comment.objects.create(
            assessment=assessment, item=item, author=people.reviewer, text="Which 9?"
        )
        return item

    def test_the_editor_answers_beside_the_comment_when_changes_are_requested(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        item = self._asked(people, ghent_assessment, AssessmentState.CHANGES_REQUESTED)
        block = _block(_page(people.editor, ghent_assessment), item)
        assert "Which 9?" in block
        assert f'form="reply-{item.pk}"' in block
        response = client_for(people.editor).post(
            reverse("assessments:reply", args=[ghent_assessment.pk]),
            {"item": item.pk, "text": "Arabic, Turkish, Polish and six more."},
        )
        assert response.status_code == 302
        assert response["Location"].endswith(f"#item-{item.pk}")
        reply = Comment.objects.get(author=people.editor)
        assert (reply.assessment, reply.item) == (ghent_assessment, item)
        # The reviewer reads the answer beside the comment.
        ghent_assessment.state = AssessmentState.SUBMITTED
        ghent_assessment.save(update_fields=["state"])
        block = _block(_page(people.reviewer, ghent_assessment), item)
        assert block.index("Which 9?") < block.index("Arabic, Turkish, Polish")

    def test_it_is_refused_once_the_survey_is_submitted(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        item = self._asked(people, ghent_assessment, AssessmentState.SUBMITTED)
        with pytest.raises(AssessmentError, match="only while"):
            comment_reply(
                assessment=ghent_assessment, item=item, author=people.editor, text="Late."
            )
        response = client_for(people.editor).post(
            reverse("assessments:reply", args=[ghent_assessment.pk]),
            {"item": item.pk, "text": "Late."},
            follow=True,
        )
        assert "only while the survey is in progress" in response.content.decode()
        assert not Comment.objects.filter(author=people.editor).exists()

    def test_only_a_comment_can_be_answered(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        item = _answered(ghent_assessment, AssessmentState.IN_PROGRESS)
        with pytest.raises(AssessmentError, match="no comment"):
            comment_reply(
                assessment=ghent_assessment, item=item, author=people.editor, text="Hello."
            )

    def test_reviewers_and_viewers_do_not_answer_for_the_city(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        item = self._asked(people, ghent_assessment, AssessmentState.CHANGES_REQUESTED)
        for user in (people.reviewer, people.viewer, people.secretariat):
            response = client_for(user).post(
                reverse("assessments:reply", args=[ghent_assessment.pk]),
                {"item": item.pk, "text": "Not mine to say."},
            )
            assert response.status_code == 403
        assert Comment.objects.count() == 1
