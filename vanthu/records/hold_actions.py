"""Keeping records back from the archive (Decree 30 Điều 30.2, checklist point 40): the unit's keepers (its
clerks and leaders) ask to keep a closed record due at the archive for up to 24 months; the head of the agency —
a leader of the unit whose archive receives the record (`access.archive_unit_for`) — approves or refuses. An
approved hold moves the record's due date (`periods.due_date`) and keeps it out of the unit's default transfer
list; the reminders follow the moved date."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu import notify
from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.org.models import Person, Role
from vanthu.org.queries import people_with_role, scope_of
from vanthu.records import checks
from vanthu.records.access import archive_unit_for, can_keep_records
from vanthu.records.hold_models import HOLD_MAX_MONTHS, HoldState, RecordHold
from vanthu.records.models import Record
from vanthu.records.queries import due_for_transfer_q


def can_request_hold(person: Person, record: Record) -> bool:
    return person.is_active and can_keep_records(person, record.unit)


def can_decide_hold(person: Person, record: Record) -> bool:
    """The head of the agency: a leader of (or over) the unit holding the record's archive."""
    return person.is_active and scope_of(person).leads(archive_unit_for(record.unit))


def _url(record: Record) -> str:
    return reverse("records:hold", args=[record.pk])


@action("records.hold.requested")
def request_hold(*, record: Record, months: int, reason: str, acting: Person) -> RecordHold:
    """Ask to keep a closed record due at the archive for `months` (1–24) past its due date."""
    record = Record.objects.select_for_update().select_related("unit", "entry").get(pk=record.pk)
    if not can_request_hold(acting, record):
        raise checks.forbidden(record)
    if not isinstance(months, int) or not 1 <= months <= HOLD_MAX_MONTHS:
        raise ActionRefused(_("Chỉ được giữ lại hồ sơ từ 1 đến %(max)d tháng (không quá 02 năm kể từ ngày đến "
                              "hạn nộp lưu).") % {"max": HOLD_MAX_MONTHS}, code="months", field="months",
                            target=record)
    clean_reason = checks.reason(reason, target=record)
    if not Record.objects.filter(due_for_transfer_q(), pk=record.pk).exists():
        raise ActionRefused(_("Chỉ giữ lại hồ sơ đã kết thúc, phải nộp lưu và chưa nộp lưu."), code="not_due",
                            target=record)
    try:
        with transaction.atomic():
            hold = RecordHold.objects.create(record=record, months=months, reason=clean_reason,
                                             requested_by=acting)
    except IntegrityError as exc:
        raise ActionRefused(_("Hồ sơ đã có đề nghị giữ lại đang chờ duyệt hoặc đã được đồng ý."), code="exists",
                            target=record) from exc
    log.record(actor=acting, verb="records.hold.requested", target=record, unit=record.unit,
               data={"hold": hold.pk, "months": months, "reason": clean_reason})
    for head in people_with_role(archive_unit_for(record.unit), Role.LEADER):
        notify.send(head, kind="task", key=f"records.hold:{hold.pk}:requested", url=_url(record),
                    title=_("%(unit)s đề nghị giữ lại hồ sơ %(code)s %(n)d tháng") % {
                        "unit": record.unit.name, "code": record.code, "n": months})
    return hold


@action("records.hold.decided")
def decide_hold(*, hold: RecordHold, approve: bool, acting: Person, note: str = "") -> RecordHold:
    """The head of the agency approves (the due date moves by the hold's months) or refuses (a reason)."""
    hold = RecordHold.objects.select_for_update().select_related("record__unit").get(pk=hold.pk)
    record = hold.record
    if not can_decide_hold(acting, record):
        raise ActionRefused(_("Chỉ người đứng đầu cơ quan được duyệt việc giữ lại hồ sơ."), code="forbidden",
                            status=403, target=record)
    if hold.state != HoldState.REQUESTED:
        raise ActionRefused(_("Đề nghị này đã được duyệt."), code="decided", target=record)
    note = " ".join((note or "").split())[:500]
    if not approve and not note:
        raise ActionRefused(_("Hãy nêu lý do không đồng ý."), code="required", field="note", target=record)
    hold.state = HoldState.APPROVED if approve else HoldState.REFUSED
    hold.decided_by = acting
    hold.decided_at = timezone.now()
    hold.decision_note = note
    hold.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    log.record(actor=acting, verb="records.hold.approved" if approve else "records.hold.refused", target=record,
               unit=record.unit, data={"hold": hold.pk, "months": hold.months, "note": note})
    notify.send(hold.requested_by, kind="info", key=f"records.hold:{hold.pk}:decided", url=_url(record),
                title=(_("Đã đồng ý giữ lại hồ sơ %(code)s %(n)d tháng") if approve
                       else _("Không đồng ý giữ lại hồ sơ %(code)s")) % {"code": record.code, "n": hold.months})
    return hold
