from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Kind


class PreferencesForm(forms.Form):
    receive = forms.MultipleChoiceField(
        label=_("Tell me, by e-mail and on my home page, when"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick what you do not want to hear about."),
    )
    language = forms.ChoiceField(
        label=_("Language of e-mails"),
        choices=[("", _("The platform's default (English)")), *settings.LANGUAGES],
        required=False,
    )
