"""Writes for accounts: invitations and their acceptance."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from integratingcities.cities.models import City
from integratingcities.lib.mail import render_subject, render_text
from integratingcities.permissions import Perm, require

from .models import ApiToken, Invitation, Membership, User


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SentInvitation:
    invitation: Invitation | None
    existing_user: User | None


def invitation_send(
    *,
    email: str,
    name: str,
    city: City | None,
    role: str,
    as_secretariat: bool,
    invited_by: User,
) -> SentInvitation:
    """Invite a person by e-mail.

    A person who already has an account is given the role at once and told so; a new person
    receives a one-time link to set a password.
    """
    require(invited_by, Perm.MANAGE_INVITATIONS)
    email = User.objects.normalize_email(email).strip()
    if not as_secretariat and (city is None or not role):
        raise ValidationError(_("Choose a city and a role, or invite to the secretariat."))
    existing = User.objects.filter(email__iexact=email).first()
    with transaction.atomic():
        if existing is not None:
            _grant(existing, city=city, role=role, as_secretariat=as_secretariat)
            transaction.on_commit(
                lambda: _mail(
                    "accounts/email/access_granted",
                    existing.email,
                    {
                        "user": existing,
                        "city": city,
                        "role": role,
                        "as_secretariat": as_secretariat,
                    },
                )
            )
            return SentInvitation(invitation=None, existing_user=existing)
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            email=email,
            name=name,
            city=None if as_secretariat else city,
            role="" if as_secretariat else role,
            as_secretariat=as_secretariat,
            token_hash=_hash(token),
            invited_by=invited_by,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        link = settings.SITE_URL + reverse("accounts:accept_invitation", args=[token])
        transaction.on_commit(
            lambda: _mail(
                "accounts/email/invitation",
                email,
                {
                    "invitation": invitation,
                    "link": link,
                    "days": settings.INVITATION_VALID_DAYS,
                },
            )
        )
    return SentInvitation(invitation=invitation, existing_user=None)


def invitation_for_token(token: str) -> Invitation | None:
    """The usable invitation behind a link, or None (unknown, used or expired)."""
    invitation = Invitation.objects.select_related("city").filter(token_hash=_hash(token)).first()
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


def invitation_accept(*, invitation: Invitation, name: str, password: str) -> User:
    """Create the account, grant the role and spend the invitation, at once."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_usable:
            raise ValidationError(_("This invitation has already been used or has expired."))
        if User.objects.filter(email__iexact=locked.email).exists():
            raise ValidationError(_("An account with this e-mail address exists: log in instead."))
        user = User.objects.create_user(email=locked.email, password=password, name=name)
        _grant(user, city=locked.city, role=locked.role, as_secretariat=locked.as_secretariat)
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
    return user


def _grant(user: User, *, city: City | None, role: str, as_secretariat: bool) -> None:
    if as_secretariat:
        # The secretariat administers the whole platform, the admin site included.
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
        return
    assert city is not None
    Membership.objects.update_or_create(user=user, city=city, defaults={"role": role})


def _mail(template: str, to: str, context: dict[str, object]) -> None:
    context = {**context, "site_url": settings.SITE_URL}
    subject = render_subject(f"{template}_subject.txt", context)
    body = render_text(f"{template}.txt", context)
    send_mail(subject, body, None, [to])


def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new personal API token; the plain key is returned once and never stored."""
    key = "ic_" + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip(), prefix=key[3:9], key_hash=_hash(key))
    token.full_clean()
    token.save()
    return token, key


def token_user(key: str) -> User | None:
    """The active user behind a token, marking the token as used."""
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
