from datetime import UTC, datetime, time
from typing import Any

from django.db import transaction
from django.utils import timezone

from integratingcities.accounts.models import User
from integratingcities.cities.models import City
from integratingcities.permissions import Perm, require

from .models import Conference, NewsItem, NewsStatus, PartnerRole, Project, ProjectPartner


def news_save(*, item: NewsItem, author: User, publish: bool) -> NewsItem:
    """Save a news item; publishing stamps the date once, unpublishing keeps it as a draft."""
    require(author, Perm.MANAGE_NEWS)
    if item.author_id is None:
        item.author = author
    if publish:
        item.status = NewsStatus.PUBLISHED
        item.published_at = item.published_at or timezone.now()
    else:
        item.status = NewsStatus.DRAFT
    item.full_clean()
    item.save()
    news_schedule(item)
    return item


def news_schedule(item: NewsItem) -> None:
    """A published item dated later becomes public at its hour with no write to show it: the
    worker then makes the kept pages stale (``tasks.news_due``), where the task backend can run
    a job later (the database backend can; the immediate one of tests cannot)."""
    from .tasks import news_due

    at = item.published_at
    if item.status != NewsStatus.PUBLISHED or at is None or at <= timezone.now():
        return
    if news_due.get_backend().supports_defer:
        transaction.on_commit(lambda: news_due.using(run_after=at).enqueue(), robust=True)


def _date_or_none(value: Any) -> Any:
    return value or None


@transaction.atomic
def network_load(data: dict[str, Any]) -> None:
    """Create or update projects, conferences and news from content/network.yaml."""
    cities = {city.slug: city for city in City.objects.all()}
    for position, entry in enumerate(data.get("projects", [])):
        project, _ = Project.objects.update_or_create(
            slug=entry["slug"],
            defaults={
                "name": entry["name"],
                "full_name": entry.get("full_name", ""),
                "start_year": entry.get("start_year"),
                "end_year": entry.get("end_year"),
                "period_note": entry.get("period_note", ""),
                "themes": entry.get("themes", []),
                "summary": (entry.get("summary") or "").strip(),
                "funding": entry.get("funding", ""),
                "coordinator": entry.get("coordinator", ""),
                "experts": entry.get("experts", []),
                "outputs": entry.get("outputs", []),
                "position": position,
            },
        )
        project.partners.all().delete()
        ProjectPartner.objects.bulk_create(
            ProjectPartner(
                project=project,
                city=cities[partner["city"]],
                role=partner.get("role", PartnerRole.PARTNER),
                organisation=partner.get("organisation", ""),
            )
            for partner in entry.get("partners", [])
        )
    for entry in data.get("conferences", []):
        starts_on = _date_or_none(entry.get("date"))
        Conference.objects.update_or_create(
            number=entry["number"],
            defaults={
                "title": entry["title"],
                "year": entry.get("year") or starts_on.year,
                "starts_on": starts_on,
                "ends_on": _date_or_none(entry.get("end_date")) or starts_on,
                "host": cities[entry["host"]],
                "summary": (entry.get("summary") or "").strip(),
            },
        )
    for entry in data.get("news", []):
        published = entry["published_on"]
        item, _ = NewsItem.objects.update_or_create(
            slug=entry["slug"],
            defaults={
                "title": entry["title"],
                "summary": entry["summary"].strip(),
                "body": entry["body"].strip(),
                "status": NewsStatus.PUBLISHED,
                "published_at": datetime.combine(published, time(12), tzinfo=UTC),
            },
        )
        news_schedule(item)
