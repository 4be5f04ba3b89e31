"""Read edXML from any system: ours, the official VXP SDK's, and the variants seen in the wild.

Tolerated: any element order; the QCVN 102 namespace with or without a prefix, the older
`http://www.e-doc.vn/Schema/` namespace, or none; "Bussiness" (the spec) and "Business"; attachments inside or
outside edXMLEnvelope; an envelope wrapped in SOAP; the older "Author" (Competence, Function, FullName) for
SignerInfo; statuses as MessageHeader/StatusCode (the SDK) or MessageStatus; a DocumentId that is
not `OrganId,yyyy/MM/dd,Number/Notation` (noted in warnings). Refused, with every problem naming its field:
lengths and code sets (validate.py), malformed dates and numbers, missing or undecodable attachment content.

XML safety: lxml with entity resolution and network access off, huge_tree off (so one text node — one
attachment's base64 — is at most 10,000,000 characters), any DOCTYPE refused, and a size limit.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree

from vanthu.exchange.edxml.errors import EnvelopeInvalid, Problem
from vanthu.exchange.edxml.model import (
    DATE_FORMAT,
    EDXML_NAMESPACES,
    NS_DSIG,
    NS_EDOC,
    TIMESTAMP_FORMAT,
    Attachment,
    Business,
    BusinessDocType,
    Code,
    DocumentId,
    DocumentType,
    Envelope,
    MessageHeader,
    Organization,
    OtherInfo,
    Parsed,
    PromulgationInfo,
    ReceiverChange,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusCode,
    StatusMessage,
    TraceHeader,
)
from vanthu.exchange.edxml.validate import Checker, check_envelope, check_status

DEFAULT_MAX_BYTES = 80 * 1024 * 1024


def safe_parser() -> etree.XMLParser:
    """The only parser edXML goes through: no entities, no network, no DTD, no huge trees."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           dtd_validation=False, remove_blank_text=False)


def _invalid(field: str, message: str, code: str) -> EnvelopeInvalid:
    return EnvelopeInvalid([Problem(field=field, message=message, code=code)])


_BANGS = 64  # "!" read one by one before `_declares` searches as a whole for what it looks for


def _declares(data: bytes) -> bool:
    """`b"<!DOCTYPE" in data or b"<!ENTITY" in data`, from the "!"s of `data` (an envelope has few, its base64
    none): a search for one byte instead of two for a string (each a pass over hundreds of kilobytes)."""
    at = data.find(b"!")
    for _bang in range(_BANGS):
        if at < 0:
            return False
        if at > 0 and data[at - 1] == 0x3C and data.startswith((b"DOCTYPE", b"ENTITY"), at + 1):  # "<"
            return True
        at = data.find(b"!", at + 1)
    return b"<!DOCTYPE" in data or b"<!ENTITY" in data


def load_xml(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse bytes safely; EnvelopeInvalid when too large, not XML, or carrying a DTD."""
    if len(data) > max_bytes:
        raise _invalid("edXML", _("Gói tin dài %(size)d byte, vượt quá giới hạn %(max)d byte.")
                       % {"size": len(data), "max": max_bytes}, "too_large")
    if _declares(data):
        raise _invalid("edXML", _("Gói tin có khai báo DOCTYPE hoặc ENTITY: không được chấp nhận."), "dtd")
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        if "too long" in str(exc) or "huge" in str(exc).lower():
            raise _invalid("edXML", _("Gói tin có một nút văn bản (tệp đính kèm) quá lớn để xử lý an toàn."),
                           "too_large") from exc
        raise _invalid("edXML", _("Gói tin không phải XML hợp lệ: %(reason)s") % {"reason": exc},
                       "not_xml") from exc
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise _invalid("edXML", _("Gói tin có khai báo DOCTYPE hoặc ENTITY: không được chấp nhận."), "dtd")
    return root


# -- navigation by local name, in any accepted namespace and any order -------------------------------------------

_SPLIT: dict[str, tuple[str, str]] = {}  # "{namespace}local" → (namespace, local), as etree.QName splits it


def _split(tag: str) -> tuple[str, str]:
    found = _SPLIT.get(tag)
    if found is None:
        namespace, _brace, local = tag[1:].partition("}") if tag[:1] == "{" else ("", "", tag)
        found = (namespace, local)
        if len(_SPLIT) < 4096:  # the tags of edXML and XMLDSig; an odd envelope's own tags do not fill memory
            _SPLIT[tag] = found
    return found


def _is(element: etree._Element, *names: str) -> bool:
    tag = element.tag
    if not isinstance(tag, str):
        return False  # comment or processing instruction
    namespace, local = _split(tag)
    return local in names and namespace in EDXML_NAMESPACES


_TAGS: dict[tuple[str, ...], frozenset[str]] = {}  # names → every tag `_is` accepts for them


def _tags(names: tuple[str, ...]) -> frozenset[str]:
    """The tags of `names` in each accepted namespace ("{namespace}local", and the bare name for no namespace):
    a child is one of them exactly when `_is(child, *names)` (a comment's or instruction's tag is no string)."""
    found = _TAGS.get(names)
    if found is None:
        found = frozenset(tag for name in names for namespace in EDXML_NAMESPACES
                          for tag in (f"{{{namespace}}}{name}", *((name,) if not namespace else ())))
        if len(_TAGS) < 1024:  # the code's own name lists
            _TAGS[names] = found
    return found


def _children(parent: etree._Element | None, *names: str) -> list[etree._Element]:
    # one set lookup a child (a header has some twenty children, each looked for by name): what `_is` answers
    if parent is None:
        return []
    tags = _tags(names)
    return [child for child in parent if child.tag in tags]


def _child(parent: etree._Element | None, *names: str) -> etree._Element | None:
    found = _children(parent, *names)
    return found[0] if found else None


def _text(parent: etree._Element | None, *names: str) -> str:
    element = _child(parent, *names)
    return (element.text or "").strip() if element is not None else ""


def _descendants(root: etree._Element, name: str) -> Iterator[etree._Element]:
    for element in root.iter(etree.Element):
        if _is(element, name):
            yield element


class _Reader:
    """Reads values and notes format problems (field = element path) and warnings."""

    def __init__(self) -> None:
        self.checker = Checker()
        self.warnings: list[str] = []

    def date(self, parent: etree._Element | None, name: str, path: str) -> dt.date | None:
        text = _text(parent, name)
        if not text:
            return None
        for fmt in (DATE_FORMAT, "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        self.checker.bad_format(f"{path}/{name}", text, "yyyy/MM/dd")
        return None

    def timestamp(self, parent: etree._Element | None, name: str, path: str, *, strict: bool) -> dt.datetime | None:
        text = _text(parent, name)
        if text:
            for fmt in (TIMESTAMP_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
                try:
                    return dt.datetime.strptime(text[:19], fmt)
                except ValueError:
                    continue
        if strict:
            if text:
                self.checker.bad_format(f"{path}/{name}", text, "yyyy/MM/dd HH:mm:ss")
            else:
                self.checker.required(f"{path}/{name}", text)
        elif text:
            self.warnings.append(_("«%(field)s» không đọc được: «%(value)s».")
                                 % {"field": f"{path}/{name}", "value": text})
        return None

    def integer(self, parent: etree._Element | None, name: str, path: str) -> int | None:
        text = _text(parent, name)
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            self.checker.bad_format(f"{path}/{name}", text, _("số nguyên"))
            return None

    def flag(self, parent: etree._Element | None, name: str) -> bool | None:
        text = _text(parent, name).lower()
        if not text:
            return None
        return text in ("1", "true")


def _organization(element: etree._Element | None) -> Organization:
    return Organization(
        organ_id=_text(element, "OrganId"), organ_name=_text(element, "OrganName"),
        organization_in_charge=_text(element, "OrganizationInCharge"), address=_text(element, "OrganAdd"),
        email=_text(element, "Email"), telephone=_text(element, "Telephone"), fax=_text(element, "Fax"),
        website=_text(element, "Website"),
    )


def _staff(element: etree._Element | None) -> StaffInfo | None:
    if element is None:
        return None
    return StaffInfo(department=_text(element, "Department"), staff=_text(element, "Staff"),
                     mobile=_text(element, "Mobile"), email=_text(element, "Email"))


def _response_for(reader: _Reader, element: etree._Element, path: str) -> ResponseFor | None:
    response = ResponseFor(organ_id=_text(element, "OrganId"), code=_text(element, "Code"),
                           promulgation_date=reader.date(element, "PromulgationDate", path),
                           document_id=_text(element, "DocumentId"))
    if not (response.organ_id or response.code or response.document_id or response.promulgation_date):
        return None  # <ResponseFor/> or all children empty: the SDK writes that for "answers nothing"
    return response


def _business(reader: _Reader, trace_list: etree._Element | None) -> Business | None:
    element = _child(trace_list, "Bussiness", "Business")
    if element is None:
        return None
    spelling = etree.QName(element).localname
    path = f"TraceHeaderList/{spelling}"
    doc_type_value = reader.integer(element, "BussinessDocType", path) if _child(element, "BussinessDocType") \
        is not None else reader.integer(element, "BusinessDocType", path)
    doc_type = BusinessDocType.NEW
    if doc_type_value is not None:
        if doc_type_value in [t.value for t in BusinessDocType]:
            doc_type = BusinessDocType(doc_type_value)
        else:
            reader.checker.code_set(f"{path}/{spelling}DocType", doc_type_value, [t.value for t in BusinessDocType])
    info = _child(element, "BussinessDocumentInfo", "BusinessDocumentInfo")
    receivers = []
    for index, receiver in enumerate(_children(_child(info, "ReceiverList"), "Receiver"), start=1):
        rtype = reader.integer(receiver, "ReceiverType", f"{path}/BussinessDocumentInfo/ReceiverList/Receiver[{index}]")
        receivers.append(ReceiverChange(organ_id=_text(receiver, "OrganId"), receiver_type=rtype or 0))
    replacements = tuple(
        ReplacementInfo(document_id=_text(item, "DocumentId"),
                        organ_ids=tuple((o.text or "").strip() for o in _children(_child(item, "OrganIdList"),
                                                                                    "OrganId")))
        for item in _children(_child(element, "ReplacementInfoList"), "ReplacementInfo")
    )
    if spelling == "Business":
        reader.warnings.append(_("Khối nghiệp vụ viết «Business» (QCVN 102 viết «Bussiness»)."))
    return Business(
        doc_type=doc_type, reason=_text(element, "BussinessDocReason", "BusinessDocReason"),
        document_id=_text(element, "DocumentId"), paper=bool(reader.flag(element, "Paper")),
        staff=_staff(_child(element, "StaffInfo")),
        document_info_changed=reader.flag(info, "DocumentInfo"),
        receivers_changed=reader.flag(info, "DocumentReceiver"),
        receivers=tuple(receivers), replacements=replacements, spelling=spelling,
    )


def _attachments(reader: _Reader, root: etree._Element, body: etree._Element | None) -> tuple[Attachment, ...]:
    contents: dict[str, etree._Element] = {}
    for item in _descendants(root, "Attachment"):
        content_id = _text(item, "ContentId")
        if content_id and _child(item, "ContentTransferEncoded") is not None:
            contents.setdefault(content_id, item)
    references = _children(_child(body, "edXMLManifest"), "Reference")
    attachments = []
    used: set[str] = set()
    for index, reference in enumerate(references, start=1):
        path = f"edXMLManifest/Reference[{index}]"
        content_id = _text(reference, "ContentId")
        name = _text(reference, "AttachmentName")
        found = contents.get(content_id)
        if found is None:
            reader.checker.add(f"{path}/ContentId", _("Tệp đính kèm «%(name)s» (%(cid)s) có trong danh mục nhưng "
                                                       "không có nội dung trong AttachmentEncoded.")
                               % {"name": name, "cid": content_id}, "missing_content")
            continue
        used.add(content_id)
        data = _decode(reader, found, name, path)
        attachments.append(Attachment(
            content_id=content_id, name=name or _text(found, "AttachmentName"),
            content_type=_text(reference, "ContentType") or _text(found, "ContentType"),
            description=_text(reference, "Description") or _text(found, "Description"), data=data))
    for content_id, item in contents.items():
        if content_id not in used:
            name = _text(item, "AttachmentName")
            reader.warnings.append(_("Tệp «%(name)s» (%(cid)s) có nội dung nhưng không có trong danh mục "
                                     "edXMLManifest.") % {"name": name, "cid": content_id})
            attachments.append(Attachment(content_id=content_id, name=name, content_type=_text(item, "ContentType"),
                                          description=_text(item, "Description"),
                                          data=_decode(reader, item, name, "AttachmentEncoded/Attachment")))
    return tuple(attachments)


def _decode(reader: _Reader, item: etree._Element, name: str, path: str) -> bytes:
    text = _text(item, "ContentTransferEncoded")
    if text.isascii():
        try:
            # base64 on one line, as vanthu writes it: strict decoding (only the alphabet, the padding at the end)
            # accepts no more than what follows does, and gives the same bytes, without splitting and joining
            return binascii.a2b_base64(text, strict_mode=True)
        except binascii.Error:
            pass  # lines, or not base64: as before
    encoded = "".join(text.split())
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        reader.checker.add(f"{path}/ContentTransferEncoded",
                           _("Nội dung tệp đính kèm «%(name)s» không phải base64 hợp lệ.") % {"name": name},
                           "bad_base64")
        return b""


def _header_element(root: etree._Element) -> tuple[etree._Element | None, etree._Element | None]:
    """(edXMLEnvelope, the MessageHeader or MessageStatus element)."""
    envelope = root if _is(root, "edXMLEnvelope") else _child(root, "edXMLEnvelope")
    if envelope is None:  # wrapped, e.g. in a SOAP Envelope/Body as the Bkav hub sends it
        envelope = next(_descendants(root, "edXMLEnvelope"), None)
    header = _child(envelope, "edXMLHeader")
    message = _child(header, "MessageHeader", "MessageStatus")
    if message is None and _is(root, "Status"):  # Status/Header/MessageStatus
        message = _child(_child(root, "Header"), "MessageStatus")
        envelope = root
    return envelope, message


def parse(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, today: dt.date | None = None,
          root: etree._Element | None = None) -> Parsed:
    """Read and check an edXML document envelope or status message (see the module docstring).

    Raises EnvelopeInvalid listing every problem. The signature is not verified here: signature.verify().
    `root`: `load_xml(data)` when the caller has it already (the receiver verifies the signature on the same
    tree: one parse, not two); it is only read.
    """
    root = load_xml(data, max_bytes=max_bytes) if root is None else root
    envelope_element, message = _header_element(root)
    if envelope_element is None or message is None:
        raise _invalid("edXMLEnvelope/edXMLHeader/MessageHeader",
                       _("Không phải gói tin edXML: thiếu «edXMLEnvelope/edXMLHeader/MessageHeader»."), "not_edxml")
    namespace = etree.QName(message).namespace or ""
    reader = _Reader()
    if namespace == NS_EDOC:
        reader.warnings.append(_("Gói tin dùng không gian tên cũ %(ns)s.") % {"ns": NS_EDOC})
    signature_present = any(
        isinstance(e.tag, str) and etree.QName(e).localname == "Signature"
        and (etree.QName(e).namespace or "") in (NS_DSIG, *EDXML_NAMESPACES)
        for e in root.iter(etree.Element)
    )

    if _child(message, "StatusCode") is not None:
        status = _status(reader, message)
        problems = reader.checker.problems + (check_status(status, sending=False) if status else [])
        if problems:
            raise EnvelopeInvalid(problems)
        return Parsed(envelope=None, status=status, namespace=namespace, signature_present=signature_present,
                      warnings=tuple(reader.warnings))

    envelope = _envelope(reader, root, envelope_element, message)
    problems = reader.checker.problems + check_envelope(envelope, sending=False, today=today or dt.date.today())
    if problems:
        raise EnvelopeInvalid(problems)
    if DocumentId.parse(envelope.header.document_id) is None:
        reader.warnings.append(_("«MessageHeader/DocumentId» (%(value)s) không có dạng OrganId,yyyy/MM/dd,Số/Ký hiệu.")
                               % {"value": envelope.header.document_id})
    return Parsed(envelope=envelope, status=None, namespace=namespace, signature_present=signature_present,
                  warnings=tuple(reader.warnings))


def _status(reader: _Reader, message: etree._Element) -> StatusMessage | None:
    path = "MessageHeader"
    code_text = _text(message, "StatusCode")
    if code_text not in [s.value for s in StatusCode]:
        reader.checker.code_set(f"{path}/StatusCode", code_text, [s.value for s in StatusCode])
        return None
    response_element = _child(message, "ResponseFor")
    response = _response_for(reader, response_element, f"{path}/ResponseFor") if response_element is not None \
        else None
    if response is None:
        reader.checker.required(f"{path}/ResponseFor", None)
        return None
    timestamp = reader.timestamp(message, "Timestamp", path, strict=True)
    if timestamp is None:
        return None
    return StatusMessage(
        from_=_organization(_child(message, "From")), response_for=response, code=StatusCode(code_text),
        description=_text(message, "Description"), timestamp=timestamp, staff=_staff(_child(message, "StaffInfo")),
        to=tuple(_organization(e) for e in _children(message, "To")),
        document_sha256=_text(message, "DocumentHash").lower(),
    )


def _envelope(reader: _Reader, root: etree._Element, envelope_element: etree._Element,
              message: etree._Element) -> Envelope:
    path = "MessageHeader"
    code = _child(message, "Code")
    promulgation = _child(message, "PromulgationInfo")
    doc_type = _child(message, "DocumentType")
    signer = _child(message, "SignerInfo", "Author")  # "Author" (Competence, Function, FullName): pre-QCVN name
    other = _child(message, "OtherInfo")
    priority = reader.integer(other, "Priority", f"{path}/OtherInfo")
    responses = [_response_for(reader, e, f"{path}/ResponseFor[{i}]")
                 for i, e in enumerate(_children(message, "ResponseFor"), start=1)]
    header = MessageHeader(
        from_=_organization(_child(message, "From")),
        to=tuple(_organization(e) for e in _children(message, "To")),
        document_id=_text(message, "DocumentId"),
        code=Code(number=_text(code, "CodeNumber"), notation=_text(code, "CodeNotation")),
        promulgation=PromulgationInfo(place=_text(promulgation, "Place"),
                                      date=reader.date(promulgation, "PromulgationDate", f"{path}/PromulgationInfo")),
        document_type=DocumentType(type=reader.integer(doc_type, "Type", f"{path}/DocumentType") or 0,
                                   type_name=_text(doc_type, "TypeName"),
                                   type_detail=reader.integer(doc_type, "TypeDetail", f"{path}/DocumentType")),
        subject=_text(message, "Subject"), content=_text(message, "Content"),
        signer=SignerInfo(competence=_text(signer, "Competence"), position=_text(signer, "Position", "Function"),
                          full_name=_text(signer, "FullName")),
        due_date=reader.date(message, "DueDate", path),
        other=OtherInfo(
            priority=priority if priority is not None else 0,
            sphere_of_promulgation=_text(other, "SphereOfPromulgation"),
            typer_notation=_text(other, "TyperNotation"),
            promulgation_amount=reader.integer(other, "PromulgationAmount", f"{path}/OtherInfo"),
            page_amount=reader.integer(other, "PageAmount", f"{path}/OtherInfo"),
            direction=reader.flag(other, "Direction"),
            appendixes=tuple((e.text or "").strip() for e in _children(_child(other, "Appendixes"), "Appendix")),
            security_level=reader.integer(other, "SecurityLevel", f"{path}/OtherInfo") or 0,
        ),
        steering_type=reader.integer(message, "SteeringType", path),
        to_places=tuple((e.text or "").strip() for e in _children(_child(message, "ToPlaces"), "Place")),
        response_for=tuple(r for r in responses if r is not None),
    )
    trace_list = _child(_child(envelope_element, "edXMLHeader"), "TraceHeaderList")
    trace = tuple(
        TraceHeader(organ_id=_text(e, "OrganId"),
                    timestamp=reader.timestamp(e, "Timestamp", f"TraceHeaderList/TraceHeader[{i}]", strict=False))
        for i, e in enumerate(_children(trace_list, "TraceHeader"), start=1)
    )
    return Envelope(header=header, trace=trace, business=_business(reader, trace_list),
                    attachments=_attachments(reader, root, _child(envelope_element, "edXMLBody")))
