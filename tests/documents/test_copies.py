"""Electronic copies (Decree 30 Điều 25–27): SAO Y, SAO LỤC, TRÍCH SAO with the text-only organisation signature."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.conftest import checked
from tests.signing.pdf_checks import assert_pdfsig_valid
from vanthu.core.errors import ActionRefused
from vanthu.demo.pdfs import sample_draft
from vanthu.documents import actions
from vanthu.documents.models import CopyForm
from vanthu.org.second_factor_testing import code_for
from vanthu.signing import service as signing
from vanthu.signing.testing import SIGNING_SECRET, equip_cast


@pytest.fixture
def registered(cast, doc_types):
    equip_cast(cast, people=(), units=("staff", "command"))
    data = actions.IncomingData(doc_type=doc_types["KH"], organ_name="Bộ Quốc phòng", subject="Kế hoạch 3 trang",
                                code_number="77", code_notation="KH-BQP")
    return actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data,
                                     file=checked(sample_draft(pages=3), "kh-77.pdf"))


def test_true_copy_carries_the_units_text_stamp_and_signature(cast, registered):
    """Checklist point 16."""
    copy = actions.make_copy(document=registered, acting=cast.lan, unit=cast.staff, form=CopyForm.TRUE_COPY,
                             secret=SIGNING_SECRET, otp=code_for(cast.lan))
    data = copy.file.read_bytes()
    result = signing.validate(data)
    assert result.valid
    assert [s.kind for s in result.signatures] == ["organisation"]
    assert len(PdfReader(io.BytesIO(data)).pages) == 3
    assert_pdfsig_valid(data, 1)


def test_extract_keeps_only_the_chosen_pages(cast, registered):
    """Checklist point 16."""
    copy = actions.make_copy(document=registered, acting=cast.lan, unit=cast.staff, form=CopyForm.EXTRACT,
                             pages="2-3", secret=SIGNING_SECRET, otp=code_for(cast.lan))
    assert copy.pages == "2, 3"
    assert len(PdfReader(io.BytesIO(copy.file.read_bytes())).pages) == 2
    assert signing.validate(copy.file.read_bytes()).valid


def test_pages_outside_the_document_are_refused(cast, registered):
    with pytest.raises(ActionRefused) as err:
        actions.make_copy(document=registered, acting=cast.lan, unit=cast.staff, form=CopyForm.EXTRACT,
                          pages="2-9", secret=SIGNING_SECRET, otp=code_for(cast.lan))
    assert err.value.field == "pages"


def test_reissue_copy_is_made_from_a_true_copy(cast, registered):
    """Checklist point 16."""
    with pytest.raises(ActionRefused) as err:
        actions.make_copy(document=registered, acting=cast.lan, unit=cast.staff, form=CopyForm.REISSUE_COPY,
                          secret=SIGNING_SECRET, otp=code_for(cast.lan))
    assert err.value.code == "reissue_needs_true_copy"
    true_copy = actions.make_copy(document=registered, acting=cast.lan, unit=cast.staff, form=CopyForm.TRUE_COPY,
                                  secret=SIGNING_SECRET, otp=code_for(cast.lan))
    reissue = actions.make_copy(document=registered, acting=cast.hoa, unit=cast.command,
                                form=CopyForm.REISSUE_COPY, source_copy=true_copy, secret=SIGNING_SECRET,
                                otp=code_for(cast.hoa))
    result = signing.validate(reissue.file.read_bytes())
    assert result.valid
    assert len(result.signatures) == 2  # the Staff's true copy, then the Command's re-issue copy


def test_only_a_clerk_of_the_signing_unit_copies(cast, registered):
    with pytest.raises(ActionRefused):
        actions.make_copy(document=registered, acting=cast.lan, unit=cast.command, form=CopyForm.TRUE_COPY,
                          secret=SIGNING_SECRET, otp=code_for(cast.lan))
    with pytest.raises(ActionRefused):
        actions.make_copy(document=registered, acting=cast.quang, unit=cast.staff, form=CopyForm.TRUE_COPY,
                          secret=SIGNING_SECRET, otp=code_for(cast.quang))


def test_copy_page_makes_a_copy_and_lists_it(client, cast, registered):
    client.force_login(cast.lan.user)
    page = client.get(f"/documents/{registered.pk}/copy/")
    assert page.status_code == 200
    assert "SAO Y" in page.content.decode()
    done = client.post(f"/documents/{registered.pk}/copy/",
                       {"form": "SY", "unit": cast.staff.pk, "secret": SIGNING_SECRET, "otp": code_for(cast.lan)},
                       follow=True)
    text = done.content.decode()
    assert "Đã làm SAO Y" in text
    copy = registered.copies.get()
    assert f"/documents/{registered.pk}/file/{copy.file_id}/" in text
    assert client.get(f"/documents/{registered.pk}/file/{copy.file_id}/").status_code == 200
    client.force_login(cast.tam.user)
    assert client.get(f"/documents/{registered.pk}/copy/").status_code == 404
    assert client.get(f"/documents/{registered.pk}/file/{copy.file_id}/").status_code == 404
