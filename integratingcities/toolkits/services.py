"""Writes for toolkits: load the catalogue, upload and publish a benchmark, start a self-test."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integratingcities.accounts.models import User
from integratingcities.assessments.models import (
    EDITABLE_STATES,
    Assessment,
    AssessmentKind,
    AssessmentState,
)
from integratingcities.audit.models import Action
from integratingcities.audit.services import log_action
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework, FrameworkKind, FrameworkStatus
from integratingcities.frameworks.services import (
    FrameworkFileError,
    ImportResult,
    framework_import,
    framework_publish,
)
from integratingcities.lib.errors import DomainError
from integratingcities.lib.translation import as_translated
from integratingcities.network.models import Project
from integratingcities.permissions import Perm, require

from .models import Toolkit


class ToolkitError(DomainError):
    """A toolkit step that is not possible now; the message is shown to the user."""


@transaction.atomic
def toolkits_load(data: dict[str, Any]) -> int:
    """Create or update the catalogue from content/toolkits.yaml; idempotent."""
    projects = {p.slug: p for p in Project.objects.all()}
    for position, entry in enumerate(data["toolkits"]):
        Toolkit.objects.update_or_create(
            key=entry["key"],
            defaults={
                "title": as_translated(entry["title"]),
                "project": projects.get(entry.get("project", "")),
                "year": entry.get("year"),
                "note": as_translated(entry.get("note")),
                "position": position,
            },
        )
    return len(data["toolkits"])


def benchmark_upload(*, text: str, filename: str, user: User) -> ImportResult:
    """Import an uploaded benchmark file as a draft, to preview before publishing.

    The catalogue gains an entry for a new theme; a file for the Charter is refused here.
    """
    require(user, Perm.MANAGE_FRAMEWORKS)
    with transaction.atomic():
        result = framework_import(text=text, source=filename, publish=False)
        framework = result.framework
        if framework.kind != FrameworkKind.BENCHMARK:
            raise FrameworkFileError(
                filename, "$.kind", _("only benchmark files are uploaded here")
            )
        if (
            framework.previous_version
            and not Framework.objects.filter(
                lineage=framework.lineage, version=framework.previous_version
            ).exists()
        ):
            raise FrameworkFileError(
                filename,
                "$.previous_version",
                _("there is no version %(version)s of %(lineage)r to follow")
                % {"version": framework.previous_version, "lineage": framework.lineage},
            )
        Toolkit.objects.get_or_create(
            key=framework.lineage,
            defaults={"title": framework.title, "year": timezone.now().year, "position": 999},
        )
        if not result.unchanged:
            log_action(
                actor=user,
                action=Action.FRAMEWORK_IMPORTED,
                target=framework,
                to_state=framework.status,
                data={"file": filename[:200]},
            )
    return result


def benchmark_publish(*, framework: Framework, user: User) -> Framework:
    require(user, Perm.MANAGE_FRAMEWORKS)
    if framework.kind != FrameworkKind.BENCHMARK:
        raise ToolkitError(_("Only benchmarks are published here."))
    with transaction.atomic():
        before = framework.status
        published = framework_publish(framework=framework)
        log_action(
            actor=user,
            action=Action.FRAMEWORK_PUBLISHED,
            target=published,
            from_state=before,
            to_state=published.status,
        )
    return published


def latest_published(lineage: str) -> Framework | None:
    return (
        Framework.objects.filter(
            lineage=lineage, kind=FrameworkKind.BENCHMARK, status=FrameworkStatus.PUBLISHED
        )
        .order_by("-version")
        .first()
    )


def selftest_start(*, city: City, lineage: str, user: User) -> Assessment:
    """A new self-test of the latest published version, or the city's one still in progress.

    Earlier self-tests stay as they are: they are what progress is measured against.
    """
    require(user, Perm.START_SELF_TEST, city)
    framework = latest_published(lineage)
    if framework is None:
        raise ToolkitError(_("This benchmark has no published version to take yet."))
    with transaction.atomic():
        City.objects.select_for_update().filter(pk=city.pk).first()  # one start at a time
        open_one = (
            Assessment.objects.self_tests()
            .filter(city=city, framework__lineage=lineage, state__in=EDITABLE_STATES)
            .order_by("-created_at")
            .first()
        )
        if open_one is not None:
            return open_one
        started = Assessment.objects.create(
            city=city,
            framework=framework,
            kind=AssessmentKind.SELF_TEST,
            state=AssessmentState.IN_PROGRESS,
            last_activity_at=timezone.now(),
        )
        log_action(
            actor=user,
            action=Action.ASSESSMENT_STARTED,
            target=started,
            city=city,
            to_state=AssessmentState.IN_PROGRESS,
        )
        return started


def sharing_set(*, assessment: Assessment, share: bool, user: User) -> Assessment:
    require(user, Perm.ANSWER_ASSESSMENT, assessment)
    with transaction.atomic():
        assessment.share_evidence = share
        assessment.save(update_fields=["share_evidence"])
        log_action(
            actor=user,
            action=Action.ASSESSMENT_SHARING_CHANGED,
            target=assessment,
            city=assessment.city,
            data={"share_evidence": share},
        )
    return assessment
