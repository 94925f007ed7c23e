from html import escape

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from integratingcities.accounts.selectors import city_team
from integratingcities.indicators.selectors import city_latest
from integratingcities.lib.http import AuthenticatedHttpRequest
from integratingcities.permissions import Perm, has_perm, permission_required

from . import selectors
from .forms import CityForm
from .models import City
from .services import city_save


def _country_code(request: HttpRequest) -> str:
    """The ?country= filter; a NUL character, which PostgreSQL refuses in a query, matches none."""
    return request.GET.get("country", "")[:2].upper().replace("\x00", "?")


PER_PAGE = 100


def _country_options(countries: list[selectors.CountryOption], selected: str) -> str:
    """The country menu's options, joined here rather than by a template loop on every list
    page; escaped as the template did (Django's escape is html.escape)."""
    return mark_safe(
        "".join(
            f'<option value="{escape(o.code)}"{" selected" if o.code == selected else ""}>'
            f"{escape(o.name)}</option>"
            for o in countries
        )
    )


def _query_without(request: HttpRequest, *names: str) -> str:
    """The page's query string without the named parameters, for links that set them."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def signatories(request: HttpRequest) -> HttpResponse:
    country = _country_code(request)
    ordering = request.GET.get("sort", "name")
    if ordering not in selectors.SIGNATORY_ORDERINGS:
        ordering = "name"
    cities = selectors.signatories(country=country, ordering=ordering)
    # A page at a time: the count and the country menu still cover every signatory.
    page = Paginator(cities.values(*selectors.ROW_FIELDS), PER_PAGE).get_page(
        request.GET.get("page")
    )
    countries = selectors.countries_of(selectors.signatories())
    return render(
        request,
        "cities/signatories.html",
        {
            "page": page,
            "cities": selectors.city_rows(page.object_list, countries),
            "countries": countries,
            "country_options": _country_options(countries, country),
            "country": country,
            "sort": ordering,
            "filter_query": _query_without(request, "page", "sort"),
            "page_query": _query_without(request, "page"),
        },
    )


def city_list(request: HttpRequest) -> HttpResponse:
    country = _country_code(request)
    cities = selectors.all_cities(country=country).values(*selectors.ROW_FIELDS)
    page = Paginator(cities, PER_PAGE).get_page(request.GET.get("page"))
    countries = selectors.countries_of(City.objects.all())
    return render(
        request,
        "cities/city_list.html",
        {
            "page": page,
            "cities": selectors.city_rows(page.object_list, countries),
            "countries": countries,
            "country_options": _country_options(countries, country),
            "country": country,
            "page_query": _query_without(request, "page"),
        },
    )


@permission_required(None, City, lookup={"slug": "slug"}, login=False)
def city_detail(request: HttpRequest, city: City) -> HttpResponse:
    return render(
        request,
        "cities/city_detail.html",
        {
            "city": city,
            "rows": selectors.city_page_rows(city),
            "can_see_team": has_perm(request.user, Perm.VIEW_CITY_TEAM, city),
            "can_edit": has_perm(request.user, Perm.MANAGE_CITIES),
            "indicators": city_latest(city),
        },
    )


@permission_required(Perm.VIEW_CITY_TEAM, City, lookup={"slug": "slug"})
def city_team_view(request: HttpRequest, city: City) -> HttpResponse:
    return render(request, "cities/city_team.html", {"city": city, "team": city_team(city.pk)})


@permission_required(Perm.MANAGE_CITIES)
@require_http_methods(["GET", "POST"])
def city_edit(request: AuthenticatedHttpRequest, slug: str | None = None) -> HttpResponse:
    city = get_object_or_404(City, slug=slug) if slug else None
    form = CityForm(request.POST or None, instance=city)
    if request.method == "POST" and form.is_valid():
        saved = city_save(city=form.save(commit=False), user=request.user)
        form.save_m2m()
        messages.success(request, _("%(city)s is saved.") % {"city": saved.name})
        return redirect(saved)
    return render(request, "cities/city_form.html", {"form": form, "city": city})
