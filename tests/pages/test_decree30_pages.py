"""The pages of issue 14: the numbering-scheme page (checklist point 6), the format components on the draft page
(point 8), the checklist of the format check (point 10) and update / correction links (point 34)."""

from __future__ import annotations

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import checked
from tests.pages.conftest import draft_data
from vanthu.audit.models import AuditEvent
from vanthu.documents import actions
from vanthu.documents.actions.paper_outgoing import register_paper_outgoing
from vanthu.documents.actions.rules import set_format_check_rule
from vanthu.documents.models import Document, NumberingPlan, ReviewKind, ReviewStep, Status
from vanthu.org.models import Role, SigningAuthority

PAGE = "/numbering/"


def test_checklist_point_6_the_head_sees_the_effect_before_saving_next_years_scheme(client, cast):
    """Checklist point 6: the page shows this year's scheme, previews next year's without saving, then saves."""
    client.force_login(cast.son.user)
    year = timezone.localdate().year
    text = client.get(PAGE).content.decode()
    assert f"Năm {year} (đang áp dụng)" in text
    assert f"Năm {year + 1}" in text
    preview = client.post(PAGE, {"unit": cast.staff.pk, "year": year + 1, "scheme": "groups",
                                 "groups": "QĐ, CT\nCông văn, Thư công", "preview": "1"}).content.decode()
    assert "Sổ nhóm 1" in preview
    assert "Quyết định, Chỉ thị" in preview
    assert "Công văn, Thư công" in preview
    assert not NumberingPlan.objects.exists()  # only shown
    partial = client.post(PAGE, {"unit": cast.staff.pk, "year": year + 1, "scheme": "per_type"},
                          headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="preview"')
    assert "Sổ loại QĐ" in partial
    saved = client.post(PAGE, {"unit": cast.staff.pk, "year": year + 1, "scheme": "per_type", "save": "1"},
                        follow=True)
    assert "Đã quy định cách cấp số văn bản đi năm" in saved.content.decode()
    plan = NumberingPlan.objects.get()
    assert (plan.unit, plan.year, plan.scheme, plan.decided_by) == (cast.staff, year + 1, "per_type", cast.son)


def test_checklist_point_6_saving_for_the_current_year_is_refused_on_the_page(client, cast):
    """Checklist point 6 (bad input): a scheme for the current year is refused with the reason; nothing saved."""
    client.force_login(cast.son.user)
    year = timezone.localdate().year
    page = client.post(PAGE, {"unit": cast.staff.pk, "year": year, "scheme": "per_type", "save": "1"})
    assert page.status_code == 200
    assert "không hồi tố" in page.content.decode()
    assert not NumberingPlan.objects.exists()
    assert AuditEvent.objects.filter(verb="documents.numbering.plan_set.refused").exists()


def test_numbering_page_is_not_found_for_people_without_the_right(client, cast):
    for person in (cast.quang, cast.lan, cast.tam):
        client.force_login(person.user)
        assert client.get(PAGE).status_code == 404
    client.force_login(cast.son.user)
    assert client.get(f"{PAGE}?unit={cast.division.pk}").status_code == 404  # not his unit
    assert client.post(PAGE, {"unit": cast.division.pk, "scheme": "single", "save": "1"}).status_code == 404
    assert not NumberingPlan.objects.exists()


def test_checklist_point_8_the_draft_form_takes_and_the_page_shows_the_components(client, cast, doc_types, draft_pdf):
    """Checklist point 8: the components are fields of the draft form and shown on the draft page."""
    client.force_login(cast.quang.user)
    page = client.post("/drafts/new/", {
        "client_token": str(uuid.uuid4()), "drafting_unit": cast.operations.pk, "issuing_unit": cast.staff.pk,
        "doc_type": doc_types["KH"].pk, "subject": "Huấn luyện chiến đấu năm 2027", "urgency": "1", "secrecy": "0",
        "recipient_units": [cast.division.pk], "issued_amount": "5", "circulation_note": "XEM XONG TRẢ LẠI",
        "drafter_initials": "TC.Q", "address_block": "Số 1 đường A, Đà Nẵng", "place_name": "",
        "file": SimpleUploadedFile("ke-hoach.pdf", draft_pdf, content_type="application/pdf"),
    }, follow=True)
    text = page.content.decode()
    doc = Document.objects.get()
    assert (doc.circulation_note, doc.drafter_initials, doc.place_name) == ("XEM XONG TRẢ LẠI", "TC.Q", "Đà Nẵng")
    assert "Thể thức văn bản (Điều 8)" in text
    for shown in ("Quốc hiệu và Tiêu ngữ", "KHẨN, XEM XONG TRẢ LẠI, DỰ THẢO", "TC.Q05", "Số 1 đường A, Đà Nẵng",
                  "Đà Nẵng, ngày … tháng … năm …"):
        assert shown in text


def test_checklist_point_10_the_checker_ticks_the_checklist_on_the_review_page(client, cast, doc_types, draft_pdf):
    """Checklist point 10: the format checker sees the checklist; the result is recorded and shown."""
    set_format_check_rule(acting=cast.son, unit=cast.staff, checker_unit=cast.staff, role=Role.CLERK)
    draft = actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
                                 data=draft_data(doc_types, cast), file=checked(draft_pdf))
    actions.submit_for_review(document=draft, acting=cast.quang,
                              signer_authority=SigningAuthority.objects.get(person=cast.son),
                              reviewers=[(ReviewKind.FORMAT, cast.lan)])
    client.force_login(cast.lan.user)
    url = f"/documents/{draft.pk}/review/"
    form = client.get(url).content.decode()
    assert "Đủ các thành phần thể thức (Điều 8)" in form
    assert 'name="check_layout"' in form
    refused = client.post(url, {"decision": "approve", "check_layout": "on"}).content.decode()
    assert "Hãy đánh dấu đủ các mục kiểm tra" in refused
    assert Document.objects.get(pk=draft.pk).status == Status.IN_REVIEW
    done = client.post(url, {"decision": "approve", "check_layout": "on", "check_components": "on",
                             "check_recipients": "on", "check_secrecy": "on"}, follow=True).content.decode()
    assert Document.objects.get(pk=draft.pk).status == Status.AWAITING_SIGNATURE
    assert ReviewStep.objects.get().checklist == {"layout": True, "components": True, "recipients": True,
                                                  "secrecy": True}
    assert "✓ Nơi nhận đúng và đủ" in done


def test_checklist_point_34_a_correction_page_for_a_document_of_another_unit_is_not_found(client, cast, doc_types,
                                                                                          draft_pdf):
    """Checklist point 34 (bad input): Tâm opens the correction form for a Staff document: 404, as for any
    document he may not see; Quang, who may, gets the form with the link."""
    paper = register_paper_outgoing(
        acting=cast.lan, issuing_unit=cast.staff, drafting_unit=cast.operations,
        data=actions.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch trực Tết"),
        signer_authority=SigningAuthority.objects.get(person=cast.son), signed_on=timezone.localdate(),
        scan=checked(draft_pdf))
    client.force_login(cast.tam.user)
    assert client.get(f"/drafts/new/?amends={paper.pk}&amend_kind=correct").status_code == 404
    client.force_login(cast.quang.user)
    text = client.get(f"/drafts/new/?amends={paper.pk}&amend_kind=correct").content.decode()
    assert "Soạn công văn đính chính" in text
    assert paper.notation in text


def _paper_form(cast, doc_types, draft_pdf, token):
    return {"client_token": token, "issuing_unit": cast.staff.pk, "doc_type": doc_types["KH"].pk,
            "subject": "Kế hoạch trực Tết", "urgency": "0", "secrecy": "0",
            "signer": SigningAuthority.objects.get(person=cast.son).pk, "signed_on": timezone.localdate().isoformat(),
            "to_places": "Sư đoàn 301", "issued_amount": "3",
            "file": SimpleUploadedFile("ban-quet.pdf", draft_pdf, content_type="application/pdf")}


def test_checklist_point_2_the_clerk_registers_a_paper_document_once_from_the_page(client, cast, doc_types,
                                                                                   draft_pdf):
    """Checklist point 2: Lan numbers a hand-signed plan from the page; the same form sent twice is numbered once."""
    client.force_login(cast.lan.user)
    token = str(uuid.uuid4())
    page = client.post("/documents/outgoing/paper/", _paper_form(cast, doc_types, draft_pdf, token), follow=True)
    doc = Document.objects.get(on_paper=True)
    assert doc.notation == "01/KH-TM"
    assert "Đã cấp số 01/KH-TM và vào sổ văn bản đi." in page.content.decode()
    again = client.post("/documents/outgoing/paper/", _paper_form(cast, doc_types, draft_pdf, token), follow=True)
    assert again.redirect_chain[-1][0] == f"/documents/{doc.pk}/"
    assert Document.objects.filter(on_paper=True).count() == 1
    client.force_login(cast.quang.user)
    assert client.get("/documents/outgoing/paper/").status_code == 404


def test_checklist_point_10_the_head_sets_who_checks_format_on_the_page(client, cast):
    """Checklist point 10: the head chooses who checks content and format (configurable per unit); a unit outside
    his is refused with the reason, nothing saved."""
    from vanthu.documents.models import FormatCheckRule

    client.force_login(cast.son.user)
    assert "Kiểm tra nội dung, thể thức trước khi trình ký" in client.get(PAGE).content.decode()
    bad = client.post(PAGE, {"unit": cast.staff.pk, "checker_unit": cast.division.pk, "role": "clerk",
                             "required": "on", "format_rule": "1"})
    assert bad.status_code == 200
    assert not FormatCheckRule.objects.exists()
    done = client.post(PAGE, {"unit": cast.staff.pk, "checker_unit": cast.staff.pk, "role": "clerk",
                              "required": "on", "format_rule": "1"}, follow=True)
    assert "Đã quy định người kiểm tra nội dung, thể thức văn bản của Bộ Tham mưu." in done.content.decode()
    rule = FormatCheckRule.objects.get()
    assert (rule.unit, rule.checker_unit, rule.role, rule.required) == (cast.staff, cast.staff, "clerk", True)
