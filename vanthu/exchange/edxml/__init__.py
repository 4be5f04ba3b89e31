"""edXML (QCVN 102:2016) adapter: build, parse, validate, sign and verify envelopes and status messages.

A pure adapter: typed dataclasses in, bytes out, and back. It never queries the ORM and never calls actions;
the exchange actions (later) turn a Document into an `Envelope` and an accepted `Parsed` into an incoming one.

    data = build_document(envelope)                          # EnvelopeInvalid names every bad field
    signed = sign(data, key=..., certificate=...)            # RSA-SHA256; SHA-1 refused
    parsed = parse(signed)                                   # any system's edXML; EnvelopeInvalid on receipt too
    check = verify(signed)                                   # .valid, .certificate, .sha1 + .warning
"""

from vanthu.exchange.edxml.build import (
    build_document,
    build_status,
    sign_document,
    sign_status,
    sign_status_tree,
    status_tree,
)
from vanthu.exchange.edxml.errors import EnvelopeInvalid, Problem, SignatureRefused
from vanthu.exchange.edxml.model import (
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
    SteeringType,
    TraceHeader,
)
from vanthu.exchange.edxml.parse import DEFAULT_MAX_BYTES, load_xml, parse
from vanthu.exchange.edxml.signature import SignatureCheck, sign, verify

__all__ = [
    "DEFAULT_MAX_BYTES", "Attachment", "Business", "BusinessDocType", "Code", "DocumentId", "DocumentType",
    "Envelope", "EnvelopeInvalid", "MessageHeader", "Organization", "OtherInfo", "Parsed", "Problem",
    "PromulgationInfo", "ReceiverChange", "ReplacementInfo", "ResponseFor", "SignatureCheck", "SignatureRefused",
    "SignerInfo", "StaffInfo", "StatusCode", "StatusMessage", "SteeringType", "TraceHeader", "build_document",
    "build_status", "load_xml", "parse", "sign", "sign_document", "sign_status", "sign_status_tree", "status_tree",
    "verify",
]
