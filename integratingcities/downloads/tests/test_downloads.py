import pytest
from django.urls import reverse

from integratingcities.downloads import services
from integratingcities.downloads.models import Download, Status
from integratingcities.downloads.urls import link
from integratingcities.lib.testing import People, client_for

from .builders import DATA, EXAMPLE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def example() -> None:
    DATA.update(version="1", fail=False, builds=0)


def test_a_file_is_made_once_and_served_until_its_data_change(people: People) -> None:
    editor, viewer = client_for(people.editor), client_for(people.viewer)
    first = editor.get(link(EXAMPLE.kind, city="ghent"))
    assert first.content == b"team ghent"  # made at once by the immediate backend of the tests
    made = Download.objects.get()
    page = editor.get(reverse("downloads:status", kwargs={"pk": made.pk})).content.decode()
    assert "Your file is ready" in page
    served = viewer.get(link(EXAMPLE.kind, city="ghent"))
    assert served.content == b"team ghent"  # kept: served at once, to anyone who may have it
    assert served["Content-Disposition"] == "attachment; filename*=UTF-8''team%20of%20ghent.txt"
    assert DATA["builds"] == 1
    DATA["version"] = "2"  # the data changed
    assert viewer.get(link(EXAMPLE.kind, city="ghent")).content == b"team ghent"
    assert DATA["builds"] == 2
    assert list(Download.objects.values_list("version", flat=True)) == ["2"]
    assert not Download.objects.filter(pk=made.pk).exists()  # the stale file is gone


def test_who_may_not_have_the_file_is_refused_at_every_step(people: People) -> None:
    client_for(people.editor).get(link(EXAMPLE.kind, city="ghent"))
    made = Download.objects.get()
    outsider, anonymous = client_for(people.outsider), client_for(None)
    assert outsider.get(link(EXAMPLE.kind, city="ghent")).status_code == 404
    for name in ("downloads:status", "downloads:file"):
        url = reverse(name, kwargs={"pk": made.pk})
        assert outsider.get(url).status_code == 404
        assert anonymous.get(url)["Location"].startswith(reverse("accounts:login"))
    assert outsider.get(link(EXAMPLE.kind, city="atlantis")).status_code == 404
    assert outsider.get(reverse("downloads:ask", kwargs={"kind": "no.such"})).status_code == 404


def test_a_failure_says_why_and_can_be_tried_again(people: People) -> None:
    DATA["fail"] = True
    editor = client_for(people.editor)
    page = editor.get(link(EXAMPLE.kind, city="ghent"), follow=True).content.decode()
    assert "The file could not be made." in page
    assert "RuntimeError" in page
    made = Download.objects.get()
    assert made.status == Status.FAILED
    DATA["fail"] = False
    retried = editor.post(reverse("downloads:retry", kwargs={"pk": made.pk}), follow=True)
    assert "Your file is ready" in retried.content.decode()
    made.refresh_from_db()
    assert (made.status, bytes(made.content or b"")) == (Status.DONE, b"team ghent")
    # Asking again after a failure starts afresh rather than showing the old failure.
    DATA.update(fail=True, version="3")
    editor.get(link(EXAMPLE.kind, city="ghent"))
    DATA["fail"] = False
    editor.get(link(EXAMPLE.kind, city="ghent"))
    assert Download.objects.filter(version="3", status=Status.DONE).exists()


def test_while_it_is_made_the_page_shows_progress_and_refreshes(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_enqueue", lambda download: None)  # no worker yet
    editor = client_for(people.editor)
    response = editor.get(link(EXAMPLE.kind, city="ghent"))
    status_url = response["Location"]
    made = Download.objects.get()
    page = editor.get(status_url).content.decode()
    assert "waiting to be made" in page
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress id="making" max="100" value="0">' in page
    # The worker takes it up and reports its progress; a second person joins the same file.
    Download.objects.filter(pk=made.pk).update(status=Status.RUNNING, progress=50, step="Halfway")
    assert client_for(people.viewer).get(link(EXAMPLE.kind, city="ghent"))["Location"] == (
        status_url
    )
    page = editor.get(status_url).content.decode()
    assert "being made" in page and "Halfway" in page and 'value="50"' in page
    assert editor.get(reverse("downloads:file", kwargs={"pk": made.pk}))["Location"] == status_url
    # Retrying a file that is still being made is refused; the worker makes it once.
    editor.post(reverse("downloads:retry", kwargs={"pk": made.pk}))
    Download.objects.filter(pk=made.pk).update(status=Status.QUEUED)
    services.download_build(str(made.pk))
    services.download_build(str(made.pk))
    assert DATA["builds"] == 1


def test_a_file_whose_worker_stopped_may_be_asked_again(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.utils import timezone

    monkeypatch.setattr(services, "_enqueue", lambda download: None)
    editor = client_for(people.editor)
    editor.get(link(EXAMPLE.kind, city="ghent"))
    long_ago = timezone.now() - services.STALLED_AFTER * 2
    Download.objects.update(status=Status.RUNNING, started_at=long_ago)
    page = editor.get(reverse("downloads:status", kwargs={"pk": Download.objects.get().pk}))
    assert "the worker may have stopped" in page.content.decode()
    editor.get(link(EXAMPLE.kind, city="ghent"))
    assert Download.objects.count() == 2  # a new one, not the stalled one again
