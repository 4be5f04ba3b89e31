"""A small corpus registered through the real actions, indexed by the real sync."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import checked
from vanthu.core.choices import Secrecy, Urgency
from vanthu.documents import actions
from vanthu.search import indexing


@pytest.fixture(autouse=True)
def _own_search_index(settings, tmp_path):
    """An index outside the database (Tantivy: `./test` runs this directory again with VANTHU_SEARCH_ENGINE=tantivy)
    does not roll back with the test's transaction: each test gets its own directory."""
    from vanthu.search.engines.tantivy import forget_index

    settings.SEARCH_DIR = tmp_path / "search"
    yield
    forget_index(settings.SEARCH_DIR / "tantivy")


@pytest.fixture
def corpus(cast, doc_types, incoming_pdf):
    def reg(unit, clerk, subject, *, kind="Công văn", notation="", number="", when=None, secrecy=Secrecy.NONE,
            organ="Bộ Quốc phòng", signer="", urgency=Urgency.NORMAL, due=None):
        data = actions.IncomingData(
            doc_type=doc_types[kind], organ_name=organ, subject=subject, code_number=number,
            code_notation=notation, issued_date=when or dt.date(2026, 3, 1), secrecy=secrecy,
            signer_name=signer, urgency=urgency, due_date=due,
        )
        return actions.register_incoming(unit=unit, acting=clerk, data=data, file=checked(incoming_pdf))

    docs = {
        "duong": reg(cast.staff, cast.lan, "Về việc sửa chữa đường hành quân", number="12", notation="QĐ-BTL",
                     kind="QĐ", when=dt.date(2026, 1, 5), signer="Trần Quốc Hùng"),
        "duong2": reg(cast.staff, cast.lan, "Về việc trồng cây dương ven biển", number="7", notation="KH-BTTM",
                      kind="KH", when=dt.date(2026, 2, 5)),
        "bao": reg(cast.staff, cast.lan, "Kế hoạch phòng chống bão lũ năm 2026", number="43", notation="KH-BTTM",
                   kind="KH", when=dt.date(2026, 1, 10), urgency=Urgency.URGENT),
        "bao_report": reg(cast.staff, cast.lan, "Báo cáo lũ lụt và tình hình huấn luyện", number="5",
                          notation="BC-TM", kind="BC", when=dt.date(2026, 3, 10)),
        "trien_khai": reg(cast.staff, cast.lan, "Quyết định triển khai nhiệm vụ huấn luyện năm 2026",
                          number="15", notation="QĐ-BTL", kind="QĐ", when=dt.date(2025, 12, 20)),
        "hoa_old": reg(cast.staff, cast.lan, "V/v hoá đơn điện tử và uỷ quyền ký", number="3", notation="CV-TM",
                       when=dt.date(2025, 11, 2)),
        "secret": reg(cast.staff, cast.lan, "Kế hoạch tác chiến phòng chống bão lũ tuyệt mật", number="9",
                      notation="KH-TM", kind="KH", secrecy=Secrecy.SECRET),
        "office": reg(cast.office, cast.hoa, "Kế hoạch huấn luyện phòng chống bão lũ của Văn phòng",
                      number="21", notation="KH-VP", kind="KH"),
    }
    indexing.sync_all()
    return docs
