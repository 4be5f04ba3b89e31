"""vanthu's verifier: valid documents pass; tampered, revoked, untrusted, unreadable and unsigned ones do not,
each with a Vietnamese reason; results are kept with the file and shown in Vietnamese."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from tests.signing import pdf_checks
from tests.signing.pdf_checks import (
    DATE,
    NUMBER,
    SON_BLOCK,
    flip_byte_inside_signed_range,
    overwrite_page_in_later_update,
    pdfsig,
)
from vanthu.core import files
from vanthu.core.actors import TEST_FIXTURES
from vanthu.signing import backends, pades, pades_engine, service, validation
from vanthu.signing.actions import revoke_certificate
from vanthu.signing.bench import make_pki
from vanthu.signing.models import FileValidation
from vanthu.signing.testing import SIGNING_SECRET

equipped_cast = pdf_checks.lean_equipped_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(equipped_cast, draft_pdf) -> bytes:
    signed = service.sign_personal(pdf=draft_pdf, person=equipped_cast.son, block=SON_BLOCK, secret=SIGNING_SECRET)
    return service.seal_issued(pdf=signed, unit=equipped_cast.staff, number_text=NUMBER, date_text=DATE,
                               secret=SIGNING_SECRET)


def test_issued_document_is_valid_with_signers_times_and_levels(issued):
    """Checklist point 18."""
    result = validation.validate_pdf(issued)
    assert result.valid
    assert result.readable
    assert not result.problem
    personal, organisation = result.signatures
    assert personal.signer == "Hoàng Văn Sơn"
    assert personal.kind == "personal"
    assert organisation.kind == "organisation"
    for signature in result.signatures:
        assert signature.intact
        assert signature.trusted
        assert not signature.revoked
        assert not signature.problems
        assert signature.signing_time is not None
        assert signature.signing_time.utcoffset().total_seconds() == 7 * 3600


def test_bytes_changed_inside_the_signed_range_are_detected(issued):
    tampered = flip_byte_inside_signed_range(issued)
    result = validation.validate_pdf(tampered)
    assert not result.valid
    assert all(not s.intact and not s.valid for s in result.signatures)
    assert "không còn nguyên vẹn" in result.signatures[0].problems[0]
    assert "Signature is Valid." not in pdfsig(tampered), "pdfsig agrees"


def test_content_changed_by_a_later_incremental_update_is_detected(issued):
    """Checklist point 35."""
    tampered = overwrite_page_in_later_update(issued)
    result = validation.validate_pdf(tampered)
    assert not result.valid
    assert all(s.intact for s in result.signatures), "the signed bytes themselves are untouched"
    assert [s.modified_after for s in result.signatures] == ["other", "other"]
    assert any("sửa đổi sau khi ký" in p for p in result.signatures[0].problems)


def test_revoked_signer_is_rejected(issued, equipped_cast):
    certificate = backends.credential_of(equipped_cast.son).certificate
    revoke_certificate(certificate=certificate, reason="keyCompromise", acting=TEST_FIXTURES)
    result = validation.validate_pdf(issued)
    assert not result.valid
    personal, organisation = result.signatures
    assert personal.revoked
    assert not personal.valid
    assert "thu hồi" in " ".join(personal.problems)
    assert organisation.valid


def test_signature_timestamped_before_a_revocation_stays_valid(equipped_cast, draft_pdf, settings):
    settings.TSA_URL = "builtin"
    settings.PADES_LEVEL = "B-T"
    signed = service.sign_personal(pdf=draft_pdf, person=equipped_cast.son, block=SON_BLOCK, secret=SIGNING_SECRET)
    revoke_certificate(certificate=backends.credential_of(equipped_cast.son).certificate, reason="superseded",
                       acting=TEST_FIXTURES)
    (signature,) = validation.validate_pdf(signed).signatures
    assert signature.valid
    assert not signature.revoked


def test_signature_chaining_to_an_untrusted_root_is_rejected(draft_pdf, db):
    foreign = make_pki("rsa")  # a CA vanthu's trust store does not know
    signed = pades.sign_personal_with(draft_pdf, credential=foreign.person, block=SON_BLOCK,
                                      found_services=pades_engine.Services(level="B-B"))
    result = validation.validate_pdf(signed)
    (signature,) = result.signatures
    assert signature.intact
    assert not signature.trusted
    assert not result.valid
    assert "tin cậy" in signature.problems[0]
    assert validation.validate_pdf(signed, trust_roots=[foreign.root]).valid, "valid against its own root"


def test_unsigned_pdf_is_reported_as_unsigned(draft_pdf):
    result = validation.validate_pdf(draft_pdf)
    assert result.readable
    assert not result.valid
    assert not result.signatures
    assert result.problem == "Tệp PDF không có chữ ký số."


@pytest.mark.parametrize("data", [b"", b"hello", b"%PDF-1.4\n%%EOF\n garbage"])
def test_unreadable_input_is_reported(data):
    result = validation.validate_pdf(data)
    assert not result.valid
    assert not result.readable or not result.signatures
    assert result.problem


def test_encrypted_pdf_is_reported_unreadable(draft_pdf):
    from tests.signing.test_pades import encrypted

    result = validation.validate_pdf(encrypted(draft_pdf))
    assert not result.readable
    assert "mã hóa" in result.problem


def test_validate_and_store_keeps_the_report_with_the_file(issued):
    stored = files.store_bytes(issued, content_type="application/pdf")
    result = validation.validate_and_store(stored)
    row = FileValidation.objects.get(file=stored)
    assert row.valid
    assert row.readable
    assert row.report["signatures"][0]["signer"] == "Hoàng Văn Sơn"
    again = validation.stored_result(stored)
    assert again == result


def test_validation_panel_renders_in_vietnamese(issued, draft_pdf):
    html = render_to_string("signing/_validation.html", {"validation": validation.validate_pdf(issued)})
    assert "Hoàng Văn Sơn" in html
    assert "Hợp lệ" in html
    assert "chữ ký cá nhân" in html.lower()
    assert "2026-" not in html or "+07:00" in html or ":" in html
    tampered = render_to_string("signing/_validation.html",
                                {"validation": validation.validate_pdf(overwrite_page_in_later_update(issued))})
    assert "Không hợp lệ" in tampered
    assert "sửa đổi sau khi ký" in tampered
    unsigned = render_to_string("signing/_validation.html", {"validation": validation.validate_pdf(draft_pdf)})
    assert "không có chữ ký số" in unsigned
    assert "style=" not in html
    assert "<script" not in html
