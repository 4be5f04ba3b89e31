"""Checklist point 54 for the work records' prints (mục lục văn bản trong hồ sơ, mục lục hồ sơ, mục lục hồ sơ nộp
lưu): A4, the Phụ lục I margins, the embedded Unicode serif, page numbers from page 2 — measured with poppler as
the registers and reports are (tests/reports/test_phu_luc_i_layout.py)."""

from __future__ import annotations

from tests.records.conftest import YEAR
from tests.records.test_catalogue_transfer import _closed
from tests.reports.test_phu_luc_i_layout import assert_phu_luc_i
from vanthu.records import transfer_actions
from vanthu.reports import records_prints


def test_checklist_point_54_the_work_records_prints_follow_phu_luc_i(cast, catalogue, record, doc, tmp_path):
    _closed(cast, record, doc)
    transfer = transfer_actions.submit_transfer(unit=cast.staff, year=YEAR, acting=cast.lan)
    for sheet in (records_prints.record_items_sheet(record, person=cast.lan), records_prints.catalogue_sheet(catalogue),
                  records_prints.transfer_sheet(transfer)):
        assert assert_phu_luc_i(records_prints.render_pdf(sheet), tmp_path)
