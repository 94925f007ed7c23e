"""The errors services raise when the platform's rules refuse a step.

Pages turn them into a message; the API turns them into a response with the same words and the
status named here. A rule lives in the service that changes the state, so both paths refuse the
same steps for the same reasons.
"""


class DomainError(Exception):
    """A step the rules do not allow now (wrong state, round closed, …); the message says why."""

    status = 409


class NotAllowed(DomainError):
    """The person may see the object but may not take this step."""

    status = 403
