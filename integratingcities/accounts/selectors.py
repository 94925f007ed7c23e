from typing import Any

from django.db.models import QuerySet

from .models import Invitation, Membership, User


def memberships_of(user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("city").order_by("city__name")


def recent_invitations(limit: int = 50) -> QuerySet[Invitation]:
    return Invitation.objects.select_related("city", "invited_by").order_by("-created_at")[:limit]


def city_team(city_id: int) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(city_id=city_id, user__is_active=True)
        .select_related("user")
        .order_by("role", "user__name", "user__email")
    )


def users_count() -> int:
    return User.objects.count()
