from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from integratingcities.cities.selectors import typed_name
from integratingcities.lib.http import AuthenticatedHttpRequest
from integratingcities.notifications.models import Notification
from integratingcities.permissions import Perm, permission_required, visible_to

from . import selectors
from .forms import AcceptInvitationForm, InvitationForm, TokenForm
from .models import ApiToken
from .services import invitation_accept, invitation_for_token, invitation_send, token_create
from .todo import todo_for


@permission_required(Perm.USE_ACCOUNT)
def home(request: HttpRequest) -> HttpResponse:
    """Where a person lands after logging in: their cities and what they may do."""
    return render(
        request,
        "accounts/home.html",
        {
            "memberships": selectors.memberships_of(request.user),
            "todo": todo_for(request.user),
            "notifications": visible_to(request.user, Notification).filter(read_at__isnull=True)[
                :5
            ],
        },
    )


@permission_required(Perm.MANAGE_INVITATIONS)
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest) -> HttpResponse:
    initial = {
        "city": typed_name(request.GET.get("city", "")),
        "role": request.GET.get("role", "")[:16],
    }
    form = InvitationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = invitation_send(
                email=data["email"],
                name=data["name"],
                city=data["city"],
                role=data["role"],
                as_secretariat=data["as_secretariat"],
                invited_by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if sent.existing_user:
                messages.success(
                    request,
                    _("%(email)s already had an account: the access was added and they were told.")
                    % {"email": sent.existing_user.email},
                )
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s.") % {"email": data["email"]},
                )
            return redirect("accounts:invitations")
    return render(
        request,
        "accounts/invitations.html",
        {"form": form, "invitations": selectors.recent_invitations()},
    )


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_for_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(
        request.POST or None, email=invitation.email, initial={"name": invitation.name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                invitation=invitation,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your password is set and you are logged in."))
            return redirect("accounts:home")
    return render(
        request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation}
    )


@permission_required(Perm.USE_ACCOUNT)
@require_http_methods(["GET", "POST"])
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Personal API tokens: create one (shown once) or revoke one."""
    new_key = None
    form = TokenForm(request.POST if "create" in request.POST else None)
    if request.method == "POST" and "revoke" in request.POST:
        token_id = request.POST["revoke"]
        # ASCII digits only: "²" is a digit to str.isdigit() but not to int().
        if token_id.isascii() and token_id.isdigit() and len(token_id) < 19:
            ApiToken.objects.filter(user=request.user, pk=int(token_id)).delete()
        messages.success(request, _("The token is revoked."))
        return redirect("accounts:tokens")
    if request.method == "POST" and form.is_valid():
        _token, new_key = token_create(user=request.user, name=form.cleaned_data["name"])
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": ApiToken.objects.filter(user=request.user), "new_key": new_key},
    )
