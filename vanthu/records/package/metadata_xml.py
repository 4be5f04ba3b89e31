"""The metadata of a record and of its documents as XML, with the element names and maximum lengths of
Circular 02/2019/TT-BNV (Phụ lục VI of Decree 30/2020). docs/records.md lists the fields ("Gói hồ sơ").

Text longer than its field's maximum is cut to it (the database columns have the same limits, so this only
guards against a caller's mistake); empty optional fields are written as empty elements, never left out, so
every file has the same shape.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from vanthu.records.package.model import DocumentMetadata, RecordMetadata

NAMESPACE = "urn:vanthu:tt02-2019:1"  # our own namespace for the Circular's names; the Circular defines none
SECRECY_ELEMENT = "SecurityLevel"  # not in the Circular's table: the secrecy mark (Điều 8 of Decree 30)

# (element, max length or None for numbers and dates): the schema-like list docs/records.md prints
RECORD_FIELDS: tuple[tuple[str, int | None], ...] = (
    ("FileCode/OrganId", 13), ("FileCode/FileCatalog", 4), ("FileCode/FileNotation", 20), ("Title", 500),
    ("Maintenance", 30), ("Rights", 30), ("Creator", 30), ("Language", 50), ("StartDate", 10), ("EndDate", 10),
    ("DocTotal", 4), ("PageTotal", 4), ("Description", 500),
)
DOCUMENT_FIELDS: tuple[tuple[str, int | None], ...] = (
    ("FileCode/OrganId", 13), ("FileCode/FileCatalog", 4), ("FileCode/FileNotation", 20), ("DocOrdinal", 3),
    ("TypeName", 100), ("CodeNumber", 11), ("CodeNotation", 30), ("IssuedDate", 10), ("OrganId", 13),
    ("OrganName", 200),
    ("Subject", 500), ("Language", 30), ("PageAmount", 3), ("Description", 500), ("SignerInfo/Position", 100),
    ("SignerInfo/FullName", 50), ("To/Organ/OrganId", 13), ("To/Organ/OrganName", 200), ("Priority", 1),
    ("IssuedAmount", 3), ("DueDate", 10), ("ArrivalDate", 10), ("ArrivalNumber", None), ("ToPlaces", 1000),
    ("TraceHeaderList", None), (SECRECY_ELEMENT, 30),
)


def _text(value: object, limit: int | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text[:limit] if limit else text


def _add(parent: ET.Element, name: str, value: object, limit: int | None = None) -> ET.Element:
    element = ET.SubElement(parent, name)
    element.text = _text(value, limit)
    return element


def _file_code(parent: ET.Element, record: RecordMetadata) -> None:
    code = ET.SubElement(parent, "FileCode")
    _add(code, "OrganId", record.organ_id, 13)
    _add(code, "FileCatalog", record.file_catalog, 4)
    _add(code, "FileNotation", record.file_notation, 20)


def _bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def record_xml(record: RecordMetadata) -> bytes:
    root = ET.Element("FileMetadata", {"xmlns": NAMESPACE})
    _file_code(root, record)
    _add(root, "Title", record.title, 500)
    _add(root, "Maintenance", record.maintenance, 30)
    _add(root, "Rights", record.rights, 30)
    _add(root, "Creator", record.creator, 30)
    _add(root, "Language", record.language, 50)
    _add(root, "StartDate", record.start_date)
    _add(root, "EndDate", record.end_date)
    _add(root, "DocTotal", record.doc_total, 4)
    _add(root, "PageTotal", record.page_total, 4)
    _add(root, "Description", record.description, 500)
    return _bytes(root)


def document_xml(document: DocumentMetadata, *, record: RecordMetadata) -> bytes:
    root = ET.Element("DocumentMetadata", {"xmlns": NAMESPACE, "direction": document.direction})
    _file_code(root, record)
    _add(root, "DocOrdinal", document.doc_ordinal, 3)
    _add(root, "TypeName", document.type_name, 100)
    _add(root, "CodeNumber", document.code_number, 11)
    _add(root, "CodeNotation", document.code_notation, 30)
    _add(root, "IssuedDate", document.issued_date)
    _add(root, "OrganId", document.organ_id, 13)
    _add(root, "OrganName", document.organ_name, 200)
    _add(root, "Subject", document.subject, 500)
    _add(root, "Language", document.language, 30)
    _add(root, "PageAmount", document.page_amount, 3)
    _add(root, "Description", document.description, 500)
    signer = ET.SubElement(root, "SignerInfo")
    _add(signer, "Position", document.signer.position, 100)
    _add(signer, "FullName", document.signer.full_name, 50)
    to = ET.SubElement(root, "To")
    for organ_id, organ_name in document.to:
        organ = ET.SubElement(to, "Organ")
        _add(organ, "OrganId", organ_id, 13)
        _add(organ, "OrganName", organ_name, 200)
    _add(root, "Priority", document.priority, 1)
    _add(root, "IssuedAmount", document.issued_amount, 3)
    _add(root, "DueDate", document.due_date)
    if document.direction == "in":
        _add(root, "ArrivalDate", document.arrival_date)
        _add(root, "ArrivalNumber", document.arrival_number)
        _add(root, "ToPlaces", document.to_places, 1000)
        _add(root, "TraceHeaderList", document.trace_header_list)
    _add(root, SECRECY_ELEMENT, document.secrecy, 30)
    return _bytes(root)
