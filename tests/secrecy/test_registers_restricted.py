"""Register rows above the reader's clearance (issue 16, path 2) show the number, the date and the secrecy mark
only — on the page, in the API, in the printed PDF and the XLSX export alike."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.conftest import checked
from tests.reports.conftest import pdf_text
from vanthu.core.actors import TEST_FIXTURES
from vanthu.core.choices import Secrecy
from vanthu.documents import actions as documents
from vanthu.org import actions as org
from vanthu.org.models import Role

TOP = "V/v phương án tác chiến bảo vệ biên giới"
LOW = "V/v bảo đảm bí mật khi diễn tập"


@pytest.fixture
def secret_register(cast, doc_types, incoming_pdf):
    """The Staff's secret incoming register: a Mật row and a Tối mật row (Lan registers both), and Thu, a second
    clerk of the Staff cleared for Mật only."""
    def register(subject, secrecy, notation):
        data = documents.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Tổng Tham mưu", subject=subject,
                                      code_number="9", code_notation=notation, secrecy=secrecy,
                                      signer_name="Nguyễn Văn Quân")
        return documents.register_incoming(unit=cast.staff, acting=cast.lan, data=data, file=checked(incoming_pdf))

    low = register(LOW, Secrecy.CONFIDENTIAL, "BTTM-BM")
    top = register(TOP, Secrecy.SECRET, "BTTM-TC")
    thu = org.create_person(username="thu", password=None, full_name="Lê Thị Thu", unit=cast.staff,
                            acting=TEST_FIXTURES, clearance=Secrecy.CONFIDENTIAL, roles=(Role.CLERK,))
    return low, top, thu


def test_the_api_gives_only_number_date_and_mark_of_a_restricted_row(cast, secret_register, api):
    low, top, thu = secret_register
    body = api(thu).get("/registers/in", {"unit": cast.staff.pk, "series": "mat"}).json()
    rows = {row["number"]: row for row in body["rows"]}
    hidden = rows[top.number]
    assert hidden["restricted"] is True
    assert hidden["document_id"] is None
    assert hidden["secrecy"] == Secrecy.SECRET
    assert hidden["arrival_at"] is not None
    for name in ("notation", "subject", "organ_name", "doc_type", "status", "signer_name"):
        assert hidden[name] == "", name
    assert hidden["urgency"] is None
    assert hidden["issued_date"] is None
    assert hidden["handlers"] == []
    assert hidden["recipients"] == []
    assert "BTTM-TC" not in str(body)
    assert TOP not in str(body)
    assert str(top.pk) not in {str(r["document_id"])
                                                                                     for r in body["rows"]}
    shown = rows[low.number]
    assert shown["restricted"] is False
    assert shown["subject"] == LOW
    assert shown["document_id"] == low.pk
    # Lan, cleared for Tối mật, sees both in full
    full = api(cast.lan).get("/registers/in", {"unit": cast.staff.pk, "series": "mat"}).json()
    assert all(not row["restricted"] for row in full["rows"])


def test_the_page_shows_only_number_date_and_mark_of_a_restricted_row(cast, secret_register, client):
    _low, top, thu = secret_register
    client.force_login(thu.user)
    page = client.get(f"/registers/incoming/?unit={cast.staff.pk}&series=mat")
    text = page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert LOW in text
    assert TOP not in text
    assert "BTTM-TC" not in text
    assert f"/documents/{top.pk}/" not in text
    assert "Văn bản có độ mật cao hơn mức đồng chí được tiếp cận." in text


def test_prints_and_exports_show_only_number_date_and_mark_of_a_restricted_row(cast, secret_register, client,
                                                                              tmp_path):
    low, _top, thu = secret_register
    year = low.register.year
    client.force_login(thu.user)
    url = (f"/registers/incoming/print/?unit={cast.staff.pk}&from={year}-01-01&to={year}-12-31&series=mat")
    pdf = client.get(url + "&format=pdf")
    assert pdf.status_code == 200
    assert pdf["Cache-Control"] == "no-store"
    text = " ".join(pdf_text(pdf.content, tmp_path).split())
    assert LOW in text
    assert TOP not in text
    assert "BTTM-TC" not in text
    assert "Nguyễn Văn Quân" not in text.replace(LOW, "")
    assert "Tối mật" in text  # the row's mark
    assert "TỐI MẬT" not in text  # the printout is marked for what it shows in full: MẬT
    xlsx = client.get(url + "&format=xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    flat = " ".join(cells)
    assert LOW in flat
    assert TOP not in flat
    assert "BTTM-TC" not in flat
    assert "Tối mật" in cells
    # Lan prints it all
    client.force_login(cast.lan.user)
    full = " ".join(pdf_text(client.get(url + "&format=pdf").content, tmp_path).split())
    assert TOP in full
    assert "TỐI MẬT" in full
