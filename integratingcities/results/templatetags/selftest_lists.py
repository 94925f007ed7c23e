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

from .scores import comparison, score

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
        now = fixed(item.score, 0) if item.score is not None else "—"
        change = ""
        if item.change:
            sign = "+" if item.change > 0 else ""
            change = f" <strong>({sign}{fixed(item.change, 0)})</strong>"
        written.append(f"<li>{esc(translate(item.item.text))}: {before} → {now}{change}</li>")
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


# The tables and sections of the results, written in Python like the lists above: the template
# loops that wrote them (a few hundred variables and tags) were half of the page's rendering.
# What they write is what the loops wrote, but for the whitespace between rows.


def _whole_or_dash(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{'+' if signed and value > 0 else ''}{fixed(value, 0)}"


@register.simple_tag
def score_rows(found: Any) -> SafeString:
    """The table of scores per key factor: the score, how many guide questions carry one, and
    the network's median."""
    score_label = esc(_("Score"))
    coverage_label = esc(_("With a score"))
    median_label = esc(_("Network median"))
    written = []
    for row in found.sections:
        result = row.result
        median = row.comparisons[0].spread.median if row.comparisons else None
        written.append(
            f'<tr><th scope="row"><a href="#gaps-{esc(row.section.key)}">'
            f"{esc(translate(row.section.title))}</a></th>\n"
            f'<td data-label="{score_label}" class="num">{score(result)}</td>\n'
            f'<td data-label="{coverage_label}" class="num">'
            f"{shown(result.scored_items)} / {shown(result.items)}</td>\n"
            f'<td data-label="{median_label}" class="num">{_whole_or_dash(median)}</td></tr>'
        )
    return mark_safe("\n".join(written))


@register.simple_tag
def section_comments(found: Any) -> SafeString:
    """The city's comment on each key factor that has one."""
    return mark_safe(
        "".join(
            f'<p class="small"><strong>{esc(translate(row.section.title))}:</strong> '
            f'<span style="white-space:pre-wrap">{esc(row.comment)}</span></p>'
            for row in found.sections
            if row.comment
        )
    )


@register.simple_tag
def peer_rows(found: Any) -> SafeString:
    """The table of the city's score beside each peer group's median and its rank there, per
    key factor and overall."""
    rows = [
        (esc(translate(row.section.title)), row.result, row.comparisons) for row in found.sections
    ]
    rows.append((esc(_("Overall")), found.overall, found.overall_comparisons))
    return mark_safe(
        "\n".join(
            f'<tr><th scope="row">{title}</th><td class="num">{score(result)}</td>\n'
            + "".join(f'<td class="num">{comparison(c)}</td>' for c in compared)
            + "</tr>"
            for title, result, compared in rows
        )
    )


@register.simple_tag
def progress_rows(found: Any) -> SafeString:
    """The table of each key factor's headline in the previous self-test and in this one, and
    the change, then overall."""
    before_label = esc(_("Before"))
    now_label = esc(_("Now"))
    change_label = esc(_("Change"))
    rows = [
        (esc(translate(row.section.title)), row.before, row.result.headline, row.change)
        for row in found.sections
    ]
    rows.append(
        (esc(_("Overall")), found.overall_before, found.overall.headline, found.overall_change)
    )
    return mark_safe(
        "\n".join(
            f'<tr><th scope="row">{title}</th>'
            f'<td data-label="{before_label}" class="num">{_whole_or_dash(before)}</td>'
            f'<td data-label="{now_label}" class="num">{_whole_or_dash(now)}</td>'
            f'<td data-label="{change_label}" class="num">{_whole_or_dash(change, True)}</td></tr>'
            for title, before, now, change in rows
        )
    )


@register.simple_tag
def question_change_sections(found: Any) -> SafeString:
    """Per key factor, the change of each guide question (``question_changes``)."""
    return mark_safe(
        "\n".join(
            f"<h4>{esc(translate(row.section.title))}</h4>\n"
            f'<ul class="small">{question_changes(row.items)}</ul>'
            for row in found.sections
        )
    )


@register.simple_tag
def gap_sections(found: Any) -> SafeString:
    """Per key factor not fully met, the weakest first: its guide questions not met, its gaps
    in knowledge, and what may inspire the city (the benchmark's examples, the library's
    practices, the evidence of cities that meet it)."""
    if not found.gap_groups:
        return mark_safe(
            f"<p>{esc(_('Every guide question is met: nothing more to do under this benchmark.'))}"
            "</p>"
        )
    written = []
    for group in found.gap_groups:
        key = esc(group.section.key)
        parts = [
            f'<section aria-labelledby="gaps-{key}" class="card">\n'
            f'<h3 id="gaps-{key}">{esc(translate(group.section.title))} '
            f'<span class="pill">{score(group.result)}</span></h3>'
        ]
        if group.gaps:
            parts.append(f"<ul>{gap_items(group.gaps)}</ul>")
        if group.unknown:
            parts.append(
                f'<p class="small"><strong>{esc(_("Gaps in knowledge:"))}</strong></p>\n'
                f'<ul class="small">{unknown_items(group.unknown)}</ul>'
            )
        if group.examples or group.evidence_html or group.practices:
            practices = ""
            if group.practices:
                listed = "".join(
                    f'<li><a href="{esc(p.url)}">{esc(p.title)}</a> — {esc(p.city_name)}'
                    f"{', ' + shown(p.year) if p.year else ''}</li>"
                    for p in group.practices
                )
                practices = (
                    f'<p class="small"><strong>{esc(_("From the practice library:"))}</strong>'
                    f'</p><ul class="small">{listed}</ul>'
                )
            parts.append(
                f"<details{' open' if group.is_weak else ''}>\n"
                f"<summary>{esc(_('Inspiration'))}</summary>\n"
                f"{benchmark_examples(group.examples)}\n{practices}\n"
                f"{esc(group.evidence_html)}\n</details>"
            )
        parts.append("</section>")
        written.append("\n".join(parts))
    return mark_safe("\n".join(written))
