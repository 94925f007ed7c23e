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
