"""What base.html, which every page shows, says the same way on every page: worked out once
and kept, not on every request.

- ``{% main_nav %}``: the main menu. Written in the template, its 16 links cost 16 ``reverse()``
  calls, 16 translations and 16 comparisons on every page, about as much as the rest of the page
  (benchmarks/pages.py, ``--profile``). The links' addresses and labels depend only on the
  language, the script prefix and the URLconf, so they are worked out once for each and kept; a
  page only marks its own link.
- ``{% per_language %}…{% endper_language %}``: the rest of the layout that depends on nothing
  else (texts, fixed links, static files, the language menu), rendered once for each language,
  script prefix and URLconf: base.html then costs less than half of what it did. Other pages'
  fixed texts may use it too (the home page's introduction).
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


class PerLanguageNode(template.Node):
    """What ``{% per_language %}`` encloses, rendered once per language, script prefix and
    URLconf and kept on the node (the compiled template lives as long as the worker)."""

    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist
        self.kept: dict[tuple[str | None, str, str | ModuleType | None], SafeString] = {}

    def render(self, context: template.Context) -> SafeString:
        key = (get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
        html = self.kept.get(key)
        if html is None:
            # A context of its own, empty: what is kept can depend on nothing of the request.
            own = template.Context(
                autoescape=context.autoescape, use_l10n=context.use_l10n, use_tz=context.use_tz
            )
            own.template = context.template
            html = self.kept[key] = mark_safe(self.nodelist.render(own))
        return html


@register.tag
def per_language(parser: template.base.Parser, token: template.base.Token) -> PerLanguageNode:
    """``{% per_language %}…{% endper_language %}``: a part of a template that says the same
    for every page and person in a language (in base.html: texts, fixed links, static files,
    the language menu), rendered once rather than on every page. It sees no variable of the
    page, so that nothing of a request can be kept by mistake."""
    nodelist = parser.parse(("endper_language",))
    parser.delete_first_token()
    return PerLanguageNode(nodelist)
