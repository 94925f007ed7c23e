"""The library's filter menus, written in Python: eight labelled menus, each a handful of a
bound field's attributes, cost a template loop as much as the twenty cards did. Byte for byte
what the template loops wrote (``practices/tests/test_practice_filters.py`` compares them)."""

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from integratingcities.lib.escaping import esc, shown

register = template.Library()


@register.simple_tag
def filter_menus(facet_fields: Iterable[tuple[Any, str]], any_label: str) -> SafeString:
    """Each filter's label and menu: ``facet_fields`` pairs a form's bound field with its
    options, already written as HTML (``practices.listing``)."""
    any_option = f'<option value="">{esc(any_label)}</option>'
    written = []
    for field, options in facet_fields:
        errors = field.errors
        auto_id = shown(field.auto_id)
        described = f' aria-describedby="{auto_id}_error"' if errors else ""
        listed = (
            f'<div class="field-error" id="{auto_id}_error">'
            + "".join(f"<p>{shown(error)}</p>" for error in errors)
            + "</div>"
            if errors
            else ""
        )
        written.append(
            f'\n    <div class="{"field-has-error" if errors else ""}">\n'
            f'      <label for="{auto_id}">{shown(field.label)}</label>\n'
            f'      <select name="{shown(field.html_name)}" id="{auto_id}"{described}>\n'
            f"        {any_option}{esc(options)}\n      </select>\n      {listed}\n    </div>\n    "
        )
    return mark_safe("".join(written))


@register.simple_tag
def choice_options(choices: Iterable[tuple[Any, Any]], selected: object) -> SafeString:
    """A menu's options, the one equal to ``selected`` selected."""
    return mark_safe(
        "".join(
            f'<option value="{shown(value)}"{" selected" if value == selected else ""}>'
            f"{shown(label)}</option>"
            for value, label in choices
        )
    )
