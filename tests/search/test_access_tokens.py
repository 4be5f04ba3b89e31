"""The access tokens in the index (PostgreSQL) restate `visible_q` exactly: for every person of the fixed cast,
what the index answers (an empty query lists everything the person may see) is the set `visible_q` gives —
before and after shares, a unit's need-to-know level changing and a unit moving in the tree. On SQLite the same
assertions hold through the documents path."""

from __future__ import annotations

from vanthu.documents.access import documents_visible_to
from vanthu.org.models import Person, Unit
from vanthu.search import indexing, tokens
from vanthu.search.queries import Filters, search
from vanthu.workflow import actions as workflow


def assert_index_equals_rule():
    for person in Person.objects.all():
        expected = set(documents_visible_to(person).values_list("id", flat=True))
        result = search(person, "", limit=100, facets=False)
        assert {h.document.pk for h in result.hits} == expected, person.user.username
        assert result.total == len(expected), person.user.username
        # a word every corpus document has in its metadata (the issuing body)
        worded = search(person, "Bộ Quốc phòng", limit=100, facets=False)
        assert {h.document.pk for h in worded.hits} == expected, person.user.username
        assert worded.total == len(expected)


def test_index_answers_exactly_the_access_rule(cast, corpus):
    assert_index_equals_rule()


def test_shares_to_people_and_units_are_followed(cast, corpus):
    doc = corpus["bao"]
    workflow.present(document=doc, acting=cast.lan, to=cast.hung)
    workflow.direct(document=doc, acting=cast.hung, text="Sư đoàn 301 thực hiện.", lead=cast.division)
    indexing.sync_all()
    assert_index_equals_rule()
    assert doc.pk in {h.document.pk for h in search(cast.minh, "bão lũ").hits}


def test_need_to_know_level_and_unit_moves_are_followed(cast, corpus):
    doc = corpus["bao"]
    workflow.present(document=doc, acting=cast.lan, to=cast.hung)
    workflow.direct(document=doc, acting=cast.hung, text="Sư đoàn 301 thực hiện.", lead=cast.division)
    indexing.sync_all()
    Unit.objects.filter(pk=cast.division.pk).update(need_to_know_from=0)  # nobody below the receivers
    indexing.sync_all()
    assert_index_equals_rule()
    # the staff's subtree moves under the division: the division's leader now leads it
    staff = Unit.objects.get(pk=cast.staff.pk)
    new_prefix = cast.division.path
    for unit in Unit.objects.filter(path__startswith=staff.path):
        Unit.objects.filter(pk=unit.pk).update(path=new_prefix + unit.path[len(cast.command.path):])
    indexing.sync_all()
    assert_index_equals_rule()


def test_filters_as_tokens_equal_the_documents_path(cast, corpus):
    for f in [Filters(year=2026), Filters(urgency=1), Filters(status="registered"), Filters(direction="in"),
              Filters(unit=cast.staff.pk), Filters(secrecy=2), Filters(doc_type=corpus["bao"].doc_type_id)]:
        for person in (cast.hung, cast.lan, cast.hoa):
            tokened = search(person, "", f, limit=100, facets=False)
            expected = set(documents_visible_to(person).filter(**_lookup(f)).values_list("id", flat=True))
            assert {h.document.pk for h in tokened.hits} == expected
            assert tokened.total == len(expected)


def _lookup(f: Filters) -> dict:
    from vanthu.org.models import Unit as U

    out = {}
    if f.year:
        out["register__year"] = f.year
    if f.urgency is not None:
        out["urgency"] = f.urgency
    if f.status:
        out["status"] = f.status
    if f.direction:
        out["direction"] = f.direction
    if f.unit:
        out["unit__path__startswith"] = U.objects.get(pk=f.unit).path
    if f.secrecy is not None:
        out["secrecy"] = f.secrecy
    if f.doc_type:
        out["doc_type_id"] = f.doc_type
    return out


def test_tokens_of_a_document_and_of_a_person():
    row = tokens.document_tokens(unit_id=7, unit_path="000001/000004/000007/", drafting_unit_id=None, secrecy=1,
                                 created_by_id=3, signer_id=None,
                                 shares=[tokens.Share(None, 9, 2), tokens.Share(5, None, None)])
    assert {"~s1", "~u7", "~t1", "~t4", "~t7", "~p3", "~p5", "~r9", "~n9"} <= set(row)
    assert "~m7" not in row  # a member sees only unclassified documents of the unit
    reach = tokens.Reach(person_id=3, unit_id=7, clearance=1, clerk_unit_ids=frozenset(), leader_unit_ids=frozenset(),
                         leader_paths=())
    assert tokens.tsquery_access(reach).endswith(") & !'~s2' & !'~s3'")
