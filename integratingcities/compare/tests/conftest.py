"""The results app's fixtures (frameworks, a published round, assessments with chosen levels),
shared rather than written twice."""

from integratingcities.results.tests.conftest import (  # noqa: F401
    benchmark,
    charter,
    make,
    published_round,
)
