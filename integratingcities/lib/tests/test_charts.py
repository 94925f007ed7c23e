"""The chart module: every chart names and describes itself, cuts no label, parses as XML, and
draws one meaning in one colour on every kind of chart."""

import re
import xml.etree.ElementTree as ET

import pytest

from integratingcities.lib import charts

SVG = "{http://www.w3.org/2000/svg}"
LONG = (
    "Cities ensure that the people they employ reflect the diversity of the population they "
    "serve, at each level of seniority"
)


def _root(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode())  # noqa: S314 (the module's own output, not a visitor's)


def _every_chart() -> dict[str, str]:
    return {
        "stacked": charts.stacked_bars(
            [LONG, "Procurement"], [("Fully", [3, 1]), ("Partly", [2, 2])], "cities"
        ),
        "grouped": charts.grouped_bars(
            [LONG, "Branding"], [("Ghent", [80.0, None]), ("Network median", [60.0, 70.0])], "score"
        ),
        "lines": charts.lines_over_time(
            [("Ghent", [[(2014, 3.0), (2015, 4.0)]], "own")], "per cent", note="A note."
        ),
        "strip": charts.strip([1.0, 2.0, 3.0], "per cent", 2.0, "Median"),
    }


def test_the_label_is_long_enough_to_be_cut_before() -> None:
    assert len(LONG) == 120


@pytest.mark.parametrize("kind", ["stacked", "grouped", "lines", "strip"])
def test_every_chart_parses_and_carries_its_title_and_description(kind: str) -> None:
    root = _root(_every_chart()[kind])
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("height") is None
    assert root.get("viewBox")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text
    assert desc is not None and desc.text
    # Named by its own title (the root labels itself), described by its desc.
    assert root.get("aria-labelledby") == root.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    # The title and description come first, as screen readers read them.
    assert list(root)[:2] == [title, desc]


def test_a_given_title_and_description_are_the_charts_own() -> None:
    root = _root(
        charts.grouped_bars(
            ["Branding"],
            [("Ghent", [50.0])],
            "score",
            "Illustrative levels <not real> & such",
            description="Ghent scores 50 on branding.",
        )
    )
    assert root.findtext(f"{SVG}title") == "Illustrative levels <not real> & such"
    assert root.findtext(f"{SVG}desc") == "Ghent scores 50 on branding."


def test_the_default_description_gives_every_number_and_says_what_is_missing() -> None:
    root = _root(
        charts.grouped_bars(
            ["Branding", "Language"],
            [("Ghent", [75.0, None])],
            "score (0-100)",
            missing="not enough answers to score",
        )
    )
    desc = root.findtext(f"{SVG}desc") or ""
    assert "Branding: Ghent 75." in desc
    assert "Language: Ghent not enough answers to score." in desc


@pytest.mark.parametrize("kind", ["stacked", "grouped"])
def test_a_long_label_is_wrapped_never_cut(kind: str) -> None:
    svg = _every_chart()[kind]
    assert "…" not in svg
    drawn = " ".join(
        (text.text or "").strip()
        for text in _root(svg).iter(f"{SVG}text")
        if text.text and text.text.strip()
    )
    # Every word of the label is drawn, over several lines of text.
    for word in LONG.split():
        assert word.strip(",.") in drawn
    lines = charts.wrap(LONG).split("\n")
    assert len(lines) > 1 and " ".join(lines) == LONG


def test_text_is_kept_as_text_in_sizes_a_phone_and_a_print_can_read() -> None:
    svg = _every_chart()["grouped"]
    assert "<text" in svg  # not paths of glyphs
    sizes = [float(size) for size in re.findall(r"font-size:\s*([\d.]+)px", svg)]
    assert sizes and min(sizes) >= charts.MIN_FONT


def _fills(svg: str) -> set[str]:
    return {fill.lower() for fill in re.findall(r"fill:\s*(#[0-9a-fA-F]{6})", svg)}


def test_fully_is_the_same_colour_on_a_stacked_and_a_grouped_chart() -> None:
    fully = charts.STYLES[charts.FULLY].colour.lower()
    stacked = charts.stacked_bars(["A"], [("Fully", [2]), ("Partly", [1])], "cities")
    grouped = charts.grouped_bars(
        ["A"],
        [("Fully met", [100.0]), ("Ghent", [50.0])],
        "score",
        meanings=[charts.FULLY, charts.CITY],
    )
    assert fully in _fills(stacked)
    assert fully in _fills(grouped)
    # And the city is drawn in its own colour, which is not the colour of a level.
    assert charts.STYLES[charts.CITY].colour.lower() in _fills(grouped)


def test_no_two_meanings_share_a_colour_or_rely_on_colour_alone() -> None:
    colours = [style.colour for style in charts.STYLES.values()]
    assert len(set(colours)) == len(colours)
    categories = [style.colour for style in charts.CATEGORY_STYLES]
    assert not set(categories) & set(colours)
    # Two levels side by side differ in pattern as well as in colour.
    patterns = [charts.STYLES[meaning].hatch for meaning in charts.LEVEL_MEANINGS]
    assert len(set(patterns)) == len(patterns)


def test_levels_take_their_meaning_from_their_score() -> None:
    assert charts.level_meaning(100) == charts.FULLY
    assert charts.level_meaning(50) == charts.PARTLY
    assert charts.level_meaning(0) == charts.NOT_AT_ALL
    assert charts.level_meaning(None) == charts.NOT_APPLICABLE


def test_two_charts_on_one_page_have_different_ids() -> None:
    one = _root(charts.grouped_bars(["A"], [("Ghent", [50.0])], "score"))
    two = _root(charts.grouped_bars(["B"], [("Riga", [40.0])], "score"))
    assert one.findtext(f"{SVG}title") == two.findtext(f"{SVG}title")
    assert one.get("id") != two.get("id")
    assert one.get("aria-describedby") != two.get("aria-describedby")


def test_a_strip_of_many_values_groups_them_and_keeps_its_size() -> None:
    """A dot and a number per value made a chart of 3 MB at 20,000 cities: many values are
    grouped by steps of the axis and described by their count, range and quartiles."""
    few = charts.strip([1.0, 2.5, 3.0], "per cent", 2.5, "Median")
    assert "1, 2.5, 3" in few
    many = [n % 997 / 10 for n in range(20_000)]
    drawn = charts.strip(many, "per cent", 49.8, "Median", [5.0] * 300, "Another definition")
    assert len(drawn) < 200_000
    desc = _root(drawn).find(f"{SVG}desc")
    assert desc is not None and desc.text
    assert "Values: 20000, from 0 to 99.6; quartiles" in desc.text
    assert "Another definition: 300, from 5 to 5" in desc.text
    assert "Median: 49.8" in desc.text


_DRAW_ONE = {
    "stacked": lambda: charts.stacked_bars([LONG], [("Fully", [3])], "cities"),
    "grouped": lambda: charts.grouped_bars([LONG], [("Ghent", [80.0])], "score"),
    "lines": lambda: charts.lines_over_time([("Ghent", [[(2014, 3.0), (2015, 4.0)]], "own")], "%"),
    "strip": lambda: charts.strip([1.0, 2.0, 3.0], "per cent", 2.0, "Median"),
    "distribution": lambda: charts.distribution_strips(
        [(LONG, [10.0, 20.0, 30.0], 25.0), ("Branding", [40.0, 50.0], None)],
        "score",
        own_label="Ghent",
        others_label="Other cities",
        median_label="Median",
        middle_label="Middle half",
    ),
}


@pytest.mark.parametrize("kind", list(_DRAW_ONE))
def test_each_chart_is_drawn_once(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Laid out, a figure is drawn once, to SVG: ``savefig`` makes an extra pass for a figure
    with a layout engine, which ``tight_layout`` leaves behind."""
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure

    drawn = []
    draw = Figure.draw

    def counted(self: Figure, renderer: RendererBase) -> None:
        drawn.append(self)
        draw(self, renderer)

    monkeypatch.setattr(Figure, "draw", counted)
    svg = _DRAW_ONE[kind]()
    assert _root(svg).find(f"{SVG}title") is not None
    assert len(drawn) == 1
