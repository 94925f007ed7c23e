"""Template helpers available in every template (registered as a builtin in settings)."""

import functools
import threading

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

from integratingcities.lib.translation import translate

register = template.Library()

# Tags a text written by a person may use once rendered from Markdown.
SAFE_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "blockquote", "code"}


@register.filter(name="tr")
def tr(value: object) -> str:
    """Pick the active language out of a translated text."""
    return translate(value)


@register.filter(name="markdown")
def render_markdown(value: str) -> SafeString:
    """Markdown written by users, rendered and then sanitised: no script survives."""
    return mark_safe(_rendered(value or ""))


@functools.lru_cache(maxsize=2048)
def _rendered(text: str) -> str:
    # The same texts (a framework's guidance, a practice's description) are shown again and
    # again, and the HTML depends on the text alone: each is rendered once per process.
    html = _converter().reset().convert(text)
    return nh3.clean(html, tags=SAFE_TAGS, link_rel="noopener noreferrer")


_local = threading.local()


def _converter() -> markdown_lib.Markdown:
    """One converter per thread, reset before each text: ``markdown.markdown()`` builds a
    new one (its parser, its patterns) for every text, which cost most of the time."""
    found: markdown_lib.Markdown | None = getattr(_local, "markdown", None)
    if found is None:
        found = _local.markdown = markdown_lib.Markdown(extensions=[])
    return found


@register.filter(name="get_item")
def get_item(mapping: object, key: str) -> object:
    """``{{ counts|get_item:level.key }}``: a value of a dict by a variable key."""
    return mapping.get(key) if isinstance(mapping, dict) else None
