from django import forms

from .models import OpenDataSettings


class LicenceForm(forms.ModelForm[OpenDataSettings]):
    class Meta:
        model = OpenDataSettings
        fields = ["licence", "attribution"]
        widgets = {"attribution": forms.Textarea(attrs={"rows": 3})}
