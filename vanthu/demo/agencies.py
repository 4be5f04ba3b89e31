"""The demo's directory of outside agencies (issue 12 item 4): fictional or generic bodies a military region
receives documents from, so the registration form's autocomplete has something to offer."""

from __future__ import annotations

from vanthu.core.actors import DEMO_BUILDER
from vanthu.org.agencies import AgencyRow
from vanthu.org.agency_actions import import_agencies

AGENCIES = [
    ("Bộ Quốc phòng", "BQP"),
    ("Bộ Tổng Tham mưu", "BTTM"),
    ("Tổng cục Chính trị", "TCCT"),
    ("Tổng cục Hậu cần", "TCHC"),
    ("Tổng cục Kỹ thuật", "TCKT"),
    ("Cục Quân huấn", "QH"),
    ("Cục Tác chiến", "TC"),
    ("Cục Cứu hộ - Cứu nạn", "CHCN"),
    ("Ủy ban nhân dân tỉnh A", "UBND tỉnh A"),
    ("Ủy ban nhân dân tỉnh B", "UBND tỉnh B"),
    ("Công an tỉnh A", "CA tỉnh A"),
    ("Ban Chỉ huy Phòng thủ dân sự tỉnh A", "BCH PTDS tỉnh A"),
    ("Sở Tài nguyên và Môi trường tỉnh A", "Sở TN&MT"),
    ("Đài Khí tượng thủy văn khu vực", "Đài KTTV"),
]


def load() -> None:
    rows = [AgencyRow(line=i, name=name, short_name=short) for i, (name, short) in enumerate(AGENCIES, start=1)]
    import_agencies(rows=rows, acting=DEMO_BUILDER)
