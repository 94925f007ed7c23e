"""A score and a peer group's median as the results pages show them, written in Python: a
self-test's results page showed some fifty of them, each a template include, and
``floatformat`` looks the language's number formats up on every call."""

from typing import Any

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from integratingcities.lib.numbers import fixed

register = template.Library()


@register.filter(is_safe=True)
def whole(value: Any) -> SafeString:
    """``floatformat:0``, byte for byte: a number rounded half up to a whole number."""
    return mark_safe(fixed(value, 0))


@register.simple_tag
def score(result: Any) -> SafeString:
    """A result's score (``lib.scoring``), or why there is none."""
    if result.is_enough:
        return mark_safe(fixed(result.score, 0))
    if result.score is not None:
        return _muted(_("not enough answers"))
    return _muted(_("not known"))


@register.simple_tag
def comparison(compared: Any) -> SafeString:
    """A peer group's median (``peers.Comparison``) and the city's rank in it, or a dash."""
    median = compared.spread.median
    if median is None:
        return mark_safe('<span class="muted">—</span>')
    rank = compared.position.rank
    if not rank:
        return mark_safe(fixed(median, 0))
    place = _("rank %(rank)s of %(total)s") % {
        "rank": _shown(rank),
        "total": _shown(compared.position.peers + 1),
    }
    return mark_safe(f'{fixed(median, 0)} <span class="muted small nowrap">({place})</span>')


def _muted(text: str) -> SafeString:
    return mark_safe(f'<span class="muted">{conditional_escape(text)}</span>')


def _shown(value: Any) -> str:
    """A value as a template variable writes it: localised, escaped."""
    return str(conditional_escape(localize(value)))
