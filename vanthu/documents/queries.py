"""Reads for the document pages: registers (keyset pages), a document with everything its page shows.

Every read here is bounded: a register page is one indexed range scan (`register_id = X AND number < cursor
ORDER BY number DESC LIMIT 50`, index `doc_register_number`), never a COUNT(*) (the register's total is its
counter, `last_number`); the document page costs a fixed number of queries whatever the archive holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from vanthu.audit import log, reads
from vanthu.audit.models import AuditEvent
from vanthu.core.choices import Secrecy
from vanthu.documents import trails
from vanthu.documents.access import visible_q
from vanthu.documents.components import Component
from vanthu.documents.components import components as components_of
from vanthu.documents.formatting import notation_file_name
from vanthu.documents.models import (
    CopyForm,
    Direction,
    Document,
    DocumentCopy,
    DocumentFile,
    DocumentShare,
    DraftVersion,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Recipient,
    RecipientStatus,
    Register,
    RegisterKind,
    ReviewStep,
    ShareReason,
    Status,
)
from vanthu.documents.numbering import GENERAL, SECRET
from vanthu.documents.outbox import FAILURES as FAILURE_TEXTS
from vanthu.documents.outbox import failure_text
from vanthu.org.models import Person, Unit
from vanthu.org.queries import Scope, scope_of
from vanthu.signing.service import ValidationResult, stored_validation

PAGE_SIZE = 50
KINDS = {"incoming": RegisterKind.INCOMING, "outgoing": RegisterKind.OUTGOING}


# --- registers -------------------------------------------------------------------------------------------


def register_units(person: Person) -> list[Unit]:
    """Units whose registers the person may read: where they are clerk, and every unit of the subtrees they lead."""
    scope = scope_of(person)
    q = Q(pk__in=list(scope.clerk_unit_ids)) | scope.leader_q(prefix="path")
    return list(Unit.objects.filter(q, is_active=True).order_by("path"))


def default_register_unit(person: Person, units: list[Unit]) -> Unit | None:
    """The person's clerk unit highest in the tree, else their own unit, else the first unit they may read."""
    scope = scope_of(person)
    clerk_units = [u for u in units if u.pk in scope.clerk_unit_ids]
    if clerk_units:
        return min(clerk_units, key=lambda u: (u.depth, u.path))
    own = next((u for u in units if u.pk == person.unit_id), None)
    return own or (units[0] if units else None)


def series_label(series: str) -> str:
    if series == GENERAL:
        return _("Sổ chung")
    if series == SECRET:
        return _("Sổ văn bản mật")
    if series.startswith("nhom-"):
        return _("Sổ nhóm %(n)s") % {"n": series.removeprefix("nhom-")}
    return _("Sổ loại %(abbr)s") % {"abbr": series.removeprefix("loai-")}


@dataclass
class RegisterRow:
    document: Document
    masked: bool  # above the reader's clearance: only the number and dates are shown
    handlers: list[str] = field(default_factory=list)  # incoming: units/people who lead its handling
    handed_at: dt.datetime | None = None  # incoming: when it was passed on (Ngày chuyển)
    recipients: list[Recipient] = field(default_factory=list)  # outgoing


@dataclass
class RegisterPage:
    kind: str  # "incoming" | "outgoing"
    unit: Unit
    units: list[Unit]
    year: int
    years: list[int]
    series: str
    series_choices: list[tuple[str, str]]
    register: Register | None
    rows: list[RegisterRow]
    before: int | None
    next_before: int | None  # cursor of the next page, None on the last page

    @property
    def total(self) -> int:
        return self.register.last_number if self.register is not None else 0


def _int_or_none(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise Http404 from exc


def register_page(
    person: Person, *, kind: str, unit_id: str | None, year: str | None, series: str | None, before: str | None
) -> RegisterPage:
    """One page of a unit's register; Http404 for a unit, series or register the person may not read."""
    register_kind = KINDS[kind]
    scope = scope_of(person)
    units = register_units(person)
    wanted_unit = _int_or_none(unit_id)
    if wanted_unit is None:
        unit = default_register_unit(person, units)
    else:
        unit = next((u for u in units if u.pk == wanted_unit), None)
    if unit is None:
        raise Http404
    this_year = timezone.localdate().year
    year_value = _int_or_none(year) or this_year
    if not 1900 <= year_value <= 9999:
        raise Http404
    series_value = series or GENERAL
    if series_value == SECRET and scope.clearance < Secrecy.CONFIDENTIAL:
        raise Http404
    cursor = _int_or_none(before)

    registers = list(Register.objects.filter(unit=unit, kind=register_kind, year=year_value).order_by("series"))
    register = next((r for r in registers if r.series == series_value), None)
    visible_series = [r.series for r in registers if r.series != SECRET or scope.clearance >= Secrecy.CONFIDENTIAL]
    if GENERAL not in visible_series:
        visible_series.insert(0, GENERAL)
    if series_value not in visible_series:
        if series_value != SECRET:
            raise Http404
        visible_series.append(SECRET)
    series_choices = [(s, series_label(s)) for s in visible_series]

    rows: list[RegisterRow] = []
    next_before: int | None = None
    if register is not None:
        qs = Document.objects.filter(register=register, number__isnull=False)
        if cursor is not None:
            qs = qs.filter(number__lt=cursor)
        documents = list(qs.select_related("doc_type").order_by("-number")[: PAGE_SIZE + 1])
        if len(documents) > PAGE_SIZE:
            documents = documents[:PAGE_SIZE]
            next_before = documents[-1].number
        rows = [RegisterRow(document=d, masked=d.secrecy > scope.clearance) for d in documents]
        if register_kind == RegisterKind.INCOMING:
            _add_handlers(rows)
        else:
            _add_recipients(rows)

    first_year = min(this_year, year_value) - 4
    years = list(range(max(this_year, year_value), first_year - 1, -1))
    return RegisterPage(
        kind=kind, unit=unit, units=units, year=year_value, years=years, series=series_value,
        series_choices=series_choices, register=register, rows=rows, before=cursor, next_before=next_before,
    )


def _add_handlers(rows: list[RegisterRow]) -> None:
    """Column 7 and 8 of the incoming register: who leads the handling, and when it was passed on (one query)."""
    by_id = {row.document.pk: row for row in rows if not row.masked}
    if not by_id:
        return
    shares = (
        DocumentShare.objects.filter(document_id__in=list(by_id), reason=ShareReason.LEAD)
        .select_related("person", "unit")
        .order_by("created_at", "pk")
    )
    for share in shares:
        row = by_id[share.document_id]
        name = (share.unit.short_name or share.unit.name) if share.unit is not None else str(share.person)
        if name not in row.handlers:
            row.handlers.append(name)
        if row.handed_at is None:
            row.handed_at = share.created_at


def _add_recipients(rows: list[RegisterRow]) -> None:
    by_id = {row.document.pk: row for row in rows if not row.masked}
    if not by_id:
        return
    for recipient in Recipient.objects.filter(document_id__in=list(by_id)).select_related("unit").order_by("pk"):
        by_id[recipient.document_id].recipients.append(recipient)


# --- the document page -----------------------------------------------------------------------------------


HISTORY_PHRASES: dict[str, Any] = {
    "documents.incoming.registered": gettext_lazy("Tiếp nhận và vào sổ văn bản đến, số đến %(number)s"),
    "documents.incoming.arrived": gettext_lazy("Văn bản đến qua liên thông nội bộ, chờ vào sổ"),
    "documents.incoming.accepted": gettext_lazy("Vào sổ văn bản đến, số đến %(number)s"),
    "documents.incoming.returned": gettext_lazy("Trả lại văn bản cho nơi gửi. Lý do: %(reason)s"),
    "documents.incoming.updated": pgettext_lazy("history", "Sửa thông tin văn bản đến"),
    "documents.incoming.cancelled": gettext_lazy("Hủy văn bản theo thu hồi của nơi ban hành. Lý do: %(reason)s"),
    "documents.incoming.recall_requested": gettext_lazy("Nơi ban hành yêu cầu thu hồi văn bản đã xử lý xong, chờ "
                                                        "quyết định. Lý do: %(reason)s"),
    "documents.incoming.recall_accepted": gettext_lazy("Đồng ý thu hồi: văn bản bị hủy. Lý do thu hồi: %(reason)s"),
    "documents.incoming.recall_refused": gettext_lazy("Từ chối thu hồi. Lý do: %(reason)s"),
    "documents.draft.created": pgettext_lazy("history", "Tạo dự thảo"),
    "documents.draft.updated": pgettext_lazy("history", "Sửa thông tin dự thảo"),
    "documents.draft.version_added": gettext_lazy("Tải lên dự thảo phiên bản %(version)s"),
    "documents.draft.submitted": gettext_lazy("Trình duyệt dự thảo (lượt %(round)s)"),
    "documents.draft.reviewed.yes": gettext_lazy("Đồng ý dự thảo"),
    "documents.draft.reviewed.no": gettext_lazy("Trả lại dự thảo. Ý kiến: %(comment)s"),
    "documents.draft.returned": gettext_lazy("Người ký trả lại dự thảo. Ý kiến: %(comment)s"),
    "documents.outgoing.signed": gettext_lazy("Ký số văn bản (chữ ký số cá nhân)"),
    "documents.outgoing.issued": gettext_lazy("Cấp số %(notation)s, ký số của cơ quan và phát hành"),
    "documents.outgoing.replaced": gettext_lazy("Văn bản bị thay thế bởi văn bản khác"),
    "documents.outgoing.recalled": gettext_lazy("Thu hồi văn bản. Lý do: %(reason)s"),
    "workflow.document.presented": gettext_lazy("Trình %(to)s xin ý kiến chỉ đạo"),
    "workflow.document.directed": gettext_lazy("Cho ý kiến chỉ đạo: %(lead)s chủ trì"),
    "workflow.assignment.forwarded": gettext_lazy("Chuyển xử lý cho %(to)s"),
    "workflow.assignment.started": pgettext_lazy("history", "Bắt đầu xử lý"),
    "workflow.assignment.completed": gettext_lazy("Báo cáo hoàn thành xử lý"),
    # tasks (workflow, decision 0015): a document's tasks record their events on the document
    "workflow.task.delegated": gettext_lazy("Chuyển xử lý cho %(to)s"),
    "workflow.task.started": pgettext_lazy("history", "Bắt đầu xử lý"),
    "workflow.task.progress": gettext_lazy("Báo cáo tiến độ"),
    "workflow.task.completed": gettext_lazy("Báo cáo hoàn thành xử lý"),
    "workflow.task.accepted": gettext_lazy("Chỉ huy đơn vị duyệt kết quả xử lý"),
    "workflow.task.sent_back": gettext_lazy("Chỉ huy yêu cầu làm lại. Lý do: %(reason)s"),
    "workflow.task.returned": gettext_lazy("Trả lại việc được giao. Lý do: %(reason)s"),
    "workflow.task.extension_requested": gettext_lazy("Xin gia hạn"),
    "workflow.task.extension_decided": gettext_lazy("Quyết định về đề nghị gia hạn"),
    "workflow.task.seen": gettext_lazy("Đã xem (để biết)"),
    "documents.copy.made": gettext_lazy("Làm bản sao điện tử (%(form)s)"),
    "documents.outgoing.number_kept": gettext_lazy("Chưa phát hành được; số %(notation)s được giữ cho văn bản. "
                                                   "Lý do: %(reason)s"),
    "documents.delivery.delivered.document": gettext_lazy("Văn bản đã đến %(place)s"),
    "documents.delivery.delivered.status": gettext_lazy("Đã báo “%(status)s” tới %(place)s"),
    "documents.delivery.failed": gettext_lazy("Không chuyển được đến %(place)s"),
    "documents.delivery.retried": gettext_lazy("Gửi lại đến %(place)s"),
    "documents.outgoing.status_received": gettext_lazy("%(place)s báo: %(status)s"),
    "documents.incoming.reply_drafted": gettext_lazy("Soạn văn bản trả lời"),
    "documents.recipient.paper_sent": gettext_lazy("Gửi bản giấy đến %(place)s (%(via)s)"),
}
DELIVERY_VERBS = ("documents.delivery.delivered", "documents.delivery.failed", "documents.delivery.retried",
                  "documents.outgoing.status_received", "documents.recipient.paper_sent")


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    actor: str
    text: str
    detail: str = ""


def _phrase(event: AuditEvent, names: dict[int, str], units: dict[int, str]) -> tuple[str, str]:
    data: dict[str, Any] = event.data if isinstance(event.data, dict) else {}
    verb = event.verb
    if verb == "documents.draft.reviewed":
        verb += ".yes" if data.get("approve") else ".no"
    elif verb == "documents.delivery.delivered":
        verb += ".status" if data.get("kind") == "status" else ".document"
    template = HISTORY_PHRASES.get(verb)
    if template is None:
        return event.verb, ""
    values: dict[str, Any] = {key: data.get(key, "") for key in ("number", "reason", "version", "round", "comment",
                                                                  "notation", "lead")}
    to = data.get("to")
    values["to"] = names.get(to, "") if isinstance(to, int) else (to or "")
    form = data.get("form")
    values["form"] = CopyForm(form).label if form in CopyForm.values else ""
    if event.verb in DELIVERY_VERBS:
        place = data.get("recipient", data.get("to", ""))
        values["place"] = units.get(int(place), str(place)) if str(place).isdigit() else str(place)
        status = data.get("status")
        values["status"] = MessageStatus(status).label if status in MessageStatus.values else ""
        via = data.get("via")
        values["via"] = Recipient.PaperVia(via).label if via in Recipient.PaperVia.values else ""
    detail = ""
    if event.verb == "workflow.document.directed":
        parts = []
        if data.get("cooperate"):
            parts.append(_("Phối hợp: %(names)s") % {"names": ", ".join(data["cooperate"])})
        if data.get("info"):
            parts.append(_("Để biết: %(names)s") % {"names": ", ".join(data["info"])})
        if data.get("deadline"):
            try:
                day = dt.date.fromisoformat(str(data["deadline"]))
                parts.append(_("Hạn xử lý: %(d)s") % {"d": day.strftime("%d/%m/%Y")})
            except ValueError:
                pass
        detail = "; ".join(parts)
    elif event.verb in ("workflow.assignment.completed", "workflow.task.completed") and data.get("result"):
        detail = str(data["result"])
    elif event.verb == "documents.delivery.failed":
        detail = str(FAILURE_TEXTS.get(str(data.get("failure")), "")) or str(data.get("detail", ""))
        if "%(" in detail:
            detail = detail % {"detail": data.get("detail", ""), "attempts": "…"}
    elif event.verb == "documents.outgoing.status_received" and data.get("reason"):
        detail = str(data["reason"])
    return str(template) % values, detail


def history_for(document: Document) -> list[HistoryEntry]:
    """The document's audit events (refusals left out), each as a Vietnamese sentence. Two queries."""
    events = list(log.events_for(document).exclude(verb__endswith=".refused")
                  .exclude(verb__in=reads.DOCUMENT_READ_VERBS)[:500])  # reads: the usage history
    person_ids = {e.data.get("to") for e in events if isinstance(e.data, dict) and isinstance(e.data.get("to"), int)}
    names = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "full_name")) if person_ids else {}
    unit_ids = {int(str(place)) for e in events if e.verb in DELIVERY_VERBS and isinstance(e.data, dict)
                for place in (e.data.get("recipient", e.data.get("to")),) if str(place).isdigit()}
    units = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name")) if unit_ids else {}
    entries = []
    for event in events:
        text, detail = _phrase(event, names, units)
        entries.append(HistoryEntry(at=event.at, actor=actor_with_absent(event), text=text, detail=detail))
    return entries


def actor_with_absent(event: AuditEvent) -> str:
    """Who acted; a stand-in's act names the person they acted for too (issue 12)."""
    actor = event.actor_name or str(_("Hệ thống"))
    data = event.data if isinstance(event.data, dict) else {}
    if data.get("on_behalf_of_name"):
        return _("%(actor)s, xử lý thay %(absent)s") % {"actor": actor, "absent": data["on_behalf_of_name"]}
    return actor


@dataclass(frozen=True)
class RecipientRow:
    """A recipient on the sender's page: where the document went, how its delivery went (the outbox message:
    waiting, delivered, failed with the reason) and what the recipient reported back (registered, returned)."""

    recipient: Recipient
    message: OutboxMessage | None
    failure: str  # translated reason of a failed delivery
    trail: list[RecipientStatus] = field(default_factory=list)  # the statuses received, oldest first

    @property
    def failed(self) -> bool:
        return self.message is not None and self.message.state == OutboxMessage.State.FAILED

    @property
    def awaits_paper(self) -> bool:
        """Nothing delivered it electronically: the clerk sends paper and records it (issue 12)."""
        return self.recipient.awaits_paper(self.message)


@dataclass
class DocumentPage:
    document: Document
    files: list[DocumentFile]
    main_file: DocumentFile | None
    main_name: str
    versions: list[DraftVersion]
    steps: list[ReviewStep]
    recipients: list[Recipient]
    recipient_rows: list[RecipientRow]
    visible_ids: set[int]  # linked documents this person may open
    source: Document | None
    deliveries: list[Document]
    replaces: Document | None
    replaced_by: list[Document]
    answers: Document | None  # the incoming document this draft answers
    replies: list[Document]  # the drafts and documents answering this one
    history: list[HistoryEntry]
    validation: ValidationResult | None  # the stored signature check of the current file (signing panel)
    copies: list[DocumentCopy]  # electronic copies (SAO Y, SAO LỤC, TRÍCH SAO) made of it
    exchange: trails.Exchange | None = None  # an incoming document that came through a transport
    amends: Document | None = None  # the issued document this one updates or corrects
    amended_by: list[Document] = field(default_factory=list)  # its updates and corrections
    components: list[Component] = field(default_factory=list)  # Điều 8, for an outgoing document


def document_page(person: Person, document: Document) -> DocumentPage:
    """Everything the document page shows, in a fixed number of queries (document already fetched)."""
    scope = scope_of(person)
    files = list(document.files.select_related("file").order_by("kind", "ordinal", "pk"))
    versions: list[DraftVersion] = []
    steps: list[ReviewStep] = []
    recipients: list[Recipient] = []
    if document.is_outgoing:
        versions = list(document.versions.select_related("author").order_by("-number"))
        steps = list(document.review_steps.select_related("reviewer").order_by("round", "ordinal"))
        recipients = list(document.recipients.select_related("unit", "delivered").order_by("pk"))
    messages: dict[int | None, OutboxMessage] = {}
    if recipients:
        messages = {m.recipient_id: m for m in OutboxMessage.objects.filter(document=document,
                                                                           kind=MessageKind.DOCUMENT)}
    trail = trails.trails_for(r.pk for r in recipients) if recipients else {}
    rows = [RecipientRow(recipient=r, message=messages.get(r.pk), trail=trail.get(r.pk, []),
                         failure=failure_text(messages[r.pk]) if r.pk in messages else "") for r in recipients]
    linked = _linked(document)
    amending = _amending_ids(document)
    visible_ids = _visible_among(scope, [d.pk for d in linked] + [r.delivered_id for r in recipients if r.delivered_id])
    linked = [d for d in linked if d.pk in visible_ids]  # a page names only the linked documents its reader may see
    main_file = next((f for f in files if f.kind == DocumentFile.Kind.MAIN and f.file_id == document.current_file_id),
                     None)
    main_name = main_file.name if main_file else _main_name(document, versions)
    return DocumentPage(
        document=document,
        files=files,
        main_file=main_file,
        main_name=main_name,
        versions=versions,
        steps=steps,
        recipients=recipients,
        recipient_rows=rows,
        visible_ids=visible_ids,
        source=next((d for d in linked if d.pk == document.source_id), None),
        deliveries=[d for d in linked if d.source_id == document.pk],
        replaces=next((d for d in linked if d.pk == document.replaces_id), None),
        replaced_by=[d for d in linked if d.replaces_id == document.pk],
        answers=next((d for d in linked if d.pk == document.answers_id), None),
        replies=[d for d in linked if d.answers_id == document.pk],
        history=history_for(document),
        validation=_stored_validation(document),
        copies=list(document.copies.select_related("unit", "made_by").order_by("made_at")),
        exchange=trails.exchange_of(document),
        amends=next((d for d in linked if d.pk == _amended_id(document, linked)), None),
        amended_by=[d for d in linked if d.amends_id == document.pk or (
            d.source_id in amending and d.unit_id == document.unit_id)],
        components=components_of(document, attachments=sum(1 for f in files if f.kind == DocumentFile.Kind.ATTACHMENT))
        if document.is_outgoing else [],
    )


def _stored_validation(document: Document) -> ValidationResult | None:
    """The signature check stored with the current file (made on arrival, signature and issuance)."""
    file = document.current_file
    if file is None:
        return None
    return stored_validation(file)


def _main_name(document: Document, versions: list[DraftVersion]) -> str:
    current = next((v for v in versions if v.pdf_id == document.current_file_id), None)
    if current is not None:
        stem = current.source_name.rsplit(".", 1)[0]
        return f"{stem}.pdf"
    return notation_file_name(document.notation)


def _linked(document: Document) -> list[Document]:
    q = Q(source_id=document.pk) | Q(replaces_id=document.pk) | Q(answers_id=document.pk) | Q(amends_id=document.pk)
    if document.answers_id:
        q |= Q(pk=document.answers_id)
    if document.source_id:
        q |= Q(pk=document.source_id)
        source = Document.objects.filter(pk=document.source_id).values("amends_id").first()
        if source and source["amends_id"]:  # a received update or correction: this unit's copy of what it amends
            q |= Q(source_id=source["amends_id"], unit_id=document.unit_id)
        amending = _amending_ids(document)
        if amending:  # a received document: this unit's copies of its updates and corrections
            q |= Q(source_id__in=amending, unit_id=document.unit_id)
    if document.replaces_id:
        q |= Q(pk=document.replaces_id)
    if document.amends_id:
        q |= Q(pk=document.amends_id)
    return list(Document.objects.filter(q).select_related("unit", "doc_type").order_by("pk")[:200])


def _amending_ids(document: Document) -> set[int]:
    """For a received copy: the sender's documents that update or correct its source."""
    if not document.source_id:
        return set()
    return set(Document.objects.filter(amends_id=document.source_id).values_list("pk", flat=True))


def _amended_id(document: Document, linked: list[Document]) -> int | None:
    """What this document amends: its own link, or for a received update, this unit's copy of the amended one."""
    if document.amends_id:
        return document.amends_id
    source = next((d for d in linked if d.pk == document.source_id), None)
    if source is not None and source.amends_id:
        return next((d.pk for d in linked if d.source_id == source.amends_id and d.unit_id == document.unit_id),
                    None)
    if document.source_id:
        amended = Document.objects.filter(pk=document.source_id).values_list("amends_id", flat=True).first()
        if amended:
            return next((d.pk for d in linked if d.source_id == amended and d.unit_id == document.unit_id), None)
    return None


def _visible_among(scope: Scope, ids: Iterable[int | None]) -> set[int]:
    wanted = {i for i in ids if i}
    if not wanted:
        return set()
    return set(Document.objects.filter(visible_q(scope), pk__in=wanted).values_list("pk", flat=True))


def file_of(document: Document, sha256: str) -> tuple[str, str]:
    """(name, content type) of a file belonging to the document (as columns, issue 17); Http404 for any other."""
    row = next(iter(document.files.filter(file_id=sha256).values_list("kind", "name", "file__content_type")[:1]), None)
    if row is not None:
        kind, name, content_type = row
        if kind == DocumentFile.Kind.MAIN and document.is_outgoing and document.notation:  # after its notation
            return notation_file_name(document.notation), content_type
        return name, content_type
    version = (
        DraftVersion.objects.filter(document=document)
        .filter(Q(pdf_id=sha256) | Q(source_id=sha256))
        .select_related("pdf", "source")
        .order_by("-number")
        .first()
    )
    if version is not None:
        if version.source_id == sha256 or version.pdf is None:
            return version.source_name, version.source.content_type
        return f"{version.source_name.rsplit('.', 1)[0]}.pdf", version.pdf.content_type
    if document.current_file_id == sha256 and document.current_file is not None:
        return notation_file_name(document.notation), document.current_file.content_type
    copy = document.copies.filter(file_id=sha256).select_related("document").first()
    if copy is not None:
        return copy.file_name, "application/pdf"
    raise Http404


# --- the clerk's bulk work (issue 12 item 9) -------------------------------------------------------------

BULK_ROWS = 200


def registered_to_present(person: Person, *, limit: int = BULK_ROWS) -> list[Document]:
    """Documents registered in the units the person is clerk of and not yet presented: urgent first, newest
    number first (the `doc_unit_status` index)."""
    scope = scope_of(person)
    units = list(scope.clerk_unit_ids)
    if not units:
        return []
    rows = Document.objects.filter(unit_id__in=units, direction=Direction.INCOMING, status=Status.REGISTERED,
                                   secrecy__lte=scope.clearance)
    return list(rows.select_related("doc_type", "unit").order_by("-urgency", "-created_at")[:limit])


def receipt_slips(person: Person, *, day: dt.date, limit: int = 500) -> list[Document]:
    """The incoming documents the person's clerk units received on `day` (local), in number order: one receipt
    slip (phiếu nhận) each."""
    scope = scope_of(person)
    units = list(scope.clerk_unit_ids)
    if not units:
        return []
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    rows = Document.objects.filter(unit_id__in=units, direction=Direction.INCOMING, number__isnull=False,
                                   arrival_at__gte=start, arrival_at__lt=start + dt.timedelta(days=1),
                                   secrecy__lte=scope.clearance)
    return list(rows.select_related("doc_type", "unit", "created_by", "register").order_by("unit__path", "number")[
        :limit])


@dataclass(frozen=True)
class UsageEntry:
    at: Any
    actor: str
    text: str
    origin: str


USAGE_TEXTS = {
    reads.VIEWED: gettext_lazy("Mở xem văn bản"),
    reads.DOWNLOADED: gettext_lazy("Tải xuống tệp"),
    reads.PRINTED: gettext_lazy("In phiếu giải quyết"),
}


def usage_history(document: Document, *, limit: int = 100) -> list[UsageEntry]:
    """Who opened, downloaded and printed the document, newest first (one query; the caller checks
    `access.can_see_usage`)."""
    out = []
    for event in reads.usage_of(document, limit=limit):
        data = event.data if isinstance(event.data, dict) else {}
        text = str(USAGE_TEXTS.get(event.verb, event.verb))
        if data.get("file"):
            text += f" “{data['file']}”"
        if data.get("marked"):
            text += " " + _("(bản sao có dấu người tải)")
        if data.get("via") == "api":
            text += " " + _("qua API")
        out.append(UsageEntry(at=event.at, actor=event.actor_name or _("Hệ thống"), text=text,
                              origin=str(data.get("ip", ""))))
    return out
