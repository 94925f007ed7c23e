"""Writes of the open data app: the secretariat's choice of licence."""

from django.db import transaction
from django.utils.translation import gettext as _

from integratingcities.accounts.models import User
from integratingcities.lib.errors import DomainError
from integratingcities.permissions import Perm, require

from .models import Licence, OpenDataSettings


def licence_set(*, user: User, licence: str, attribution: str) -> OpenDataSettings:
    """Choose the licence of every published dataset and how to credit it. Kept files are made
    again with the new statement (their fingerprint includes ``updated_at``)."""
    require(user, Perm.MANAGE_REPORTS)
    if licence not in Licence.values:
        raise DomainError(_("Choose one of the licences offered."))
    with transaction.atomic():
        found, _created = OpenDataSettings.objects.select_for_update().get_or_create(pk=1)
        found.licence = licence
        found.attribution = attribution.strip()
        found.updated_by = user
        found.full_clean()
        found.save()
    return found
