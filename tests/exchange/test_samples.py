"""Envelopes published by other systems (tests/exchange/samples/README.md says where each comes from)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from tests.exchange.conftest import SAMPLES
from vanthu.exchange.edxml import BusinessDocType, EnvelopeInvalid, StatusCode, parse, verify
from vanthu.exchange.edxml.model import NS_QCVN

TODAY = dt.date(2026, 11, 21)


def _parse(name: str):
    return parse((SAMPLES / name).read_bytes(), today=TODAY)


@pytest.mark.parametrize(("name", "code", "answers"), [
    ("vxp_status_01_arrived.edxml", StatusCode.ARRIVED, "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"),
    ("vxp_status_02_refused.edxml", StatusCode.REFUSED, "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"),
    ("vxp_status_13_recall.edxml", StatusCode.RECALL_REQUESTED, "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"),
    ("vxp_status_15_change_accepted.edxml", StatusCode.CHANGE_ACCEPTED, "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"),
])
def test_sdk_status_messages(name, code, answers):
    """Checklist point 44."""
    parsed = _parse(name)
    assert parsed.kind == "status"
    assert parsed.namespace == NS_QCVN
    assert parsed.status is not None
    assert parsed.status.code == code
    assert parsed.status.response_for.document_id == answers
    assert parsed.status.response_for.code == "7816/VPCP-TTĐT"
    assert parsed.status.staff is not None


def test_sdk_status_01_says_who_and_when():
    parsed = _parse("vxp_status_01_arrived.edxml")
    assert parsed.status is not None
    assert parsed.status.from_.organ_id == "000.00.00.H41"
    assert parsed.status.from_.organ_name == "UBND Tỉnh Nghệ An"
    assert parsed.status.timestamp == dt.datetime(2015, 9, 20, 11, 8, 36)
    assert parsed.status.description.startswith("Văn thư - Phòng Văn thư - Lưu trữ: Đã đến")


def test_sdk_update_with_its_business_block():
    parsed = _parse("vxp_sdk_edoc_update_trimmed.edxml")
    assert parsed.envelope is not None
    header = parsed.envelope.header
    assert header.from_.organ_id == "000.00.00.G22"
    assert [o.organ_id for o in header.to] == ["000.00.00.H41", "000.00.00.H14", "000.00.00.G17"]
    assert (header.code.number, header.code.notation) == ("7816", "VPCP-TTĐT")
    business = parsed.envelope.business
    assert business is not None
    assert business.doc_type == BusinessDocType.UPDATE
    assert business.spelling == "Bussiness"
    assert [(r.organ_id, r.receiver_type) for r in business.receivers] == [("000.00.00.H41", 0),
                                                                           ("000.00.00.H14", 1)]
    assert business.document_info_changed is True
    assert parsed.signature_present


def test_sdk_replacement_and_revocation():
    """Checklist point 45."""
    replacement = _parse("vxp_sdk_edoc_replacement_trimmed.edxml").envelope
    assert replacement is not None
    assert replacement.business is not None
    assert replacement.business.doc_type == BusinessDocType.REPLACE
    assert [r.organ_ids for r in replacement.business.replacements] == [("000.00.00.H41", "000.00.00.H14")] * 2
    revocation = _parse("vxp_sdk_edoc_revocation_trimmed.edxml").envelope
    assert revocation is not None
    assert revocation.business is not None
    assert revocation.business.doc_type == BusinessDocType.REVOKE
    assert revocation.business.reason == "Thu hồi văn bản điện tử"


def test_sdk_pasted_signature_is_present_but_cannot_verify():
    """The SDK's samples carry a Signature copied without its xmlns: it is in the edXML namespace, not XMLDSig,
    and its value is a placeholder. Present, not valid, and the algorithm is still read."""
    check = verify((SAMPLES / "vxp_2019_pasted_signature.edxml").read_bytes())
    assert check.present
    assert not check.valid
    assert check.algorithm_name == "rsa-sha1"
    assert check.sha1
    assert "XMLDSig" in check.reason


def test_2019_envelope_with_uuid_id_and_empty_response_for():
    parsed = _parse("vxp_2019_pasted_signature.edxml")
    assert parsed.envelope is not None
    header = parsed.envelope.header
    assert header.document_id == "9fbfbad2-f1f8-4256-a2eb-50fb1061cddb"
    assert header.response_for == ()
    assert [t.organ_id for t in parsed.envelope.trace] == ["01.02.G22", "001.00.20.TT2"]
    assert parsed.envelope.attachments[0].kind == "zip"
    assert any("DocumentId" in w for w in parsed.warnings)


def test_gateway_pdf_attachment_is_read_in_full():
    parsed = _parse("gateway_2025_pdf.edxml")
    assert parsed.envelope is not None
    header = parsed.envelope.header
    assert header.document_type.type == 2
    assert header.other.priority == 1
    assert header.steering_type == 2
    (attachment,) = parsed.envelope.attachments
    assert attachment.name == "1761209178887_TestTrucLienThong.pdf"
    assert attachment.kind == "pdf"
    assert attachment.size == len(attachment.data) > 10_000
    assert attachment.sha256 == hashlib.sha256(attachment.data).hexdigest()
    assert not verify((SAMPLES / "gateway_2025_pdf.edxml").read_bytes()).present


def test_gateway_zip_packed_pdf_and_sender_without_name():
    parsed = _parse("gateway_2025_zip.edxml")
    assert parsed.envelope is not None
    assert parsed.envelope.header.from_.organ_name == ""
    assert parsed.envelope.attachments[0].content_type == "application/pdf"
    assert parsed.envelope.attachments[0].kind == "zip"


def test_gateway_code_number_too_long_is_refused():
    with pytest.raises(EnvelopeInvalid) as refused:
        _parse("gateway_2025_long_code.edxml")
    assert [(p.field, p.code) for p in refused.value.problems] == [("MessageHeader/Code/CodeNumber", "too_long")]


def test_sdk_file_with_text_before_the_declaration_is_not_xml():
    with pytest.raises(EnvelopeInvalid) as refused:
        _parse("vxp_sdk_edoc_new_trimmed.edxml")
    assert refused.value.code == "not_xml"
