"""Write edXML: a document envelope or a status message, in the element order of the official VXP SDK.

Everything is checked first (validate.py, sending=True): an envelope that breaks a length or a code set is
refused with EnvelopeInvalid naming the field, never written. The result is unsigned; signature.sign()
adds the unit's XMLDSig signature in edXMLHeader, where the SDK puts it.
"""

from __future__ import annotations

import base64
import datetime as dt

from lxml import etree

from vanthu.exchange.edxml.errors import EnvelopeInvalid
from vanthu.exchange.edxml.largetext import LargeTexts
from vanthu.exchange.edxml.model import (
    DATE_FORMAT,
    NS_QCVN,
    TIMESTAMP_FORMAT,
    Business,
    Envelope,
    Organization,
    ResponseFor,
    StaffInfo,
    StatusMessage,
)
from vanthu.exchange.edxml.signature import CertInput, KeyInput, sign_tree
from vanthu.exchange.edxml.validate import check_envelope, check_status

NSMAP = {"edXML": NS_QCVN}


def _q(name: str) -> str:
    return f"{{{NS_QCVN}}}{name}"


def _add(parent: etree._Element, name: str, text: str | int | None = None) -> etree._Element:
    element = etree.SubElement(parent, _q(name))
    if text is not None:
        element.text = str(text)
    return element


def _add_if(parent: etree._Element, name: str, text: str | int | None) -> None:
    if text not in (None, ""):
        _add(parent, name, text)


def _date(value: dt.date | None) -> str:
    return value.strftime(DATE_FORMAT) if value is not None else ""


def _organization(parent: etree._Element, name: str, org: Organization) -> None:
    element = _add(parent, name)
    _add(element, "OrganId", org.organ_id)
    _add_if(element, "OrganizationInCharge", org.organization_in_charge)
    _add_if(element, "OrganName", org.organ_name)
    _add_if(element, "OrganAdd", org.address)
    _add_if(element, "Email", org.email)
    _add_if(element, "Telephone", org.telephone)
    _add_if(element, "Fax", org.fax)
    _add_if(element, "Website", org.website)


def _response_for(parent: etree._Element, response: ResponseFor) -> None:
    element = _add(parent, "ResponseFor")
    _add(element, "OrganId", response.organ_id)
    _add(element, "Code", response.code)
    _add(element, "PromulgationDate", _date(response.promulgation_date))
    _add(element, "DocumentId", response.document_id)


def _staff(parent: etree._Element, staff: StaffInfo | None) -> None:
    if staff is None:
        return
    element = _add(parent, "StaffInfo")
    _add_if(element, "Department", staff.department)
    _add_if(element, "Staff", staff.staff)
    _add_if(element, "Mobile", staff.mobile)
    _add_if(element, "Email", staff.email)


def _business(parent: etree._Element, business: Business) -> None:
    element = _add(parent, "Bussiness")  # the spec's spelling
    _add_if(element, "DocumentId", business.document_id)
    _add(element, "BussinessDocType", int(business.doc_type))
    _add(element, "BussinessDocReason", business.reason)
    _add(element, "Paper", 1 if business.paper else 0)
    if business.document_info_changed is not None or business.receivers_changed is not None or business.receivers:
        info = _add(element, "BussinessDocumentInfo")
        _add(info, "DocumentInfo", 1 if business.document_info_changed else 0)
        _add(info, "DocumentReceiver", 1 if business.receivers_changed else 0)
        receivers = _add(info, "ReceiverList")
        for receiver in business.receivers:
            item = _add(receivers, "Receiver")
            _add(item, "OrganId", receiver.organ_id)
            _add(item, "ReceiverType", receiver.receiver_type)
    if business.replacements:
        replacements = _add(element, "ReplacementInfoList")
        for replacement in business.replacements:
            item = _add(replacements, "ReplacementInfo")
            _add(item, "DocumentId", replacement.document_id)
            organs = _add(item, "OrganIdList")
            for organ in replacement.organ_ids:
                _add(organs, "OrganId", organ)
    _staff(element, business.staff)


def _serialize(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def build_document(envelope: Envelope, *, today: dt.date | None = None) -> bytes:
    """The unsigned edXML of a document; EnvelopeInvalid when a field breaks a rule (every problem listed)."""
    return _serialize(document_tree(envelope, today=today))


def sign_document(envelope: Envelope, *, key: KeyInput, certificate: CertInput,
                  chain: list[CertInput] | tuple[()] = (), today: dt.date | None = None) -> bytes:
    """`sign(build_document(envelope), ...)`, the same bytes, without writing the envelope out and parsing it
    back in between (a document's attachments make it hundreds of kilobytes): the tree is indented as the
    pretty printing of `build_document` writes it (the whitespace its parse keeps, which the signature covers),
    an empty text as its parse reads it, then signed as it is (decision 0033;
    tests/exchange/test_edxml_sign_document.py compares the bytes)."""
    large = LargeTexts(keep=False)  # the attachments' base64 stands aside as markers (largetext.py)
    root = document_tree(envelope, today=today, large=large)
    for element in root.iter():
        if element.text == "":
            element.text = None  # written <a></a>, parsed back as <a/>: the same element, another spelling
    etree.indent(root, space="  ")
    return sign_tree(root, key=key, certificate=certificate, chain=chain, large=large)


def document_tree(envelope: Envelope, *, today: dt.date | None = None,
                  large: LargeTexts | None = None) -> etree._Element:
    """The unsigned edXML of a document as the tree `build_document` serialises (EnvelopeInvalid as there).
    `large`: the attachments' base64 goes there, each a marker in the tree (`sign_document`)."""
    problems = check_envelope(envelope, sending=True, today=today or dt.date.today())
    if problems:
        raise EnvelopeInvalid(problems)
    h = envelope.header
    root = etree.Element(_q("edXML"), nsmap=NSMAP)
    env = _add(root, "edXMLEnvelope")
    head = _add(env, "edXMLHeader")
    mh = _add(head, "MessageHeader")
    _organization(mh, "From", h.from_)
    for org in h.to:
        _organization(mh, "To", org)
    _add(mh, "DocumentId", h.document_id)
    code = _add(mh, "Code")
    _add(code, "CodeNumber", h.code.number)
    _add(code, "CodeNotation", h.code.notation)
    promulgation = _add(mh, "PromulgationInfo")
    _add(promulgation, "Place", h.promulgation.place)
    _add(promulgation, "PromulgationDate", _date(h.promulgation.date))
    doc_type = _add(mh, "DocumentType")
    _add(doc_type, "Type", h.document_type.type)
    _add_if(doc_type, "TypeDetail", h.document_type.type_detail)
    _add(doc_type, "TypeName", h.document_type.type_name)
    _add(mh, "Subject", h.subject)
    _add(mh, "Content", h.content)
    signer = _add(mh, "SignerInfo")
    _add_if(signer, "Competence", h.signer.competence)
    _add_if(signer, "Position", h.signer.position)
    _add(signer, "FullName", h.signer.full_name)
    _add_if(mh, "DueDate", _date(h.due_date))
    other = _add(mh, "OtherInfo")
    _add(other, "Priority", h.other.priority)
    _add_if(other, "SphereOfPromulgation", h.other.sphere_of_promulgation)
    _add_if(other, "TyperNotation", h.other.typer_notation)
    _add_if(other, "PromulgationAmount", h.other.promulgation_amount)
    _add_if(other, "PageAmount", h.other.page_amount)
    if h.other.direction is not None:
        _add(other, "Direction", "true" if h.other.direction else "false")
    if h.other.appendixes:
        appendixes = _add(other, "Appendixes")
        for appendix in h.other.appendixes:
            _add(appendixes, "Appendix", appendix)
    if h.other.security_level:
        _add(other, "SecurityLevel", h.other.security_level)
    _add_if(mh, "SteeringType", h.steering_type)
    if h.to_places:
        places = _add(mh, "ToPlaces")
        for place in h.to_places:
            _add(places, "Place", place)
    for response in h.response_for:
        _response_for(mh, response)

    trace = _add(head, "TraceHeaderList")
    for hop in envelope.trace:
        element = _add(trace, "TraceHeader")
        _add(element, "OrganId", hop.organ_id)
        _add(element, "Timestamp", hop.timestamp.strftime(TIMESTAMP_FORMAT) if hop.timestamp else "")
    if envelope.business is not None:
        _business(trace, envelope.business)

    body = _add(env, "edXMLBody")
    manifest = _add(body, "edXMLManifest")
    manifest.set("version", "1.0")
    for attachment in envelope.attachments:
        reference = _add(manifest, "Reference")
        _add(reference, "ContentId", attachment.content_id)
        _add(reference, "ContentType", attachment.content_type)
        _add_if(reference, "Description", attachment.description)
        _add(reference, "AttachmentName", attachment.name)
    if envelope.attachments:
        encoded = _add(root, "AttachmentEncoded")
        for attachment in envelope.attachments:
            entry = _add(encoded, "Attachment")
            _add(entry, "ContentId", attachment.content_id)
            _add(entry, "AttachmentName", attachment.name)
            _add_if(entry, "Description", attachment.description)
            _add(entry, "ContentType", attachment.content_type)
            content = _add(entry, "ContentTransferEncoded")
            if large is None:
                content.text = base64.b64encode(attachment.data).decode("ascii")
            else:
                large.put(content, base64.b64encode(attachment.data))
    return root


def build_status(status: StatusMessage) -> bytes:
    """The unsigned edXML of a status message, in the SDK's form (MessageHeader with StatusCode)."""
    return _serialize(status_tree(status))


def sign_status(status: StatusMessage, *, key: KeyInput, certificate: CertInput,
                chain: list[CertInput] | tuple[()] = ()) -> bytes:
    """`sign(build_status(status), ...)`, the same bytes, signed as a tree without writing it out and parsing it
    back, as `sign_document` does for an envelope (tests/exchange/test_status_signing.py compares the bytes)."""
    return sign_status_tree(status_tree(status), key=key, certificate=certificate, chain=chain)


def sign_status_tree(root: etree._Element, *, key: KeyInput, certificate: CertInput,
                     chain: list[CertInput] | tuple[()] = ()) -> bytes:
    """`sign_status` over the tree `status_tree` gave (taken over: indented and signed in place)."""
    for element in root.iter():
        if element.text == "":
            element.text = None  # written <a></a>, parsed back as <a/>: the same element, another spelling
    etree.indent(root, space="  ")
    return sign_tree(root, key=key, certificate=certificate, chain=chain)


def status_tree(status: StatusMessage) -> etree._Element:
    """The unsigned edXML of a status message as the tree `build_status` serialises (EnvelopeInvalid as there)."""
    problems = check_status(status, sending=True)
    if problems:
        raise EnvelopeInvalid(problems)
    root = etree.Element(_q("edXML"), nsmap=NSMAP)
    env = _add(root, "edXMLEnvelope")
    head = _add(env, "edXMLHeader")
    mh = _add(head, "MessageHeader")
    _organization(mh, "From", status.from_)
    for org in status.to:
        _organization(mh, "To", org)
    _response_for(mh, status.response_for)
    _staff(mh, status.staff)
    _add(mh, "StatusCode", status.code.value)
    _add(mh, "Description", status.description)
    _add(mh, "Timestamp", status.timestamp.strftime(TIMESTAMP_FORMAT))
    _add_if(mh, "DocumentHash", status.document_sha256)
    return root
