"""The Charter page tells the Charter's own method apart from the platform's scores (issue 13,
part 8): the 2015 report counts fully / partly / not at all answers; 100 / 50 / 0 is ours."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import client_for

CHARTER = Path(settings.BASE_DIR) / "content" / "frameworks" / "charter.v1.yaml"


def _text(url: str) -> str:
    html = client_for(None).get(url).content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.django_db
def test_the_scores_are_presented_as_the_platforms_convention() -> None:
    framework = framework_import_path(path=CHARTER, publish=True).framework
    page = _text(reverse("frameworks:charter"))
    method = page[page.index("How cities report") : page.index("How this platform scores")]
    assert "fully, partly or not at all" in method
    assert "100" not in method and "score" not in method
    scoring = page[page.index("How this platform scores") :]
    assert "convention is the platform's, not part of the Charter" in scoring
    assert "Fully · 100" in scoring and "Partly · 50" in scoring and "Not at all · 0" in scoring
    detail = _text(framework.get_absolute_url())
    assert "this platform's convention" in detail
