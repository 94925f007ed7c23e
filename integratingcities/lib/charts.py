"""Charts as SVG (matplotlib); every page that shows one shows the same numbers as a table."""

import io
from textwrap import shorten
from typing import Any

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt

# Colour-blind safe, in scale order (fully, partly, not at all, not applicable).
COLOURS = ["#1b7837", "#e0a526", "#b2182b", "#9e9e9e", "#5e3c99"]


def _finish(
    figure: Any,
    axis: Any,
    labels: list[str],
    positions: list[int],
    ncol: int,
    xlabel: str,
    title: str = "",
) -> str:
    """Labels, legend and axes shared by every chart; returns the SVG text. A ``title`` (say,
    that the levels are illustrative) is drawn above the chart and kept as the SVG's title."""
    axis.set_yticks(positions, [shorten(label, 60, placeholder="…") for label in labels])
    axis.set_xlabel(xlabel)
    if title:
        figure.suptitle(title, fontsize=9, color="#8a4b00")
    axis.legend(loc="lower left", fontsize=8, frameon=False, ncol=ncol, bbox_to_anchor=(0, 1))
    axis.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Title": title} if title else None)
    plt.close(figure)
    return buffer.getvalue()


def stacked_bars(
    labels: list[str], series: list[tuple[str, list[int]]], xlabel: str, title: str = ""
) -> str:
    """Horizontal bars, one per commitment, stacked by level; returns SVG text."""
    height = 1.2 + 0.55 * len(labels)
    figure, axis = plt.subplots(figsize=(8, height))
    lefts = [0] * len(labels)
    positions = list(range(len(labels)))[::-1]
    for index, (name, values) in enumerate(series):
        axis.barh(positions, values, left=lefts, color=COLOURS[index % len(COLOURS)], label=name)
        lefts = [left + value for left, value in zip(lefts, values, strict=True)]
    return _finish(figure, axis, labels, positions, len(series), xlabel, title)


def grouped_bars(
    labels: list[str], series: list[tuple[str, list[float | None]]], xlabel: str, title: str = ""
) -> str:
    """Horizontal bars on a 0-100 scale, one group per label; a missing value draws no bar."""
    height = 1.2 + (0.25 + 0.22 * len(series)) * len(labels)
    figure, axis = plt.subplots(figsize=(8, height))
    bar = 0.8 / max(len(series), 1)
    positions = list(range(len(labels)))[::-1]
    for index, (name, values) in enumerate(series):
        known = [(p, v) for p, v in zip(positions, values, strict=True) if v is not None]
        axis.barh(
            [p + 0.4 - bar * (index + 0.5) for p, _ in known],
            [v for _, v in known],
            height=bar,
            color=COLOURS[index % len(COLOURS)],
            label=name,
        )
    axis.set_xlim(0, 100)
    return _finish(figure, axis, labels, positions, len(series), xlabel, title)


# A line over years: (legend label, its segments as (year, value) points, style). A line with
# several segments is drawn in pieces that are never joined (a change of definition is a break).
Line = tuple[str, list[list[tuple[int, float]]], str]
LINE_STYLES: dict[str, dict[str, Any]] = {
    "own": {"linestyle": "-", "marker": "o", "linewidth": 2.2},
    "reference": {"linestyle": ":", "marker": "s", "linewidth": 1.8},
    "median": {"linestyle": "--", "marker": "^", "linewidth": 1.4},
}


def lines_over_time(lines: list[Line], ylabel: str, title: str = "", note: str = "") -> str:
    """Lines over years, one colour and one legend entry each; returns SVG text. A ``note``
    (say, that a gap in a line is a change of definition) is written under the chart."""
    figure, axis = plt.subplots(figsize=(8, 3.6))
    years: set[int] = set()
    for index, (label, segments, style) in enumerate(lines):
        options = LINE_STYLES.get(style, LINE_STYLES["own"])
        for number, segment in enumerate(segments):
            if not segment:
                continue
            xs, ys = [year for year, _ in segment], [value for _, value in segment]
            years.update(xs)
            axis.plot(
                xs,
                ys,
                color=COLOURS[index % len(COLOURS)],
                label=label if number == 0 else None,
                markersize=5,
                **options,
            )
    ticks = sorted(years)
    if len(ticks) > 12:
        ticks = ticks[:: -(-len(ticks) // 12)]
    axis.set_xticks(ticks, [str(year) for year in ticks])
    if len(years) == 1:
        only = next(iter(years))
        axis.set_xlim(only - 1, only + 1)
    axis.set_ylabel(ylabel)
    axis.spines[["top", "right"]].set_visible(False)
    axis.legend(loc="lower left", fontsize=8, frameon=False, ncol=2, bbox_to_anchor=(0, 1))
    if title:
        figure.suptitle(title, fontsize=9, color="#8a4b00")
    if note:
        figure.text(0.01, 0.01, note, fontsize=8, color="#444444")
    figure.tight_layout(rect=(0, 0.05 if note else 0, 1, 1))
    return _svg(figure, title)


def strip(
    values: list[float],
    xlabel: str,
    median: float | None = None,
    median_label: str = "",
    marked: list[float] | None = None,
    marked_label: str = "",
    title: str = "",
) -> str:
    """Each value as a dot on one axis (spread a little up and down so equal values show),
    the median as a line; ``marked`` values (say, on another definition) as hollow dots."""
    figure, axis = plt.subplots(figsize=(8, 2.4))
    for index, (group, label, filled) in enumerate(
        ((values, "", True), (marked or [], marked_label, False))
    ):
        if not group:
            continue
        # A fixed spread (no randomness): the same values draw the same chart.
        heights = [((n * 7) % 11 - 5) / 12 for n in range(len(group))]
        axis.scatter(
            group,
            heights,
            s=36,
            facecolors=COLOURS[4] if filled else "none",
            edgecolors=COLOURS[4],
            alpha=0.75,
            label=label or None,
            zorder=3 - index,
        )
    if median is not None:
        axis.axvline(median, color=COLOURS[0], linestyle="--", linewidth=1.6, label=median_label)
    axis.set_ylim(-1, 1)
    axis.set_yticks([])
    axis.set_xlabel(xlabel)
    axis.spines[["top", "right", "left"]].set_visible(False)
    if median is not None or marked:
        axis.legend(loc="lower left", fontsize=8, frameon=False, ncol=2, bbox_to_anchor=(0, 1))
    if title:
        figure.suptitle(title, fontsize=9, color="#8a4b00")
    figure.tight_layout()
    return _svg(figure, title)


def _svg(figure: Any, title: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Title": title} if title else None)
    plt.close(figure)
    return buffer.getvalue()
