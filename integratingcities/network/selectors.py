from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When

from .models import Conference, NewsItem, PartnerRole, Project, ProjectPartner

# Cities that only lent examples to a project's toolkit did not take part in it (CITIES GROW
# thanks eight such cities): they are counted apart and listed after the project's own cities.
_CONTRIBUTOR = Q(partners__role=PartnerRole.CONTRIBUTOR)


def projects() -> QuerySet[Project]:
    return Project.objects.annotate(
        partner_count=Count("partners", filter=~_CONTRIBUTOR),
        contributor_count=Count("partners", filter=_CONTRIBUTOR),
    ).order_by("position", "start_year", "name")


def project_for_page(slug: str) -> QuerySet[Project]:
    contributors_last = Case(When(role=PartnerRole.CONTRIBUTOR, then=Value(1)), default=Value(0))
    return Project.objects.filter(slug=slug).prefetch_related(
        Prefetch(
            "partners",
            queryset=ProjectPartner.objects.select_related("city").order_by(
                contributors_last, "role", "city__name"
            ),
        )
    )


def conferences() -> QuerySet[Conference]:
    return Conference.objects.select_related("host").order_by("number")


def published_news() -> QuerySet[NewsItem]:
    return NewsItem.objects.published().order_by("-published_at")


def all_news() -> QuerySet[NewsItem]:
    return NewsItem.objects.select_related("author").order_by("-created_at")
