"""Freeze a chosen set of work records with a reason, and lift the freeze with a reason (checklist point 50,
decision 0027). A unit head (a leader of the record's unit or above) or a security officer over it may; each
record gets its audit event (its history shows the freeze) and the freeze order one more."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.org.models import Person
from vanthu.records import checks
from vanthu.records.freeze_models import RecordFreeze
from vanthu.records.freezes import can_freeze, live
from vanthu.records.models import Record

MAX_AT_ONCE = 500


def _locked(records: Sequence[Record], acting: Person) -> list[Record]:
    ids = sorted({r.pk for r in records})
    if not ids:
        raise ActionRefused(_("Hãy chọn ít nhất một hồ sơ."), code="required", field="records")
    if len(ids) > MAX_AT_ONCE:
        raise ActionRefused(_("Mỗi lần chọn tối đa %(n)d hồ sơ.") % {"n": MAX_AT_ONCE}, code="too_many",
                            field="records")
    rows = list(Record.objects.select_for_update(of=("self",)).select_related("unit").filter(pk__in=ids)
                .order_by("pk"))
    if len(rows) != len(ids):
        raise ActionRefused(_("Không tìm thấy hồ sơ."), code="not_found", status=404, field="records")
    for record in rows:
        if not can_freeze(acting, record.unit):
            raise ActionRefused(_("Chỉ thủ trưởng đơn vị hoặc cán bộ bảo mật được phong tỏa, gỡ phong tỏa hồ sơ "
                                  "%(code)s.") % {"code": record.code}, code="forbidden", status=403,
                                target=record)
    return rows


@action("records.records.frozen")
def freeze_records(*, records: Sequence[Record], reason: str, acting: Person) -> list[RecordFreeze]:
    """Freeze every record of `records` (none may be frozen already): one freeze order, one reason."""
    rows = _locked(records, acting)
    why = checks.reason(reason)
    already = live().filter(record__in=rows).select_related("record").first()
    if already is not None:
        raise ActionRefused(_("Hồ sơ %(code)s đã bị phong tỏa.") % {"code": already.record.code},
                            code="frozen", status=409, target=already.record)
    batch = uuid.uuid4()
    try:
        with transaction.atomic():
            made = RecordFreeze.objects.bulk_create(
                [RecordFreeze(record=r, batch=batch, reason=why, frozen_by=acting) for r in rows])
    except IntegrityError as exc:  # frozen by someone else meanwhile
        raise ActionRefused(_("Hồ sơ vừa bị phong tỏa bởi người khác; hãy tải lại trang."), code="frozen",
                            status=409) from exc
    for record in rows:
        log.record(actor=acting, verb="records.record.frozen", target=record, unit=record.unit,
                   data={"batch": str(batch), "reason": why})
    log.record(actor=acting, verb="records.records.frozen", unit=acting.unit_id,
               data={"batch": str(batch), "records": [r.pk for r in rows], "reason": why})
    return made


@action("records.records.unfrozen")
def unfreeze_records(*, records: Sequence[Record], reason: str, acting: Person) -> int:
    """Lift the live freeze of every record of `records` (each must be frozen), with a reason."""
    rows = _locked(records, acting)
    why = checks.reason(reason)
    freezes = {f.record_id: f for f in live().filter(record__in=rows)}
    for record in rows:
        if record.pk not in freezes:
            raise ActionRefused(_("Hồ sơ %(code)s không bị phong tỏa.") % {"code": record.code},
                                code="not_frozen", status=409, target=record)
    now = timezone.now()
    RecordFreeze.objects.filter(pk__in=[f.pk for f in freezes.values()]).update(
        lifted_at=now, lifted_by=acting, lift_reason=why)
    for record in rows:
        log.record(actor=acting, verb="records.record.unfrozen", target=record, unit=record.unit,
                   data={"batch": str(freezes[record.pk].batch), "reason": why})
    log.record(actor=acting, verb="records.records.unfrozen", unit=acting.unit_id,
               data={"records": [r.pk for r in rows], "reason": why})
    return len(rows)


__all__ = ["freeze_records", "unfreeze_records"]
