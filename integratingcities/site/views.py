from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework, FrameworkKind, FrameworkStatus
from integratingcities.network.selectors import published_news


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "site/home.html",
        {
            "has_charter": Framework.objects.filter(
                kind=FrameworkKind.CHARTER, status=FrameworkStatus.PUBLISHED
            ).exists(),
            "signatory_count": City.objects.filter(signed_latest__isnull=False).count(),
            "news": [
                {**item, "url": reverse("network:news_detail", kwargs={"slug": item["slug"]})}
                for item in published_news().values("slug", "title", "published_at", "summary")[:3]
            ],
        },
    )
