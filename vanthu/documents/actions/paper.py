"""Recipients nothing delivers electronically (issue 12): an outside body named only, or a delivery that
failed. The issuing unit's clerk sends the paper copy and records how (post, hand, courier, fax…) and when;
until then the recipient reads "Gửi bản giấy / chờ gửi", never "Đã gửi". One model of delivery state: the
recipient's `state` (`PAPER_PENDING` → `PAPER_SENT`), beside the electronic states of `delivery_status`."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.documents import access
from vanthu.documents.actions.common import deny, lock
from vanthu.documents.models import Document, MessageKind, OutboxMessage, Recipient, Status
from vanthu.org.models import Person

# A clock a little ahead on the clerk's machine is not a lie about the future.
FUTURE_SLACK = dt.timedelta(minutes=10)


@action("documents.recipient.paper_sent")
def record_paper_sent(*, document: Document, recipient_id: int, acting: Person, via: str, sent_at: dt.datetime,
                      note: str = "") -> Recipient:
    """The clerk sent the paper copy to a recipient nothing delivered electronically: how, when, a note."""
    document = lock(document)
    if not (document.is_outgoing and document.status == Status.ISSUED and access.is_clerk_for(acting, document)):
        raise deny(document)  # the issuing unit's clerks (`access.can_record_paper` also asks for a recipient)
    recipient = Recipient.objects.select_for_update().filter(pk=recipient_id, document=document).first()
    if recipient is None:
        raise ActionRefused(_("Nơi nhận không thuộc văn bản này."), code="not_found", field="recipient",
                            target=document, status=404)
    message = OutboxMessage.objects.filter(recipient=recipient, kind=MessageKind.DOCUMENT).first()
    if not recipient.awaits_paper(message):
        raise ActionRefused(
            _("“%(place)s” không chờ gửi bản giấy (đã được chuyển điện tử hoặc đã ghi gửi bản giấy).")
            % {"place": recipient}, code="not_paper", field="recipient", target=document, status=409)
    if via not in Recipient.PaperVia.values:
        raise ActionRefused(_("Hãy chọn cách gửi bản giấy."), code="via_required", field="via", target=document)
    if sent_at > timezone.now() + FUTURE_SLACK:
        raise ActionRefused(_("Thời điểm gửi không được ở tương lai."), code="sent_at_future", field="sent_at",
                            target=document)
    if document.issued_at is not None and sent_at < document.issued_at - FUTURE_SLACK:
        raise ActionRefused(_("Thời điểm gửi không được trước khi văn bản phát hành."), code="sent_at_early",
                            field="sent_at", target=document)
    note = note.strip()
    if len(note) > 300:
        raise ActionRefused(_("Ghi chú dài quá 300 ký tự."), code="note_too_long", field="note", target=document)
    recipient.state = Recipient.State.PAPER_SENT
    recipient.sent_at = sent_at
    recipient.paper_via = via
    recipient.paper_sent_at = sent_at
    recipient.paper_note = note
    recipient.paper_recorded_by = acting
    recipient.save(update_fields=["state", "sent_at", "paper_via", "paper_sent_at", "paper_note",
                                  "paper_recorded_by"])
    log.record(actor=acting, verb="documents.recipient.paper_sent", target=document, unit=document.unit,
               data={"recipient": recipient.unit_id or recipient.external_name, "via": via,
                     "sent_at": sent_at.isoformat(), "note": note[:200]})
    return recipient
