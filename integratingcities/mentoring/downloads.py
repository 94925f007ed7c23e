"""A roadmap as a PDF, made in the background through the downloads registry, from the same
body template as its page."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from integratingcities.downloads.registry import Builder, Built, Params, Progress
from integratingcities.lib.pdf import render_pdf
from integratingcities.permissions import visible_to

from . import selectors
from .models import Roadmap

PDF_KIND = "mentoring.roadmap_pdf"


def _pk(params: Params) -> int | None:
    value = params.get("roadmap", "")
    return int(value) if value.isdigit() and 0 < int(value) < 2**63 else None


def _allowed(user: Any, params: Params) -> bool:
    pk = _pk(params)
    return pk is not None and visible_to(user, Roadmap).filter(pk=pk).exists()


def _title(params: Params) -> str:
    found = Roadmap.objects.filter(pk=_pk(params) or 0).values_list("city__name", flat=True).first()
    return _("Roadmap of %(city)s (PDF)") % {"city": found or "?"}


def _version(params: Params) -> str:
    """Every service that changes the roadmap or a row of it moves ``changed_at``; lateness
    moves with the day."""
    changed = Roadmap.objects.filter(pk=_pk(params) or 0).values_list("changed_at", flat=True)
    found = changed.first()
    return f"{found.isoformat() if found else '-'}:{timezone.localdate().isoformat()}"


def _build(params: Params, progress: Progress) -> Built:
    from .views import roadmap_context

    progress(10, _("Reading the roadmap"))
    roadmap = selectors.roadmap_page(_pk(params) or 0)
    context = roadmap_context(roadmap)
    progress(50, _("Printing the PDF"))
    content = render_pdf("mentoring/print/roadmap.html", context)
    return Built(f"roadmap-{roadmap.city.slug}-{roadmap.pk}.pdf", "application/pdf", content)


ROADMAP_PDF = Builder(
    kind=PDF_KIND,
    params=("roadmap",),
    title=_title,
    allowed=_allowed,
    version=_version,
    build=_build,
)
