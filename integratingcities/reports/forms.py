from django import forms
from django.utils.translation import gettext_lazy as _

from integratingcities.practices.models import Practice

from .models import Report

MARKDOWN_HELP = _("Markdown: paragraphs, **bold**, *italics*, lists and links.")


class CoverForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["title", "subtitle", "network", "illustrative_note"]
        error_messages = {"title": {"required": _("Give the report a title.")}}
        widgets = {"illustrative_note": forms.Textarea(attrs={"rows": 3})}


class TextForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=MARKDOWN_HELP,
        error_messages={"max_length": _("The text is too long: at most %(limit_value)d signs.")},
    )


class HighlightForm(forms.Form):
    answer = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose the city's evidence to highlight.")},
    )
    text = forms.CharField(
        label=_("Highlight, in the secretariat's words"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=MARKDOWN_HELP,
        error_messages={"required": _("Write the highlight's text.")},
    )
    practice = forms.ModelChoiceField(
        label=_("Link a practice of the library"),
        queryset=Practice.objects.published(),
        to_field_name="key",
        required=False,
        empty_label=_("No practice"),
        error_messages={"invalid_choice": _("Choose a published practice of the library.")},
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(
        choices=[("up", _("Up")), ("down", _("Down"))],
        error_messages={"required": _("Say whether to move the highlight up or down.")},
    )


class PublishForm(forms.Form):
    note = forms.CharField(
        label=_("What changed since the last edition"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed from the second edition on; readers of earlier editions see it."),
    )
