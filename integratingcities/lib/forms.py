"""Form fields shared by several apps."""

from typing import Any

from django import forms
from django.db import connection


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Objects by id; an id beyond the database's integers is an unknown choice.

    Django guards a single lookup against such a number but not the `__in` query this field makes,
    on which SQLite fails (a server error).
    """

    def _check_values(self, value: Any) -> Any:
        low, high = connection.ops.integer_field_range("BigAutoField")
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # Not a number at all: the parent class says so.
            if not low <= number <= high:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)  # type: ignore[misc]  # private: not in django-stubs
