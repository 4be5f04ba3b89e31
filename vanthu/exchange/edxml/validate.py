"""Field lengths and code sets of edXML, checked on sending (build) and on receipt (parse).

Lengths are those of Decree 30 Phụ lục VI as enforced by the national hubs (vn-rules §3.3). Sending is strict
(vanthu writes the canonical form); receipt accepts what real systems send within the limits — an opaque
DocumentId, DocumentType codes other than 1/2, organ ids of any form — and says so in warnings where useful.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from vanthu.core.choices import Secrecy, Urgency
from vanthu.exchange.edxml.errors import Problem
from vanthu.exchange.edxml.model import (
    BusinessDocType,
    DocumentId,
    Envelope,
    Organization,
    ResponseFor,
    StaffInfo,
    StatusCode,
    StatusMessage,
    SteeringType,
)

ORGAN_ID = 50  # QCVN 102 ids are 13 characters; QĐ 20/2020 and hub-specific ids are longer
DOCUMENT_ID = 200
ORGAN_LIMITS = {"OrganName": 200, "OrganizationInCharge": 200, "OrganAdd": 250, "Email": 100, "Telephone": 20,
                "Fax": 20, "Website": 100}
STAFF_LIMITS = {"Department": 200, "Staff": 100, "Mobile": 20, "Email": 100}
CODE_NUMBER, CODE_NOTATION = 11, 30
SUBJECT = CONTENT = 500
PLACE = 50
COMPETENCE, POSITION, FULL_NAME = 100, 100, 50
TYPE_NAME = 100
SPHERE, TYPER_NOTATION = 100, 10
TO_PLACE, APPENDIX = 150, 250
ATTACHMENT_NAME, CONTENT_TYPE, DESCRIPTION, CONTENT_ID = 200, 100, 500, 200
REASON = 500
SENDING_DOCUMENT_TYPES = (1, 2)  # the codes the hubs accept (Bkav's checker); other systems send more on receipt

# the code sets, read once: `Choices.values` builds the list with its labels at every call (~0.1 ms an envelope)
_URGENCIES = tuple(Urgency.values)
_SECRECIES = tuple(Secrecy.values)


class Checker:
    """Collects problems, each naming its field (an element path such as MessageHeader/Code/CodeNumber)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, field: str, message: str, code: str) -> None:
        self.problems.append(Problem(field=field, message=message, code=code))

    def required(self, field: str, value: object) -> bool:
        if value in (None, "", ()):
            self.add(field, _("Thiếu «%(field)s».") % {"field": field}, "required")
            return False
        return True

    def length(self, field: str, value: str, limit: int) -> None:
        if len(value) > limit:
            self.add(field, _("«%(field)s» dài %(length)d ký tự, vượt quá %(max)d ký tự cho phép.")
                     % {"field": field, "length": len(value), "max": limit}, "too_long")

    def code_set(self, field: str, value: object, allowed: Iterable[object]) -> None:
        allowed = list(allowed)
        if value not in allowed:
            self.add(field, _("«%(field)s» có giá trị «%(value)s» không thuộc bộ mã cho phép (%(allowed)s).")
                     % {"field": field, "value": value, "allowed": ", ".join(str(a) for a in allowed)},
                     "not_in_code_set")

    def bad_format(self, field: str, value: str, expected: str) -> None:
        self.add(field, _("«%(field)s» phải có dạng %(format)s, nhận được «%(value)s».")
                 % {"field": field, "format": expected, "value": value}, "bad_format")

    def organ_id(self, field: str, value: str) -> None:
        if self.required(field, value):
            self.length(field, value, ORGAN_ID)
            if any(ch.isspace() for ch in value):
                self.bad_format(field, value, _("mã định danh không có khoảng trắng"))


def check_organization(c: Checker, path: str, org: Organization, *, sending: bool) -> None:
    c.organ_id(f"{path}/OrganId", org.organ_id)
    if sending:
        c.required(f"{path}/OrganName", org.organ_name)
    values = {"OrganName": org.organ_name, "OrganizationInCharge": org.organization_in_charge,
              "OrganAdd": org.address, "Email": org.email, "Telephone": org.telephone, "Fax": org.fax,
              "Website": org.website}
    for name, limit in ORGAN_LIMITS.items():
        c.length(f"{path}/{name}", values[name], limit)


def check_staff(c: Checker, path: str, staff: StaffInfo | None) -> None:
    if staff is None:
        return
    values = {"Department": staff.department, "Staff": staff.staff, "Mobile": staff.mobile, "Email": staff.email}
    for name, limit in STAFF_LIMITS.items():
        c.length(f"{path}/{name}", values[name], limit)


def check_response_for(c: Checker, path: str, response: ResponseFor, *, required: bool) -> None:
    if required:
        c.required(f"{path}/DocumentId", response.document_id)
    c.length(f"{path}/DocumentId", response.document_id, DOCUMENT_ID)
    c.length(f"{path}/OrganId", response.organ_id, ORGAN_ID)
    c.length(f"{path}/Code", response.code, CODE_NUMBER + 1 + CODE_NOTATION)


def check_envelope(envelope: Envelope, *, sending: bool, today: dt.date) -> list[Problem]:
    """Every problem of a document envelope; empty when it may be sent (sending=True) or accepted."""
    c = Checker()
    h = envelope.header
    check_organization(c, "MessageHeader/From", h.from_, sending=sending)
    if not h.to:
        c.add("MessageHeader/To", _("Văn bản phải có ít nhất một nơi nhận («MessageHeader/To»)."), "required")
    seen: set[str] = set()
    for index, org in enumerate(h.to, start=1):
        path = f"MessageHeader/To[{index}]"
        check_organization(c, path, org, sending=sending)
        if org.organ_id and org.organ_id in seen:
            c.add(f"{path}/OrganId", _("Nơi nhận «%(field)s» lặp lại mã định danh %(value)s.")
                  % {"field": f"{path}/OrganId", "value": org.organ_id}, "duplicate")
        seen.add(org.organ_id)

    if c.required("MessageHeader/DocumentId", h.document_id):
        c.length("MessageHeader/DocumentId", h.document_id, DOCUMENT_ID)
        if sending:
            structured = DocumentId.parse(h.document_id)
            if structured is None:
                c.bad_format("MessageHeader/DocumentId", h.document_id, "OrganId,yyyy/MM/dd,Số/Ký hiệu")
            elif structured.organ_id != h.from_.organ_id:
                c.add("MessageHeader/DocumentId",
                      _("«%(field)s» phải bắt đầu bằng mã định danh của đơn vị gửi (%(organ)s).")
                      % {"field": "MessageHeader/DocumentId", "organ": h.from_.organ_id}, "bad_format")

    if c.required("MessageHeader/Code/CodeNumber", h.code.number):
        c.length("MessageHeader/Code/CodeNumber", h.code.number, CODE_NUMBER)
    if c.required("MessageHeader/Code/CodeNotation", h.code.notation):
        c.length("MessageHeader/Code/CodeNotation", h.code.notation, CODE_NOTATION)

    c.length("MessageHeader/PromulgationInfo/Place", h.promulgation.place, PLACE)
    date = h.promulgation.date
    if sending:
        c.required("MessageHeader/PromulgationInfo/Place", h.promulgation.place)
        c.required("MessageHeader/PromulgationInfo/PromulgationDate", date)
    # A document cannot be issued in the future; a day of tolerance on receipt for clocks and time zones.
    latest = today if sending else today + dt.timedelta(days=1)
    if date is not None and date > latest:
        c.add("MessageHeader/PromulgationInfo/PromulgationDate",
              _("«%(field)s» (%(value)s) là ngày trong tương lai.")
              % {"field": "MessageHeader/PromulgationInfo/PromulgationDate", "value": date.isoformat()}, "future")

    doc_type = h.document_type
    if sending:
        c.code_set("MessageHeader/DocumentType/Type", doc_type.type, SENDING_DOCUMENT_TYPES)
        c.required("MessageHeader/DocumentType/TypeName", doc_type.type_name)
    elif not 0 <= doc_type.type <= 999:
        c.code_set("MessageHeader/DocumentType/Type", doc_type.type, ["0…999"])
    c.length("MessageHeader/DocumentType/TypeName", doc_type.type_name, TYPE_NAME)

    if c.required("MessageHeader/Subject", h.subject):
        c.length("MessageHeader/Subject", h.subject, SUBJECT)
    c.length("MessageHeader/Content", h.content, CONTENT)
    if sending:
        c.required("MessageHeader/SignerInfo/FullName", h.signer.full_name)
    c.length("MessageHeader/SignerInfo/Competence", h.signer.competence, COMPETENCE)
    c.length("MessageHeader/SignerInfo/Position", h.signer.position, POSITION)
    c.length("MessageHeader/SignerInfo/FullName", h.signer.full_name, FULL_NAME)

    other = h.other
    c.code_set("MessageHeader/OtherInfo/Priority", other.priority, _URGENCIES)
    c.code_set("MessageHeader/OtherInfo/SecurityLevel", other.security_level, _SECRECIES)
    c.length("MessageHeader/OtherInfo/SphereOfPromulgation", other.sphere_of_promulgation, SPHERE)
    c.length("MessageHeader/OtherInfo/TyperNotation", other.typer_notation, TYPER_NOTATION)
    for name, amount in (("PromulgationAmount", other.promulgation_amount), ("PageAmount", other.page_amount)):
        if amount is not None and not 0 <= amount <= 99999:
            c.bad_format(f"MessageHeader/OtherInfo/{name}", str(amount), _("số nguyên không âm"))
    for index, appendix in enumerate(other.appendixes, start=1):
        c.length(f"MessageHeader/OtherInfo/Appendixes/Appendix[{index}]", appendix, APPENDIX)
    if h.steering_type is not None:
        c.code_set("MessageHeader/SteeringType", h.steering_type, [s.value for s in SteeringType])
    for index, place in enumerate(h.to_places, start=1):
        c.length(f"MessageHeader/ToPlaces/Place[{index}]", place, TO_PLACE)
    for index, response in enumerate(h.response_for, start=1):
        check_response_for(c, f"MessageHeader/ResponseFor[{index}]", response, required=sending)

    for index, trace in enumerate(envelope.trace, start=1):
        c.length(f"TraceHeaderList/TraceHeader[{index}]/OrganId", trace.organ_id, ORGAN_ID)
    business = envelope.business
    if business is not None:
        path = f"TraceHeaderList/{business.spelling}"
        c.code_set(f"{path}/{business.spelling}DocType", business.doc_type, [t.value for t in BusinessDocType])
        c.length(f"{path}/{business.spelling}DocReason", business.reason, REASON)
        c.length(f"{path}/DocumentId", business.document_id, DOCUMENT_ID)
        if sending and business.doc_type != BusinessDocType.NEW:
            c.required(f"{path}/{business.spelling}DocReason", business.reason)
        if sending and business.doc_type == BusinessDocType.REPLACE:
            c.required(f"{path}/ReplacementInfoList", business.replacements)
        check_staff(c, f"{path}/StaffInfo", business.staff)
        for index, receiver in enumerate(business.receivers, start=1):
            rpath = f"{path}/BussinessDocumentInfo/ReceiverList/Receiver[{index}]"
            c.organ_id(f"{rpath}/OrganId", receiver.organ_id)
            c.code_set(f"{rpath}/ReceiverType", receiver.receiver_type, [0, 1])
        for index, replacement in enumerate(business.replacements, start=1):
            rpath = f"{path}/ReplacementInfoList/ReplacementInfo[{index}]"
            if c.required(f"{rpath}/DocumentId", replacement.document_id):
                c.length(f"{rpath}/DocumentId", replacement.document_id, DOCUMENT_ID)
            for organ in replacement.organ_ids:
                c.organ_id(f"{rpath}/OrganIdList/OrganId", organ)

    ids: set[str] = set()
    for index, attachment in enumerate(envelope.attachments, start=1):
        path = f"edXMLManifest/Reference[{index}]"
        if c.required(f"{path}/ContentId", attachment.content_id):
            c.length(f"{path}/ContentId", attachment.content_id, CONTENT_ID)
            if attachment.content_id in ids:
                c.add(f"{path}/ContentId", _("«%(field)s» %(value)s lặp lại.")
                      % {"field": f"{path}/ContentId", "value": attachment.content_id}, "duplicate")
            ids.add(attachment.content_id)
        if c.required(f"{path}/AttachmentName", attachment.name):
            c.length(f"{path}/AttachmentName", attachment.name, ATTACHMENT_NAME)
        c.length(f"{path}/ContentType", attachment.content_type, CONTENT_TYPE)
        c.length(f"{path}/Description", attachment.description, DESCRIPTION)
        if sending:
            c.required(f"{path}/ContentType", attachment.content_type)
    return c.problems


def check_status(status: StatusMessage, *, sending: bool) -> list[Problem]:
    """Every problem of a status message; empty when it may be sent or accepted."""
    c = Checker()
    check_organization(c, "MessageHeader/From", status.from_, sending=sending)
    for index, org in enumerate(status.to, start=1):
        check_organization(c, f"MessageHeader/To[{index}]", org, sending=sending)
    check_response_for(c, "MessageHeader/ResponseFor", status.response_for, required=True)
    c.code_set("MessageHeader/StatusCode", status.code, [s.value for s in StatusCode])
    c.length("MessageHeader/Description", status.description, REASON)
    if sending and status.code in (StatusCode.REFUSED, StatusCode.CHANGE_REFUSED, StatusCode.RECALL_REQUESTED):
        c.required("MessageHeader/Description", status.description)  # the reason travels with a refusal
    check_staff(c, "MessageHeader/StaffInfo", status.staff)
    return c.problems
