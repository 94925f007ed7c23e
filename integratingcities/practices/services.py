"""Writes for the practice library: proposing a city's evidence, editing, the secretariat's
review (publish, or send back with a comment), and loading content/practices.yaml.

Every write keeps the search index in step (``search.index``) inside the same transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from integratingcities.accounts.models import User
from integratingcities.assessments.models import Answer
from integratingcities.audit.models import Action
from integratingcities.audit.services import log_action
from integratingcities.cities.models import City
from integratingcities.frameworks.models import FrameworkKind, ItemKind
from integratingcities.lib.errors import DomainError
from integratingcities.lib.translation import translate
from integratingcities.notifications.models import Kind
from integratingcities.notifications.services import announce
from integratingcities.permissions import Perm, require

from . import search, selectors
from .models import (
    CHARTER_LINEAGE,
    YEAR_MAX,
    YEAR_MIN,
    Practice,
    PracticeSource,
    PracticeStatus,
    PracticeTheme,
)

BENCHMARK_LINEAGE = "anti-discrimination-job-market"
# The key factors of the anti-discrimination benchmark, used when its framework is not imported.
KEY_FACTORS = (
    "branding-language",
    "data-collection",
    "stakeholder-collaboration",
    "leading-by-example",
    "encouraging-change",
    "feedback-monitoring-evaluation",
    "communicating-commitment",
)
SEED_SOURCES = {"003": PracticeSource.TOOLKIT_2018, "004": PracticeSource.REPORT_2015}
TITLE_LENGTH = 120


class PracticeError(DomainError):
    """A step that is not possible now; the message is shown to the user."""


@dataclass(frozen=True)
class PracticeInput:
    """What a person may change on a practice (the city, key and source stay)."""

    title: str
    summary: str
    year: int | None = None
    what: str = ""
    for_whom: str = ""
    partners: str = ""
    results: str = ""
    responsible_body: str = ""
    transfer: str = ""
    source_section: str = ""
    contact: str = ""
    links: tuple[str, ...] = ()
    commitments: tuple[str, ...] = ()
    # (benchmark lineage, key factor)
    key_factors: tuple[tuple[str, str], ...] = ()

    TEXT_FIELDS = (
        "title",
        "summary",
        "what",
        "for_whom",
        "partners",
        "results",
        "responsible_body",
        "transfer",
        "source_section",
        "contact",
    )


def _themes(
    practice: Practice, commitments: tuple[str, ...], key_factors: tuple[tuple[str, str], ...]
) -> list[PracticeTheme]:
    roles = selectors.charter_commitments()
    themes = []
    for commitment in dict.fromkeys(commitments):
        if commitment not in roles:
            raise PracticeError(
                _("Commitments: “%(key)s” is not a commitment of the Charter.")
                % {"key": commitment}
            )
        themes.append(
            PracticeTheme(
                practice=practice,
                lineage=CHARTER_LINEAGE,
                section_key=roles[commitment],
                item_key=commitment,
            )
        )
    for lineage, factor in dict.fromkeys(key_factors):
        themes.append(
            PracticeTheme(practice=practice, lineage=lineage, section_key=factor, item_key="")
        )
    return themes


def _save(practice: Practice, themes: list[PracticeTheme] | None = None) -> Practice:
    practice.full_clean()
    practice.save()
    if themes is not None:
        practice.themes.all().delete()
        PracticeTheme.objects.bulk_create(themes)
    search.index([practice.pk])
    library_changed()
    return practice


def library_changed() -> None:
    """The library's cached facet counts are stale: now, and again once the transaction
    commits, so that a page counted meanwhile from the old rows is not kept either; then the
    worker counts the unfiltered library again, before a visitor asks."""
    from .tasks import count_library

    selectors.facets_changed()
    transaction.on_commit(selectors.facets_changed)
    transaction.on_commit(count_library.enqueue, robust=True)


def _unique_key(base: str) -> str:
    base = (slugify(base)[:100].strip("-")) or "practice"
    key, number = base, 1
    while Practice.objects.filter(key=key).exists():
        number += 1
        key = f"{base}-{number}"
    return key


def title_from(text: str) -> str:
    """A title from the first sentence of a text, cut at a word near 120 characters."""
    first = re.split(r"(?<=[.!?])\s|\n", text.strip(), maxsplit=1)[0].strip().rstrip(".")
    if len(first) <= TITLE_LENGTH:
        return first
    cut = first[: TITLE_LENGTH - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def practice_propose_from_answer(*, answer: Answer, user: User) -> tuple[Practice, bool]:
    """A draft practice from an answer's evidence, for the city to complete and send.

    Returns the practice and whether it is new: an answer proposed before leads to the practice
    made from it then.
    """
    require(user, Perm.ANSWER_ASSESSMENT, answer.assessment)
    existing = Practice.objects.filter(from_answer=answer).first()
    if existing is not None:
        return existing, False
    evidence = answer.evidence.strip()
    if not evidence:
        raise PracticeError(_("This answer has no evidence to propose as a practice."))
    assessment = answer.assessment
    item = answer.item
    section = item.section
    framework = assessment.framework
    commitments: tuple[str, ...] = ()
    key_factors: tuple[tuple[str, str], ...] = ()
    if framework.kind == FrameworkKind.CHARTER and item.kind == ItemKind.RATING:
        commitments = (item.key,)
    elif framework.kind == FrameworkKind.BENCHMARK and not getattr(section, "is_context", False):
        key_factors = ((framework.lineage, section.key),)
    survey = assessment.round.title if assessment.round else translate(framework.title, "en")
    place = f"{survey}: {translate(section.title, 'en')} — {translate(item.text, 'en')}"
    title = title_from(evidence) or translate(item.text, "en")[:TITLE_LENGTH]
    practice = Practice(
        key=_unique_key(f"{assessment.city.slug} {title}"),
        title=title,
        city=assessment.city,
        summary=evidence,
        source=PracticeSource.SUBMITTED,
        source_section=place[:300],
        links=[link for link in answer.links if isinstance(link, str)][:20],
        status=PracticeStatus.DRAFT,
        from_answer=answer,
        created_by=user,
    )
    practice._history_user = user  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            _save(practice, _themes(practice, commitments, key_factors))
    except IntegrityError:
        # Proposed twice at once: the other request made it.
        existing = Practice.objects.filter(from_answer=answer).first()
        if existing is None:
            raise
        return existing, False
    return practice, True


@transaction.atomic
def practice_update(*, practice: Practice, user: User, data: PracticeInput) -> Practice:
    """Change what a person may change; themes are replaced by those given."""
    require(user, Perm.EDIT_PRACTICE, practice)
    for name in PracticeInput.TEXT_FIELDS:
        setattr(practice, name, getattr(data, name).strip())
    practice.year = data.year
    practice.links = list(data.links)
    practice._history_user = user  # type: ignore[attr-defined]
    return _save(practice, _themes(practice, data.commitments, data.key_factors))


def _transition(
    practice: Practice,
    *,
    user: User,
    action: str,
    allowed: set[str],
    to: str,
    error: str,
    reason: str = "",
    **changes: Any,
) -> Practice:
    with transaction.atomic():
        locked = Practice.objects.select_for_update().get(pk=practice.pk)
        if locked.status not in allowed:
            raise PracticeError(error)
        before = locked.status
        locked.status = to
        for name, value in changes.items():
            setattr(locked, name, value)
        locked._history_user = user  # type: ignore[attr-defined]
        locked.full_clean()
        locked.save()
        library_changed()
        log_action(
            actor=user,
            action=action,
            target=locked,
            city=locked.city,
            from_state=before,
            to_state=to,
            reason=reason,
        )
    return locked


def practice_submit(*, practice: Practice, user: User) -> Practice:
    """The city sends its draft (or a practice sent back) to the secretariat."""
    require(user, Perm.SUBMIT_PRACTICE, practice)
    return _transition(
        practice,
        user=user,
        action=Action.PRACTICE_PROPOSED,
        allowed={PracticeStatus.DRAFT, PracticeStatus.RETURNED},
        to=PracticeStatus.PROPOSED,
        error=_("Only a draft or a practice sent back can be sent for review."),
    )


def practice_publish(*, practice: Practice, user: User) -> Practice:
    """The secretariat publishes: everyone sees it in the library, credited to the city."""
    require(user, Perm.PUBLISH_PRACTICE, practice)
    published = _transition(
        practice,
        user=user,
        action=Action.PRACTICE_PUBLISHED,
        allowed={PracticeStatus.DRAFT, PracticeStatus.PROPOSED, PracticeStatus.RETURNED},
        to=PracticeStatus.PUBLISHED,
        error=_("This practice is already published."),
        published_at=practice.published_at or timezone.now(),
        review_comment="",
    )
    announce(Kind.PRACTICE_DECIDED, target_id=published.pk, actor=user)
    return published


def practice_return(*, practice: Practice, user: User, comment: str) -> Practice:
    """The secretariat sends a proposal back to the city, saying what should change."""
    require(user, Perm.PUBLISH_PRACTICE, practice)
    comment = comment.strip()
    if not comment:
        raise PracticeError(_("Comment: say what the city should change."))
    returned = _transition(
        practice,
        user=user,
        action=Action.PRACTICE_SENT_BACK,
        allowed={PracticeStatus.PROPOSED},
        to=PracticeStatus.RETURNED,
        error=_("Only a proposed practice can be sent back."),
        reason=comment,
        review_comment=comment,
    )
    announce(Kind.PRACTICE_DECIDED, target_id=returned.pk, actor=user)
    return returned


# ---------------------------------------------------------------------------------------
# Loading content/practices.yaml


class PracticeLoadError(Exception):
    """The file is not valid; the message names the file, the record, the field and why."""


_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TEXTS = ("summary", "what", "for_whom", "partners", "results", "responsible_body", "transfer")
_FIELDS = {
    "key",
    "title",
    "city",
    "other_cities",
    "year",
    "commitments",
    "key_factors",
    "source",
    "section",
    "links",
    "contact",
    *_TEXTS,
}


def _check_records(data: Any, name: str) -> list[str]:
    """Every problem of the file, each as 'file: practices[i].field: reason'."""
    if not isinstance(data, dict) or not isinstance(data.get("practices"), list):
        return [f"{name}: the file needs a top-level list `practices`"]
    errors: list[str] = []
    cities = set(City.objects.values_list("slug", flat=True))
    roles = selectors.charter_commitments()
    if not roles:
        errors.append(f"{name}: the Charter framework is not imported (import_framework first)")
    factors = set(selectors.benchmark_factors().get(BENCHMARK_LINEAGE) or KEY_FACTORS)
    seen: set[str] = set()
    url = URLValidator(schemes=["http", "https"])
    for index, record in enumerate(data["practices"]):
        where = f"{name}: practices[{index}]"

        def bad(field: str, reason: str, where: str = where) -> None:
            errors.append(f"{where}.{field}: {reason}")

        if not isinstance(record, dict):
            errors.append(f"{where}: a practice is a mapping of fields")
            continue
        for unknown in sorted(set(record) - _FIELDS):
            bad(unknown, "unknown field")
        key = record.get("key")
        if not isinstance(key, str) or not _KEY.match(key) or len(key) > 120:
            bad("key", "required: lower-case letters, digits and hyphens, at most 120")
        elif key in seen:
            bad("key", f"“{key}” is used twice")
        else:
            seen.add(key)
        title = record.get("title")
        if not isinstance(title, str) or not title.strip() or len(title) > 300:
            bad("title", "required: a text of at most 300 characters")
        if not isinstance(record.get("summary"), str) or not record["summary"].strip():
            bad("summary", "required: a text")
        for text in _TEXTS[1:]:
            if record.get(text) is not None and not isinstance(record[text], str):
                bad(text, "must be a text")
        if record.get("city") not in cities:
            bad("city", f"no city with the slug “{record.get('city')}” in content/cities.yaml")
        others = record.get("other_cities") or []
        if not isinstance(others, list):
            bad("other_cities", "must be a list of city slugs")
        else:
            for slug in others:
                if slug not in cities:
                    bad("other_cities", f"no city with the slug “{slug}”")
                elif slug == record.get("city"):
                    bad("other_cities", f"“{slug}” is already the practice's city")
        year = record.get("year")
        if year is not None and (
            not isinstance(year, int) or isinstance(year, bool) or not YEAR_MIN <= year <= YEAR_MAX
        ):
            bad("year", f"a year from {YEAR_MIN} to {YEAR_MAX}, or left out")
        commitments = record.get("commitments") or []
        if not isinstance(commitments, list):
            bad("commitments", "must be a list of Charter commitment keys")
        elif roles:
            for commitment in commitments:
                if commitment not in roles:
                    bad("commitments", f"“{commitment}” is not a commitment of the Charter")
        key_factors = record.get("key_factors") or []
        if not isinstance(key_factors, list):
            bad("key_factors", "must be a list of key factor keys")
        else:
            for factor in key_factors:
                if factor not in factors:
                    bad("key_factors", f"“{factor}” is not a key factor of {BENCHMARK_LINEAGE}")
        if record.get("source") not in SEED_SOURCES:
            bad("source", '"003" (the 2018 toolkit) or "004" (the 2015 report)')
        section = record.get("section")
        if section is not None and (not isinstance(section, str) or len(section) > 300):
            bad("section", "a text of at most 300 characters")
        links = record.get("links") or []
        if not isinstance(links, list):
            bad("links", "must be a list of web addresses")
        else:
            for link in links:
                try:
                    url(link)
                except ValidationError:
                    bad("links", f"“{link}” is not a web address (http or https)")
        contact = record.get("contact")
        if contact is not None and (not isinstance(contact, str) or len(contact) > 300):
            bad("contact", "a text of at most 300 characters")
    return errors


@transaction.atomic
def practices_load(data: Any, *, name: str = "practices.yaml") -> int:
    """Create or update the seeded practices, all or nothing; returns how many.

    Loading the same file again changes nothing. Seeded practices are published.
    """
    errors = _check_records(data, name)
    if errors:
        raise PracticeLoadError("\n".join(errors))
    cities = {city.slug: city for city in City.objects.all()}
    roles = selectors.charter_commitments()
    loaded: list[int] = []
    for record in data["practices"]:
        values = {
            "title": record["title"].strip(),
            "city": cities[record["city"]],
            "year": record.get("year"),
            **{text: (record.get(text) or "").strip() for text in _TEXTS},
            "source": SEED_SOURCES[record["source"]],
            "source_section": (record.get("section") or "").strip(),
            "links": list(record.get("links") or []),
            "contact": (record.get("contact") or "").strip(),
            "status": PracticeStatus.PUBLISHED,
            "is_illustrative": False,
        }
        practice = Practice.objects.filter(key=record["key"]).first() or Practice(
            key=record["key"], published_at=timezone.now()
        )
        if practice.pk is None or any(
            getattr(practice, name) != value for name, value in values.items()
        ):
            for name, value in values.items():
                setattr(practice, name, value)
            practice.published_at = practice.published_at or timezone.now()
            practice.full_clean()
            practice.save()
        practice.other_cities.set([cities[slug] for slug in record.get("other_cities") or []])
        wanted = {(CHARTER_LINEAGE, roles[key], key) for key in record.get("commitments") or []} | {
            (BENCHMARK_LINEAGE, key, "") for key in record.get("key_factors") or []
        }
        current = set(practice.themes.values_list("lineage", "section_key", "item_key"))
        if wanted != current:
            practice.themes.all().delete()
            PracticeTheme.objects.bulk_create(
                PracticeTheme(practice=practice, lineage=lin, section_key=sec, item_key=item)
                for lin, sec, item in sorted(wanted)
            )
        loaded.append(practice.pk)
    search.index(loaded)
    library_changed()
    return len(loaded)


def practices_load_path(path: Path) -> int:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise PracticeLoadError(f"{path.name}: not valid YAML: {error}") from error
    return practices_load(data, name=path.name)
