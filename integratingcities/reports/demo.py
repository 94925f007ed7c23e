"""The demo's 2015 report: a content file written after "Cities and Migrants" (2015), loaded into
the published 2015 round's report and published as edition 1 on the file's date.

The file (``content/reports/charter-2015.yaml``)::

    title, subtitle, published_on, illustrative (a sentence)
    sections: {foreword, summary, organisation, trends, debates, national, charter_use,
               challenges, next_steps, method}: Markdown, each optional
    roles: {<role section key>: Markdown overview}
    commitments: {<commitment item key>: {trends: Markdown,
                  highlights: [{city: <slug>, text: Markdown, practice: <practice key>}]}}

A highlight must rest on a validated answer with evidence of its city to its commitment in the
round; otherwise the file is wrong and the loader says where. Loading again changes nothing
once edition 1 exists.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from integratingcities.accounts.models import User
from integratingcities.practices.models import Practice
from integratingcities.rounds.demo import TITLE_2015
from integratingcities.rounds.models import Round

from . import selectors
from .models import SECTION_KEYS, Edition
from .services import (
    edition_publish,
    highlight_add,
    report_cover_save,
    report_text_save,
)

NETWORK_2015 = "EUROCITIES"


class ReportContentError(ValueError):
    """The content file is wrong; the message names the file, the place and the reason."""


def _fail(path: Path, where: str, reason: str) -> ReportContentError:
    return ReportContentError(f"{path.name}: {where}: {reason}")


def report_load(path: Path, round_: Round, actor: User) -> Edition | None:
    """Write the file into the round's report and publish edition 1; None if one exists."""
    if Edition.objects.filter(report__round=round_).exists():
        return None
    data: dict[str, Any] = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict) or not data.get("title"):
        raise _fail(path, "title", "a report needs a title")
    published_on = data.get("published_on")
    if not isinstance(published_on, dt.date):
        raise _fail(path, "published_on", "a date (YYYY-MM-DD) is needed")
    keys = selectors.text_keys(round_)
    with transaction.atomic():
        report_cover_save(
            round_=round_,
            actor=actor,
            title=str(data["title"]),
            subtitle=str(data.get("subtitle") or ""),
            network=NETWORK_2015,
            illustrative_note=str(data.get("illustrative") or ""),
        )
        for key, text in (data.get("sections") or {}).items():
            if key not in SECTION_KEYS:
                raise _fail(path, f"sections.{key}", "no such section of a report")
            report_text_save(round_=round_, actor=actor, key=f"section.{key}", text=str(text or ""))
        for key, text in (data.get("roles") or {}).items():
            if f"role.{key}" not in keys:
                raise _fail(path, f"roles.{key}", "no such role in the round's framework")
            report_text_save(round_=round_, actor=actor, key=f"role.{key}", text=str(text or ""))
        answers = {
            (answer.item.key, answer.assessment.city.slug): answer
            for answer in selectors.highlightable(round_)
        }
        practices = {p.key: p for p in Practice.objects.published()}
        for key, entry in (data.get("commitments") or {}).items():
            where = f"commitments.{key}"
            if f"commitment.{key}" not in keys:
                raise _fail(path, where, "no such commitment in the round's framework")
            entry = entry or {}
            if entry.get("trends"):
                report_text_save(
                    round_=round_, actor=actor, key=f"commitment.{key}", text=str(entry["trends"])
                )
            for index, highlight in enumerate(entry.get("highlights") or []):
                place = f"{where}.highlights[{index}]"
                city = str(highlight.get("city") or "")
                answer = answers.get((key, city))
                if answer is None:
                    raise _fail(
                        path,
                        place,
                        f"{city or 'no city'} has no validated answer with evidence for this "
                        "commitment in the round",
                    )
                practice = None
                if highlight.get("practice"):
                    practice = practices.get(str(highlight["practice"]))
                    if practice is None:
                        raise _fail(
                            path,
                            f"{place}.practice",
                            f"no published practice with the key {highlight['practice']!r}",
                        )
                if not str(highlight.get("text") or "").strip():
                    raise _fail(path, f"{place}.text", "a highlight needs a text")
                highlight_add(
                    round_=round_,
                    actor=actor,
                    answer=answer,
                    text=str(highlight["text"]),
                    practice=practice,
                )
        return edition_publish(
            report=selectors.report_of(round_), actor=actor, published_on=published_on
        )


def load_demo_report(path: Path) -> Edition | None:
    """The demo: the 2015 round's report from ``path``, when the round, the file and the demo
    secretariat are there."""
    round_ = Round.objects.filter(title=TITLE_2015).select_related("framework").first()
    actor = User.objects.filter(email="secretariat@example.org", is_staff=True).first()
    if round_ is None or actor is None or not path.exists():
        return None
    return report_load(path, round_, actor)
