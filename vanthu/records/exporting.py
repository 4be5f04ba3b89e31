"""Exporting a record as a package (decision 0018): the glue between the ORM and the ORM-free writer in
`package/`. `export_record` reads the record, its documents and their files, the history, the deployment's trust
roots and its own CAs' CRLs; opens the unit's seal key and the TSA; and hands plain values to `package.writer`.

It runs outside any transaction (it reads files, may ask a TSA over the network and writes a large file): the
CLI calls it directly, a page through the job `records.jobs.export_package`. What it writes is audited
(`records.record.exported`, or `.refused` with the reason).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from asn1crypto import pem
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core import blobs, files
from vanthu.core.actors import SystemActor
from vanthu.core.choices import Secrecy
from vanthu.documents.access import can_see
from vanthu.documents.models import Direction, Document, DocumentFile
from vanthu.org.models import Person, Unit
from vanthu.records.access import can_keep_records, is_archivist_for
from vanthu.records.models import ItemKind, Record, RecordItem
from vanthu.records.package import model, seal, writer
from vanthu.signing import service as signing
from vanthu.signing.types import SigningRefused

VERB = "records.record.exported"
DIRECTIONS: dict[str, str] = {Direction.OUTGOING: "out", Direction.INCOMING: "in"}


class ExportRefused(SigningRefused):
    """The record cannot be exported (who asks, or the unit's seal); the message says why."""


def can_export(person: Person | SystemActor, record: Record) -> bool:
    """The unit's clerks and leaders, and the archive once it holds the record; the system (CLI) always."""
    if isinstance(person, SystemActor):
        return True
    return can_keep_records(person, record.unit) or (record.transfer_id is not None
                                                     and is_archivist_for(person, record.unit))


def _opener(sha256: str) -> model.OpenFile:
    def open_it() -> IO[bytes]:
        return blobs.open_file(sha256)

    return open_it


def _document_metadata(item: RecordItem, document: Document) -> model.DocumentMetadata:
    recipients = tuple((r.organ_id or (r.unit.code or "" if r.unit else ""), r.unit.name if r.unit else r.external_name)
                       for r in document.recipients.all())
    return model.DocumentMetadata(
        doc_ordinal=item.ordinal, type_name=document.doc_type.name, code_number=document.code_number,
        code_notation=document.code_notation, issued_date=document.issued_date, organ_id=document.organ_id,
        organ_name=document.organ_name, subject=document.subject, language=document.language,
        page_amount=document.page_amount, description=document.description,
        signer=model.Signer(position=document.signer_position, full_name=document.signer_name), to=recipients,
        priority=document.urgency, issued_amount=document.issued_amount, due_date=document.due_date,
        direction=DIRECTIONS.get(document.direction, "int"),
        arrival_date=document.arrival_at.date() if document.arrival_at else None,
        arrival_number=document.number if document.direction == Direction.INCOMING else None,
        to_places=document.to_places,
        secrecy=str(Secrecy(document.secrecy).label) if document.secrecy else "")


def _items(record: Record) -> list[RecordItem]:
    return list(record.items.select_related("document__doc_type", "file").prefetch_related(
        "document__recipients__unit").order_by("ordinal"))


def _documents(items: list[RecordItem]) -> Iterator[model.DocumentSource]:
    """One document at a time, its files read when the writer opens them."""
    for item in items:
        document = item.document
        if document is None:
            assert item.file is not None
            metadata = model.DocumentMetadata(doc_ordinal=item.ordinal, type_name=str(ItemKind.OTHER.label),
                                              subject=item.title, issued_date=item.dated, page_amount=item.pages,
                                              description=item.note, direction="other")
            name = item.title or item.file.sha256[:12]
            if item.file.content_type == "application/pdf" and not name.lower().endswith(".pdf"):
                name += ".pdf"
            yield model.DocumentSource(metadata=metadata, files=(
                model.FileSource(name=name, open=_opener(item.file.sha256), kind="other"),))
            continue
        rows = sorted(DocumentFile.objects.filter(document=document).order_by("ordinal", "pk"),
                      key=lambda f: f.kind != DocumentFile.Kind.MAIN)
        files = tuple(model.FileSource(name=f.name, open=_opener(f.file_id), kind=f.kind) for f in rows)
        if not files and document.current_file_id:
            files = (model.FileSource(name=f"{document.notation or document.pk}.pdf",
                                      open=_opener(document.current_file_id)),)
        yield model.DocumentSource(metadata=_document_metadata(item, document), files=files)


def _history(record: Record, items: list[RecordItem]) -> list[model.HistoryEvent]:
    """The audit trail of the record and of each document filed in it, in time order."""
    from vanthu.audit.models import AuditEvent

    documents = [str(i.document_id) for i in items if i.document_id]
    rows = AuditEvent.objects.filter(target_type="records.record", target_id=str(record.pk)) | (
        AuditEvent.objects.filter(target_type="documents.document", target_id__in=documents))
    return [model.HistoryEvent(at=e.at, actor=e.actor_name, verb=e.verb, target=f"{e.target_type}:{e.target_id}",
                               detail=e.data)
            for e in rows.order_by("at", "id").iterator()]


def record_source(record: Record) -> model.RecordSource:
    items = _items(record)
    metadata = model.RecordMetadata(
        organ_id=record.organ_id or record.unit.code or "", file_catalog=record.year, file_notation=record.code,
        title=record.title, maintenance=record.retention_label, rights=record.rights,
        creator=record.creator.full_name, language=record.language, start_date=record.start_date,
        end_date=record.end_date, doc_total=record.doc_total if record.doc_total is not None else len(items),
        page_total=record.page_total or 0, description=record.description)
    return model.RecordSource(metadata=metadata, documents=_documents(items), history=_history(record, items),
                              unit_name=record.unit.name)


def _roots_pem() -> bytes:
    roots, _intermediates = signing.trust_store_der()
    return b"".join(pem.armor("CERTIFICATE", der) for der in roots)


def _own_crls() -> list[bytes]:
    from vanthu.signing import pki
    from vanthu.signing.models import CertificateAuthority

    return [pki.crl_der(ca) for ca in CertificateAuthority.objects.order_by("pk")]


def _sealing_units(unit: Unit) -> Iterator[Unit]:
    current: Unit | None = unit
    while current is not None:
        yield current
        current = current.parent


def _validate(pdf: bytes) -> dict[str, Any]:
    from vanthu.signing import validation

    return validation.report_dict(signing.validate(pdf))


def _store(path: Path) -> str:
    """The package kept in the file store (a page's export: offered for download), its SHA-256."""
    with path.open("rb") as stream:
        return files.store_stream(stream, content_type="application/zip").sha256


def _seal(data: bytes, *, signer: Any, timestamper: Any) -> bytes:
    return seal.sign(data, signer=signer, timestamper=timestamper)


def _refuse(record: Record, acting: Person | SystemActor, message: str, code: str, *,
            token: str = "") -> ExportRefused:
    """Audit the refusal (as `log.record_refusal` does, with the token a waiting page reads it by)."""
    data = {"reason": message, "code": code, **({"token": token} if token else {})}
    log.record(actor=acting, verb=f"{VERB}.refused", target=record, unit=getattr(acting, "unit_id", None), data=data)
    return ExportRefused(message, code=code)


def export_problem(acting: Person | SystemActor, record: Record) -> tuple[str, str] | None:
    """(message, code) when `acting` may not export `record`; None when they may."""
    if not can_export(acting, record):
        return _("Bạn không có quyền xuất gói hồ sơ này."), "forbidden"
    if isinstance(acting, Person):
        hidden = [i.ordinal for i in _items(record) if i.document is not None and not can_see(acting, i.document)]
        if hidden:
            return (_("Hồ sơ có %(n)d văn bản bạn không được xem (số thứ tự %(list)s): gói hồ sơ chứa toàn văn nên "
                      "bạn không xuất được.") % {"n": len(hidden), "list": ", ".join(map(str, hidden))},
                    "hidden_documents")
    return None


def export_record(*, record: Record, out: Path, acting: Person | SystemActor, token: str = "",
                  store: bool = False) -> writer.Written:
    """Write `record` as a package at `out`. ExportRefused when `acting` may not, or some document of it is
    hidden from them (the package holds every document in full), or no unit up the tree has a usable seal key
    (SigningRefused from the TSA passes through: nothing is written then)."""
    problem = export_problem(acting, record)
    if problem is not None:
        raise _refuse(record, acting, problem[0], problem[1], token=token)
    services = signing.pades_services("B-T") if settings.TSA_URL.strip() else None
    timestamper = services.timestamper if services is not None else None
    secret = settings.EXCHANGE_SEAL_SECRET or None
    last_problem = ""
    for unit in _sealing_units(record.unit):
        try:
            with signing.unit_seal(unit=unit, secret=secret) as opened:
                signer = opened.credential.signer
                if signer is None:
                    last_problem = _("Khóa dấu của đơn vị ở dịch vụ ký từ xa.")
                    continue
                written = writer.write(record_source(record), out=out, roots_pem=_roots_pem(), validate=_validate,
                                       crls=_own_crls(),
                                       seal=functools.partial(_seal, signer=signer, timestamper=timestamper))
        except SigningRefused as exc:
            if exc.code in ("tsa_unreachable", "no_tsa"):
                raise
            last_problem = exc.message
            continue
        stored = _store(out) if store else ""
        with transaction.atomic():
            log.record(actor=acting, verb=VERB, target=record, unit=record.unit,
                       data={"token": token, "file": stored, "sealed_by": unit.name, "files": written.files,
                             "documents": written.documents, "bytes": written.bytes,
                             "manifest_sha256": written.manifest_sha256,
                             "timestamped": timestamper is not None, "at": dt.datetime.now(dt.UTC).isoformat()})
        return written
    raise _refuse(record, acting, _("Không đơn vị nào từ %(unit)s trở lên có khóa dấu dùng được để niêm phong gói "
                                    "hồ sơ: %(reason)s") % {"unit": record.unit.name, "reason": last_problem},
                  "no_seal", token=token)


def outcome(record: Record, *, token: str, person: Person) -> tuple[str, dict[str, Any]]:
    """What became of the export `person` asked for with `token`: ("pending", {}), ("ready", data with the
    stored "file") or ("refused", data with the "reason"), read from the export's audit event."""
    from vanthu.audit.models import AuditEvent

    event = (AuditEvent.objects.filter(target_type="records.record", target_id=str(record.pk), actor_id=person.pk,
                                       verb__in=[VERB, f"{VERB}.refused"], data__token=token)
             .order_by("-id").first())
    if event is None:
        return "pending", {}
    return ("refused" if event.verb.endswith(".refused") else "ready"), dict(event.data)
