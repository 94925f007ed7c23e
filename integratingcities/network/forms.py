from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NewsItem


class NewsItemForm(forms.ModelForm):
    publish = forms.BooleanField(
        label=_("Published"),
        required=False,
        help_text=_("Visible to everyone on the news page. Leave unticked to keep a draft."),
    )

    class Meta:
        model = NewsItem
        fields = ["title", "slug", "summary", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}
        help_texts = {"slug": _("Lower-case letters, digits and hyphens; part of the address.")}
