from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from integratingcities.cities.models import City
from integratingcities.frameworks.selectors import current_charter
from integratingcities.network.selectors import published_news


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "site/home.html",
        {
            "charter": current_charter(),
            "signatory_count": City.objects.filter(signed_latest__isnull=False).count(),
            "news": published_news()[:3],
        },
    )
