"""Schemathesis sends what the OpenAPI schema allows (and edge cases of it) to every API endpoint: the
API answers each request with no server error."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.support.desk import DeskSite

EXAMPLES = 8


def test_no_request_the_schema_allows_makes_a_server_error(site: DeskSite) -> None:
    schema = schemathesis.openapi.from_url(f"{site.url}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {site.tokens['ana']}"}
    server_errors: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def call(case: schemathesis.Case) -> None:
            response = case.call(base_url=site.url, headers=headers)
            if response.status_code >= 500:
                server_errors.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        call()
    assert len(operations) >= 15
    assert server_errors == []
