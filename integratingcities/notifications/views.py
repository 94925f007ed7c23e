from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from integratingcities.lib.http import AuthenticatedHttpRequest
from integratingcities.lib.prepared import prepared
from integratingcities.permissions import Perm, permission_required, visible_to

from .forms import PreferencesForm
from .models import Kind, Notification, OptOut
from .services import notifications_mark_read, preferences_save

PAGE_SIZE = 25


@permission_required(Perm.USE_ACCOUNT)
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(visible_to(request.user, Notification), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page": page})


@permission_required(Perm.USE_ACCOUNT, Notification)
def notification_open(
    request: AuthenticatedHttpRequest, notification: Notification
) -> HttpResponse:
    """Follow a notification's link, marking it read."""
    notifications_mark_read(user=request.user, pks=[notification.pk])
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect("notifications:list")
    return redirect(notification.url)


@permission_required(Perm.USE_ACCOUNT)
@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = notifications_mark_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@permission_required(Perm.USE_ACCOUNT)
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    muted = set(OptOut.objects.filter(user=request.user).values_list("kind", flat=True))
    initial = {
        "receive": [kind for kind in Kind.values if kind not in muted],
        "language": request.user.language,
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        receive = set(form.cleaned_data["receive"])
        preferences_save(
            user=request.user,
            muted=[kind for kind in Kind.values if kind not in receive],
            language=form.cleaned_data["language"],
        )
        messages.success(request, _("Your choices are saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})


def unread_count(request: HttpRequest) -> dict[str, int]:
    """Context processor: the number beside "Notifications" in the menu (one cheap count)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counted = _unread(user.pk)
    return {"unread_notifications": counted[0] if counted else 0}


@prepared
def _unread(user_id: int) -> QuerySet[Any]:
    """The count of a person's unread notifications (none when there is no row to count)."""
    return (
        Notification.objects.filter(recipient_id=user_id)
        .unread()
        .order_by()
        .values("recipient_id")
        .annotate(count=Count("pk"))
        .values_list("count", flat=True)
    )
