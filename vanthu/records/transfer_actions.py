"""Archive transfer (nộp lưu, Decree 30 Điều 30): a unit's keepers submit its closed records of a year whose
retention reaches the threshold (`queries.due_for_transfer_q`); the archive accepts; from then the records are
read-only for the unit and held by the archive (state TRANSFERRED)."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu import notify
from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.org.access import person_or_none
from vanthu.org.models import Person, Role, Unit
from vanthu.org.queries import people_with_role
from vanthu.records import checks, freezes
from vanthu.records.access import archive_unit_for, can_keep_records, is_archivist_for
from vanthu.records.models import HoldState, Record, RecordHold, RecordState, Transfer, TransferState
from vanthu.records.queries import due_for_transfer_q

Actor = Person | SystemActor


@action("records.transfer.submitted")
def submit_transfer(*, unit: Unit, year: int, acting: Actor, record_ids: Sequence[int] | None = None,
                    note: str = "") -> Transfer:
    """List the unit's due records of `year` (all of them, or those of `record_ids`) for the archive."""
    if not isinstance(acting, SystemActor) and (acting is None or not can_keep_records(acting, unit)):
        raise checks.forbidden()
    checks.year(year)
    due = Record.objects.select_for_update().filter(due_for_transfer_q(), unit=unit, year=year)
    rows = list(due.order_by("code", "id"))
    if record_ids is None:  # the whole list leaves out what the head let the unit keep back (Điều 30.2)
        held = set(RecordHold.objects.filter(record__in=rows, state=HoldState.APPROVED).values_list("record_id",
                                                                                                   flat=True))
        rows = [r for r in rows if r.pk not in held]
    else:
        wanted = {int(i) for i in record_ids}
        rows = [r for r in rows if r.pk in wanted]
        if len(rows) != len(wanted):
            raise ActionRefused(_("Chỉ nộp lưu hồ sơ đã kết thúc của đơn vị, năm %(year)d, có thời hạn bảo quản từ "
                                  "%(min)d năm trở lên.") % {"year": year, "min": _min_years()},
                                code="not_due", field="records")
    if not rows:
        raise ActionRefused(_("Không có hồ sơ nào đến hạn nộp lưu."), code="empty", field="records")
    freezes.refuse_if_any_frozen([r.pk for r in rows])
    transfer = Transfer.objects.create(unit=unit, year=year, submitted_by=person_or_none(acting),
                                       note=(note or "")[:500])
    Record.objects.filter(pk__in=[r.pk for r in rows]).update(transfer=transfer, updated_at=timezone.now())
    for record in rows:
        log.record(actor=acting, verb="records.record.submitted", target=record, unit=unit,
                   data={"transfer": transfer.pk})
    log.record(actor=acting, verb="records.transfer.submitted", target=transfer, unit=unit,
               data={"year": year, "records": [r.pk for r in rows]})
    url = reverse("records:transfer", args=[transfer.pk])
    for archivist in people_with_role(archive_unit_for(unit), Role.CLERK):
        notify.send(archivist, kind="task", key=f"records.transfer:{transfer.pk}:submitted", url=url,
                    title=_("%(unit)s nộp lưu %(n)d hồ sơ năm %(year)d") % {"unit": unit.name, "n": len(rows),
                                                                          "year": year})
    return transfer


def _min_years() -> int:
    from django.conf import settings

    return int(settings.RECORDS_TRANSFER_MIN_YEARS)


@action("records.transfer.accepted")
def accept_transfer(*, transfer: Transfer, acting: Actor, note: str = "") -> Transfer:
    """The archive checks the list against the catalogue and accepts: the records become the archive's."""
    transfer = Transfer.objects.select_for_update().select_related("unit").get(pk=transfer.pk)
    if not isinstance(acting, SystemActor) and (acting is None or not is_archivist_for(acting, transfer.unit)):
        raise ActionRefused(_("Chỉ lưu trữ cơ quan được nhận hồ sơ nộp lưu."), code="forbidden", status=403,
                            target=transfer)
    if transfer.state != TransferState.SUBMITTED:
        raise ActionRefused(_("Đợt nộp lưu này đã được nhận."), code="accepted", target=transfer)
    records = list(Record.objects.select_for_update().filter(transfer=transfer))
    freezes.refuse_if_any_frozen([r.pk for r in records])
    transfer.state = TransferState.ACCEPTED
    transfer.accepted_by = person_or_none(acting)
    transfer.accepted_at = timezone.now()
    if note:
        transfer.note = note[:500]
    transfer.save(update_fields=["state", "accepted_by", "accepted_at", "note"])
    Record.objects.filter(transfer=transfer).update(state=RecordState.TRANSFERRED, updated_at=timezone.now())
    for record in records:
        log.record(actor=acting, verb="records.record.accepted", target=record, unit=transfer.unit,
                   data={"transfer": transfer.pk})
    log.record(actor=acting, verb="records.transfer.accepted", target=transfer, unit=transfer.unit,
               data={"records": len(records)})
    if transfer.submitted_by is not None:
        notify.send(transfer.submitted_by, kind="info", key=f"records.transfer:{transfer.pk}:accepted",
                    url=reverse("records:transfer", args=[transfer.pk]),
                    title=_("Lưu trữ đã nhận %(n)d hồ sơ nộp lưu năm %(year)d") % {"n": len(records),
                                                                                 "year": transfer.year})
    return transfer
