"""The access matrix (issue 13 item 5): every page and API operation, tried as the anonymous visitor and as each of
the fixed characters, against the one table of expectations (tests/security/matrix_table.py).

Each cell checks the outcome (404 for what a person may not see, the login page or 401 for the anonymous), that a
refused request wrote nothing, and that an answered one shows no canary of a document the person may not see
(HTML, JSON, CSV, XLSX cells, PDF text, ZIP members)."""

from __future__ import annotations

import pytest

from tests.security import endpoints
from tests.security.matrix import Cell, run_row
from tests.security.matrix_table import API, PAGES

pytestmark = pytest.mark.django_db


def test_every_url_pattern_is_in_the_table():
    missing = [name for name in endpoints.page_names() if name not in PAGES]
    assert missing == [], f"URL patterns missing from tests/security/matrix_table.py PAGES: {missing}"


def test_every_api_operation_is_in_the_table():
    missing = [op for op in endpoints.api_operations() if op not in API]
    assert missing == [], f"API operations missing from tests/security/matrix_table.py API: {missing}"


def test_every_api_route_is_in_the_openapi_document():
    assert endpoints.api_routes_missing_from_openapi() == []


def test_the_table_names_no_endpoint_that_is_gone():
    assert sorted(set(PAGES) - set(endpoints.page_names())) == []
    assert sorted(set(API) - set(endpoints.api_operations())) == []


def _failures(cells: list[Cell]) -> list[str]:
    return [cell.describe() for cell in cells if not cell.passed]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page(world, name):
    assert _failures(run_row(world, name, PAGES[name])) == []


@pytest.mark.parametrize("name", sorted(API))
def test_api_operation(world, name):
    assert _failures(run_row(world, name, API[name])) == []
