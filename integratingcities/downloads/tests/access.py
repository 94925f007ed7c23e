"""The downloads' rows of the access matrix (tests/test_access_matrix.py)."""

import uuid

from integratingcities.downloads.models import Download, Status
from integratingcities.lib.testing import People

from .builders import EXAMPLE

KEPT = uuid.UUID("00000000-0000-0000-0000-000000007700")
ROLES = ["anonymous", "secretariat", "editor", "viewer", "reviewer", "outsider"]
GHENT = {**dict.fromkeys(ROLES, 200), "anonymous": "login", "outsider": 404}
# Asked for without a city: nobody may have that file.
NO_SUCH_FILE = {**dict.fromkeys(ROLES, 404), "anonymous": "login"}

MATRIX = {
    "downloads:ask": ({"kind": EXAMPLE.kind}, NO_SUCH_FILE),
    "downloads:status": ({"pk": KEPT}, GHENT),
    "downloads:file": ({"pk": KEPT}, GHENT),
}
ACTIONS = {"downloads:retry": ({"pk": KEPT}, {"secretariat", "editor", "viewer", "reviewer"})}


def content(people: People) -> None:
    Download.objects.create(
        pk=KEPT,
        kind=EXAMPLE.kind,
        params={"city": "ghent"},
        key="k",
        version="1",
        language="en",
        title="Team list of ghent",
        status=Status.DONE,
        filename="team.txt",
        content_type="text/plain",
        content=b"team ghent",
    )
