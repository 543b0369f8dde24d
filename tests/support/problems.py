"""The RFC 9457 problems the service answers, checked as tests expect them."""

import httpx


def assert_problem(response: httpx.Response, field: str, status: int = 422) -> None:
    """A validation problem with `status` whose errors name `field`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:peakhealth:problem:validation-error"
    assert field in [error["field"] for error in problem["errors"]], problem["errors"]


def first_error_field(response: httpx.Response) -> str:
    """The field the first error of a 422 answer names."""
    assert response.status_code == 422, response.text
    field: str = response.json()["errors"][0]["field"]
    return field
