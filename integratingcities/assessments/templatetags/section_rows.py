"""A section's questions as its answer form shows them, written in Python: the loop over its
questions, their fields and their parts cost an editor's most used page more than all its
queries. It writes what the template loop wrote (``tests/test_section_rows.py`` compares
both); the parts that are templates of their own (last time's answer, the comments, the
proposal button and, when someone else saved meanwhile, the conflict) are rendered as the
loop's ``{% include %}`` rendered them."""

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from integratingcities.lib.escaping import esc, shown
from integratingcities.lib.templatetags.translated import render_markdown
from integratingcities.lib.translation import translate

register = template.Library()

CHOICE_WIDGETS = ("radiolist", "checkboxlist")


@register.simple_tag(takes_context=True)
def section_rows(context: Context) -> SafeString:
    """Every row of ``rows`` (``SectionAnswersForm.bound_items``) as a fieldset, with the
    page's ``section``, ``last_time``, ``conflicts`` and ``proposals``."""
    assert context.template is not None  # a tag renders within a template
    engine = context.template.engine
    last_time_part = engine.get_template("assessments/last_time.html")
    comments_part = engine.get_template("assessments/item_comments.html")
    propose_part = engine.get_template("practices/includes/propose_button.html")
    section = context.get("section")
    last_time = context.get("last_time")
    readings = getattr(last_time, "readings", None)
    conflicts = context.get("conflicts")
    proposals = context.get("proposals")
    optional = f' <span class="required">({esc(_("optional"))})</span>'
    involves = esc(_("What this may involve:"))
    explain = esc(_("If it affects your city, explain how; leave it empty otherwise."))
    carried = esc(_("Carried over, please confirm"))
    if last_time:
        copied = _("This answer was copied from %(source)s. Change it, or confirm it as it is.")
        copied %= {"source": shown(last_time.name)}
    else:
        copied = esc(
            _("This answer was copied from earlier answers. Change it, or confirm it as it is.")
        )
    your_answer = esc(_("Your answer"))
    parts: list[str] = []
    for counter, row in enumerate(context.get("rows") or (), 1):
        item = row["item"]
        pk = item.pk
        parts += [
            f'\n  <fieldset class="question" id="item-{shown(pk)}">\n    <legend>{counter}. ',
            esc(translate(item.text)),
            "" if item.required else optional,
            "</legend>\n    ",
        ]
        if item.sub_questions:
            parts.append('<ul class="help">')
            parts += [f"<li>{esc(translate(question))}</li>" for question in item.sub_questions]
            parts.append("</ul>")
        parts.append("\n    ")
        if item.guidance:
            if getattr(section, "is_context", False):
                parts += [
                    f'<div class="help"><p>{involves}</p>',
                    render_markdown(translate(item.guidance)),
                    f"<p>{explain}</p></div>",
                ]
            else:
                parts.append(f'<p class="help">{esc(translate(item.guidance))}</p>')
        parts += ["\n    ", shown(row["version"]), "\n    "]
        with context.push(earlier=readings.get(pk) if isinstance(readings, dict) else None):
            parts.append(last_time_part.render(context))
        parts.append("\n    ")
        confirm = row["confirm"]
        if confirm:
            parts += [
                '\n      <div class="comment carried-over">\n        <p><span class="pill '
                f'pill-warn">{carried}</span> {copied}</p>\n        <div class="field">',
                shown(confirm),
                f' <label for="{shown(confirm.id_for_label)}">{shown(confirm.label)}</label>'
                "</div>\n      </div>\n    ",
            ]
        parts.append("\n    ")
        for field in row["fields"]:
            errors = field.errors
            choices = field.widget_type in CHOICE_WIDGETS
            parts += [
                '\n      <div class="field',
                " field-has-error" if errors else "",
                " choices" if choices else "",
                '">\n        ',
            ]
            if choices:
                parts.append(
                    f'\n          <span class="visually-hidden">{shown(field.label)}</span>'
                )
            else:
                name = field.name
                label = (
                    your_answer
                    if name[-5:] == "-text" or name[-7:] == "-number"
                    else shown(field.label)
                )
                parts.append(
                    f'\n          <label for="{shown(field.id_for_label)}">{label}</label>'
                )
            parts += [shown(field), "\n        ", "\n        "]
            if errors:
                parts.append('<div class="field-error">')
                parts += [f"<p>{shown(error)}</p>" for error in errors]
                parts.append("</div>")
            parts.append("\n        ")
            if field.help_text:
                parts.append(
                    f'<div class="help" id="{shown(field.auto_id)}_helptext">'
                    f"{shown(field.help_text)}</div>"
                )
            parts.append("\n      </div>\n    ")
        parts.append("\n    ")
        conflict = conflicts.get(pk) if isinstance(conflicts, dict) else None
        if conflict:
            with context.push(conflict=conflict):
                parts.append(
                    engine.get_template("assessments/answer_conflict.html").render(context)
                )
        parts.append("\n    ")
        with context.push(item=item):
            parts.append(comments_part.render(context))
        parts.append("\n    ")
        with context.push(proposal=proposals.get(pk) if isinstance(proposals, dict) else None):
            parts.append(propose_part.render(context))
        parts.append("\n  </fieldset>\n  ")
    return mark_safe("".join(parts))
