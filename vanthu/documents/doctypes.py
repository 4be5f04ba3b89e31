"""The 29 administrative document types of Decree 30/2020 Điều 7, abbreviations from Phụ lục III.

Công văn and Thư công have no abbreviation (their notation is issuer-drafting unit).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop as N_

# The names are stored in Vietnamese and translated on display (DocumentType.label): marked here for gettext.
NAMES = [N_("Nghị quyết"), N_("Quyết định"), N_("Chỉ thị"), N_("Quy chế"), N_("Quy định"), N_("Thông cáo"),
         N_("Thông báo"), N_("Hướng dẫn"), N_("Chương trình"), N_("Kế hoạch"), N_("Phương án"), N_("Đề án"),
         N_("Dự án"), N_("Báo cáo"), N_("Biên bản"), N_("Tờ trình"), N_("Hợp đồng"), N_("Công văn"),
         N_("Công điện"), N_("Bản ghi nhớ"), N_("Bản thỏa thuận"), N_("Giấy ủy quyền"), N_("Giấy mời"),
         N_("Giấy giới thiệu"), N_("Giấy nghỉ phép"), N_("Phiếu gửi"), N_("Phiếu chuyển"), N_("Phiếu báo"),
         N_("Thư công")]

TYPES: list[tuple[str, str]] = [
    ("Nghị quyết", "NQ"), ("Quyết định", "QĐ"), ("Chỉ thị", "CT"), ("Quy chế", "QC"), ("Quy định", "QyĐ"),
    ("Thông cáo", "TC"), ("Thông báo", "TB"), ("Hướng dẫn", "HD"), ("Chương trình", "CTr"), ("Kế hoạch", "KH"),
    ("Phương án", "PA"), ("Đề án", "ĐA"), ("Dự án", "DA"), ("Báo cáo", "BC"), ("Biên bản", "BB"),
    ("Tờ trình", "TTr"), ("Hợp đồng", "HĐ"), ("Công văn", ""), ("Công điện", "CĐ"), ("Bản ghi nhớ", "BGN"),
    ("Bản thỏa thuận", "BTT"), ("Giấy ủy quyền", "GUQ"), ("Giấy mời", "GM"), ("Giấy giới thiệu", "GGT"),
    ("Giấy nghỉ phép", "GNP"), ("Phiếu gửi", "PG"), ("Phiếu chuyển", "PC"), ("Phiếu báo", "PB"), ("Thư công", ""),
]


def ensure(model: Any) -> None:
    """Create or update the 29 types (used by the data migration and after a test flushes tables)."""
    for ordinal, (name, abbreviation) in enumerate(TYPES, start=1):
        model.objects.update_or_create(name=name, defaults={"abbreviation": abbreviation, "ordinal": ordinal})
