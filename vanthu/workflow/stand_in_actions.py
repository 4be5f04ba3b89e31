"""Acting for someone (xử lý thay, issue 12): a person away names who handles their work for a period (or their
unit's leader or clerk does it for them). The stand-in's inbox shows the absent person's items, marked; what the
stand-in does on them is recorded with both names (`permissions.acting_for`). It ends by itself after its last
day (`org.queries.active_stand_ins` compares dates: no job, no stored flag) or earlier when cancelled.

Refused, with nothing written but the refusal's audit entry: a stand-in outside the absent person's branch of
the organisation, or not cleared for one of the open items, or a period that overlaps another."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu import notify
from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.actors import SystemActor
from vanthu.core.choices import Secrecy
from vanthu.core.errors import ActionRefused
from vanthu.org.models import Person, StandIn
from vanthu.org.queries import scope_of
from vanthu.org.signals import announce
from vanthu.workflow.models import OPEN_STATES, Assignment, AssignmentState

MAX_DAYS = 366


def may_name_for(acting: Person | SystemActor, absent: Person) -> bool:
    """The person themselves, a leader over their unit, or their unit's clerk."""
    if isinstance(acting, SystemActor):
        return True
    if acting.pk == absent.pk:
        return True
    scope = scope_of(acting)
    return scope.leads(absent.unit) or absent.unit_id in scope.clerk_unit_ids


def open_items(absent: Person) -> Q:
    """The absent person's work a stand-in would handle: their open tasks and unseen for-information items."""
    return Q(person=absent) & (Q(state__in=OPEN_STATES) | Q(state=AssignmentState.INFO, seen_at__isnull=True))


def _refuse(message: str, code: str, field: str = "stand_in", status: int = 400) -> ActionRefused:
    return ActionRefused(message, code=code, field=field, status=status)


def _check_scope(absent: Person, stand_in: Person) -> None:
    """The stand-in works in the absent person's branch: the same unit, a unit below it, or a unit above it."""
    here, there = absent.unit.path, stand_in.unit.path
    if not (there.startswith(here) or here.startswith(there)):
        raise _refuse(_("%(name)s ở “%(unit)s”, ngoài phạm vi đơn vị của %(absent)s: không xử lý thay được.")
                      % {"name": stand_in.rank_and_name, "unit": stand_in.unit.name,
                         "absent": absent.rank_and_name}, "unit_scope")


def _check_clearance(absent: Person, stand_in: Person) -> None:
    above = Assignment.objects.filter(open_items(absent), document__secrecy__gt=stand_in.clearance)
    count = above.count()
    if count:
        top = max(above.values_list("document__secrecy", flat=True))
        raise _refuse(_("%(name)s không được tiếp cận văn bản độ %(mark)s, mà %(absent)s đang có %(count)d việc ở "
                        "độ mật này: hãy chọn người được tiếp cận.")
                      % {"name": stand_in.rank_and_name, "mark": Secrecy(top).label,
                         "absent": absent.rank_and_name, "count": count}, "clearance")


@action("workflow.stand_in.named")
def name_stand_in(*, absent: Person, stand_in: Person, starts_on: dt.date, ends_on: dt.date, reason: str = "",
                  acting: Person | SystemActor) -> StandIn:
    if acting is None:
        raise ActionRefused(_("Không rõ người thực hiện."), code="no_actor", status=403)
    if not may_name_for(acting, absent):
        raise _refuse(_("Chỉ người vắng, chỉ huy hoặc văn thư đơn vị của họ mới cử được người xử lý thay."),
                      "forbidden", field="absent", status=403)
    if not stand_in.is_active or stand_in.pk == absent.pk:
        raise _refuse(_("Hãy chọn một người khác đang công tác để xử lý thay."), "stand_in_invalid")
    today = timezone.localdate()
    if ends_on < starts_on:
        raise _refuse(_("Ngày kết thúc phải từ ngày bắt đầu trở đi."), "period_invalid", field="ends_on")
    if ends_on < today:
        raise _refuse(_("Khoảng thời gian đã qua."), "period_past", field="ends_on")
    if (ends_on - starts_on).days >= MAX_DAYS:
        raise _refuse(_("Xử lý thay không quá %(days)d ngày mỗi lần.") % {"days": MAX_DAYS}, "period_too_long",
                      field="ends_on")
    _check_scope(absent, stand_in)
    _check_clearance(absent, stand_in)
    overlapping = StandIn.objects.select_for_update().filter(
        absent=absent, cancelled_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on).first()
    if overlapping is not None:
        raise _refuse(_("%(absent)s đã có người xử lý thay (%(other)s) từ %(start)s đến %(end)s.")
                      % {"absent": absent.rank_and_name, "other": overlapping.stand_in.rank_and_name,
                         "start": f"{overlapping.starts_on:%d/%m/%Y}", "end": f"{overlapping.ends_on:%d/%m/%Y}"},
                      "overlap", field="starts_on")
    reason = reason.strip()[:300]
    row = StandIn.objects.create(absent=absent, stand_in=stand_in, starts_on=starts_on, ends_on=ends_on,
                                 reason=reason, created_by=acting if isinstance(acting, Person) else None)
    event = log.record(actor=acting, verb="workflow.stand_in.named", target=row, unit=absent.unit,
               data={"absent": absent.pk, "absent_name": absent.rank_and_name, "stand_in": stand_in.pk,
                     "stand_in_name": stand_in.rank_and_name, "starts_on": starts_on, "ends_on": ends_on,
                     "reason": reason})
    announce(event, person=stand_in, unit=absent.unit, detail=_("thay %(absent)s từ %(start)s đến %(end)s") % {
        "absent": absent.rank_and_name, "start": f"{starts_on:%d/%m/%Y}", "end": f"{ends_on:%d/%m/%Y}"})
    notify.send(stand_in, kind="task", key=f"stand-in:{row.pk}", url=reverse("stand_ins"),
                title=_("Bạn xử lý thay %(absent)s từ %(start)s đến %(end)s") % {
                    "absent": absent.rank_and_name, "start": f"{starts_on:%d/%m/%Y}", "end": f"{ends_on:%d/%m/%Y}"})
    return row


@action("workflow.stand_in.cancelled")
def cancel_stand_in(*, stand_in: StandIn, acting: Person | SystemActor) -> StandIn:
    """End a stand-in early (back from leave): the absent person, whoever named it, or who may name one."""
    row = StandIn.objects.select_for_update().select_related("absent__unit", "stand_in").get(pk=stand_in.pk)
    allowed = may_name_for(acting, row.absent) or (isinstance(acting, Person) and acting.pk == row.created_by_id)
    if not allowed:
        raise _refuse(_("Bạn không có quyền kết thúc việc xử lý thay này."), "forbidden", status=403)
    if row.cancelled_at is not None or row.ends_on < timezone.localdate():
        raise _refuse(_("Việc xử lý thay này đã kết thúc."), "ended", status=409)
    row.cancelled_at = timezone.now()
    row.save(update_fields=["cancelled_at"])
    event = log.record(actor=acting, verb="workflow.stand_in.cancelled", target=row, unit=row.absent.unit,
                       data={"absent": row.absent_id, "stand_in": row.stand_in_id})
    announce(event, person=row.stand_in, unit=row.absent.unit,
             detail=_("thay %(absent)s") % {"absent": row.absent.rank_and_name})
    return row
