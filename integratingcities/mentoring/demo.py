"""The mentoring schemes of the demo, from ``content/mentoring.yaml`` (safe to load again).

The projects, their periods, facilitators, themes and partner cities are facts of the seeds;
which city mentored which on which theme is not, so every scheme is loaded as illustrative.
The demonstration scheme gives Ghent (a demo login's city) a current roadmap to show.
"""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from integratingcities.assessments.models import Assessment
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Section
from integratingcities.toolkits.models import Toolkit

from .models import (
    Action,
    Objective,
    ProgressReport,
    Roadmap,
    Scheme,
    SupportGroupMember,
    Visit,
)
from .selectors import validated_of
from .services import scheme_write


class MentoringContentError(ValueError):
    """The content file names something the platform does not have."""


def _cities(slugs: list[str]) -> list[City]:
    found = {city.slug: city for city in City.objects.filter(slug__in=slugs)}
    missing = sorted(set(slugs) - set(found))
    if missing:
        raise MentoringContentError(f"content/mentoring.yaml: unknown cities {missing}")
    return [found[slug] for slug in slugs]


def _toolkit(key: str | None) -> Toolkit | None:
    if not key:
        return None
    found = Toolkit.objects.filter(key=key).first()
    if found is None:
        raise MentoringContentError(f"content/mentoring.yaml: unknown toolkit {key!r}")
    return found


def _check_partners(project: dict[str, Any]) -> None:
    """Every partner of the project is in one of its schemes, and nobody else is."""
    named = {
        slug
        for scheme in project["schemes"]
        for slug in [*scheme["mentors"], *scheme["implementing"]]
    }
    if named != set(project["partners"]):
        raise MentoringContentError(
            f"content/mentoring.yaml: the schemes of {project['project']} name "
            f"{sorted(named ^ set(project['partners']))} against its partners"
        )


def _scheme(
    *,
    name: str,
    theme: str,
    toolkit: str | None,
    project: str,
    starts_on: date,
    ends_on: date,
    period: str,
    facilitator: str,
    mentors: list[str],
    implementing: list[str],
) -> tuple[Scheme, bool]:
    existing = Scheme.objects.filter(name=name, project=project).first()
    if existing is not None:
        return existing, False
    return (
        scheme_write(
            actor=None,
            name=name,
            theme=theme,
            toolkit=_toolkit(toolkit),
            project=project,
            starts_on=starts_on,
            ends_on=ends_on,
            period_note=period,
            facilitator=facilitator,
            mentors=_cities(mentors),
            implementing=_cities(implementing),
            is_illustrative=True,
        ),
        True,
    )


def _roadmap(roadmap: Roadmap, data: dict[str, Any], today: date) -> None:
    """The demonstration roadmap's rows, dated from today: one action is always late."""
    selftests = list(
        validated_of(roadmap.scheme.lineage).filter(city=roadmap.city).order_by("created_at")
    )
    baseline: Assessment | None = selftests[0] if selftests else None
    follow_up = selftests[-1] if len(selftests) > 1 else None
    roadmap.baseline, roadmap.follow_up = baseline, follow_up
    roadmap.summary = data["summary"].strip()
    roadmap.save()
    sections = list(
        Section.objects.filter(
            framework=baseline.framework if baseline else None, is_context=False
        ).order_by("position")
    )

    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    for objective_data in data["objectives"]:
        objective = Objective.objects.create(
            roadmap=roadmap,
            title=objective_data["title"],
            gap=objective_data["gap"],
            root_cause=objective_data.get("root_cause", ""),
            change_sought=objective_data["change_sought"],
        )
        objective.key_factors.set(
            [sections[n - 1] for n in objective_data["key_factor_positions"] if n <= len(sections)]
        )
        for action in objective_data["actions"]:
            Action.objects.create(
                objective=objective,
                title=action["title"],
                owner=action["owner"],
                partners=action.get("partners", ""),
                starts_on=day(action["starts_days"]) if "starts_days" in action else None,
                due_on=day(action["due_days"]),
                status=action["status"],
                resources=action.get("resources", ""),
                funding_source=action.get("funding_source", ""),
                expected_output=action.get("expected_output", ""),
                evidence=action.get("evidence", ""),
            )
    SupportGroupMember.objects.bulk_create(
        [
            SupportGroupMember(
                roadmap=roadmap,
                name=member["name"],
                organisation=member.get("organisation", ""),
                type=member["type"],
                role=member.get("role", ""),
            )
            for member in data["support_group"]
        ]
    )
    Visit.objects.bulk_create(
        [
            Visit(
                scheme=roadmap.scheme,
                host=roadmap.city,
                visited_on=day(visit["days"]),
                who_came=visit["who_came"],
                notes=visit.get("notes", ""),
                recommendations=visit.get("recommendations", ""),
            )
            for visit in data["visits"]
        ]
    )
    ProgressReport.objects.bulk_create(
        [
            ProgressReport(
                roadmap=roadmap,
                reported_on=day(report["days"]),
                period=report.get("period", ""),
                what_changed=report["what_changed"],
            )
            for report in data["progress_reports"]
        ]
    )


@transaction.atomic
def load_demo_schemes(path: Path) -> int:
    """Load the schemes of the content file that are not there yet; returns how many."""
    content = yaml.safe_load(path.read_text())
    made = 0
    for project in content["projects"]:
        _check_partners(project)
        for scheme in project["schemes"]:
            _found, created = _scheme(
                name=f"{project['project']}: {scheme['theme']}",
                theme=scheme["theme"],
                toolkit=scheme.get("toolkit"),
                project=project["project"],
                starts_on=project["starts_on"],
                ends_on=project["ends_on"],
                period=project["period"],
                facilitator=project["facilitator"],
                mentors=scheme["mentors"],
                implementing=scheme["implementing"],
            )
            made += created
    demo = content["demonstration"]
    today = timezone.localdate()
    found, created = _scheme(
        name=demo["name"],
        theme=demo["theme"],
        toolkit=demo["toolkit"],
        project=demo["project"],
        starts_on=today - timedelta(days=demo["starts_days_ago"]),
        ends_on=today + timedelta(days=demo["ends_in_days"]),
        period="",
        facilitator=demo["facilitator"],
        mentors=demo["mentors"],
        implementing=demo["implementing"],
    )
    if created:
        made += 1
        for roadmap in Roadmap.objects.filter(scheme=found).select_related(
            "scheme__toolkit", "city"
        ):
            _roadmap(roadmap, demo, today)
    return made
