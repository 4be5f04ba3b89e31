"""Build → parse round trips, and the checks of lengths and code sets on sending and on receipt."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from lxml import etree

from tests.exchange.conftest import DIVISION, PROVINCE, STAFF, TODAY, document, status
from vanthu.exchange.edxml import (
    Business,
    BusinessDocType,
    Code,
    DocumentId,
    EnvelopeInvalid,
    OtherInfo,
    ReceiverChange,
    ReplacementInfo,
    StatusCode,
    build_document,
    build_status,
    parse,
)
from vanthu.exchange.edxml.model import NS_EDOC, NS_QCVN


def test_document_round_trip_keeps_every_field():
    """Checklist point 42."""
    envelope = document()
    parsed = parse(build_document(envelope, today=TODAY), today=TODAY)
    assert parsed.kind == "document"
    assert parsed.namespace == NS_QCVN
    assert parsed.warnings == ()
    assert not parsed.signature_present
    assert parsed.envelope == envelope


def test_document_id_is_organ_date_number_notation():
    """Checklist point 43."""
    assert str(DocumentId(organ_id="000.00.00.G22", date=dt.date(2015, 9, 30), number="7816",
                          notation="VPCP-TTĐT")) == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert DocumentId.parse("000.00.00.G22,2015/09/30,7816/VPCP-TTĐT") == DocumentId(
        organ_id="000.00.00.G22", date=dt.date(2015, 9, 30), number="7816", notation="VPCP-TTĐT")
    assert DocumentId.parse("9fbfbad2-f1f8-4256-a2eb-50fb1061cddb") is None
    assert DocumentId.parse("000.00.00.G22,2014/02/30,7806/VPCP-TTĐT") is None  # 30 February


def test_built_envelope_has_the_sdk_shape():
    root = etree.fromstring(build_document(document(), today=TODAY))
    ns = {"e": NS_QCVN}
    assert root.tag == f"{{{NS_QCVN}}}edXML"
    assert root.findtext("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader/e:Code/e:CodeNumber", namespaces=ns) == "12"
    assert root.find("e:edXMLEnvelope/e:edXMLHeader/e:TraceHeaderList/e:Bussiness", ns) is not None
    assert root.findtext("e:edXMLEnvelope/e:edXMLBody/e:edXMLManifest/e:Reference/e:ContentId",
                         namespaces=ns) == "cid:12-KH-TM.pdf"
    assert root.find("e:AttachmentEncoded/e:Attachment/e:ContentTransferEncoded", ns) is not None


@pytest.mark.parametrize("doc_type", list(BusinessDocType))
def test_business_block_round_trip(doc_type):
    """Checklist point 45."""
    business = Business(
        doc_type=doc_type, reason="Lý do nghiệp vụ", document_id=f"{STAFF.organ_id},2026/11/19,11/KH-TM",
        paper=True,
        document_info_changed=True if doc_type == BusinessDocType.UPDATE else None,
        receivers_changed=True if doc_type == BusinessDocType.UPDATE else None,
        receivers=(ReceiverChange(organ_id=DIVISION.organ_id, receiver_type=1),)
        if doc_type == BusinessDocType.UPDATE else (),
        replacements=(ReplacementInfo(document_id=f"{STAFF.organ_id},2026/11/19,11/KH-TM",
                                      organ_ids=(DIVISION.organ_id,)),) if doc_type == BusinessDocType.REPLACE else (),
    )
    parsed = parse(build_document(document(business=business), today=TODAY), today=TODAY)
    assert parsed.envelope is not None
    assert parsed.envelope.business == business


@pytest.mark.parametrize("code", list(StatusCode))
def test_status_round_trip(code):
    """Checklist point 44."""
    message = status(code, description="Lý do: gửi nhầm nơi nhận")
    parsed = parse(build_status(message))
    assert parsed.kind == "status"
    assert parsed.status == message


def test_refusal_status_needs_its_reason():
    with pytest.raises(EnvelopeInvalid) as refused:
        build_status(status(StatusCode.REFUSED, description=""))
    assert refused.value.field == "MessageHeader/Description"
    assert refused.value.code == "required"


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"code": Code(number="123456789012", notation="KH-TM")}, "MessageHeader/Code/CodeNumber", "too_long"),
    ({"code": Code(number="12", notation="K" * 31)}, "MessageHeader/Code/CodeNotation", "too_long"),
    ({"subject": "V" * 501}, "MessageHeader/Subject", "too_long"),
    ({"other": OtherInfo(priority=5)}, "MessageHeader/OtherInfo/Priority", "not_in_code_set"),
    ({"other": OtherInfo(typer_notation="Q" * 11)}, "MessageHeader/OtherInfo/TyperNotation", "too_long"),
    ({"steering_type": 3}, "MessageHeader/SteeringType", "not_in_code_set"),
    ({"to": ()}, "MessageHeader/To", "required"),
    ({"to": (DIVISION, DIVISION)}, "MessageHeader/To[2]/OrganId", "duplicate"),
    ({"document_id": "a-uuid-of-ours"}, "MessageHeader/DocumentId", "bad_format"),
    ({"document_id": "000.00.10.Q10,2026/11/20,12/KH-TM"}, "MessageHeader/DocumentId", "bad_format"),
    ({"to_places": ("N" * 151,)}, "MessageHeader/ToPlaces/Place[1]", "too_long"),
])
def test_build_refuses_and_names_the_field(change, field, code):
    """Checklist point 46."""
    with pytest.raises(EnvelopeInvalid) as refused:
        build_document(document(**change), today=TODAY)
    assert [(p.field, p.code) for p in refused.value.problems] == [(field, code)]
    assert field in refused.value.message


def test_build_refuses_a_document_dated_tomorrow():
    with pytest.raises(EnvelopeInvalid) as refused:
        build_document(document(), today=dt.date(2026, 11, 19))
    assert refused.value.code == "future"


def test_build_refuses_business_type_outside_the_code_set():
    """Checklist point 46."""
    bad = dataclasses.replace(Business(), doc_type=7)  # type: ignore[arg-type]
    with pytest.raises(EnvelopeInvalid) as refused:
        build_document(document(business=bad), today=TODAY)
    assert refused.value.field == "TraceHeaderList/Bussiness/BussinessDocType"


def test_error_messages_are_translated(settings):
    from django.utils import translation

    with translation.override("en"), pytest.raises(EnvelopeInvalid) as refused:
        build_document(document(code=Code(number="123456789012", notation="KH-TM")), today=TODAY)
    assert refused.value.message == ("“MessageHeader/Code/CodeNumber” is 12 characters long, over the 11 "
                                     "characters allowed.")


def _edit(data: bytes, old: str, new: str) -> bytes:
    assert old.encode() in data
    return data.replace(old.encode(), new.encode(), 1)


@pytest.mark.parametrize(("old", "new", "field", "code"), [
    ("<edXML:CodeNumber>12<", "<edXML:CodeNumber>123456789012<", "MessageHeader/Code/CodeNumber", "too_long"),
    ("<edXML:Priority>1<", "<edXML:Priority>9<", "MessageHeader/OtherInfo/Priority", "not_in_code_set"),
    ("<edXML:Priority>1<", "<edXML:Priority>khẩn<", "MessageHeader/OtherInfo/Priority", "bad_format"),
    ("<edXML:BussinessDocType>0<", "<edXML:BussinessDocType>4<", "TraceHeaderList/Bussiness/BussinessDocType",
     "not_in_code_set"),
    ("<edXML:PromulgationDate>2026/11/20<", "<edXML:PromulgationDate>20/11/2026<",
     "MessageHeader/PromulgationInfo/PromulgationDate", "bad_format"),
    ("<edXML:Subject>Kế hoạch", "<edXML:Subject>" + "V" * 500, "MessageHeader/Subject", "too_long"),
    ("<edXML:ContentTransferEncoded>JVBER", "<edXML:ContentTransferEncoded>!!!!", "edXMLManifest/Reference[1]/"
     "ContentTransferEncoded", "bad_base64"),
    ("<edXML:ContentId>cid:12-KH-TM.pdf</edXML:ContentId>\n      <edXML:AttachmentName>",
     "<edXML:ContentId>cid:other</edXML:ContentId>\n      <edXML:AttachmentName>",
     "edXMLManifest/Reference[1]/ContentId", "missing_content"),
])
def test_parse_refuses_and_names_the_field(old, new, field, code):
    data = _edit(build_document(document(), today=TODAY), old, new)
    with pytest.raises(EnvelopeInvalid) as refused:
        parse(data, today=TODAY)
    assert (field, code) in [(p.field, p.code) for p in refused.value.problems]


def test_parse_refuses_unknown_status_code():
    data = _edit(build_status(status()), "<edXML:StatusCode>01<", "<edXML:StatusCode>07<")
    with pytest.raises(EnvelopeInvalid) as refused:
        parse(data)
    assert refused.value.field == "MessageHeader/StatusCode"
    assert refused.value.code == "not_in_code_set"


def test_parse_lists_every_problem():
    data = _edit(build_document(document(), today=TODAY), "<edXML:CodeNumber>12<", "<edXML:CodeNumber>123456789012<")
    data = _edit(data, "<edXML:Priority>1<", "<edXML:Priority>9<")
    with pytest.raises(EnvelopeInvalid) as refused:
        parse(data, today=TODAY)
    assert [p.field for p in refused.value.problems] == ["MessageHeader/Code/CodeNumber",
                                                          "MessageHeader/OtherInfo/Priority"]


def test_parse_accepts_what_other_systems_send_and_says_so():
    """An opaque DocumentId and a DocumentType code other than 1/2 (a real envelope used 71) are accepted on
    receipt; vanthu itself never sends them."""
    data = _edit(build_document(document(), today=TODAY), "<edXML:Type>1<", "<edXML:Type>71<")
    data = _edit(data, "000.00.02.Q10,2026/11/20,12/KH-TM", "9fbfbad2-f1f8-4256-a2eb-50fb1061cddb")
    parsed = parse(data, today=TODAY)
    assert parsed.envelope is not None
    assert parsed.envelope.header.document_type.type == 71
    assert parsed.envelope.header.document_id == "9fbfbad2-f1f8-4256-a2eb-50fb1061cddb"
    assert any("DocumentId" in w for w in parsed.warnings)
    with pytest.raises(EnvelopeInvalid):
        build_document(parsed.envelope, today=TODAY)


def _strip_prefixes(data: bytes, namespace: str | None) -> bytes:
    """The same message written with a default namespace (or none) and no prefix anywhere."""

    def copy(element: etree._Element, parent: etree._Element | None) -> etree._Element:
        local = etree.QName(element).localname
        tag = f"{{{namespace}}}{local}" if namespace else local
        clone = etree.Element(tag, nsmap={None: namespace} if namespace else None) if parent is None \
            else etree.SubElement(parent, tag)
        clone.text, clone.tail = element.text, element.tail
        clone.attrib.update(element.attrib)
        for child in element:
            copy(child, clone)
        return clone

    return etree.tostring(copy(etree.fromstring(data), None))


@pytest.mark.parametrize("namespace", [NS_QCVN, NS_EDOC, None])
def test_no_prefix_old_namespace_and_no_namespace_parse_alike(namespace):
    envelope = document()
    data = _strip_prefixes(build_document(envelope, today=TODAY), namespace)
    assert b"edXML:" not in data
    parsed = parse(data, today=TODAY)
    assert parsed.envelope == envelope
    assert parsed.namespace == (namespace or "")
    assert any(NS_EDOC in w for w in parsed.warnings) == (namespace == NS_EDOC)


def test_other_prefix_and_element_order_do_not_matter():
    envelope = document()
    data = build_document(envelope, today=TODAY).replace(b"edXML:", b"q:").replace(b"xmlns:edXML", b"xmlns:q")
    root = etree.fromstring(data)
    header = root.find(f".//{{{NS_QCVN}}}MessageHeader")
    header[:] = list(reversed(header))  # every child of MessageHeader in reverse order
    parsed = parse(etree.tostring(root), today=TODAY)
    assert parsed.envelope is not None
    assert parsed.envelope.header.to == (PROVINCE, DIVISION)  # the order of the To elements is kept
    assert parsed.envelope == dataclasses.replace(
        envelope, header=dataclasses.replace(envelope.header, to=(PROVINCE, DIVISION)))


def test_business_spelled_business_is_read_and_noted():
    envelope = document(business=Business(doc_type=BusinessDocType.REVOKE, reason="Thu hồi do sai thể thức"))
    data = build_document(envelope, today=TODAY).replace(b"Bussiness", b"Business")
    parsed = parse(data, today=TODAY)
    assert parsed.envelope is not None
    business = parsed.envelope.business
    assert business is not None
    assert business.doc_type == BusinessDocType.REVOKE
    assert business.reason == "Thu hồi do sai thể thức"
    assert business.spelling == "Business"
    assert any("Business" in w for w in parsed.warnings)


def test_a_file_that_is_not_edxml_is_refused():
    with pytest.raises(EnvelopeInvalid) as refused:
        parse(b"<html><body>not edXML</body></html>")
    assert refused.value.code == "not_edxml"


def test_envelope_wrapped_in_soap_with_the_older_author_block():
    """The pre-QCVN form some hubs still send: SOAP around it, the e-doc.vn namespace, Author/Function."""
    envelope = document()
    data = _strip_prefixes(build_document(envelope, today=TODAY), NS_EDOC).decode()
    data = data.replace("SignerInfo>", "Author>").replace("Position>", "Function>")
    soap = ('<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>'
            + data + "</SOAP-ENV:Body></SOAP-ENV:Envelope>")
    parsed = parse(soap.encode(), today=TODAY)
    assert parsed.namespace == NS_EDOC
    assert parsed.envelope == envelope


def test_children_are_found_by_name_as_before_in_every_namespace():
    """`parse._children` looks each child's tag up in the set of the accepted tags: the same children, in the same
    order, as asking `_is` of each — edXML's namespace, e-doc's, none; not another namespace, a comment, an
    instruction or an entity."""
    import importlib

    edxml_parse = importlib.import_module("vanthu.exchange.edxml.parse")

    root = etree.fromstring(
        f'<r xmlns:q="{NS_QCVN}" xmlns:e="{NS_EDOC}" xmlns:o="urn:other">'
        "<q:Code/><e:Code/><Code/><o:Code/><!-- Code --><?Code x?><q:Subject/><Codes/><q:code/>"
        "<e:Subject/><Subject>&#65;</Subject></r>")
    root.append(etree.Entity("amp"))
    root.append(etree.Element("{}Code"))
    for names in (("Code",), ("Subject",), ("Code", "Subject"), ("Nothing",), ("code",)):
        expected = [child for child in root if edxml_parse._is(child, *names)]
        assert edxml_parse._children(root, *names) == expected
    assert [child.tag for child in edxml_parse._children(root, "Code")] == [
        f"{{{NS_QCVN}}}Code", f"{{{NS_EDOC}}}Code", "Code", "Code"]
