from django.db.models import Count, Prefetch, QuerySet

from .models import Conference, NewsItem, Project, ProjectPartner


def projects() -> QuerySet[Project]:
    return Project.objects.annotate(partner_count=Count("partners")).order_by(
        "position", "start_year", "name"
    )


def project_for_page(slug: str) -> QuerySet[Project]:
    return Project.objects.filter(slug=slug).prefetch_related(
        Prefetch(
            "partners",
            queryset=ProjectPartner.objects.select_related("city").order_by("role", "city__name"),
        )
    )


def conferences() -> QuerySet[Conference]:
    return Conference.objects.select_related("host").order_by("number")


def published_news() -> QuerySet[NewsItem]:
    return NewsItem.objects.published().order_by("-published_at")


def all_news() -> QuerySet[NewsItem]:
    return NewsItem.objects.select_related("author").order_by("-created_at")
