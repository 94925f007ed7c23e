"""PDF from the platform's own templates (WeasyPrint), tagged for screen readers (PDF/UA-1).

A PDF is printed from the same content templates as its page: a print template extends
``print/base.html`` and includes the page's body. Static files (stylesheet, images) are read from
disk; nothing else is fetched, so a PDF never waits on, or leaks to, the network.
"""

import mimetypes
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation

# WeasyPrint loads Pango at import: imported on first use, so that pages never pay for it.
_STATIC_PREFIX = "/static/"


def _local_fetcher() -> Any:
    """WeasyPrint's URL fetcher: the platform's static files, read from disk, and data: URLs;
    anything else is refused."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = url.removeprefix(settings.SITE_URL)
            if path.startswith(_STATIC_PREFIX):
                found = finders.find(path.removeprefix(_STATIC_PREFIX))
                if isinstance(found, str):
                    with open(found, "rb") as file:
                        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
                        return URLFetcherResponse(url, file.read(), {"Content-Type": content_type})
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"A PDF reads only the platform's static files, not {url}")

    return LocalOnly(allowed_protocols={"http", "https", "data"})


def render_html(template_name: str, context: dict[str, Any], request: HttpRequest | None) -> str:
    return render_to_string(
        template_name, {"site_url": settings.SITE_URL, **context}, request=request
    )


def html_to_pdf(html: str) -> bytes:
    """The renderer alone (a benchmark's floor is this on a static copy of the same HTML)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=_local_fetcher())
    pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False)
    return pdf


def render_pdf(
    template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None
) -> bytes:
    """Render ``template_name`` (a print template) and print it to a tagged PDF, in the active
    language (background tasks activate the requester's)."""
    return html_to_pdf(render_html(template_name, context, request))


def in_language(language: str | None) -> translation.override:
    """For tasks: print in the language the person asked in."""
    return translation.override(language or settings.LANGUAGE_CODE)
