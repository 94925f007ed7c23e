"""A schemathesis run against the API finds no server error.

The schema is read from the app itself through WSGI (no server runs). Each operation it lists
becomes one test, in which Hypothesis sends generated requests, valid ("positive") and invalid
("negative"), against a database holding a few cities and the published Charter: every operation
anonymously, the reads also as the secretariat. Every answer is checked against the schema.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from integratingcities.frameworks.models import Framework, FrameworkStatus
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import CityFactory, SignatoryFactory, UserFactory, client_for

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# Every check but one: django-ninja answers a malformed parameter with 422, which the schema it
# writes does not list, so "undocumented status code" would flag every negative case.
EXCLUDED_CHECKS = [status_code_conformance]


@pytest.fixture
def content(db: None) -> Iterator[None]:
    """Cities and the Charter, and a WSGI handler that keeps the test's database connection."""
    SignatoryFactory(name="Ghent", slug="ghent", country="BE")
    SignatoryFactory(name="Riga", slug="riga", country="LV")
    CityFactory(name="Zagreb", slug="zagreb", country="HR")
    framework_import_path(
        path=Path(settings.BASE_DIR) / "content/frameworks/charter.v1.yaml", publish=True
    )
    # As Django's test client does: the end of a request must not close the connection that
    # holds the test's transaction, or the data above would be gone for the next request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Every operation the schema lists, those added later included.
OPERATIONS = sorted(operation.ok().label for operation in schema.get_all_operations())
READS = [label for label in OPERATIONS if label.startswith("GET ")]
# A generated path parameter that spells a fixed path of another operation ("facets" as a
# practice key) reaches that operation, whose answer rightly does not fit this one's schema.
FIXED_PATHS = {
    operation.ok().path
    for operation in schema.get_all_operations()
    if "{" not in operation.ok().path
}


def test_the_schema_has_the_cities_and_frameworks() -> None:
    assert {
        "GET /api/v1/cities/",
        "GET /api/v1/cities/{slug}",
        "GET /api/v1/frameworks/",
        "GET /api/v1/frameworks/{lineage}/{version}",
    } <= set(OPERATIONS)


def fuzz(label: str, cookies: dict[str, str] | None = None) -> None:
    """Valid and invalid requests to one operation; each answer is checked against the schema."""
    operation = schema.find_operation_by_label(label)
    assert operation is not None
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @hypothesis_settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=strategy)
    def run(case: schemathesis.Case) -> None:
        assume(case.path == case.formatted_path or case.formatted_path not in FIXED_PATHS)
        excluded = EXCLUDED_CHECKS if cookies is None else [*EXCLUDED_CHECKS, ignored_auth]
        case.call_and_validate(cookies=cookies, excluded_checks=excluded)

    run()


# Not `@schema.parametrize()`: under pytest-xdist (`make test`) its items share one node id and a
# failing operation is reported as a pass. One plain test per operation, running Hypothesis
# itself, fails as any test does.
@pytest.mark.parametrize("label", OPERATIONS)
def test_generated_requests_find_no_server_error(content: None, label: str) -> None:
    fuzz(label)


@pytest.mark.parametrize("label", READS)
def test_generated_requests_of_the_secretariat_find_no_server_error(
    content: None, label: str
) -> None:
    """Logged in, the secretariat also reads drafts and every city's data.

    The session cookie is sent along with whatever credentials are generated, so the check that
    made-up credentials are refused does not apply.
    """
    fuzz(label, cookies=session_of(UserFactory(email="secretariat@example.org", is_staff=True)))


def session_of(user: Any) -> dict[str, str]:
    client = client_for(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


CITIES = "/api/v1/cities/"
CITY = "/api/v1/cities/{slug}"
FRAMEWORK = "/api/v1/frameworks/{lineage}/{version}"
KNOWN = [
    pytest.param(CITIES, {}, {}, 200, id="cities"),
    pytest.param(CITIES, {}, {"country": "be", "signatory": "true"}, 200, id="cities-filtered"),
    pytest.param(CITIES, {}, {"signatory": "false", "page_size": 1}, 200, id="cities-page-size"),
    pytest.param(CITIES, {}, {"page": 10**12}, 200, id="cities-far-page"),
    pytest.param(CITIES, {}, {"country": "\x00"}, 200, id="cities-nul-country"),
    pytest.param(CITY, {"slug": "ghent"}, {}, 200, id="signatory"),
    pytest.param(CITY, {"slug": "zagreb"}, {}, 200, id="not-a-signatory"),
    pytest.param(CITY, {"slug": "atlantis"}, {}, 404, id="unknown-city"),
    pytest.param(CITY, {"slug": "\x00"}, {}, 404, id="nul-city"),
    pytest.param("/api/v1/frameworks/", {}, {}, 200, id="frameworks"),
    pytest.param(FRAMEWORK, {"lineage": "charter", "version": 1}, {}, 200, id="charter"),
    pytest.param(FRAMEWORK, {"lineage": "charter", "version": 2}, {}, 404, id="no-version-2"),
    pytest.param(FRAMEWORK, {"lineage": "\x00", "version": 1}, {}, 404, id="nul-lineage"),
]


@pytest.mark.parametrize(("path", "path_parameters", "query", "status"), KNOWN)
def test_real_answers_conform_to_the_schema(
    content: None, path: str, path_parameters: dict[str, Any], query: dict[str, Any], status: int
) -> None:
    """Generated slugs hardly ever name a real city: these cases do, so 200s are validated too."""
    case = schema[path]["GET"].Case(path_parameters=path_parameters, query=query)
    response = case.call_and_validate(excluded_checks=EXCLUDED_CHECKS)
    assert response.status_code == status
    if path == CITIES and not query:
        assert response.json()["count"] == 3


def test_drafts_shown_to_the_secretariat_conform_to_the_schema(content: None) -> None:
    draft = Framework.objects.get(lineage="charter", version=1)
    draft.pk, draft.version, draft.status, draft.published_at = None, 2, FrameworkStatus.DRAFT, None
    draft.save()
    cookies = session_of(UserFactory(email="secretariat@example.org", is_staff=True))
    listing = schema["/api/v1/frameworks/"]["GET"].Case()
    response = listing.call(cookies=cookies)
    listing.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    assert [framework["version"] for framework in response.json()] == [2, 1]
    detail = schema["/api/v1/frameworks/{lineage}/{version}"]["GET"].Case(
        path_parameters={"lineage": "charter", "version": 2}
    )
    response = detail.call(cookies=cookies)
    detail.validate_response(
        response,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
    assert response.json()["status"] == "draft"
