from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from integratingcities.accounts.models import Membership
from integratingcities.cities.models import City

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Benchmark file"),
        help_text=_("YAML or JSON in the documented format (docs/frameworks.md), at most 2 MB."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        if not upload.name.lower().endswith((".yaml", ".yml", ".json")):
            raise forms.ValidationError(_("Upload a .yaml, .yml or .json file."))
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from exc
        if "\x00" in text:
            raise forms.ValidationError(_("The file is not text."))
        self.cleaned_data["text"] = text
        return upload


class SelfTestStartForm(forms.Form):
    city = forms.ModelChoiceField(label=_("City"), queryset=City.objects.none(), empty_label=None)

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[City]", self.fields["city"]).queryset = City.objects.filter(
            pk__in=[m.city_id for m in memberships]
        ).order_by("name")
        if len(memberships) == 1:
            self.fields["city"].widget = forms.HiddenInput()
            self.fields["city"].initial = memberships[0].city_id


class SharingForm(forms.Form):
    share = forms.BooleanField(
        label=_(
            "Share this self-test once it is validated: our evidence and context factors with "
            "other cities, our scores in public"
        ),
        required=False,
    )
