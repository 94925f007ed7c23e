from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from integratingcities.accounts.permissions import (
    can_view_city_private,
    is_secretariat,
    secretariat_required,
)
from integratingcities.accounts.selectors import city_team

from . import selectors
from .forms import CityForm
from .models import City


def _country_code(request: HttpRequest) -> str:
    """The ?country= filter; a NUL character, which PostgreSQL refuses in a query, matches none."""
    return request.GET.get("country", "")[:2].upper().replace("\x00", "?")


def signatories(request: HttpRequest) -> HttpResponse:
    country = _country_code(request)
    ordering = request.GET.get("sort", "name")
    if ordering not in selectors.SIGNATORY_ORDERINGS:
        ordering = "name"
    cities = selectors.signatories(country=country, ordering=ordering)
    return render(
        request,
        "cities/signatories.html",
        {
            "cities": cities,
            "countries": selectors.countries_of(selectors.signatories()),
            "country": country,
            "sort": ordering,
        },
    )


def city_list(request: HttpRequest) -> HttpResponse:
    country = _country_code(request)
    return render(
        request,
        "cities/city_list.html",
        {
            "cities": selectors.all_cities(country=country),
            "countries": selectors.countries_of(City.objects.all()),
            "country": country,
        },
    )


def city_detail(request: HttpRequest, slug: str) -> HttpResponse:
    city = selectors.city_for_page(slug).first()
    if city is None:
        raise Http404
    private = can_view_city_private(request.user, city.pk)
    return render(
        request,
        "cities/city_detail.html",
        {
            "city": city,
            "can_see_team": private,
            "can_edit": is_secretariat(request.user),
        },
    )


@login_required
def city_team_view(request: HttpRequest, slug: str) -> HttpResponse:
    city = get_object_or_404(City, slug=slug)
    if not can_view_city_private(request.user, city.pk):
        raise PermissionDenied
    return render(request, "cities/city_team.html", {"city": city, "team": city_team(city.pk)})


@secretariat_required
@require_http_methods(["GET", "POST"])
def city_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    city = get_object_or_404(City, slug=slug) if slug else None
    form = CityForm(request.POST or None, instance=city)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("%(city)s is saved.") % {"city": saved.name})
        return redirect(saved)
    return render(request, "cities/city_form.html", {"form": form, "city": city})
