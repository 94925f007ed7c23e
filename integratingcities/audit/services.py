"""Writing the audit trail: one call per decision, from the service that made it."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from integratingcities.accounts.models import User

from .models import Action, AuditEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from integratingcities.cities.models import City


def log_action(
    *,
    actor: "User | AnonymousUser | None",
    action: Action | str,
    target: models.Model,
    city: "City | None" = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Record that ``actor`` did ``action`` to ``target``; returns the entry.

    Call it inside the transaction of the change it records, so that both are kept or neither.
    An anonymous or unsaved actor is recorded as nobody. ``from_state`` and ``to_state`` are the
    internal state values (``AssessmentState``, ``RoundStatus``, ...); ``reason`` is what the
    person wrote, such as why a published result was corrected. ``data`` holds small JSON
    details; ``audit.selectors.describe`` reads ``count`` (how many comments, cities, ...).
    """
    if action not in Action.values:
        raise ValueError(f"Unknown audit action: {action!r}")
    if target.pk is None:
        raise ValueError("The target of an audit entry must be saved first.")
    return AuditEntry.objects.create(
        actor=actor if isinstance(actor, User) and actor.pk is not None else None,
        action=Action(action),
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        city=city,
        from_state=str(from_state),
        to_state=str(to_state),
        reason=reason.strip(),
        data=dict(data or {}),
    )
