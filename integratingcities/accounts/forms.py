from typing import cast

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from integratingcities.cities.forms import CityField

from .models import Role


class LoginForm(AuthenticationForm):
    """Django's login form, with the address's length enforced and its case ignored.

    Django sets the field's maximum length without checking it, so a longer value went on to be
    recorded by axes as a failed attempt, which PostgreSQL refuses (a server error).

    The address is compared whatever its case (``EmailUserManager.get_by_natural_key``), and
    given in lower case to ``authenticate()``, so that axes counts ``Editor.Ghent@…`` and
    ``editor.ghent@…`` as one name: case variants do not get five tries each.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        username = cast(UsernameField, self.fields["username"])
        username.validators.append(MaxLengthValidator(username.max_length))

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).lower()


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    as_secretariat = forms.BooleanField(
        label=_("Member of the secretariat"),
        required=False,
        help_text=_("Secretariat members manage cities, frameworks, invitations and news."),
    )
    # Typed, not chosen from a menu of every city. Its id is taken too: what the pages'
    # "invite" links and scripts send.
    city = CityField(label=_("City"), required=False)
    role = forms.ChoiceField(
        label=_("Role in that city"), choices=[("", "—"), *Role.choices], required=False
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("as_secretariat"):
            if not data.get("city"):
                self.add_error("city", _("Choose the city the person works for."))
            if not data.get("role"):
                self.add_error("role", _("Choose what the person may do for that city."))
        return data


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: object, email: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.email = email

    def clean_password2(self) -> str:
        first = self.cleaned_data.get("password1")
        second = self.cleaned_data["password2"]
        if first and first != second:
            raise forms.ValidationError(_("The two passwords differ."))
        return second

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        password = data.get("password2")
        if password:
            from .models import User

            probe = User(email=self.email, name=data.get("name", ""))
            try:
                password_validation.validate_password(str(password), probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=100,
        help_text=_("For example: “upload from our monitoring spreadsheet”."),
    )
