from pathlib import Path

from django.conf import settings

from integratingcities.frameworks.services import framework_import, framework_import_path
from integratingcities.lib.testing import People, client_for

BENCHMARK = Path(settings.BASE_DIR) / "content/frameworks/anti-discrimination-job-market.v1.yaml"


def test_the_admin_edits_drafts_but_never_a_published_version(people: People) -> None:
    published = framework_import_path(path=BENCHMARK, publish=True).framework
    draft = framework_import(
        text=BENCHMARK.read_text().replace("version: 1\n", "version: 2\n", 1), source="v2"
    ).framework
    client = client_for(people.secretariat)
    for framework, editable in ((published, False), (draft, True)):
        page = client.get(f"/admin/frameworks/framework/{framework.pk}/change/")
        assert page.status_code == 200
        assert ('name="_save"' in page.content.decode()) is editable
        section = framework.sections.first()
        assert section is not None
        page = client.get(f"/admin/frameworks/section/{section.pk}/change/")
        assert ('name="_save"' in page.content.decode()) is editable
    response = client.post(
        f"/admin/frameworks/framework/{published.pk}/change/", {"lineage": "changed"}
    )
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.lineage == "anti-discrimination-job-market"
