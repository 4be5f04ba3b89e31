"""The shared test set: Vietnamese matching and ranking. It runs on SQLite (FTS5) and on PostgreSQL (tsvector),
each engine chosen by the database in use."""

from __future__ import annotations

import unicodedata

import pytest

from vanthu.search.queries import Filters, search


def ids(result):
    return [h.document.pk for h in result.hits]


def test_query_without_diacritics_finds_the_document(cast, corpus):
    assert ids(search(cast.lan, "quyet dinh trien khai")) == [corpus["trien_khai"].pk]


def test_nfd_input_finds_nfc_text(cast, corpus):
    assert ids(search(cast.lan, unicodedata.normalize("NFD", "Quyết định triển khai"))) == [corpus["trien_khai"].pk]


@pytest.mark.parametrize("query", ["hóa đơn", "hoá đơn", "HOÁ ĐƠN", "hoa don", "ủy quyền", "uỷ quyền"])
def test_old_and_new_tone_placement_and_case_match(cast, corpus, query):
    assert ids(search(cast.lan, query)) == [corpus["hoa_old"].pk]


def test_exact_diacritics_rank_above_folded_matches(cast, corpus):
    found = ids(search(cast.lan, "đường"))
    assert found[0] == corpus["duong"].pk
    assert corpus["duong2"].pk in found  # "dương" folds to the same letters, after the exact match
    found = ids(search(cast.lan, "dương"))
    assert found[0] == corpus["duong2"].pk


def test_bao_before_bao_cao(cast, corpus):
    found = ids(search(cast.lan, "bão"))
    assert set(found[:2]) == {corpus["bao"].pk, corpus["secret"].pk}  # the two with "bão", newest first
    assert found[2:] == [corpus["bao_report"].pk]  # "Báo cáo" only folds to "bao"


def test_phrase_first_then_all_words(cast, corpus):
    found = ids(search(cast.lan, "bão lũ"))
    # the phrase "bão lũ" first; "Báo cáo lũ lụt" has both folded syllables, not as a phrase: last
    assert found == [corpus["secret"].pk, corpus["bao"].pk, corpus["bao_report"].pk]


def test_quoted_phrase_is_required(cast, corpus):
    found = ids(search(cast.lan, '"bao lu"'))
    assert corpus["bao"].pk in found
    assert corpus["bao_report"].pk not in found


def test_notation_full_and_prefix(cast, corpus):
    assert ids(search(cast.lan, "12/QĐ-BTL")) == [corpus["duong"].pk]
    assert set(ids(search(cast.lan, "QĐ-BTL"))) == {corpus["duong"].pk, corpus["trien_khai"].pk}
    assert set(ids(search(cast.lan, "qd-bt"))) == {corpus["duong"].pk, corpus["trien_khai"].pk}
    assert ids(search(cast.lan, "V/v hoá đơn")) == [corpus["hoa_old"].pk]


def test_typo_on_a_longer_word_is_corrected(cast, corpus):
    result = search(cast.lan, "huấn luyyện")
    assert corpus["trien_khai"].pk in ids(result)
    assert result.corrected


def test_signer_and_issuing_body_are_searchable(cast, corpus):
    assert ids(search(cast.lan, "Trần Quốc Hùng")) == [corpus["duong"].pk]
    assert len(ids(search(cast.lan, "bo quoc phong"))) == search(cast.lan, "").total


def test_sort_by_date_and_filters(cast, corpus):
    result = search(cast.lan, "ke hoach", by_relevance=False)
    dates = [h.document.issued_date for h in result.hits]
    assert dates == sorted(dates, reverse=True)
    kh = corpus["bao"].doc_type_id
    assert all(h.document.doc_type_id == kh for h in search(cast.lan, "", Filters(doc_type=kh)).hits)
    urgent = search(cast.lan, "", Filters(urgency=1))
    assert ids(urgent) == [corpus["bao"].pk]


def test_snippet_marks_the_words(cast, corpus):
    hit = search(cast.lan, "bao lu").hits[0]
    assert "<mark>" in str(hit.snippet) or hit.snippet == ""


def test_a_better_tier_over_the_cap_answers_the_page_without_the_widest_tier(cast, corpus, monkeypatch):
    """When a better tier alone holds more than the exact-count cap and fills the page, the page and the honest
    "more than" total come from it; the widest tier (every syllable anywhere) is not looked at, and the answer is
    the one the full path gives."""
    from vanthu.search import queries

    full = search(cast.lan, "bão lũ", limit=1, facets=False)
    assert full.hits
    assert full.total >= 2
    monkeypatch.setattr(queries, "EXACT_UP_TO", 1)
    looked: list[object] = []
    widest = queries.parsing.tiers(queries.parsing.parse("bão lũ"))[-1]
    real_newest = queries.engine_for().__class__.newest

    def newest(self, condition, extra, n, cap):
        looked.append(condition)
        return real_newest(self, condition, extra, n, cap)

    monkeypatch.setattr(queries.engine_for().__class__, "newest", newest)
    early = search(cast.lan, "bão lũ", limit=1, facets=False)
    assert ids(early) == ids(full)
    if not queries.engine_for().access_in_index:  # SQLite's FTS5 answers through the documents: its own count
        return
    assert (early.total, early.total_exact) == (1, False)  # "more than 1", as the widest tier would have said
    assert looked
    assert widest not in looked
