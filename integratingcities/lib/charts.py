"""Charts as SVG (matplotlib), the one chart module of the platform, for page and print alike.

Every chart:

- carries its title and a text description inside the SVG (``<title>``, ``<desc>``, and
  ``role="img"`` with ``aria-labelledby`` on the root), so that a screen reader announces it
  wherever it is shown; the page beside it shows the same numbers as a table;
- never cuts a label: long labels are wrapped onto several lines and the figure grows to fit;
- draws each meaning in one colour and one pattern on every chart (``STYLES``): the levels
  (fully, partly, not at all, not applicable, unanswered) and the city, its peers and the
  network median. The colours are the Okabe-Ito set (told apart with every common colour
  blindness) and never carry a meaning alone: each has a pattern and a legend entry;
- scales with its container (``viewBox``, ``width="100%"``) and keeps its text as text, in
  sizes of 8 pt or more, so that it reads on a phone and in print.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape


def _ticker() -> Any:
    _pyplot()
    import matplotlib.ticker

    return matplotlib.ticker


@functools.cache
def _pyplot() -> Any:
    """matplotlib, loaded and set up on the first chart drawn (some 2 s), not when a worker
    starts: most requests draw no chart."""
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot

    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",  # text stays text: searchable, selectable, scalable
            "font.size": 9,
            "axes.labelsize": 9,
            "xtick.labelsize": 8.5,
            "ytick.labelsize": 8.5,
            "legend.fontsize": 8.5,
            "hatch.linewidth": 0.8,
        }
    )
    return matplotlib.pyplot


MIN_FONT = 8  # points: the smallest text on any chart
LABEL_WIDTH = 38  # characters a line of a label holds before it is wrapped
WARNING_COLOUR = "#8a4b00"  # a title that warns (illustrative levels), as on the pages


@dataclass(frozen=True)
class Style:
    """How one meaning is drawn: its colour, its pattern (never colour alone), the colour of
    the pattern's lines (light on dark fills, dark on light ones) and, for lines, a dash and
    a marker."""

    colour: str
    hatch: str = ""
    hatch_colour: str = "#ffffff"
    linestyle: str = "-"
    marker: str = "o"


# One mapping from meaning to colour, used by every chart.
FULLY, PARTLY, NOT_AT_ALL, NOT_APPLICABLE, UNANSWERED = (
    "fully",
    "partly",
    "not_at_all",
    "not_applicable",
    "unanswered",
)
CITY, PEERS, MEDIAN, PREVIOUS, REFERENCE = "city", "peers", "median", "previous", "reference"
LEVEL_MEANINGS = (FULLY, PARTLY, NOT_AT_ALL, NOT_APPLICABLE, UNANSWERED)

STYLES: dict[str, Style] = {
    FULLY: Style("#0072B2"),  # blue
    PARTLY: Style("#56B4E9", "//", "#1a3d55"),  # sky blue, hatched
    NOT_AT_ALL: Style("#D55E00", "xx"),  # vermillion, crossed
    NOT_APPLICABLE: Style("#BBBBBB", "..", "#333333"),  # grey, dotted
    UNANSWERED: Style("#F2F2F2", "--", "#555555"),  # near white, dashed
    CITY: Style("#CC79A7", "", "#ffffff", "-", "o"),  # reddish purple, solid line
    PEERS: Style("#009E73", "\\\\", "#ffffff", "-.", "D"),  # bluish green
    MEDIAN: Style("#444444", "..", "#ffffff", "--", "^"),  # dark grey
    PREVIOUS: Style("#E69F00", "//", "#3d2a00", ":", "v"),  # orange
    REFERENCE: Style("#F0E442", "oo", "#3d3a00", ":", "s"),  # yellow
}

# Series without a fixed meaning (the things compared side by side): told apart by pattern
# and legend as much as by colour. Paul Tol's "muted" set, distinct from the colours above.
CATEGORY_STYLES: tuple[Style, ...] = (
    Style("#332288"),
    Style("#88CCEE", "//", "#1b3a48"),
    Style("#117733", "xx"),
    Style("#DDCC77", "..", "#3d3500"),
    Style("#882255", "\\\\"),
    Style("#44AA99", "--", "#0d2e29"),
    Style("#999933", "oo", "#ffffff"),
    Style("#CC6677", "++"),
    Style("#AA4499", "||"),
)

# Kept for callers that coloured series by position: the levels in scale order.
COLOURS = [STYLES[meaning].colour for meaning in LEVEL_MEANINGS]


def level_meaning(score: float | None, top: float | None = 100) -> str:
    """The meaning of a level from its score on its scale: the top is "fully", 0 is "not at
    all", any other score "partly", no score "not applicable"."""
    if score is None:
        return NOT_APPLICABLE
    if top is not None and score >= top:
        return FULLY
    return NOT_AT_ALL if score <= 0 else PARTLY


def style_of(meaning: str | None, index: int = 0) -> Style:
    """The style of a meaning; a series without one takes the ``index``-th category."""
    if meaning and meaning in STYLES:
        return STYLES[meaning]
    return CATEGORY_STYLES[index % len(CATEGORY_STYLES)]


def wrap(label: str, width: int = LABEL_WIDTH) -> str:
    """A label on as many lines as it needs, never cut."""
    lines = textwrap.wrap(
        " ".join(label.split()), width, break_long_words=True, break_on_hyphens=True
    )
    return "\n".join(lines) or label


def _lines(label: str) -> int:
    return label.count("\n") + 1


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def describe(
    kind: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | int | None]]],
    unit: str,
    missing: str = "",
) -> str:
    """A description of a bar chart in words, with every number: what ``<desc>`` holds when
    the caller gives none."""
    names = ", ".join(name for name, _values in series)
    parts = [f"{kind}, {unit}; {names}."]
    for n, label in enumerate(labels):
        values = "; ".join(
            f"{name} {_number(values[n]) if values[n] is not None else (missing or '—')}"
            for name, values in series
        )
        parts.append(f"{label}: {values}.")
    return " ".join(parts)


def _legend(figure: Any, axis: Any, count: int) -> None:
    """The legend above the plot, in as many columns as fit; its labels wrapped too."""
    handles, labels = axis.get_legend_handles_labels()
    if not handles:
        return
    wrapped = [wrap(label, 30) for label in labels]
    ncol = min(count, 3) if max((len(label) for label in labels), default=0) < 24 else 2
    axis.legend(
        handles,
        wrapped,
        loc="lower left",
        frameon=False,
        ncol=max(1, min(ncol, count)),
        bbox_to_anchor=(0, 1.01),
        handlelength=2.2,
        handleheight=1.3,
    )


def _legend_height(labels: Sequence[str], count: int) -> float:
    """Inches the legend needs above the plot."""
    ncol = min(count, 3) if max((len(label) for label in labels), default=0) < 24 else 2
    rows = -(-count // max(ncol, 1))
    tallest = max((_lines(wrap(label, 30)) for label in labels), default=1)
    return 0.25 + rows * 0.2 * tallest


def _bar_chart(
    labels: list[str],
    count: int,
    per_label: float,
    legend_labels: list[str],
    title: str,
) -> tuple[Any, Any, list[str], list[float]]:
    """A figure for horizontal bars: one band per label, as tall as its wrapped label or its
    bars need (``per_label`` inches), with room for the title and the legend."""
    wrapped = [wrap(label) for label in labels]
    heights = [max(per_label, 0.2 + 0.16 * _lines(label)) for label in wrapped]
    # Each band's centre, from the top down, in inches: matplotlib's y grows upwards.
    centres: list[float] = []
    top = 0.0
    for height in heights:
        centres.append(-(top + height / 2))
        top += height
    chrome = 0.75 + _legend_height(legend_labels, count) + (0.35 if title else 0)
    figure, axis = _pyplot().subplots(figsize=(8, chrome + top))
    axis.set_ylim(-max(top, 0.4), 0)  # an empty chart keeps an axis of some height
    return figure, axis, wrapped, centres


def _finish(
    figure: Any,
    axis: Any,
    labels: list[str],
    positions: Sequence[float],
    ncol: int,
    xlabel: str,
    title: str = "",
) -> None:
    """Labels, legend and axes shared by the bar charts."""
    axis.set_yticks(list(positions), labels)
    axis.set_xlabel(xlabel)
    axis.tick_params(axis="y", length=0)
    if title:
        figure.suptitle(wrap(title, 90), fontsize=9, color=WARNING_COLOUR)
    _legend(figure, axis, ncol)
    axis.spines[["top", "right"]].set_visible(False)
    axis.set_axisbelow(True)
    axis.xaxis.grid(True, color="#dddddd", linewidth=0.6)
    figure.tight_layout()


def stacked_bars(
    labels: list[str],
    series: list[tuple[str, list[int]]],
    xlabel: str,
    title: str = "",
    *,
    meanings: Sequence[str] | None = None,
    description: str = "",
    name: str = "",
) -> str:
    """Horizontal bars, one per label (a commitment), stacked by level; returns SVG text.

    ``meanings`` names what each series is (``FULLY``, ``PARTLY``, …); without it the series
    are read as levels in scale order: fully, partly, not at all, not applicable, unanswered.
    """
    kinds = list(meanings) if meanings is not None else list(LEVEL_MEANINGS)
    names = [legend for legend, _values in series]
    figure, axis, wrapped, positions = _bar_chart(labels, len(series), 0.42, names, title)
    lefts = [0] * len(labels)
    for index, (legend, values) in enumerate(series):
        style = style_of(kinds[index] if index < len(kinds) else None, index)
        axis.barh(
            positions,
            values,
            height=0.3,
            left=lefts,
            color=style.colour,
            hatch=style.hatch or None,
            hatchcolor=style.hatch_colour,
            edgecolor="#ffffff",
            linewidth=0.6,
            label=legend,
        )
        lefts = [left + value for left, value in zip(lefts, values, strict=True)]
    axis.xaxis.set_major_locator(_ticker().MaxNLocator(integer=True))  # counts of cities: no 2.5
    _finish(figure, axis, wrapped, positions, len(series), xlabel, title)
    return _svg(
        figure,
        title or name or _default_title(xlabel),
        description or describe(_("Stacked bars"), labels, series, xlabel),
    )


def grouped_bars(
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    xlabel: str,
    title: str = "",
    *,
    meanings: Sequence[str | None] | None = None,
    description: str = "",
    missing: str = "",
    name: str = "",
) -> str:
    """Horizontal bars on a 0-100 scale, one group per label, one bar per series.

    ``meanings`` names what each series is (``CITY``, ``MEDIAN``, ``PREVIOUS``, …; None: a
    category told apart by pattern); without it a first series is the city and a second the
    network median, as on a self-test's results. A missing value draws no bar; ``missing``
    (say, "not enough answers to score") is then written where the bar would be.

    Every chart takes a ``description`` (``<desc>``; by default every number in words) and a
    ``name`` (``<title>`` when no visible ``title`` is drawn; by default the unit).
    """
    default = [CITY, MEDIAN] if len(series) <= 2 else [None] * len(series)
    kinds = list(meanings) if meanings is not None else default
    names = [legend for legend, _values in series]
    count = max(len(series), 1)
    per_label = 0.16 + 0.2 * count
    figure, axis, wrapped, positions = _bar_chart(labels, count, per_label, names, title)
    # A bar is 0.2 inches in a band of ``per_label``: the axis is in inches.
    bar = 0.2
    for index, (legend, values) in enumerate(series):
        style = style_of(kinds[index] if index < len(kinds) else None, index)
        offset = (count / 2 - index - 0.5) * bar
        known = [(p + offset, v) for p, v in zip(positions, values, strict=True) if v is not None]
        axis.barh(
            [p for p, _v in known],
            [v for _p, v in known],
            height=bar * 0.92,
            color=style.colour,
            hatch=style.hatch or None,
            hatchcolor=style.hatch_colour,
            edgecolor="#ffffff",
            linewidth=0.6,
            label=legend,
        )
        # Each value written at its bar's end: a score of 0 draws no bar, and a number is
        # read more surely than a length.
        for p, v in zip(positions, values, strict=True):
            if v is not None:
                axis.text(
                    v + 1, p + offset, _number(v), va="center", fontsize=MIN_FONT, color="#222222"
                )
            elif missing:
                axis.text(1, p + offset, missing, va="center", fontsize=MIN_FONT, color="#333333")
    # Room after 100 for the value written there; the scale itself stops at 100.
    axis.set_xlim(0, 108)
    axis.set_xticks(range(0, 101, 20))
    _finish(figure, axis, wrapped, positions, len(series), xlabel, title)
    return _svg(
        figure,
        title or name or _default_title(xlabel),
        description or describe(_("Grouped bars"), labels, series, xlabel, missing),
    )


# A line over years: (legend label, its segments as (year, value) points, style). A line with
# several segments is drawn in pieces that are never joined (a change of definition is a break).
Line = tuple[str, list[list[tuple[int, float]]], str]
# The styles a line may take, and the meaning each is drawn in.
LINE_STYLES: dict[str, str] = {"own": CITY, "reference": REFERENCE, "median": MEDIAN}
LINE_WIDTHS = {"own": 2.2, "reference": 1.8, "median": 1.6}


def lines_over_time(
    lines: list[Line], ylabel: str, title: str = "", note: str = "", *, description: str = ""
) -> str:
    """Lines over years, one colour, dash and marker each; returns SVG text. A ``note`` (say,
    that a gap in a line is a change of definition) is written under the chart. A second
    median (of a peer group, after the network's) is drawn in the peers' style."""
    figure, axis = _pyplot().subplots(figsize=(8, 4.2 if note else 3.8))
    years: set[int] = set()
    medians = 0
    described = []
    for label, segments, kind in lines:
        meaning = LINE_STYLES.get(kind, CITY)
        if meaning == MEDIAN:
            meaning = MEDIAN if medians == 0 else PEERS
            medians += 1
        style = STYLES[meaning]
        points = []
        for number, segment in enumerate(segments):
            if not segment:
                continue
            xs, ys = [year for year, _ in segment], [value for _, value in segment]
            years.update(xs)
            points += [f"{year} {_number(value)}" for year, value in segment]
            axis.plot(
                xs,
                ys,
                color=style.colour,
                linestyle=style.linestyle,
                marker=style.marker,
                linewidth=LINE_WIDTHS.get(kind, 1.8),
                label=label if number == 0 else None,
                markersize=5,
            )
        described.append(f"{label}: {', '.join(points) or '—'}.")
    ticks = sorted(years)
    if len(ticks) > 12:
        ticks = ticks[:: -(-len(ticks) // 12)]
    axis.set_xticks(ticks, [str(year) for year in ticks])
    if len(years) == 1:
        only = next(iter(years))
        axis.set_xlim(only - 1, only + 1)
    axis.set_ylabel(ylabel)
    axis.spines[["top", "right"]].set_visible(False)
    _legend(figure, axis, 2)
    if title:
        figure.suptitle(wrap(title, 90), fontsize=9, color=WARNING_COLOUR)
    if note:
        figure.text(0.01, 0.01, wrap(note, 110), fontsize=MIN_FONT, color="#444444")
    figure.tight_layout(rect=(0, 0.06 if note else 0, 1, 1))
    default = " ".join([_("Lines over years") + f", {ylabel}.", *described, note]).strip()
    return _svg(figure, title or _default_title(ylabel), description or default)


# Above this many values a strip groups them (a dot per step of the axis, its area by the
# number of values there) and describes them by their quartiles: a dot and a number per city
# made a chart of 3 MB at 20,000 cities, which no one could read.
STRIP_EACH_AT_MOST = 200
STRIP_STEPS = 120


def _stepped(values: Sequence[float], low: float, step: float) -> dict[float, int]:
    """How many ``values`` fall nearest each step of the axis from ``low``."""
    counts: dict[float, int] = {}
    for value in values:
        at = low + round((value - low) / step) * step
        counts[at] = counts.get(at, 0) + 1
    return counts


def _spread(values: Sequence[float], label: str) -> str:
    """A group of values in words: how many, lowest to highest, and their quartiles."""
    from statistics import quantiles

    known = sorted(values)
    q1, median, q3 = quantiles(known, n=4, method="inclusive") if len(known) > 1 else known * 3
    return _(
        "%(label)s: %(count)s, from %(lowest)s to %(highest)s; quartiles %(q1)s, %(median)s, %(q3)s"
    ) % {
        "label": label,
        "count": len(known),
        "lowest": _number(known[0]),
        "highest": _number(known[-1]),
        "q1": _number(q1),
        "median": _number(median),
        "q3": _number(q3),
    }


def strip(
    values: list[float],
    xlabel: str,
    median: float | None = None,
    median_label: str = "",
    marked: list[float] | None = None,
    marked_label: str = "",
    title: str = "",
    *,
    description: str = "",
) -> str:
    """Each value as a dot on one axis (spread a little up and down so equal values show),
    the median as a line; ``marked`` values (say, on another definition) as hollow dots.

    More than ``STRIP_EACH_AT_MOST`` values are grouped by steps of the axis, a dot's area
    growing with the values at that step, so that the drawing keeps its size at any number
    of cities; the description then gives their count, range and quartiles."""
    figure, axis = _pyplot().subplots(figsize=(8, 2.6))
    dots = STYLES[PEERS]
    groups = ((values, "", True), (marked or [], marked_label, False))
    grouped = len(values) + len(marked or []) > STRIP_EACH_AT_MOST
    everything = [*values, *(marked or [])]
    low = min(everything, default=0.0)
    step = (max(everything, default=0.0) - low) / STRIP_STEPS or 1.0
    for index, (group, label, filled) in enumerate(groups):
        if not group:
            continue
        if grouped:
            counts = _stepped(group, low, step)
            xs = list(counts)
            heights = [0.3 if filled else -0.3] * len(xs)
            sizes: float | list[float] = [12 + 8 * (count - 1) ** 0.5 for count in counts.values()]
        else:
            # A fixed spread (no randomness): the same values draw the same chart.
            xs = group
            heights = [((n * 7) % 11 - 5) / 12 for n in range(len(group))]
            sizes = 36
        axis.scatter(
            xs,
            heights,
            s=sizes,
            marker="o" if filled else "D",
            facecolors=dots.colour if filled else "none",
            edgecolors=dots.colour,
            alpha=0.8,
            label=label or None,
            zorder=3 - index,
        )
    if median is not None:
        line = STYLES[MEDIAN]
        axis.axvline(
            median, color=line.colour, linestyle=line.linestyle, linewidth=1.6, label=median_label
        )
    axis.set_ylim(-1, 1)
    axis.set_yticks([])
    axis.set_xlabel(xlabel)
    axis.spines[["top", "right", "left"]].set_visible(False)
    if median is not None or marked:
        _legend(figure, axis, 2)
    if title:
        figure.suptitle(wrap(title, 90), fontsize=9, color=WARNING_COLOUR)
    figure.tight_layout()
    if grouped:
        summary = _("Dots, grouped by value, a larger dot for more values") + f", {xlabel}"
        if values:
            summary += ". " + _spread(values, _("Values"))
    else:
        summary = _("Dots, one per value") + f", {xlabel}: " + ", ".join(_number(v) for v in values)
    if median is not None:
        summary += f". {median_label or _('Median')}: {_number(median)}"
    if marked:
        summary += ". " + (
            _spread(marked, marked_label)
            if grouped
            else f"{marked_label}: " + ", ".join(_number(v) for v in marked)
        )
    return _svg(figure, title or _default_title(xlabel), description or summary + ".")


def _(text: str) -> str:
    """Chart words through gettext, imported late: charts are drawn with Django running, but
    this module is imported by tools that do not configure it."""
    from django.utils.translation import gettext

    return gettext(text)


def _default_title(unit: str) -> str:
    return _("Chart: %(what)s") % {"what": unit}


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def _svg(figure: Any, title: str, description: str) -> str:
    """The figure as SVG text that scales with its container and names itself: ``<title>``
    and ``<desc>`` first inside the root, which is announced as one image."""
    buffer = io.StringIO()
    # ``tight_layout`` has laid the figure out, and leaves a placeholder layout engine behind,
    # for which ``savefig`` would draw the whole figure once more (to nothing) before drawing it
    # to SVG: some tenth of a chart's time. Without an engine it draws once, the same figure.
    figure.set_layout_engine(None)
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    _pyplot().close(figure)
    text = buffer.getvalue()
    match = _SVG_OPEN.search(text)
    if match is None:  # matplotlib always writes one root; keep the file as drawn otherwise
        return text
    opening = match.group(0)
    width = re.search(r'\bwidth="([\d.]+)pt"', opening)
    height = re.search(r'\bheight="([\d.]+)pt"', opening)
    # Ids that differ from chart to chart, so that several on one page never clash. The root
    # is labelled by itself, which names it by its ``<title>`` (the accessible-name rules read
    # an element's own native name when it is in its own ``aria-labelledby``), and described
    # by its ``<desc>``: the title stays a bare ``<title>``, as every SVG reader expects.
    ident = "chart-" + hashlib.sha256((title + description).encode()).hexdigest()[:10]
    attributes = (
        f' width="100%" id="{ident}" role="img" aria-labelledby="{ident}"'
        f' aria-describedby="{ident}-desc" preserveAspectRatio="xMinYMin meet"'
    )
    if width and height:
        # The drawn size stays as the image's aspect ratio (viewBox), not a fixed size.
        attributes += f' style="max-width:{width.group(1)}pt;height:auto"'
    new_opening = re.sub(r'\s(width|height)="[^"]*"', "", opening)
    new_opening = new_opening[:-1] + attributes + ">"
    named = (
        f'\n <title>{escape(title)}</title>\n <desc id="{ident}-desc">{escape(description)}</desc>'
    )
    return text[: match.start()] + new_opening + named + text[match.end() :]


# One row of a distribution chart: its label, the other cities' scores, the city's own score
# (None: not marked, say with too few answers, or on illustrative levels, which rank no city).
StripRow = tuple[str, Sequence[float], float | None]


def distribution_strips(
    rows: Sequence[StripRow],
    xlabel: str,
    *,
    own_label: str,
    others_label: str,
    median_label: str,
    middle_label: str,
    title: str = "",
    description: str = "",
) -> str:
    """Where a city stands among others, one strip per row (a role, a key factor) on a 0-100
    axis: every other city's score as a dot in the peers' style, the middle half of them
    (first to third quartile) as a grey band, their median as a tick in the median's style,
    and the city's own score as a large diamond in the city's style; returns SVG text.

    Scores are grouped by whole points and a dot's area grows with the number of cities at
    that point, so the drawing stays the same size for 20 cities or 2,000. The description
    (``<desc>``) gives each row's count, quartiles and the city's score unless one is given.
    """
    from statistics import quantiles

    labels = [wrap(label, 28) for label, _values, _own in rows]
    heights = [max(0.5, 0.2 + 0.16 * _lines(label)) for label in labels]
    centres: list[float] = []
    top = 0.0
    for height in heights:
        centres.append(-(top + height / 2))
        top += height
    legend = [others_label, middle_label, median_label, own_label]
    figure, axis = _pyplot().subplots(
        figsize=(8, 0.75 + _legend_height(legend, 4) + (0.35 if title else 0) + top)
    )
    peers, median_style, city = STYLES[PEERS], STYLES[MEDIAN], STYLES[CITY]
    shown: set[str] = set()
    described = []

    def once(name: str, label: str) -> str | None:
        if name in shown:
            return None
        shown.add(name)
        return label

    for centre, height, (label, values, own) in zip(centres, heights, rows, strict=True):
        known = sorted(float(v) for v in values)
        half = min(height * 0.32, 0.2)
        if known:
            counts: dict[int, int] = {}
            for value in known:
                counts[round(value)] = counts.get(round(value), 0) + 1
            axis.scatter(
                list(counts),
                [centre] * len(counts),
                s=[12 + 20 * (count - 1) ** 0.5 for count in counts.values()],
                color=peers.colour,
                alpha=0.6,
                linewidths=0,
                label=once("others", others_label),
                zorder=2,
            )
            q1, median, q3 = (
                quantiles(known, n=4, method="inclusive") if len(known) > 1 else [known[0]] * 3
            )
            axis.barh(
                centre,
                max(q3 - q1, 0.8),
                left=q1 if q3 > q1 else q1 - 0.4,
                height=half * 2,
                color="#dddddd",
                label=once("middle", middle_label),
                zorder=1,
            )
            axis.plot(
                [median, median],
                [centre - half * 1.25, centre + half * 1.25],
                color=median_style.colour,
                linewidth=2.4,
                label=once("median", median_label),
                zorder=3,
            )
            summary = (
                f"{label}: {len(known)}, {_number(known[0])} to {_number(known[-1])}; "
                f"{_number(q1)}, {_number(median)}, {_number(q3)}"
            )
        else:
            summary = f"{label}: 0"
        if own is not None:
            axis.scatter(
                [own],
                [centre],
                s=120,
                marker="D",
                color=city.colour,
                edgecolors="#000000",
                linewidths=1.2,
                label=once("own", own_label),
                zorder=4,
            )
            summary += f"; {own_label} {_number(own)}"
        described.append(summary + ".")
    axis.set_ylim(-top, 0)
    axis.set_xlim(-2, 102)
    axis.set_yticks(centres, labels)
    axis.set_xlabel(xlabel)
    axis.tick_params(axis="y", length=0)
    axis.spines[["top", "right", "left"]].set_visible(False)
    axis.set_axisbelow(True)
    axis.xaxis.grid(True, color="#eeeeee", linewidth=0.6)
    if title:
        figure.suptitle(wrap(title, 90), fontsize=9, color=WARNING_COLOUR)
    _legend(figure, axis, 4)
    figure.tight_layout()
    default = " ".join(
        [
            _("Dots, one strip per row")
            + f", {xlabel}; "
            + _("per row: the number of other cities, lowest to highest, quartiles")
            + ".",
            *described,
        ]
    )
    return _svg(figure, title or _default_title(xlabel), description or default)
