"""Access rows of the matching page, merged into the mentoring app's ``access.py``.

The page needs no object: without a query it shows the empty form, to the secretariat only.
(Proposals and accepting one are tried as every role in ``test_matching_page.py``.)
"""

from collections.abc import Mapping

ROLES = ["anonymous", "secretariat", "editor", "viewer", "reviewer", "outsider"]
SECRETARIAT = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "secretariat": 200}

MATRIX: dict[str, tuple[dict[str, object], Mapping[str, object]]] = {
    "mentoring:matching": ({}, SECRETARIAT),
}
