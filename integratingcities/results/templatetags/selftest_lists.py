"""The long lists of a self-test's results page, written in Python: its gaps, gaps in
knowledge, the benchmark's examples and the change per guide question are some hundred list
items of a few template variables each, and the template loops took a third of the page's
rendering. Byte for byte what the loops wrote (``toolkits/tests/test_results_lists.py``)."""

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django import template
from django.template.defaultfilters import truncatewords
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from integratingcities.lib.escaping import esc, shown
from integratingcities.lib.numbers import fixed
from integratingcities.lib.translation import translate

register = template.Library()


@register.simple_tag
def gap_items(gaps: Iterable[Any]) -> SafeString:
    """A key factor's guide questions not met: each with its answer, and how many other cities
    meet it."""
    written = []
    for row in gaps:
        meeting = ""
        if row.peers_meeting:
            counted = ngettext(
                "%(counter)s other city meets it",
                "%(counter)s other cities meet it",
                row.peers_meeting,
            ) % {"counter": shown(row.peers_meeting)}
            meeting = f' <span class="muted small">{counted}</span>'
        written.append(
            f"<li>{esc(translate(row.item.text))} — "
            f"<strong>{esc(translate(row.level.label))}</strong>{meeting}</li>"
        )
    return mark_safe("".join(written))


@register.simple_tag
def unknown_items(unknown: Iterable[Any]) -> SafeString:
    """A key factor's gaps in knowledge: answered "don't know", or not at all."""
    not_answered = esc(_("not answered"))
    return mark_safe(
        "".join(
            f"<li>{esc(translate(row.item.text))} — "
            f"{esc(translate(row.level.label)) if row.level else not_answered}</li>"
            for row in unknown
        )
    )


@register.simple_tag
def benchmark_examples(examples: Iterable[dict[str, Any]]) -> SafeString:
    """What the benchmark cites as examples for a key factor (``Section.examples``), each cut
    to sixty words."""
    label = esc(_("benchmark example"))
    cities = reverse("cities:detail", args=["-"])[:-2]  # a slug needs no quoting
    return mark_safe(
        "".join(
            _example(
                translate(example.get("city")),
                f"{cities}{slug}/" if (slug := example.get("city_slug")) else "",
                translate(example.get("title")),
                translate(example.get("text")),
                label,
            )
            for example in examples
        )
    )


@lru_cache(maxsize=4096)
def _example(city: str, url: str, title: str, text: str, label: str) -> str:
    """One example, written once per text and language: every self-test of a benchmark shows
    the same few dozen, and cutting a text to sixty words is the costly part."""
    name = esc(city)
    if url:
        name = f'<a href="{esc(url)}">{name}</a>'
    titled = f": {esc(title)}" if title else ""
    return (
        f"\n        <p><strong>{name}{titled}</strong> "
        f'<span class="muted small">({label})</span><br>{esc(truncatewords(text, 60))}</p>\n      '
    )


@register.simple_tag
def question_changes(items: Iterable[Any]) -> SafeString:
    """Each guide question's score in the previous self-test and in this one, and the change."""
    written = []
    for item in items:
        before = fixed(item.before, 0) if item.before is not None else "—"
        score = fixed(item.score, 0) if item.score is not None else "—"
        change = ""
        if item.change:
            sign = "+" if item.change > 0 else ""
            change = f" <strong>({sign}{fixed(item.change, 0)})</strong>"
        written.append(f"<li>{esc(translate(item.item.text))}: {before} → {score}{change}</li>")
    return mark_safe("".join(written))


@register.simple_tag
def peer_evidence(shared: Iterable[dict[str, Any]]) -> SafeString:
    """The cities that meet a weak key factor and share their evidence (``GapGroup.
    peer_evidence``): each with its evidence under that key factor, cut to sixty words, and
    the context factors it cites."""
    cities = reverse("cities:detail", args=["-"])[:-2]  # a slug needs no quoting
    own = esc(_("meets this key factor; its own evidence"))
    illustrative = f' <span class="pill pill-warn">{esc(_("illustrative levels"))}</span>'
    written = []
    for entry in shared:
        peer = entry["peer"]
        name = esc(peer.city_name)
        answers = "".join(
            f"<li>{esc(translate(answer['item'].text))} — {esc(translate(answer['level'].label))}: "
            f'<span style="white-space:pre-wrap">{esc(truncatewords(answer["evidence"], 60))}'
            "</span></li>"
            for answer in entry["answers"]
        )
        context = ""
        if entry["context"]:
            cited = ngettext(
                "The context factor %(city)s cites",
                "The %(counter)s context factors %(city)s cites",
                len(entry["context"]),
            ) % {"city": name, "counter": shown(len(entry["context"]))}
            factors = "".join(
                f"<dt>{esc(translate(item.text))}</dt>"
                f'<dd style="white-space:pre-wrap">{esc(explanation)}</dd>'
                for item, explanation in entry["context"]
            )
            context = (
                f'<details class="small"><summary>{cited}</summary><dl>{factors}</dl></details>'
            )
        written.append(
            f'\n        <p><strong><a href="{esc(cities + peer.city_slug + "/")}">{name}</a>'
            f'</strong> <span class="muted small">({own})</span>'
            f"{illustrative if peer.is_illustrative else ''}</p>\n"
            f'        <ul class="small">{answers}</ul>\n        {context}\n      '
        )
    return mark_safe("".join(written))
