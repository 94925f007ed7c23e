"""The sections of a survey's overview, each with its progress, written in Python: the loop's
address, translated title and two translated counts per section were a sixth of an editor's
overview. It writes what the template loop wrote (``tests/test_section_list.py`` compares
both)."""

from collections.abc import Iterable
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from integratingcities.lib.escaping import esc, shown
from integratingcities.lib.translation import translate

register = template.Library()


@register.simple_tag
def section_list(assessment_pk: int, sections: Iterable[Any]) -> SafeString:
    """Each section of ``sections`` (``selectors.sections_of``) as a list item: a link to its
    page, and how many of its questions are answered and carried over still to confirm."""
    prefix, suffix = reverse("assessments:section", args=[assessment_pk, "key"]).rsplit("key", 1)
    answered_text = gettext("%(answered)s of %(total)s answered")
    written = []
    for section in sections:
        to_confirm = section.to_confirm
        carried = (
            ", "
            + ngettext(
                "%(counter)s carried over, to confirm",
                "%(counter)s carried over, to confirm",
                to_confirm,
            )
            % {"counter": shown(to_confirm)}
            if to_confirm
            else ""
        )
        answered = answered_text % {
            "answered": shown(section.answered),
            "total": shown(section.item_count),
        }
        written.append(
            f'\n  <li><a href="{esc(prefix + section.key + suffix)}">'
            f"{esc(translate(section.title))}</a>"
            f' <span class="muted">— {answered}{carried}</span></li>\n'
        )
    return mark_safe("".join(written))
