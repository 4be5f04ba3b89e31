"""The narrow read of a download (issue 17: `access_document(..., related=FILE_READ)`, one join instead of seven)
gives the same verdict as the full read for every fixed character, every document of the access matrix's world
(each mark, received, drafts, signed, issued and the copies it delivered, shares, assignments) and every need:
the same document or the same 404."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from tests.security.world import PERSONAS, World
from vanthu.documents.access import FILE_READ, FULL, Need, access_document, predicate_for
from vanthu.documents.models import Document
from vanthu.org.queries import forget_scope

pytestmark = pytest.mark.django_db


def _verdict(person, pk, need: Need, related: tuple[str, ...]) -> int | None:
    try:
        return access_document(person, pk, need=need, related=related).pk
    except Http404:
        return None


def _needs() -> list[Need]:
    found = []
    for need in Need:
        try:
            predicate_for(need)
        except LookupError:
            continue
        found.append(need)
    return found


def test_the_narrow_read_gives_the_full_reads_verdict_for_everyone(world: World):
    pks = [*Document.objects.order_by("pk").values_list("pk", flat=True), 987654, "x"]
    needs = _needs()
    assert Need.READ in needs
    assert len(needs) > 15
    seen = 0
    for name in PERSONAS:
        person = world.person(name)
        forget_scope(person)  # the roles as they are in the world now
        for pk in pks:
            for need in needs:
                narrow = _verdict(person, pk, need, FILE_READ)
                assert narrow == _verdict(person, pk, need, FULL), (name, pk, need)
                seen += narrow is not None and need is Need.READ
    assert seen > len(PERSONAS)  # the world has documents most characters see: the test compares real answers


def test_the_narrow_read_is_one_query_joined_to_the_unit_only(world: World):
    lan = world.person("lan")
    forget_scope(lan)
    doc = world.doc("incoming_0")
    access_document(lan, doc.pk, related=FILE_READ)  # the scope read once
    with CaptureQueriesContext(connection) as queries:
        got = access_document(lan, doc.pk, related=FILE_READ)
    assert got.unit.path == doc.unit.path
    assert len(queries.captured_queries) == 1
    sql = queries.captured_queries[0]["sql"]
    assert sql.count(" JOIN ") == 1
    assert '"org_unit"' in sql
