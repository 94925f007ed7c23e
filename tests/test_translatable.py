"""Every word a visitor reads in a template goes through the translation tags."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

BLOCKS = re.compile(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", re.S)
COMMENTS = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)  # never shown
TAGS = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
HTML = re.compile(r"<!--.*?-->|<[^>]+>", re.S)
ENTITY = re.compile(r"&[a-z#0-9]+;")


def _leftover_words(source: str) -> list[str]:
    text = COMMENTS.sub(" ", source)
    text = BLOCKS.sub(" ", text)
    text = TAGS.sub(" ", text)
    text = HTML.sub(" ", text)
    text = ENTITY.sub(" ", text)
    return re.findall(r"[A-Za-zÀ-ÿ]{2,}", text)


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.*")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_no_untranslated_words(template: Path) -> None:
    assert _leftover_words(template.read_text()) == []


def test_the_checker_catches_a_bare_word() -> None:
    assert _leftover_words("<p>Hello {{ name }}</p>") == ["Hello"]
    assert _leftover_words("<p>{% translate 'Hello' %}</p>") == []
    assert _leftover_words("{% comment %}For the developer{% endcomment %}<p>Hi</p>") == ["Hi"]
