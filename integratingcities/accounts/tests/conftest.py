import pytest


@pytest.fixture(autouse=True)
def real_commits(transactional_db: None) -> None:
    """Invitation mail leaves on commit, so these tests let transactions really commit."""
