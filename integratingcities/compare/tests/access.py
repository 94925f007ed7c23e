"""Compare's rows of the access matrix (tests/test_access_matrix.py merges them): every page is
public and reads only published results, so every role gets the same answer."""

from collections.abc import Mapping

ROLES = ["anonymous", "secretariat", "editor", "viewer", "reviewer", "outsider"]
PUBLIC = dict.fromkeys(ROLES, 200)

MATRIX: dict[str, tuple[dict[str, object], Mapping[str, object]]] = {
    "compare:page": ({}, PUBLIC),
    "compare:csv": ({}, PUBLIC),
    "compare:chart": ({}, PUBLIC),
}
