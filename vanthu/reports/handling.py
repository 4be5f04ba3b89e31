"""The handling forms and reports of incoming and outgoing documents (Decree 30 checklist points 29 and 31):

- the Phiếu giải quyết văn bản đến of one document (Phụ lục IV): the document, the head's direction (lead and
  co-operating units, deadline, date), the unit heads' assignment, the handlers' proposals and results, and the
  handling history;
- the Sổ theo dõi giải quyết văn bản đến of a unit over a period, 7 columns: số đến; số ký hiệu, ngày tháng,
  tác giả, trích yếu; đơn vị hoặc người nhận; thời hạn giải quyết; tiến độ giải quyết; số, ký hiệu văn bản trả
  lời; ghi chú;
- the báo cáo giải quyết văn bản đến (Phụ lục VI): per lead unit, the documents handled on time, handled late,
  pending within their deadline and pending overdue;
- the báo cáo văn bản đi (Phụ lục VI): per document type, the documents issued, of them issued the day they
  were signed, urgent, secret, recalled.

A document is *handled* when its lead task (chủ trì, at the top of the tree) is done; on time when done no later
than its deadline (or without one). The deadline of a document without a lead task is its own `due_date`.
Each function returns a `printable.Printable`; who may ask is checked by the caller (`access_document`, or the
register right: the unit's clerks and the leaders over it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanthu.documents.models import Document, Status
from vanthu.documents.printable import Column, Printable, Table_, vn_date
from vanthu.documents.queries import history_for
from vanthu.org.models import Person, Unit
from vanthu.workflow.models import Assignment, AssignmentRole, AssignmentState, Instruction

KINDS = ("followup", "handling-in", "handling-out")  # the reports a RegisterPrint job may also print


def _printable(unit: Unit, title: str, *, printed_by: Person | None, landscape: bool = False,
               subtitle: list[str] | None = None, sheet: str = "Báo cáo") -> Printable:
    parent = unit.parent.name if unit.parent_id and unit.parent else ""
    return Printable(parent_name=parent, unit_name=unit.name, place_name=unit.place_name, title=title,
                     subtitle=subtitle or [], landscape=landscape, printed_at=timezone.now(), sheet_name=sheet,
                     printed_by=printed_by.full_name if printed_by else "")


def _period(start: dt.date, end: dt.date) -> str:
    return _("Từ ngày %(start)s đến ngày %(end)s") % {"start": vn_date(start), "end": vn_date(end)}


def _assignee(task: Assignment) -> str:
    return str(task.unit.name if task.unit_id and task.unit else task.person.full_name if task.person else "")


def _lead(tasks: Iterable[Assignment]) -> Assignment | None:
    top = [t for t in tasks if t.parent_id is None and t.role == AssignmentRole.LEAD
           and t.state != AssignmentState.CANCELLED]
    return top[0] if top else None


def deadline_of(document: Document, lead: Assignment | None) -> dt.date | None:
    return (lead.deadline if lead and lead.deadline else None) or document.due_date


# --- Phiếu giải quyết văn bản đến -------------------------------------------------------------------------


def handling_slip(document: Document, *, printed_by: Person | None) -> Printable:
    """The Phiếu giải quyết văn bản đến of one incoming document."""
    unit = document.unit
    doc = _printable(unit, _("Phiếu giải quyết văn bản đến"), printed_by=printed_by, sheet="Phiếu giải quyết")
    doc.secrecy_mark = document.get_secrecy_display() if document.secrecy else ""
    doc.line(_("Số đến: %(n)s — ngày đến: %(at)s") % {"n": f"{document.number:02d}" if document.number else "—",
                                                       "at": vn_date(document.arrival_at, time=True)})
    doc.line(_("Tác giả: %(organ)s — số, ký hiệu: %(notation)s — ngày: %(day)s") % {
        "organ": document.organ_name, "notation": document.notation or "—", "day": vn_date(document.issued_date)})
    doc.line(_("Tên loại và trích yếu: %(type)s %(subject)s") % {"type": document.doc_type.label,
                                                               "subject": document.subject})
    tasks = list(Assignment.objects.filter(document=document).select_related("unit", "person", "created_by")
                 .prefetch_related("notes__author").order_by("depth", "created_at", "pk"))
    instructions = list(Instruction.objects.filter(document=document).select_related("author")
                        .order_by("created_at", "pk"))

    doc.heading(_("1. Ý kiến chỉ đạo của người đứng đầu cơ quan, tổ chức"))
    if not instructions:
        doc.line(_("(Chưa có ý kiến chỉ đạo.)"))
    for item in instructions:
        doc.line(_("%(text)s — %(name)s, ngày %(day)s") % {"text": item.text, "name": item.author.full_name,
                                                           "day": vn_date(item.created_at)})
    top = [t for t in tasks if t.parent_id is None and t.role != AssignmentRole.PRESENT]
    lead = _lead(tasks)
    cooperate = [t for t in top if t.role == AssignmentRole.COOPERATE]
    doc.line(_("Đơn vị, cá nhân chủ trì: %(lead)s") % {"lead": _assignee(lead) if lead else "—"})
    doc.line(_("Đơn vị, cá nhân phối hợp: %(units)s") % {"units": ", ".join(_assignee(t) for t in cooperate) or "—"})
    doc.line(_("Thời hạn giải quyết: %(day)s") % {"day": vn_date(deadline_of(document, lead)) or "—"})

    doc.heading(_("2. Ý kiến phân công của lãnh đạo đơn vị"))
    below = [t for t in tasks if t.parent_id is not None]
    if not below:
        doc.line(_("(Chưa phân công tiếp.)"))
    for t in below:
        doc.line(_("%(by)s giao %(to)s (%(part)s), hạn %(day)s%(note)s") % {
            "by": t.created_by.full_name, "to": _assignee(t), "part": t.get_part_display(),
            "day": vn_date(t.deadline) or "—", "note": f": {t.note}" if t.note else ""})

    doc.heading(_("3. Ý kiến đề xuất, kết quả của người giải quyết"))
    proposals = [n for t in tasks for n in t.notes.all()]
    results = [t for t in tasks if t.result]
    if not proposals and not results:
        doc.line(_("(Chưa có.)"))
    for n in proposals:
        doc.line(f"{n.author.full_name} ({vn_date(n.created_at)}): {n.text}")
    for t in results:
        doc.line(_("Kết quả của %(who)s: %(result)s") % {"who": _assignee(t), "result": t.result})

    doc.heading(_("4. Quá trình giải quyết"))
    doc.table(Table_(columns=[Column(_("Thời gian"), 32, centred=True), Column(_("Người thực hiện"), 45),
                              Column(_("Nội dung"), 88)],
                     rows=[[vn_date(e.at, time=True), e.actor, f"{e.text}{' — ' + e.detail if e.detail else ''}"]
                           for e in reversed(history_for(document))], numbered_heading=False))
    doc.signatures = (_("NGƯỜI GIẢI QUYẾT"), _("LÃNH ĐẠO ĐƠN VỊ"))
    return doc


# --- Sổ theo dõi giải quyết văn bản đến -------------------------------------------------------------------


def _incoming(unit: Unit, start: dt.date, end: dt.date) -> QuerySet[Document]:
    tasks = Assignment.objects.select_related("unit", "person", "reply").order_by("depth", "created_at", "pk")
    return (Document.objects.filter(unit=unit, direction="in", number__isnull=False, arrival_at__date__gte=start,
                                    arrival_at__date__lte=end, secrecy=0)
            .exclude(status__in=(Status.RECEIVED, Status.RETURNED))
            .select_related("doc_type").prefetch_related(Prefetch("assignments", queryset=tasks))
            .order_by("arrival_at", "number", "pk"))


def count_incoming(unit: Unit, start: dt.date, end: dt.date) -> int:
    return _incoming(unit, start, end).count()


@dataclass(frozen=True)
class Handling:
    document: Document
    lead: Assignment | None
    deadline: dt.date | None
    done_on: dt.date | None

    @property
    def bucket(self) -> str:
        """on_time | late | pending | overdue (pending past the deadline)."""
        today = timezone.localdate()
        if self.document.status == Status.DONE or self.done_on is not None:
            done = self.done_on or today
            return "late" if self.deadline and done > self.deadline else "on_time"
        return "overdue" if self.deadline and self.deadline < today else "pending"


def handlings(unit: Unit, start: dt.date, end: dt.date) -> list[Handling]:
    out = []
    for document in _incoming(unit, start, end):
        tasks = list(document.assignments.all())
        lead = _lead(tasks)
        done = lead.done_at if lead and lead.state == AssignmentState.DONE else None
        out.append(Handling(document=document, lead=lead, deadline=deadline_of(document, lead),
                            done_on=timezone.localdate(done) if done else None))
    return out


BUCKETS = {"on_time": gettext_lazy("Đã giải quyết đúng hạn"), "late": gettext_lazy("Đã giải quyết quá hạn"),
           "pending": gettext_lazy("Đang giải quyết, trong hạn"),
           "overdue": gettext_lazy("Chưa giải quyết, đã quá hạn")}


def followup_register(unit: Unit, start: dt.date, end: dt.date, *, printed_by: Person | None) -> Printable:
    doc = _printable(unit, _("Sổ theo dõi giải quyết văn bản đến"), printed_by=printed_by, landscape=True,
                     subtitle=[_period(start, end)], sheet="So theo doi")
    rows = []
    for h in handlings(unit, start, end):
        d = h.document
        identity = f"{d.notation or '—'}, {vn_date(d.issued_date)}, {d.organ_name}\n{d.doc_type.label} {d.subject}"
        progress = str(BUCKETS[h.bucket])
        if h.lead and h.lead.state != AssignmentState.DONE:
            progress += f" ({h.lead.progress}%)"
        if h.done_on:
            progress += " — " + _("xong ngày %(day)s") % {"day": vn_date(h.done_on)}
        reply = h.lead.reply.notation if h.lead and h.lead.reply_id and h.lead.reply else ""
        rows.append([f"{d.number:02d}" if d.number else "", identity, _assignee(h.lead) if h.lead else "",
                     vn_date(h.deadline), progress, reply, d.description])
    doc.table(Table_(columns=[Column(_("Số đến"), 14, centred=True),
                              Column(_("Số, ký hiệu, ngày tháng, tác giả, trích yếu"), 80),
                              Column(_("Đơn vị hoặc người nhận"), 38), Column(_("Thời hạn giải quyết"), 22, True),
                              Column(_("Tiến độ giải quyết"), 38), Column(_("Số, ký hiệu văn bản trả lời"), 28),
                              Column(_("Ghi chú"), 27)], rows=rows))
    doc.line(_("Tổng số: %(n)s văn bản.") % {"n": len(rows)})
    doc.signatures = (_("VĂN THƯ"), _("THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"))
    return doc


# --- the two handling reports (Phụ lục VI) ----------------------------------------------------------------


def incoming_report(unit: Unit, start: dt.date, end: dt.date, *, printed_by: Person | None) -> Printable:
    doc = _printable(unit, _("Báo cáo tình hình giải quyết văn bản đến"), printed_by=printed_by,
                     subtitle=[_period(start, end)], sheet="Giai quyet VB den")
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(BUCKETS, 0))
    unassigned = _("(Chưa giao xử lý)")
    for h in handlings(unit, start, end):
        counts[_assignee(h.lead) if h.lead else unassigned][h.bucket] += 1
    rows: list[list[str]] = []
    total = dict.fromkeys(BUCKETS, 0)
    for name in sorted(counts, key=lambda n: (n == unassigned, n)):
        c = counts[name]
        for k in BUCKETS:
            total[k] += c[k]
        rows.append([str(len(rows) + 1), name, str(sum(c.values())), *(str(c[k]) for k in BUCKETS)])
    doc.table(Table_(columns=[Column(_("TT"), 10, True), Column(_("Đơn vị, cá nhân chủ trì"), 52),
                              Column(_("Tổng số"), 16, True),
                              *(Column(str(label), 22, True) for label in BUCKETS.values())],
                     rows=rows, total=["", _("Cộng"), str(sum(total.values())), *(str(total[k]) for k in BUCKETS)]))
    doc.line(_("Văn bản mật không tính trong báo cáo này (theo dõi trong sổ mật)."))
    doc.signatures = (_("NGƯỜI LẬP"), _("THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"))
    return doc


def _outgoing(unit: Unit, start: dt.date, end: dt.date) -> QuerySet[Document]:
    return (Document.objects.filter(unit=unit, direction="out", issued_at__isnull=False, number__isnull=False,
                                    issued_at__date__gte=start, issued_at__date__lte=end)
            .select_related("doc_type").order_by("doc_type__name", "pk"))


def count_outgoing(unit: Unit, start: dt.date, end: dt.date) -> int:
    return _outgoing(unit, start, end).count()


def outgoing_report(unit: Unit, start: dt.date, end: dt.date, *, printed_by: Person | None) -> Printable:
    doc = _printable(unit, _("Báo cáo tình hình văn bản đi"), printed_by=printed_by,
                     subtitle=[_period(start, end)], sheet="Van ban di")
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for d in _outgoing(unit, start, end).iterator(chunk_size=2000):
        row = by_type[d.doc_type.label]
        row[0] += 1
        signed, issued = d.signed_at, d.issued_at
        if signed and issued and timezone.localdate(signed) == timezone.localdate(issued):
            row[1] += 1
        row[2] += int(d.urgency > 0)
        row[3] += int(d.secrecy > 0)
        row[4] += int(d.status == Status.RECALLED)
    rows = [[str(i), name, *(str(v) for v in values)] for i, (name, values) in enumerate(sorted(by_type.items()), 1)]
    total = [sum(v[k] for v in by_type.values()) for k in range(5)]
    doc.table(Table_(columns=[Column(_("TT"), 10, True), Column(_("Loại văn bản"), 50),
                              Column(_("Số văn bản đã phát hành"), 22, True),
                              Column(_("Phát hành trong ngày ký"), 22, True), Column(_("Khẩn"), 16, True),
                              Column(_("Mật"), 16, True), Column(_("Đã thu hồi"), 18, True)],
                     rows=rows, total=["", _("Cộng"), *(str(v) for v in total)]))
    doc.signatures = (_("NGƯỜI LẬP"), _("THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"))
    return doc


def build(kind: str, unit: Unit, start: dt.date, end: dt.date, *, printed_by: Person | None) -> Printable:
    if kind == "followup":
        return followup_register(unit, start, end, printed_by=printed_by)
    if kind == "handling-in":
        return incoming_report(unit, start, end, printed_by=printed_by)
    if kind == "handling-out":
        return outgoing_report(unit, start, end, printed_by=printed_by)
    raise ValueError(kind)


def size(kind: str, unit: Unit, start: dt.date, end: dt.date) -> int:
    return count_outgoing(unit, start, end) if kind == "handling-out" else count_incoming(unit, start, end)
