"""The check after issuance (the job `validate_stored_file`) compares the issued file's number and date fields with
the register (decision 0036): each field shows its value, the number is the registered number, the date names the
registered day. The files are issued by vanthu's own issuance with one change made in the seal's revision by
vanthu's own code (tests/signing/fastdiff_corpus.py): pyHanko calls each of them "form filling", so before this
check they were valid."""

from __future__ import annotations

import pytest

from tests.documents.test_issuance import awaiting
from tests.signing import fastdiff_corpus
from vanthu.documents import actions
from vanthu.documents.jobs import registered_of, validate_stored_file
from vanthu.documents.models import Status
from vanthu.org.second_factor_testing import code_for
from vanthu.signing import pades_form
from vanthu.signing.models import FileValidation
from vanthu.signing.testing import SIGNING_SECRET, equip_cast


@pytest.fixture
def issue(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    """Issue the Staff's plan (signed by Sơn, sealed by Lan) with `change` made inside the seal's revision; the
    jobs enqueued on commit run (the check after issuance among them). The issued document."""
    equip_cast(cast, people=("son",), units=("staff",))

    def run(change=None):
        doc = awaiting(cast, doc_types, draft_pdf)
        actions.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
        with django_capture_on_commit_callbacks(execute=True):
            if change is None:
                actions.issue_outgoing(document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
            else:
                with fastdiff_corpus.issuance_sealing_with(change):
                    actions.issue_outgoing(document=doc, acting=cast.lan, secret=SIGNING_SECRET,
                                           otp=code_for(cast.lan))
        doc.refresh_from_db()
        assert doc.status == Status.ISSUED
        return doc

    return run


def verdict(doc) -> FileValidation:
    return FileValidation.objects.get(file=doc.current_file)


NUMBER, DATE = pades_form.NUMBER_FIELD, pades_form.DATE_FIELD
# change made in the seal's revision -> what the check after issuance says
TAMPERED = {
    "value_differs_from_appearance": (fastdiff_corpus.number_value_without_appearance,
                                      "Ô số, ký hiệu ghi giá trị “Số: 99/KH-TM” nhưng trên trang lại hiện "
                                      "“Số: 01/KH-TM”"),
    "appearance_differs_from_value": (fastdiff_corpus.field_appearance_shows(NUMBER, "Số: 02/KH-TM"),
                                      "Ô số, ký hiệu ghi giá trị “Số: 01/KH-TM” nhưng trên trang lại hiện "
                                      "“Số: 02/KH-TM”"),
    "appearance_reuses_a_signed_stream": (fastdiff_corpus.number_appearance_reuses_signed_stream,
                                          "Ô số, ký hiệu không hiển thị giá trị của nó dưới dạng chữ"),
    "font_map_lies": (fastdiff_corpus.field_drawn_with_lying_map(NUMBER, "Số: 07/KH-TM", "Số: 01/KH-TM"),
                      "Ô số, ký hiệu không hiển thị giá trị của nó dưới dạng chữ"),
    "another_number_value_and_appearance": (fastdiff_corpus.field_refilled(NUMBER, "Số: 07/KH-TM"),
                                            "Số, ký hiệu trong tệp (“Số: 07/KH-TM”) khác số, ký hiệu đã đăng ký "
                                            "của văn bản (“Số: 01/KH-TM”)"),
    "another_day": (fastdiff_corpus.field_refilled(DATE, "Hà Nội, ngày 31 tháng 12 năm 2020"),
                    "Ngày ban hành trong tệp (“Hà Nội, ngày 31 tháng 12 năm 2020”) khác ngày đã đăng ký"),
}


def test_checklist_point_3_the_check_after_issuance_finds_the_registered_number_and_date_shown(issue):
    """Checklist point 3: a genuine issuance — its fields hold and show the number and date it was given."""
    doc = issue()
    registered = registered_of(doc.current_file.sha256)
    assert registered is not None
    assert registered.number_text == "Số: 01/KH-TM"
    assert registered.issued == doc.issued_date
    row = verdict(doc)
    assert row.valid, row.report
    assert [s["valid"] for s in row.report["signatures"]] == [True, True]


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_checklist_point_3_a_number_or_date_shown_otherwise_than_registered_fails_the_check_after_issuance(
        issue, case):
    """Checklist point 3: the seal's revision is vanthu's own with one change in the number or date field; the
    check after issuance stores a verdict that is not valid, the seal's signature carrying the reason."""
    change, reason = TAMPERED[case]
    doc = issue(change)
    row = verdict(doc)
    assert not row.valid
    personal, seal = row.report["signatures"]
    assert personal["valid"]  # the approval signature itself is sound: the seal vouched for the wrong fields
    assert not seal["valid"]
    assert seal["modified_after"] == "none"
    assert any(reason in problem for problem in seal["problems"]), seal["problems"]
    validate_stored_file.call(doc.current_file.sha256)  # run again (a retry): the same verdict
    assert not verdict(doc).valid


def test_a_file_that_is_no_issued_documents_main_file_has_no_registration(issue):
    doc = issue()
    assert registered_of("0" * 64) is None
    assert registered_of(doc.approved_sha256 or "0" * 64) is None
