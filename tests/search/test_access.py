"""Access inside the query: results, totals, facets, snippets and suggestions never reveal what a person may not
see — unit scope, clearance, shares."""

from __future__ import annotations

from vanthu.documents.models import DocumentShare, ShareReason
from vanthu.search import indexing
from vanthu.search.queries import search
from vanthu.workflow import actions as workflow


def ids(result):
    return {h.document.pk for h in result.hits}


def facet_total(result, key):
    return sum(n for f in result.facets if f.key == key for _v, _l, n in f.values)


def test_outsider_finds_nothing_and_no_count(cast, corpus):
    result = search(cast.tam, "bão lũ")
    assert result.hits == []
    assert result.total == 0
    assert result.facets == []


def test_clerk_counts_only_her_units_documents(cast, corpus):
    result = search(cast.lan, "bao lu")
    assert ids(result) == {corpus["bao"].pk, corpus["secret"].pk, corpus["bao_report"].pk}
    assert result.total == 3
    assert facet_total(result, "doc_type") == 3
    assert corpus["office"].pk not in ids(result)


def test_other_clerk_sees_her_own_office_only(cast, corpus):
    result = search(cast.hoa, "bão lũ")
    assert ids(result) == {corpus["office"].pk}
    assert result.total == 1
    assert facet_total(result, "unit") == 1


def test_commander_sees_the_whole_tree_with_counts(cast, corpus):
    result = search(cast.hung, "bão lũ")
    assert ids(result) == {corpus["bao"].pk, corpus["secret"].pk, corpus["bao_report"].pk, corpus["office"].pk}
    assert result.total == 4
    units = {label: n for f in result.facets if f.key == "unit" for _v, label, n in f.values}
    assert units == {"Bộ Tham mưu": 3, "Văn phòng Bộ Tư lệnh": 1}


def test_secret_document_stays_hidden_from_an_assignee_without_clearance(cast, corpus):
    # a share row written by some older path or a later rule change: search still holds clearance itself
    secret = corpus["secret"]
    DocumentShare.objects.create(document=secret, person=cast.minh, reason=ShareReason.LEAD)
    indexing.sync_all()
    result = search(cast.minh, "tác chiến")
    assert result.total == 0
    assert secret.pk not in ids(result)


def test_share_makes_a_document_findable(cast, corpus):
    doc = corpus["bao"]
    assert search(cast.minh, "43/KH-BTTM").total == 0
    workflow.present(document=doc, acting=cast.lan, to=cast.hung)
    workflow.direct(document=doc, acting=cast.hung, text="Sư đoàn 301 thực hiện.", lead=cast.minh)
    indexing.sync_all()  # the index follows a share within one pass (on PostgreSQL the access is in the index)
    result = search(cast.minh, "43/KH-BTTM")
    assert ids(result) == {doc.pk}
    assert result.total == 1


def test_spelling_suggestion_never_comes_from_an_unseen_document(cast, corpus):
    # "tác chiến" is only in the secret document; a typo of it must not be corrected for Hoa
    result = search(cast.hoa, "chiếnn")
    assert result.total == 0
    assert result.corrected == ""
    assert search(cast.lan, "chiếnn").corrected
