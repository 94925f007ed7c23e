"""Texts that carry their own translations, as every page reads them (``|tr``)."""

from django.utils import translation

from integratingcities.lib.translation import translate


def test_a_bare_string_is_english_and_read_as_it_is() -> None:
    with translation.override("fr"):
        assert translate("Fully") == "Fully"


def test_the_active_language_then_english_then_any() -> None:
    text = {"en": "Fully", "fr": "Entièrement"}
    with translation.override("fr"):
        assert translate(text) == "Entièrement"
    with translation.override("de"):
        assert translate(text) == "Fully"
    assert translate({"fr": "Seulement"}, language="de") == "Seulement"
    assert translate(text, language="fr-be") == "Entièrement"


def test_an_empty_translation_falls_back_and_nothing_reads_as_empty() -> None:
    assert translate({"en": "Fully", "fr": ""}, language="fr") == "Fully"
    nothings: list[object] = [None, "", {}]
    for nothing in nothings:
        assert translate(nothing) == ""
