import io
from typing import Any

import pypdf
import pytest

from integratingcities.lib import pdf


def _text(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(document)).pages)


def test_a_pdf_is_tagged_and_carries_the_language() -> None:
    document = pdf.render_pdf("print/base.html", {})
    root: Any = pypdf.PdfReader(io.BytesIO(document)).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]  # tagged: a screen reader can follow its structure
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    assert "Printed from the Integrating Cities platform" in _text(document)


def test_a_pdf_reads_the_static_stylesheet_and_never_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fetched: list[str] = []
    fetcher = pdf._local_fetcher()
    original = type(fetcher).fetch

    def spy(self: object, url: str, headers: object = None) -> object:
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(type(fetcher), "fetch", spy)
    monkeypatch.setattr(pdf, "_local_fetcher", lambda: fetcher)
    html = (
        '<html lang="en"><head><title>T</title>'
        '<link rel="stylesheet" href="/static/css/print.css"></head>'
        '<body><h1>Kept</h1><img alt="" src="https://example.org/tracker.png"></body></html>'
    )
    document = pdf.html_to_pdf(html)
    assert "Kept" in _text(document)
    assert any(url.endswith("/static/css/print.css") for url in fetched)
    # The remote image was asked for and refused by the fetcher (no connection was made).
    assert "https://example.org/tracker.png" in fetched
