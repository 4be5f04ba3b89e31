"""Keeping the index in step: the watermark sync, reindex, the words of PDFs (text layer, OCR job)."""

from __future__ import annotations

from django.core.management import call_command

from tests.conftest import checked
from vanthu.documents import actions
from vanthu.search import indexing, text
from vanthu.search.jobs import extract_text
from vanthu.search.models import ExtractedText, IndexedDocument, TextMethod
from vanthu.search.queries import search


def test_a_registered_document_is_found_after_one_sync_pass(cast, doc_types, incoming_pdf):
    indexing.sync_all()
    data = actions.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Quốc phòng",
                                subject="V/v kiểm tra công tác rà phá bom mìn")
    doc = actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data, file=checked(incoming_pdf))
    assert search(cast.lan, "ra pha bom min").total == 0
    assert indexing.sync() == 1
    assert [h.document.pk for h in search(cast.lan, "ra pha bom min").hits] == [doc.pk]
    assert indexing.sync() == 0  # nothing changed: the pass is idempotent


def test_an_edit_is_followed(cast, corpus):
    doc = corpus["duong"]
    actions.update_incoming(document=doc, acting=cast.lan, expected_version=None, data=actions.IncomingData(
        doc_type=doc.doc_type, organ_name=doc.organ_name, subject="Về việc nâng cấp cầu cảng",
        code_number=doc.code_number, code_notation=doc.code_notation, issued_date=doc.issued_date))
    indexing.sync()
    assert [h.document.pk for h in search(cast.lan, "cầu cảng").hits] == [doc.pk]
    assert doc.pk not in [h.document.pk for h in search(cast.lan, "sửa chữa đường").hits]


def test_reindex_command_rebuilds_the_same_answers(cast, corpus, capsys):
    before = [h.document.pk for h in search(cast.lan, "bão lũ").hits]
    call_command("search", "reindex")
    assert "reindexed" in capsys.readouterr().out
    assert [h.document.pk for h in search(cast.lan, "bão lũ").hits] == before
    assert IndexedDocument.objects.count() == len(corpus)


def test_text_layer_of_the_pdf_is_extracted_beside_the_file_and_searchable(cast, corpus):
    doc = corpus["duong"]
    sha = doc.current_file.sha256
    from vanthu.core.blobs import path_for

    original = path_for(sha).read_bytes()
    assert extract_text.call(doc.pk) == TextMethod.PDF
    stored = ExtractedText.objects.get(document=doc)
    assert stored.file_sha256 == sha
    assert stored.text.strip()
    assert path_for(sha).read_bytes() == original  # never altered
    word = next(w for w in text.syllables(stored.text) if len(w) >= 5 and w.isalpha())
    assert doc.pk in [h.document.pk for h in search(cast.lan, word, limit=100).hits]
    assert extract_text.call(doc.pk) == "current"  # idempotent


def test_a_scan_without_text_layer_is_read_by_ocr_in_vietnamese(cast, doc_types):
    from tests.search.scans import scanned_pdf
    from vanthu.search import extraction

    pdf = scanned_pdf("QUYẾT ĐỊNH về việc triển khai huấn luyện")
    data = actions.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Quốc phòng", subject="Bản chụp")
    doc = actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data, file=checked(pdf, "scan.pdf"))
    from vanthu.core.blobs import path_for

    assert extraction.looks_scanned(path_for(doc.current_file.sha256), "")
    assert extract_text.call(doc.pk) == TextMethod.OCR
    indexing.sync()
    assert doc.pk in [h.document.pk for h in search(cast.lan, "huấn luyện").hits]


def test_bench_search_quick_run_prints_its_figures(cast, corpus):
    import io

    from vanthu.search.bench import main

    out = io.StringIO()
    main(["--quick"], out)
    text_out = out.getvalue()
    assert "first page (20) + total" in text_out
    assert "indexing:" in text_out
    assert "time to searchable" in text_out
    assert "(found: 1)" in text_out


def test_gen_makes_realistic_documents_that_are_searchable(cast, capsys):
    from django.db.models import Count, Max

    from vanthu.documents.models import Document, Register
    from vanthu.search.models import Term

    call_command("gen", documents=400, units=12, seed=3)
    assert "generated 400 documents" in capsys.readouterr().out
    assert Document.objects.count() == 400
    assert Document.objects.values("doc_type").distinct().count() > 5
    assert Document.objects.values("unit").distinct().count() == 12
    # numbers are gap-free within each register, and the register's counter follows them
    for reg in Register.objects.annotate(n=Count("documents"), top=Max("documents__number")).filter(n__gt=0):
        assert reg.top == Document.objects.filter(register=reg, number__isnull=False).count() == reg.last_number
    assert Term.objects.filter(term="huan").exists()
    some = Document.objects.filter(subject__contains="huấn luyện").count()
    assert some
    assert search(cast.hung, "huan luyen").total >= some
