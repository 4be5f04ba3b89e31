"""A PDF with an object the signature validation's parser cannot read is refused where its author still has it
(decision 0036): at upload (every object of every cross-reference section parsed, signing/pdfparse.py), and at
the personal signature for a draft stored before that check. Before, a draft whose page content stream did not
parse was uploaded, signed and sealed, and only the check after issuance called the issued file unreadable.
A draft already signed with such an object (before decision 0036, or elsewhere) is refused by the seal, before
issuance takes a number (decision 0045)."""

from __future__ import annotations

import random
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.conftest import ApiClient, error_of, new_token
from tests.api.test_drafting_api import create_draft
from tests.documents.test_issuance import awaiting
from tests.signing import fastdiff_corpus
from vanthu.audit.models import AuditEvent
from vanthu.core.errors import ActionRefused
from vanthu.core.models import StoredFile
from vanthu.documents import actions, uploads
from vanthu.documents.models import Document, DocumentFile, DraftVersion, Register, Status
from vanthu.org.second_factor_testing import code_for
from vanthu.signing import pades_form, pdfparse, validation
from vanthu.signing import service as signing
from vanthu.signing.bench import make_pki
from vanthu.signing.testing import SIGNING_SECRET, equip_cast

BROKEN = {
    "page_content_stream": (fastdiff_corpus.draft_with_broken_contents, "19 0"),
    "document_information": (fastdiff_corpus.draft_with_broken_info, "17 0"),
    "object_nothing_refers_to": (fastdiff_corpus.draft_with_broken_orphan, "20 0"),
    "object_the_catalog_refers_to": (fastdiff_corpus.draft_with_broken_object, "21 0"),
}


def counts() -> tuple[int, ...]:
    from django_tasks_db.models import DBTaskResult

    return (Document.objects.count(), DraftVersion.objects.count(), DocumentFile.objects.count(),
            StoredFile.objects.count(), DBTaskResult.objects.count())


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_an_upload_with_an_object_that_does_not_parse_is_refused_naming_it(draft_pdf, case):
    make, ref = BROKEN[case]
    with pytest.raises(ActionRefused) as caught:
        uploads.check(make(draft_pdf), name="du-thao.pdf")
    assert caught.value.code == "pdf_corrupt"
    assert caught.value.message.startswith(f"Tệp PDF bị hỏng: “du-thao.pdf” có đối tượng {ref} không đọc được (")


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_the_personal_signature_refuses_a_draft_with_an_object_that_does_not_parse(draft_pdf, case):
    """The PAdES adapter itself (what every signing path calls): no signed file is made."""
    make, ref = BROKEN[case]
    with pytest.raises(ActionRefused) as caught:
        fastdiff_corpus.personal(make(draft_pdf), make_pki("rsa"))
    assert caught.value.code == "corrupt_pdf"
    assert caught.value.message.startswith(f"Tệp PDF bị hỏng: có đối tượng {ref} không đọc được (")


def test_a_normal_draft_and_the_demos_drafts_are_accepted(draft_pdf, incoming_pdf):
    from vanthu.demo import subjects
    from vanthu.demo.pdfs import OfficialDocument, render, sample_draft

    assert uploads.check(draft_pdf, name="du-thao.pdf").pages == 1
    assert uploads.check(incoming_pdf, name="cong-van.pdf").pages == 1
    assert uploads.check(sample_draft(pages=30), name="du-thao.pdf").pages == 30
    rng = random.Random(36)
    for index, topic in enumerate(subjects.TOPICS):  # every topic of the demo, 1 to 5 pages as the demo draws them
        _abbr, template = rng.choice(topic.subjects)
        pages = index % 5 + 1
        draft = render(OfficialDocument(
            parent_name="BỘ TƯ LỆNH QUÂN KHU 10", issuer_name="BỘ THAM MƯU", notation="KH-TM", place="Đà Nẵng",
            year=2027, type_name="KẾ HOẠCH", subject=subjects.fill(template, rng, year=2027, month=3,
                                                                 unit="Sư đoàn 302", province="Đ"),
            paragraphs=subjects.paragraphs(topic, year=2027, closing="Các cơ quan, đơn vị thực hiện."),
            competence="KT. TƯ LỆNH", title="PHÓ TƯ LỆNH", name_line="Thiếu tướng Nguyễn Văn An",
            urgency_mark="HỎA TỐC" if index % 3 == 0 else "", secrecy_mark="MẬT" if index % 4 == 0 else "",
        ), pages=pages)
        assert uploads.check(draft, name=f"du-thao-{index}.pdf").pages == pages, topic


def test_the_api_refuses_the_draft_and_keeps_nothing(cast, doc_types, draft_pdf):
    before = counts()
    response = create_draft(ApiClient(new_token(cast.quang)), cast, doc_types,
                            fastdiff_corpus.draft_with_broken_contents(draft_pdf))
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "pdf_corrupt"
    assert error["message"].startswith("Tệp PDF bị hỏng: “du-thao.pdf” có đối tượng 19 0 không đọc được")
    assert counts() == before
    assert create_draft(ApiClient(new_token(cast.quang)), cast, doc_types, draft_pdf).status_code == 201


def test_the_drafting_page_refuses_the_draft_and_keeps_nothing(client, cast, doc_types, draft_pdf):
    client.force_login(cast.quang.user)
    form = {
        "client_token": str(uuid.uuid4()), "drafting_unit": str(cast.operations.pk),
        "issuing_unit": str(cast.staff.pk), "doc_type": str(doc_types["KH"].pk),
        "subject": "Huấn luyện chiến đấu năm 2027", "urgency": "0", "secrecy": "0", "due_date": "",
        "recipient_units": [str(cast.division.pk)], "recipient_names": "", "issued_amount": "5", "description": "",
        "note": "",
        "file": SimpleUploadedFile("ke-hoach.pdf", fastdiff_corpus.draft_with_broken_contents(draft_pdf),
                                   content_type="application/pdf"),
    }
    before = counts()
    page = client.post("/drafts/new/", form)
    assert page.status_code in (200, 400)
    assert "Tệp PDF bị hỏng: “ke-hoach.pdf” có đối tượng 19 0 không đọc được" in page.content.decode()
    assert counts() == before


def test_a_draft_stored_before_the_check_is_refused_at_signing_and_nothing_is_signed(cast, doc_types, draft_pdf):
    """A draft uploaded before this check (stored as the demo stores its drafts: checked by nobody) reaches the
    signer: the personal signature refuses it with the same reason, no signed file is made."""
    equip_cast(cast, people=("son",), units=("staff",))
    broken = fastdiff_corpus.draft_with_broken_contents(draft_pdf)
    result = validation.validate_pdf(broken, trust_roots=[])
    assert result.readable  # the draft's own reading does not show it: only its issued file would have
    doc = awaiting(cast, doc_types, draft_pdf)
    doc.current_file = uploads_free_store(broken)
    doc.approved_sha256 = doc.current_file.sha256
    doc.save(update_fields=["current_file", "approved_sha256"])
    stored = StoredFile.objects.count()
    with pytest.raises(ActionRefused) as caught:
        actions.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    assert caught.value.message.startswith("Tệp PDF bị hỏng: có đối tượng 19 0 không đọc được (")
    doc.refresh_from_db()
    assert doc.status == Status.AWAITING_SIGNATURE
    assert doc.current_file.read_bytes() == broken
    assert StoredFile.objects.count() == stored


def uploads_free_store(data: bytes) -> StoredFile:
    from vanthu.core import files

    return files.store_bytes(data, content_type=uploads.PDF)


# --- a draft signed with such an object is not sealed (decision 0045) ---------------------------------------

SEAL_REFUSAL = "Tệp văn bản đã ký bị hỏng: có đối tượng {ref} không đọc được ("


@pytest.mark.parametrize("case", sorted(set(BROKEN) - {"document_information"}))
def test_the_seal_refuses_a_signed_file_with_an_object_that_does_not_parse(draft_pdf, case):
    """The check the seal makes (pades_form.check_every_object_signed) over a draft signed by vanthu's own
    signing code as it signed before decision 0036 (without reading every object first). A broken /Info is not
    among them: pyHanko's writer reads it, so no signature was ever made over one."""
    make, ref = BROKEN[case]
    chain = make_pki("rsa")
    signed = fastdiff_corpus.personal_unchecked(make(draft_pdf), chain)
    assert validation.validate_pdf(signed, trust_roots=[chain.root]).valid  # its own reading does not show it
    with pytest.raises(ActionRefused) as caught:
        pades_form.check_every_object_signed(signed)
    assert caught.value.code == "corrupt_pdf"
    assert caught.value.message.startswith(SEAL_REFUSAL.format(ref=ref))
    pades_form.check_every_object_signed(fastdiff_corpus.personal(draft_pdf, chain))  # a sound one passes


@pytest.fixture
def signed_before_the_check(cast, doc_types, draft_pdf, monkeypatch, django_capture_on_commit_callbacks):
    """The Staff's plan whose stored draft has a page content stream that does not parse, signed by Sơn the way
    vanthu signed before decision 0036 (its objects not all read), its verdict stored (the validation job run on
    commit, as after every signature) and fresh."""
    equip_cast(cast, people=("son",), units=("staff",))
    doc = awaiting(cast, doc_types, draft_pdf)
    doc.current_file = uploads_free_store(fastdiff_corpus.draft_with_broken_contents(draft_pdf))
    doc.approved_sha256 = doc.current_file.sha256
    doc.save(update_fields=["current_file", "approved_sha256"])
    with monkeypatch.context() as before_0036, django_capture_on_commit_callbacks(execute=True):
        before_0036.setattr(pdfparse, "first_unparsed", lambda reader, **kw: None)
        actions.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    doc.refresh_from_db()
    assert doc.status == Status.SIGNED
    assert signing.fresh_personal_verdict(doc.current_file)  # the stored verdict alone would have let it through
    return doc


def test_issuance_refuses_a_signed_draft_with_an_object_that_does_not_parse_before_taking_a_number(
        cast, signed_before_the_check):
    doc = signed_before_the_check
    signed = doc.current_file.read_bytes()
    before = (StoredFile.objects.count(), Register.objects.count(), list(Register.objects.values_list("last_number")))
    with pytest.raises(ActionRefused) as caught:
        actions.issue_outgoing(document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    assert caught.value.code == "corrupt_pdf"
    assert caught.value.message.startswith(SEAL_REFUSAL.format(ref="19 0"))
    doc.refresh_from_db()
    assert (doc.status, doc.number, doc.issued_date, doc.issuing_since) == (Status.SIGNED, None, None, None)
    assert doc.current_file.read_bytes() == signed
    assert (StoredFile.objects.count(), Register.objects.count(),
            list(Register.objects.values_list("last_number"))) == before
    event = AuditEvent.objects.get(verb="documents.outgoing.issued.refused", target_id=str(doc.pk))
    assert event.data["code"] == "corrupt_pdf"
    assert event.data["reason"] == caught.value.message
    assert event.actor_id == cast.lan.pk


def test_the_seal_itself_refuses_it_when_no_check_came_before(cast, signed_before_the_check):
    """`seal_issued` as the demo's baseline calls it (no check made by the caller): refused, nothing sealed."""
    with pytest.raises(ActionRefused) as caught:
        signing.seal_issued(pdf=signed_before_the_check.current_file.read_bytes(), unit=cast.staff,
                            number_text="Số: 01/KH-TM", date_text="Hà Nội, ngày 01 tháng 3 năm 2027",
                            secret=SIGNING_SECRET)
    assert caught.value.message.startswith(SEAL_REFUSAL.format(ref="19 0"))


# --- an attachment stored before the upload check (decision 0057) ------------------------------------------

ATTACHMENT_REFUSAL = "Tệp đính kèm “Phụ lục kế hoạch.pdf” bị hỏng: có đối tượng {ref} không đọc được ("


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_issuance_refuses_an_attachment_with_an_object_that_does_not_parse_before_taking_a_number(
        cast, doc_types, draft_pdf, django_capture_on_commit_callbacks, case):
    """An attachment stored before decision 0036's upload check (every object parsed) is sealed at issuance too: one
    whose /Info does not parse made the seal fail after the number was taken, on every retry; one with another
    broken object was sealed, and went to the recipients as a file their own parsers may refuse. Refused before the
    number, naming the attachment, nothing sealed or stored; a sound attachment is issued as before."""
    make, ref = BROKEN[case]
    equip_cast(cast, people=("son",), units=("staff",))
    doc = awaiting(cast, doc_types, draft_pdf)
    DocumentFile.objects.create(document=doc, kind=DocumentFile.Kind.ATTACHMENT, name="Phụ lục kế hoạch.pdf",
                                file=uploads_free_store(make(draft_pdf)), ordinal=1, added_by=cast.quang)
    with django_capture_on_commit_callbacks(execute=True):
        actions.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    doc.refresh_from_db()
    before = (StoredFile.objects.count(), list(Register.objects.values_list("last_number")))
    with pytest.raises(ActionRefused) as caught:
        actions.issue_outgoing(document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    assert caught.value.code == "corrupt_attachment"
    assert caught.value.message.startswith(ATTACHMENT_REFUSAL.format(ref=ref))
    doc.refresh_from_db()
    assert (doc.status, doc.number, doc.issued_date, doc.issuing_since) == (Status.SIGNED, None, None, None)
    assert (StoredFile.objects.count(), list(Register.objects.values_list("last_number"))) == before
    event = AuditEvent.objects.get(verb="documents.outgoing.issued.refused", target_id=str(doc.pk))
    assert event.data["code"] == "corrupt_attachment"
    # the attachment put right (a sound PDF in its place), the same document is issued
    DocumentFile.objects.filter(document=doc, kind=DocumentFile.Kind.ATTACHMENT).update(
        file=uploads_free_store(draft_pdf))
    with django_capture_on_commit_callbacks(execute=True):
        actions.issue_outgoing(document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    doc.refresh_from_db()
    assert doc.status == Status.ISSUED
    assert doc.number is not None


def test_the_attachment_check_refuses_an_encrypted_or_damaged_file_by_name_and_passes_a_sound_one(draft_pdf):
    from tests.signing.test_pades import encrypted

    for data, says in ((encrypted(draft_pdf), "đã được mã hóa"), (b"not a pdf", "không đúng định dạng PDF"),
                       (draft_pdf[: len(draft_pdf) // 2], "không đúng định dạng PDF")):
        with pytest.raises(ActionRefused) as caught:
            pades_form.check_attachment_sealable(data, name="Phụ lục.pdf")
        assert caught.value.code == "corrupt_attachment"
        assert caught.value.message.startswith("Tệp đính kèm “Phụ lục.pdf”")
        assert says in caught.value.message
    pades_form.check_attachment_sealable(draft_pdf, name="Phụ lục.pdf")
