"""The preview of the final page before signing and sealing, the warning for an awkward layout, placing by
hand, and that the positions placed are what is signed and sealed (issue 12, item 1)."""

from __future__ import annotations

import pytest

from tests import conftest
from tests.documents import layouts
from tests.pages.conftest import draft_data
from tests.signing.pdf_checks import widget_rects
from vanthu.audit.models import AuditEvent
from vanthu.documents import actions as documents
from vanthu.documents.models import Placement, Status
from vanthu.org.second_factor_testing import code_for
from vanthu.signing import pades
from vanthu.signing.testing import SIGNING_SECRET, equip_cast


@pytest.fixture
def equipped(cast):
    return equip_cast(cast, people=("son",), units=("staff",))


def awaiting(cast, doc_types, pdf: bytes):
    draft = documents.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
                                   data=draft_data(doc_types, cast), file=conftest.checked(pdf, "ke-hoach.pdf"))
    documents.submit_for_review(document=draft, acting=cast.quang,
                                signer_authority=cast.son.signing_authorities.get())
    draft.refresh_from_db()
    return draft


@pytest.fixture
def opened(client, django_capture_on_commit_callbacks):
    """GET a page, run the job it enqueued (the preview's rendering) as after its commit, GET it again."""
    def get(url):
        with django_capture_on_commit_callbacks(execute=True):
            first = client.get(url).content.decode()
        assert "Đang tạo bản xem trước" in first or "data-element=" in first
        return client.get(url).content.decode()
    return get


def place(client, document, element, page, x, y):
    return client.post(f"/documents/{document.pk}/place/", {"element": element, "page": page, "x": x, "y": y},
                       follow=True)


def test_the_signer_sees_the_final_page_with_number_date_signature_and_seal(client, cast, doc_types, opened):
    document = awaiting(cast, doc_types, layouts.usual())
    client.force_login(cast.son.user)
    text = opened(f"/documents/{document.pk}/sign/")
    assert "Xem trước trang văn bản khi ban hành" in text
    for label in ('data-element="number"', 'data-element="date"', 'data-element="signature"',
                  'data-element="seal"'):
        assert label in text
    assert "Vị trí tự động có thể chưa đúng" not in text
    image = text.split(f'src="/documents/{document.pk}/preview/')[1].split('"')[0]
    png = client.get(f"/documents/{document.pk}/preview/{image}")
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_outsiders_get_404_for_the_preview_and_the_placing(client, cast, doc_types, opened):
    document = awaiting(cast, doc_types, layouts.usual())
    client.force_login(cast.son.user)
    text = opened(f"/documents/{document.pk}/sign/")
    image = text.split(f'src="/documents/{document.pk}/preview/')[1].split('"')[0]
    client.force_login(cast.tam.user)
    assert client.get(f"/documents/{document.pk}/preview/{image}").status_code == 404
    assert client.post(f"/documents/{document.pk}/place/", {"element": "seal", "page": 1, "x": 300,
                                                            "y": 300}).status_code == 404
    client.force_login(cast.quang.user)  # the drafter sees the document, but places nothing
    assert client.post(f"/documents/{document.pk}/place/", {"element": "seal", "page": 1, "x": 300,
                                                            "y": 300}).status_code == 404
    assert not Placement.objects.exists()


@pytest.mark.parametrize(("maker", "warning"), [
    (layouts.number_and_date_on_one_line, "“Số:” và ngày tháng nằm trên cùng một dòng"),
    (layouts.no_name_line, "Không tìm thấy dòng họ tên người ký"),
    (layouts.scan, "Trang đầu không có chữ (bản quét)"),
])
def test_an_awkward_layout_is_warned(client, cast, doc_types, maker, warning, opened):
    document = awaiting(cast, doc_types, maker())
    client.force_login(cast.son.user)
    text = opened(f"/documents/{document.pk}/sign/")
    assert "Vị trí tự động có thể chưa đúng" in text
    assert warning in text


def test_a_position_outside_the_page_or_over_the_number_is_refused_and_audited(client, cast, doc_types, opened):
    document = awaiting(cast, doc_types, layouts.usual())
    client.force_login(cast.son.user)
    opened(f"/documents/{document.pk}/sign/")
    text = place(client, document, "seal", 1, 590, 100).content.decode()
    assert "Vị trí nằm ngoài trang văn bản" in text
    layout = pades.layout(layouts.usual(), name_line=cast.son.rank_and_name)
    x1, y1, x2, y2 = layout["boxes"]["number"][1]
    text = place(client, document, "date", 1, (x1 + x2) / 2, (y1 + y2) / 2).content.decode()
    assert "Vị trí này đè lên số văn bản" in text
    text = place(client, document, "number", 2, 100, 700).content.decode()
    assert "số và ngày văn bản phải ở trang đầu" in text
    assert not Placement.objects.exists()
    codes = list(AuditEvent.objects.filter(verb="documents.outgoing.placed.refused")
                 .values_list("data__code", flat=True))
    assert codes == ["placement_outside", "placement_over_number", "placement_page"]


def test_what_is_placed_by_hand_is_what_is_signed_and_sealed(client, cast, doc_types, equipped, opened,
                                                             django_capture_on_commit_callbacks):
    document = awaiting(cast, doc_types, layouts.no_name_line())
    client.force_login(cast.son.user)
    opened(f"/documents/{document.pk}/sign/")
    text = place(client, document, "signature", 1, 420, 260).content.decode()
    assert "Đã đặt chữ ký vào vị trí đã chọn." in text
    assert "Không tìm thấy dòng họ tên người ký" not in text
    assert "đặt bằng tay" in text
    assert AuditEvent.objects.filter(verb="documents.outgoing.placed", data__element="signature").exists()
    page = client.post(f"/documents/{document.pk}/sign/", {"secret": SIGNING_SECRET, "otp": code_for(cast.son),
                                                           "expected_version": document.version}, follow=True)
    assert "Đã ký số văn bản." in page.content.decode()
    document.refresh_from_db()
    rects = widget_rects(document.current_file.read_bytes())
    x1, y1, x2, y2 = rects[pades.PERSONAL_FIELD]
    assert (x1 + x2) / 2 == pytest.approx(420, abs=1)
    assert (y1 + y2) / 2 == pytest.approx(260, abs=1)

    client.force_login(cast.lan.user)
    text = opened(f"/documents/{document.pk}/issue/")
    assert 'data-element="seal"' in text
    assert 'value="signature"' not in text  # the clerk places the seal only
    refused = place(client, document, "signature", 1, 300, 300).content.decode()
    assert "Không thể đặt phần này ở bước hiện tại." in refused
    place(client, document, "seal", 1, 200, 200)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/documents/{document.pk}/issue/", {"secret": SIGNING_SECRET, "otp": code_for(cast.lan),
                                                                "expected_version": document.version}, follow=True)
    assert "Đã phát hành văn bản số" in page.content.decode()
    document.refresh_from_db()
    assert document.status == Status.ISSUED
    rects = widget_rects(document.current_file.read_bytes())
    x1, y1, x2, y2 = rects[pades.SEAL_FIELD]
    assert (x1 + x2) / 2 == pytest.approx(200, abs=1)
    assert (y1 + y2) / 2 == pytest.approx(200, abs=1)
