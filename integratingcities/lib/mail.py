"""E-mail text from templates: plain text, never HTML-escaped, and subjects on one line.

Templates are rendered by Django's engine with autoescaping on, which is right for pages and
wrong for e-mail: an apostrophe in a round's title became `&#x27;` in the subject. And Django's
mail refuses a header with a line break (BadHeaderError), so a subject built from a title with
one failed after the round was saved and before any invitation left.
"""

import unicodedata
from typing import Any

from django.template import Context, Engine


def render_text(template_name: str, context: dict[str, Any]) -> str:
    """A plain-text template rendered without HTML escaping: an e-mail is not a web page."""
    template = Engine.get_default().get_template(template_name)
    return template.render(Context(context, autoescape=False))


def one_line(text: str) -> str:
    """The text with every run of white space (line breaks too) as one space, and no controls."""
    text = " ".join(text.split())
    return "".join(char for char in text if unicodedata.category(char) != "Cc")


def render_subject(template_name: str, context: dict[str, Any]) -> str:
    """A subject line from a template: unescaped, on one line, safe as a mail header."""
    return one_line(render_text(template_name, context))
