"""The Tantivy engine (decision 0028) on its own — conditions, the access clause inside the query, date order,
capped counts, updates, one writer at a time — and kept in step by the same sync, reindex and clean-up as the
database engines. The whole shared set (`tests/search`) also runs on it: `./test` runs this directory again
with VANTHU_SEARCH_ENGINE=tantivy."""

from __future__ import annotations

import datetime as dt
import fcntl
import threading

import pytest
from django.core.management import call_command

from tests.conftest import checked
from vanthu.documents import actions
from vanthu.documents.models import Document
from vanthu.search import indexing
from vanthu.search.engines import Condition, IndexRow, engine_for, using
from vanthu.search.engines.tantivy import ClauseError, TantivyEngine, parse_clause
from vanthu.search.queries import search

QUERIES = ["bão lũ", "bao lu", "đường", "QĐ-BTL", "12/QĐ-BTL", '"phòng chống bão lũ"', "huấn luyện", "",
           "Bộ Quốc phòng", "hoá đơn"]


def answers(person, query):
    result = search(person, query, limit=100, facets=False)
    return [h.document.pk for h in result.hits], result.total, result.total_exact


def test_the_access_clause_is_read_into_a_tree():
    assert parse_clause("('~m1' | '~p3') & !'~s2' & !'~s3'") == ("and", [
        ("or", [("term", "~m1"), ("term", "~p3")]), ("not", ("term", "~s2")), ("not", ("term", "~s3"))])
    assert parse_clause("(('~k1') & ('~y2026' & '~g1'))") == ("and", [
        ("term", "~k1"), ("term", "~y2026"), ("term", "~g1")])
    assert parse_clause("  ") is None
    for broken in ["'~a' & (", "~a", "'~a' '~b'", "('~a'"]:
        with pytest.raises(ClauseError):
            parse_clause(broken)


def test_conditions_access_date_order_counts_and_updates(tmp_path):
    engine = TantivyEngine(tmp_path / "tantivy")
    engine.store([
        IndexRow(1, ["bao", "bao_lu", "lu"], ["~s0", "~u5"], dt.date(2026, 1, 1)),
        IndexRow(2, ["bao"], ["~s2", "~u5"], dt.date(2026, 2, 1)),
        IndexRow(3, ["bao", "qd_btl"], ["~s0", "~u6"], None),
        IndexRow(4, ["mua"], ["~s0", "~u5"], dt.date(2026, 2, 1)),
    ])
    bao = Condition(required=("bao",))
    assert engine.newest(bao, "", 10, 100) == (3, [2, 1, 3])  # issue date, newest first; no date last
    assert engine.newest(bao, "'~u5' & !'~s2'", 10, 100) == (1, [1])  # access inside the query: count too
    assert engine.newest(bao, "('~u6' | '~u5') & !'~s1' & !'~s2'", 10, 100) == (2, [1, 3])
    assert engine.newest(Condition(), "", 10, 100) == (4, [4, 2, 1, 3])  # same date: the larger id first
    assert engine.count(Condition(), "!'~s2'", 100) == 3  # "not" alone is "everything but"
    assert engine.count(Condition(prefixes=("qd_b",)), "", 100) == 1
    assert engine.count(Condition(required=("bao", "lu")), "", 100) == 1
    assert engine.count(bao, "", 1) == 2  # capped: cap + 1 says "more than cap"
    engine.store([IndexRow(1, ["mua"], ["~s0", "~u5"], dt.date(2026, 1, 1))])  # an update replaces
    assert engine.newest(bao, "", 10, 100) == (2, [2, 3])
    engine.remove([2])
    assert engine.ids(bao, "", 10) == [3]
    assert sorted(engine.all_ids()) == [1, 3, 4]


def test_one_writer_at_a_time(tmp_path):
    engine = TantivyEngine(tmp_path / "tantivy")
    stored = threading.Event()
    with open(engine.path / "writer.lock", "a+") as held:  # another process's writer, say
        fcntl.flock(held, fcntl.LOCK_EX)
        writer = threading.Thread(target=lambda: (engine.store([IndexRow(1, ["a"])]), stored.set()))
        writer.start()
        assert not stored.wait(0.5)  # it waits for the lock (whatever the machine's speed, it cannot pass it)
        assert engine.count(Condition(), "", 10) == 0
        fcntl.flock(held, fcntl.LOCK_UN)
    writer.join()
    assert engine.count(Condition(), "", 10) == 1


def test_sync_reindex_and_deletions_keep_tantivy_in_step(cast, corpus, doc_types, incoming_pdf, capsys):
    expected = {q: answers(cast.lan, q) for q in QUERIES}
    with using("tantivy"):
        call_command("search", "reindex")
        assert "engine tantivy: reindexed" in capsys.readouterr().out
        assert {q: answers(cast.lan, q) for q in QUERIES} == expected
        data = actions.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Quốc phòng",
                                    subject="V/v kiểm tra kho xăng dầu Zeta-7")
        doc = actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data, file=checked(incoming_pdf))
        assert search(cast.lan, "Zeta-7 xang dau").total == 0
        assert indexing.sync() == 1
        assert [h.document.pk for h in search(cast.lan, "Zeta-7 xang dau").hits] == [doc.pk]
        Document.objects.filter(pk=doc.pk).delete()
        assert doc.pk in engine_for().all_ids()
        assert indexing.forget_deleted() == 1
        assert doc.pk not in engine_for().all_ids()


@pytest.mark.postgres_only
def test_tantivy_is_built_from_postgresqls_rows_with_the_same_answers(cast, corpus):
    with using("database"):
        indexing.reindex()
        expected = {(p.pk, q): answers(p, q) for p in (cast.lan, cast.hung, cast.tam, cast.hoa) for q in QUERIES}
    with using("tantivy"):
        assert indexing.copy_from_database_engine() == len(corpus)
        assert {(p.pk, q): answers(p, q) for p in (cast.lan, cast.hung, cast.tam, cast.hoa)
                for q in QUERIES} == expected


def test_an_unknown_engine_is_a_configuration_error(settings):
    from vanthu.search.checks import check_search_engine

    settings.SEARCH_ENGINE = "tantivi"
    assert [e.id for e in check_search_engine()] == ["vanthu.E090"]
    settings.SEARCH_ENGINE = "tantivy"
    assert check_search_engine() == []


def test_tantivy_on_several_servers_is_named_by_a_system_check(settings, tmp_path):
    from vanthu.search.checks import check_search_index_place

    settings.SEARCH_DIR = tmp_path / "search"
    settings.FILES_URL = ""
    settings.SEARCH_ENGINE = "tantivy"
    settings.SERVERS = 1
    assert check_search_index_place() == []
    settings.SERVERS = 3
    [warning] = check_search_index_place()
    assert warning.id == "vanthu.W041"
    assert "VANTHU_SEARCH_DIR" in warning.msg
    assert str(tmp_path / "search") in warning.msg
    settings.SEARCH_ENGINE = ""
    assert check_search_index_place() == []


def test_the_benchmark_measures_both_engines_side_by_side(cast, corpus):
    import io

    from vanthu.search.bench import main

    out = io.StringIO()
    main(["--quick", "--engines", "database,tantivy"], out)
    printed = out.getvalue()
    with using("database"):
        database = engine_for().name
    assert f"{database}: first page (20) + total" in printed
    assert "tantivy: first page (20) + total" in printed
    assert "tantivy time to searchable" in printed
    assert printed.count("(found: 1)") == 2  # the new document, on each engine
