"""Checklist point 51: every metadata field and the full text are searched, and a result list is exported to
.docx (what ".doc" is answered with) and .pdf (Phụ lục I layout) as well as .xlsx — the rows the person may see,
never more."""

from __future__ import annotations

import io

from docx import Document as WordDocument

from tests.reports.conftest import pdf_text
from tests.reports.test_phu_luc_i_layout import assert_phu_luc_i
from vanthu.search import indexing
from vanthu.search.models import ExtractedText, TextMethod
from vanthu.search.queries import search


def ids(result):
    return {h.document.pk for h in result.hits}


def test_checklist_point_51_every_metadata_field_and_the_full_text_are_searched(cast, corpus):
    doc = corpus["duong"]
    ExtractedText.objects.create(document=doc, file_sha256=doc.current_file.sha256, method=TextMethod.PDF,
                                 text="Nội dung: gia cố nền móng đoạn đường qua đèo Khau Phạ.")
    indexing.index_documents([doc.pk])
    for query in ["sửa chữa đường hành quân",  # subject
                  "12/QĐ-BTL",  # number and notation
                  "Trần Quốc Hùng",  # signer
                  "Bộ Quốc phòng",  # issuing body
                  "đèo Khau Phạ"]:  # the file's text
        assert doc.pk in ids(search(cast.lan, query, limit=100)), query


def test_checklist_point_51_results_export_to_docx_for_doc_and_docx(client, cast, corpus):
    client.force_login(cast.hoa.user)
    response = client.get("/search/export.docx", {"q": "bão lũ"})
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert response["Cache-Control"] == "no-store"
    word = WordDocument(io.BytesIO(response.content))
    table = word.tables[0]
    subjects = [row.cells[3].text for row in table.rows[1:]]
    assert subjects == [corpus["office"].subject]  # hoa sees her office's plan, not the staff's
    assert table.rows[0].cells[0].text == "Số, ký hiệu"
    assert any("Tra cứu: bão lũ" in p.text for p in word.paragraphs)
    page = client.get("/search/", {"q": "bão lũ"}).content.decode()
    assert "/search/export.docx?" in page
    assert "Xuất Word (.docx, .doc)" in page


def test_checklist_point_51_results_export_to_pdf_in_the_phu_luc_i_layout(client, cast, corpus, tmp_path):
    client.force_login(cast.lan.user)
    response = client.get("/search/export.pdf", {"q": "bão lũ"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert_phu_luc_i(response.content, tmp_path)
    text = pdf_text(response.content, tmp_path)
    joined = "".join(text.split())  # a cell's text may wrap
    assert "KẾT QUẢ TRA CỨU VĂN BẢN" in text
    assert "43/KH-BTTM" in joined  # the staff's plans, which lan sees
    assert "Tổng số: 3 văn bản" in text
    assert "KH-VP" not in joined  # the office's plan is not hers
    assert "/search/export.pdf?" in client.get("/search/", {"q": "bão lũ"}).content.decode()
