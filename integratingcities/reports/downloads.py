"""The PDF of a published edition, made in the background through the downloads app."""

from typing import Any

from django.utils.translation import gettext as _

from integratingcities.downloads.registry import Builder, Built, Params, Progress
from integratingcities.lib.pdf import render_pdf

from . import display
from .models import Edition


def _edition(params: Params) -> Edition | None:
    round_id, number = params.get("round", ""), params.get("edition", "")
    if not (round_id.isdigit() and number.isdigit() and len(round_id) < 18 and len(number) < 9):
        return None
    return (
        Edition.objects.select_related("report__round")
        .filter(report__round_id=int(round_id), number=int(number))
        .first()
    )


def _allowed(user: Any, params: Params) -> bool:
    # A published edition is public, like its page; an unknown one is nobody's.
    return _edition(params) is not None


def _title(params: Params) -> str:
    edition = _edition(params)
    if edition is None:
        return _("Network report (PDF)")
    return _("%(title)s, edition %(number)d (PDF)") % {
        "title": edition.report.title,
        "number": edition.number,
    }


def _version(params: Params) -> str:
    # Editions are frozen: the edition and when it was published name its content.
    edition = _edition(params)
    return f"{edition.pk}:{edition.published_at.isoformat()}" if edition else "none"


def _build(params: Params, progress: Progress) -> Built:
    edition = _edition(params)
    if edition is None:
        raise ValueError(_("This edition of the report does not exist."))
    progress(10, _("Drawing the charts"))
    context = display.context(edition.snapshot, edition=edition)
    progress(40, _("Laying out the pages"))
    content = render_pdf("reports/print.html", context)
    progress(100, _("Done"))
    slug = f"report-{edition.report.round_id}-edition-{edition.number}.pdf"
    return Built(filename=slug, content_type="application/pdf", content=content)


EDITION_PDF = Builder(
    kind="reports.edition_pdf",
    params=("round", "edition"),
    title=_title,
    allowed=_allowed,
    version=_version,
    build=_build,
)
