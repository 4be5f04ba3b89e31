"""PAdES signing through the contract (service.py): what was approved is what is signed, the Decree 30
appearance, number and date filled as a permitted change, the organisation signature, and the refusals."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from tests.signing import pdf_checks
from tests.signing.pdf_checks import (
    DATE,
    NUMBER,
    SON_BLOCK,
    assert_pdfsig_valid,
    count_pixels,
    field_values,
    render,
    widget_rects,
)
from vanthu.demo.pdfs import sample_draft
from vanthu.signing import pades, pades_engine, pades_form, service
from vanthu.signing.service import SigningRefused
from vanthu.signing.testing import SIGNING_SECRET

equipped_cast = pdf_checks.lean_equipped_cast

pytestmark = pytest.mark.django_db


def _sign(cast, pdf: bytes) -> bytes:
    return service.sign_personal(pdf=pdf, person=cast.son, block=SON_BLOCK, secret=SIGNING_SECRET,
                                 reason="Phê duyệt")


def _issue(cast, pdf: bytes) -> bytes:
    return service.seal_issued(pdf=_sign(cast, pdf), unit=cast.staff, number_text=NUMBER, date_text=DATE,
                               secret=SIGNING_SECRET)


def test_personal_signature_keeps_the_approved_pdf_byte_for_byte(equipped_cast, draft_pdf):
    signed = _sign(equipped_cast, draft_pdf)
    assert signed[: len(draft_pdf)] == draft_pdf
    assert_pdfsig_valid(signed, 1)
    result = service.validate(signed)
    assert result.valid, result
    (signature,) = result.signatures
    assert signature.signer == "Hoàng Văn Sơn"
    assert signature.kind == "personal"
    assert signature.level == "B-B"
    assert signature.modified_after == "none"


def test_personal_signature_adds_empty_read_only_number_and_date_fields(equipped_cast, draft_pdf):
    signed = _sign(equipped_cast, draft_pdf)
    values = field_values(signed)
    assert values[pades_form.NUMBER_FIELD] == ""
    assert values[pades_form.DATE_FIELD] == ""
    rects = widget_rects(signed)
    number, date = rects[pades_form.NUMBER_FIELD], rects[pades_form.DATE_FIELD]
    assert number[2] < date[0] + 20, "the number is in the left column, the date in the right one"
    assert 700 < number[1] < 760, "on the line under the header"
    assert 700 < date[1] < 760, "on the line under the header"


def test_signature_image_sits_between_position_line_and_name(equipped_cast, draft_pdf):
    """Checklist point 13."""
    signed = _sign(equipped_cast, draft_pdf)
    x1, y1, x2, y2 = widget_rects(signed)[pades.PERSONAL_FIELD]
    # sample_draft: competence line baseline ≈ 499.5 pt, name line baseline ≈ 408.8 pt, name centred ≈ 421.6
    assert y1 > 408.8 + 9
    assert y2 < 499.5
    assert abs((x1 + x2) / 2 - 421.6) < 3
    image = render(signed, dpi=50)
    assert count_pixels(image, (x1, y1, x2, y2), page_height=841.89, dpi=50, colour="blue") > 30


def test_issuance_fills_number_and_date_without_invalidating_the_personal_signature(equipped_cast, draft_pdf):
    """Checklist point 18."""
    issued = _issue(equipped_cast, draft_pdf)
    assert_pdfsig_valid(issued, 2)
    result = service.validate(issued)
    assert result.valid, result
    personal, organisation = result.signatures
    assert (personal.kind, personal.modified_after) == ("personal", "form_filling")
    assert (organisation.kind, organisation.modified_after) == ("organisation", "none")
    assert organisation.signer == equipped_cast.staff.name
    values = field_values(issued)
    assert values[pades_form.NUMBER_FIELD] == NUMBER
    assert values[pades_form.DATE_FIELD] == DATE


def test_issued_document_shows_blue_signature_and_red_seal_over_its_left_third(equipped_cast, draft_pdf):
    """Checklist point 14."""
    issued = _issue(equipped_cast, draft_pdf)
    rects = widget_rects(issued)
    sx1, sy1, sx2, sy2 = rects[pades.PERSONAL_FIELD]
    seal = rects[pades.SEAL_FIELD]
    third = sx1 + (sx2 - sx1) / 3
    assert abs(seal[2] - third) < 1, "the seal's right edge is a third of the way into the signature"
    assert seal[2] - seal[0] == pytest.approx(38 * 72 / 25.4, abs=1), "actual size: 38 mm (testing.seal_png)"
    image = render(issued, dpi=50)
    height = 841.89
    assert count_pixels(image, (third, sy1, sx2, sy2), page_height=height, dpi=50, colour="blue") > 20
    assert count_pixels(image, (seal[0], sy1, seal[2], sy2), page_height=height, dpi=50, colour="red") > 50
    assert count_pixels(image, (sx1, sy1, third, sy2), page_height=height, dpi=50, colour="red") > 10
    number = rects[pades_form.NUMBER_FIELD]
    assert count_pixels(image, number, page_height=height, dpi=50, colour="dark") > 20


def test_issuance_refuses_a_document_without_personal_signature(equipped_cast, draft_pdf):
    with pytest.raises(SigningRefused) as refused:
        service.seal_issued(pdf=draft_pdf, unit=equipped_cast.staff, number_text=NUMBER, date_text=DATE,
                            secret=SIGNING_SECRET)
    assert refused.value.code == "not_signed"


def test_issuance_refuses_a_document_sealed_by_a_unit_only(equipped_cast, draft_pdf):
    """Checklist point 12."""
    sealed_only = service.seal_text_only(pdf=draft_pdf, unit=equipped_cast.office, lines=["Văn phòng"],
                                         secret=SIGNING_SECRET)
    with pytest.raises(SigningRefused) as refused:
        service.seal_issued(pdf=sealed_only, unit=equipped_cast.staff, number_text=NUMBER, date_text=DATE,
                            secret=SIGNING_SECRET)
    assert refused.value.code == "not_signed"


def test_attachment_gets_text_only_organisation_signature_top_right(equipped_cast, draft_pdf):
    """Checklist point 15."""
    attachment = sample_draft(subject="Phụ lục kèm theo kế hoạch")
    sealed = service.seal_text_only(pdf=attachment, unit=equipped_cast.staff,
                                    lines=[equipped_cast.staff.name, NUMBER], secret=SIGNING_SECRET)
    assert sealed[: len(attachment)] == attachment
    assert_pdfsig_valid(sealed, 1)
    result = service.validate(sealed)
    assert result.valid
    assert result.signatures[0].kind == "organisation"
    x1, y1, x2, y2 = widget_rects(sealed)[pades.COPY_FIELD]
    assert x2 > 595.28 - 20 * 72 / 25.4, "right of page 1"
    assert y2 > 841.89 - 8 * 72 / 25.4, "top of page 1"
    image = render(sealed, dpi=100)
    assert count_pixels(image, (x1, y1, x2, y2), page_height=841.89, dpi=100, colour="dark") > 60
    assert count_pixels(image, (x1, y1, x2, y2), page_height=841.89, dpi=100, colour="red") == 0


def test_signing_time_in_the_text_stamp_is_iso_8601_vietnam_time():
    """Checklist point 15."""
    moment = pades_engine.iso_time(pades_engine.vietnam_now())
    assert moment.endswith("+07:00")
    assert "T" in moment


@pytest.mark.parametrize("pages", [1, 30])
def test_thirty_page_document_is_signed_on_its_last_page(equipped_cast, pages):
    draft = sample_draft(pages=pages)
    issued = _issue(equipped_cast, draft)
    assert_pdfsig_valid(issued, 2)
    assert service.validate(issued).valid


def test_number_and_date_can_be_left_empty(equipped_cast, draft_pdf):
    signed = _sign(equipped_cast, draft_pdf)
    issued = service.seal_issued(pdf=signed, unit=equipped_cast.staff, number_text="", date_text="",
                                 secret=SIGNING_SECRET)
    assert service.validate(issued).valid
    assert field_values(issued)[pades_form.NUMBER_FIELD] == ""


# --- refusals: nothing half-done -------------------------------------------------------------------------


def encrypted(pdf: bytes) -> bytes:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password="", owner_password="chu-so-huu", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _certified_no_changes(pdf: bytes, cast) -> bytes:
    from pyhanko.sign import fields, signers

    from vanthu.signing import backends

    credential = backends.open_credential(cast.hung, secret=SIGNING_SECRET)
    meta = signers.PdfSignatureMetadata(field_name="Certification", certify=True,
                                        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
                                        subfilter=fields.SigSeedSubFilter.PADES)
    return signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=credential.signer).getvalue()


def test_encrypted_pdf_is_refused(equipped_cast, draft_pdf):
    with pytest.raises(SigningRefused) as refused:
        _sign(equipped_cast, encrypted(draft_pdf))
    assert refused.value.code == "encrypted_pdf"


@pytest.mark.parametrize("data", [b"%PDF-1.7\n garbage", b"not a pdf at all", b""])
def test_corrupt_pdf_is_refused(equipped_cast, data):
    with pytest.raises(SigningRefused) as refused:
        _sign(equipped_cast, data)
    assert refused.value.code == "corrupt_pdf"


def test_pdf_certified_with_no_changes_allowed_is_refused(equipped_cast, draft_pdf):
    certified = _certified_no_changes(draft_pdf, equipped_cast)
    with pytest.raises(SigningRefused) as refused:
        _sign(equipped_cast, certified)
    assert refused.value.code == "certified_no_changes"


@pytest.mark.parametrize(("tsa", "level", "codes", "words"), [
    # a TSA where nothing listens
    ("http://127.0.0.1:9/tsa", "B-T", ("tsa_unreachable", "service_unreachable"), "dấu thời gian"),
    # equipped_cast's certificates name OCSP/CRL URLs under PUBLIC_URL, where nothing listens
    ("builtin", "B-LT", ("revinfo_unreachable", "service_unreachable"), "OCSP/CRL"),
])
def test_unreachable_services_refuse_with_a_clear_message(equipped_cast, draft_pdf, settings, tsa, level, codes,
                                                          words):
    settings.TSA_URL = tsa
    settings.PADES_LEVEL = level
    with pytest.raises(SigningRefused) as refused:
        _sign(equipped_cast, draft_pdf)
    assert refused.value.code in codes
    assert words in refused.value.message


def test_wrong_passphrase_is_refused_before_anything_is_written(equipped_cast, draft_pdf):
    with pytest.raises(SigningRefused) as refused:
        service.sign_personal(pdf=draft_pdf, person=equipped_cast.son, block=SON_BLOCK, secret="sai-mat-khau")
    assert refused.value.code == "wrong_secret"


def test_bad_level_setting_is_refused(settings):
    settings.PADES_LEVEL = "B-XYZ"
    with pytest.raises(SigningRefused):
        pades_engine.configured_level()


def test_default_level_is_b_lt_with_a_tsa_service_b_t_with_the_builtin_one_else_b_b(settings):
    settings.PADES_LEVEL = ""
    settings.TSA_URL = ""
    assert pades_engine.configured_level() == "B-B"
    settings.TSA_URL = "builtin"
    assert pades_engine.configured_level() == "B-T"
    settings.TSA_URL = "http://127.0.0.1:9/tsa"
    assert pades_engine.configured_level() == "B-LT"
