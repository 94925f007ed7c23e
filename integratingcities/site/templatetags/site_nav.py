"""The main menu of base.html, which every page shows, and the other fixed links of base.html.

Written in the template, its 16 links cost 16 ``reverse()`` calls, 16 translations and 16
comparisons on every page, about as much as the rest of the page (benchmarks/pages.py,
``--profile``). The links' addresses and labels depend only on the language, the script prefix
and the URLconf, so they are worked out once for each and kept; a page only marks its own link.
"""

from functools import lru_cache
from types import ModuleType

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

register = template.Library()

# (URL name, label), in the order of the menu.
MAIN_NAV: tuple[tuple[str, Promise], ...] = (
    ("frameworks:charter", _("The Charter")),
    ("cities:signatories", _("Signatories")),
    ("cities:list", _("Cities")),
    ("rounds:list", _("Results")),
    ("indicators:list", _("Indicators")),
    ("reports:list", _("Reports")),
    ("compare:page", _("Compare")),
    ("toolkits:catalogue", _("Benchmarks")),
    ("mentoring:list", _("Mentoring")),
    ("practices:library", _("Practices")),
    ("opendata:index", _("Open data")),
    ("frameworks:list", _("Frameworks")),
    ("network:process", _("About")),
    ("network:projects", _("Projects")),
    ("network:conferences", _("Conferences")),
    ("network:news", _("News")),
)


@lru_cache(maxsize=64)
def _links(
    language: str | None, prefix: str, urlconf: str | ModuleType | None
) -> tuple[tuple[str, SafeString, SafeString], ...]:
    """(path, the link, the link marked as the current page) for each entry. The arguments
    are what the result depends on (the cache key); reverse() reads them itself."""
    links = []
    for name, label in MAIN_NAV:
        url = reverse(name)
        links.append(
            (
                url,
                format_html('<li><a href="{}">{}</a></li>', url, label),
                format_html('<li><a href="{}" aria-current="page">{}</a></li>', url, label),
            )
        )
    return tuple(links)


@register.simple_tag(takes_context=True)
def main_nav(context: template.Context) -> SafeString:
    """The menu's items, ``aria-current`` on the link to the page shown."""
    request = context.get("request")
    path = getattr(request, "path", None)
    links = _links(get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return mark_safe(
        "\n        ".join(current if url == path else link for url, link, current in links)
    )


@lru_cache(maxsize=256)
def _fixed_url(name: str, prefix: str, urlconf: str | ModuleType | None) -> str:
    return reverse(name)


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% url name %}`` for a URL without arguments, reversed once per script prefix and
    URLconf: base.html's few such links are on every page."""
    return _fixed_url(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
