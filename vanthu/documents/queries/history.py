"""What happened to a document, as sentences: its handling history (the audit events, in Vietnamese) and its
usage history (who opened, downloaded, printed it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from vanthu.audit import log, reads
from vanthu.audit.models import AuditEvent
from vanthu.documents.models import CopyForm, Document, MessageStatus, Recipient
from vanthu.documents.outbox import FAILURES as FAILURE_TEXTS
from vanthu.org.models import Person, Unit

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
