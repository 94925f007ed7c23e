"""The ``markdown`` filter: Markdown rendered as the library renders it, then sanitised."""

import markdown
import nh3

from integratingcities.lib.templatetags.translated import SAFE_TAGS, render_markdown


def test_texts_render_as_the_library_renders_them_one_after_another() -> None:
    texts = [
        "See [the plan][1].\n\n[1]: https://example.org/plan",
        "See [the plan][1].",  # the reference of the text before must not carry over
        "# Aims\n\n- **one**\n- *two*\n\n> quoted",
        "1. first\n2. second",
    ]
    for text in texts:
        expected = nh3.clean(
            markdown.markdown(text, extensions=[]), tags=SAFE_TAGS, link_rel="noopener noreferrer"
        )
        assert str(render_markdown(text)) == expected


def test_what_a_person_writes_cannot_run_a_script() -> None:
    html = str(
        render_markdown('<script>alert(1)</script>[x](javascript:alert(1)) <b onclick="y">b</b>')
    )
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html
