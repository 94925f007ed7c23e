"""Texts that carry their own translations.

Framework and content files store every human text as a mapping of language code to text, with
English always present: ``{"en": "Fully", "fr": "Entièrement"}``. A bare string means English.
"""

from typing import Any

from django.utils.translation import get_language

FALLBACK_LANGUAGE = "en"

TranslatedText = dict[str, str]


def as_translated(value: Any) -> TranslatedText:
    """Normalise a bare string or a mapping to the stored mapping form."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        return {FALLBACK_LANGUAGE: value}
    return {str(lang): str(text) for lang, text in dict(value).items()}


def translate(value: Any, language: str | None = None) -> str:
    """The text in the active language, else in English, else empty."""
    # Called for every text of every page: a bare string, or the stored mapping, is read as
    # it is, without the copy ``as_translated`` makes.
    if not value:
        return ""
    if isinstance(value, str):
        return value
    texts = value if isinstance(value, dict) else as_translated(value)
    lang = (language or get_language() or FALLBACK_LANGUAGE).split("-")[0]
    found = texts.get(lang) or texts.get(FALLBACK_LANGUAGE) or next(iter(texts.values()), "")
    return str(found)
