"""Handover (bàn giao, Decree 30 Điều 31): when a person leaves or moves unit, their open records and unfinished
tasks pass to a named successor of the same unit, through a handover record both confirm.

"Both sign": the giver's side is confirmed by the giver in their own session (or, when the giver has already
left, by the leader over the unit who drew it up), the receiver's side by the receiver in theirs; each
confirmation is an action audited in the unit's hash-chained audit log under the person who made it. When both
sides have confirmed, everything still open is passed in the same transaction (also what became open since the
record was drawn up), so nothing is orphaned."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu import notify
from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.documents.actions import share
from vanthu.documents.models import ShareReason
from vanthu.org.access import person_or_none
from vanthu.org.models import Person
from vanthu.org.queries import scope_of
from vanthu.records import checks, freezes
from vanthu.records.access import can_draw_up_handover
from vanthu.records.models import CatalogueEntry, Handover, HandoverItem, HandoverState, Record, RecordState
from vanthu.workflow.models import OPEN_STATES, Assignment

Actor = Person | SystemActor


def _open_records(person: Person) -> list[Record]:
    return list(Record.objects.filter(creator=person, state=RecordState.OPEN, transfer__isnull=True)
                .order_by("year", "code"))


def _open_tasks(person: Person) -> list[Assignment]:
    return list(Assignment.objects.filter(person=person, state__in=OPEN_STATES).select_related("document")
                .order_by("id"))


def _task_label(task: Assignment) -> str:
    subject = task.title or (task.document.subject if task.document is not None else "")
    return f"{task.get_role_display()}: {subject}"[:600]


def _list_items(handover: Handover) -> None:
    have_records = set(handover.items.filter(record__isnull=False).values_list("record_id", flat=True))
    have_tasks = set(handover.items.filter(task__isnull=False).values_list("task_id", flat=True))
    for record in _open_records(handover.giver):
        if record.pk not in have_records:
            HandoverItem.objects.create(handover=handover, kind=HandoverItem.Kind.RECORD, record=record,
                                        label=f"{record.year} {record.code} {record.title}"[:600])
    for task in _open_tasks(handover.giver):
        if task.pk not in have_tasks:
            HandoverItem.objects.create(handover=handover, kind=HandoverItem.Kind.TASK, task=task,
                                        label=_task_label(task))


@action("records.handover.drawn_up")
def draw_up_handover(*, giver: Person, receiver: Person, reason: str, acting: Actor) -> Handover:
    """A handover record from `giver` to `receiver` (same unit, active); drawn up by the giver (whose side is
    then confirmed) or by a leader or administrator over the unit."""
    if acting is None or not can_draw_up_handover(acting, giver):
        raise checks.forbidden()
    why = checks.reason(reason)
    if receiver.pk == giver.pk:
        raise ActionRefused(_("Người nhận bàn giao phải là người khác."), code="same_person", field="receiver")
    if receiver.unit_id != giver.unit_id or not receiver.is_active:
        raise ActionRefused(
            _("%(name)s không thuộc %(unit)s (hoặc đã nghỉ); chỉ bàn giao cho cán bộ đang công tác cùng đơn vị.")
            % {"name": receiver.rank_and_name, "unit": giver.unit.name}, code="outside_unit", field="receiver")
    if Handover.objects.filter(giver=giver, state=HandoverState.PENDING).exists():
        raise ActionRefused(_("%(name)s đang có một biên bản bàn giao chờ xác nhận.") % {"name": giver.rank_and_name},
                            code="pending", field="giver")
    by_giver = not isinstance(acting, SystemActor) and acting.pk == giver.pk
    handover = Handover.objects.create(
        unit=giver.unit, giver=giver, receiver=receiver, reason=why, created_by=person_or_none(acting),
        giver_confirmed_by=giver if by_giver else None, giver_confirmed_at=timezone.now() if by_giver else None)
    _list_items(handover)
    log.record(actor=acting, verb="records.handover.drawn_up", target=handover, unit=handover.unit,
               data={"giver": giver.pk, "receiver": receiver.pk, "items": handover.items.count(), "reason": why})
    notify.send(receiver, kind="task", key=f"records.handover:{handover.pk}:drawn_up",
                url=reverse("records:handover", args=[handover.pk]),
                title=_("Nhận bàn giao từ %(name)s: hãy xác nhận") % {"name": giver.rank_and_name})
    return handover


def can_confirm_giver(person: Person, handover: Handover) -> bool:
    if handover.state != HandoverState.PENDING or handover.giver_confirmed_at is not None:
        return False
    if person.pk == handover.giver_id:
        return True
    # a giver who has left: the leader over the unit signs for them
    return not handover.giver.is_active and scope_of(person).leads(handover.unit)


def can_confirm_receiver(person: Person, handover: Handover) -> bool:
    return (handover.state == HandoverState.PENDING and handover.receiver_confirmed_at is None
            and person.pk == handover.receiver_id)


@action("records.handover.confirmed")
def confirm_handover(*, handover: Handover, acting: Actor) -> Handover:
    """Confirm one's own side; at the second confirmation the open records and tasks pass to the receiver."""
    handover = Handover.objects.select_for_update().select_related("giver", "receiver", "unit").get(pk=handover.pk)
    if handover.state != HandoverState.PENDING:
        raise ActionRefused(_("Biên bản bàn giao đã hoàn tất."), code="done", target=handover)
    side = ""
    if isinstance(acting, SystemActor):
        side = "receiver" if handover.giver_confirmed_at else "giver"
    elif acting is not None and can_confirm_receiver(acting, handover):
        side = "receiver"
    elif acting is not None and can_confirm_giver(acting, handover):
        side = "giver"
    if not side:
        raise ActionRefused(_("Bạn không phải một bên của biên bản bàn giao này, hoặc đã xác nhận rồi."),
                            code="forbidden", status=403, target=handover)
    now = timezone.now()
    if side == "giver":
        handover.giver_confirmed_at = now
        handover.giver_confirmed_by = person_or_none(acting)
    else:
        if not handover.receiver.is_active or handover.receiver.unit_id != handover.unit_id:
            raise ActionRefused(_("Người nhận không còn công tác tại đơn vị; hãy lập biên bản mới."),
                                code="outside_unit", target=handover)
        handover.receiver_confirmed_at = now
    handover.save(update_fields=["giver_confirmed_at", "giver_confirmed_by", "receiver_confirmed_at"])
    log.record(actor=acting, verb="records.handover.confirmed", target=handover, unit=handover.unit,
               data={"side": side})
    if handover.giver_confirmed_at and handover.receiver_confirmed_at:
        _pass_over(handover, acting)
    return handover


def _pass_over(handover: Handover, acting: Actor) -> None:
    _list_items(handover)  # what became open since it was drawn up passes too
    giver, receiver = handover.giver, handover.receiver
    records = Record.objects.filter(pk__in=handover.items.filter(record__isnull=False).values("record_id"),
                                    creator=giver, state=RecordState.OPEN)
    moved_records = [r.pk for r in records]
    freezes.refuse_if_any_frozen(moved_records)  # a frozen record keeps its keeper (decision 0027)
    records.update(creator=receiver, updated_at=timezone.now())
    CatalogueEntry.objects.filter(responsible=giver, catalogue__year__gte=timezone.localdate().year).update(
        responsible=receiver)
    tasks = list(Assignment.objects.select_for_update(of=("self",)).filter(
        pk__in=handover.items.filter(task__isnull=False).values("task_id"), person=giver, state__in=OPEN_STATES)
        .select_related("document"))
    for task in tasks:
        if task.document is not None:
            share(task.document, reason=ShareReason.LEAD, person=receiver)  # refuses one not cleared for it
    Assignment.objects.filter(pk__in=[t.pk for t in tasks]).update(person=receiver)
    handover.state = HandoverState.DONE
    handover.done_at = timezone.now()
    handover.save(update_fields=["state", "done_at"])
    for pk in moved_records:
        log.record(actor=acting, verb="records.record.handed_over", target=("records.record", pk),
                   unit=handover.unit, data={"from": giver.pk, "to": receiver.pk, "handover": handover.pk})
    log.record(actor=acting, verb="records.handover.done", target=handover, unit=handover.unit,
               data={"records": moved_records, "tasks": [t.pk for t in tasks]})
    notify.send(receiver, kind="task", key=f"records.handover:{handover.pk}:done",
                url=reverse("records:handover", args=[handover.pk]),
                title=_("Đã nhận bàn giao %(r)d hồ sơ, %(t)d công việc từ %(name)s")
                % {"r": len(moved_records), "t": len(tasks), "name": giver.rank_and_name})
