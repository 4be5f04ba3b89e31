"""Frozen records (decision 0027): who may freeze, what a freeze forbids, and the refusal everyone gets.

While a record has a live `RecordFreeze`, every record action (file, remove, close, reopen, transfer, handover)
and every change to a document filed in it (`documents.guards`: cancel, recall, replace, answer a recall, edit)
is refused with `refusal`. Costs one query per check."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.documents.models import Document
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of
from vanthu.records.freeze_models import RecordFreeze
from vanthu.records.models import Record, RecordItem


def can_freeze(person: Person | SystemActor | None, unit: Unit) -> bool:
    """A leader of the unit or of a unit above it (its head), or a security officer over it."""
    if isinstance(person, SystemActor):
        return True
    if person is None or not person.is_active:
        return False
    scope = scope_of(person)
    return scope.leads(unit) or any(unit.path.startswith(path) for path in scope.security_paths)


def live() -> QuerySet[RecordFreeze]:
    return RecordFreeze.objects.filter(lifted_at__isnull=True)


def live_freeze(record: Record) -> RecordFreeze | None:
    return live().filter(record=record).select_related("frozen_by").first()


def refusal(record: Record, freeze: RecordFreeze) -> ActionRefused:
    return ActionRefused(
        _("Hồ sơ %(code)s đang bị phong tỏa (lý do: %(reason)s): không được thay đổi hồ sơ và các văn bản trong "
          "hồ sơ cho đến khi gỡ phong tỏa.") % {"code": record.code, "reason": freeze.reason},
        code="frozen", status=409, target=record)


def refuse_if_frozen(record: Record) -> None:
    freeze = live_freeze(record)
    if freeze is not None:
        raise refusal(record, freeze)


def refuse_if_any_frozen(record_ids: list[int]) -> None:
    """For the actions that move several records at once (transfer, handover)."""
    freeze = live().filter(record_id__in=record_ids).select_related("record").order_by("record_id").first()
    if freeze is not None:
        raise refusal(freeze.record, freeze)


def guard_document(document: Document) -> None:
    """documents' guard: a document filed in a frozen record does not change."""
    item = (RecordItem.objects.filter(document_id=document.pk, record__freezes__lifted_at__isnull=True)
            .select_related("record").first())
    if item is not None:
        freeze = live_freeze(item.record)
        if freeze is not None:
            raise refusal(item.record, freeze)


def freezable_records(person: Person) -> QuerySet[Record]:
    """The records `person` may freeze: those of the units they lead or secure, and of the units below."""
    scope = scope_of(person)
    where = scope.leader_q("unit__path")
    for path in scope.security_paths:
        where |= Q(unit__path__startswith=path)
    return Record.objects.filter(where)


def may_freeze_any(person: Person) -> bool:
    scope = scope_of(person)
    return bool(scope.leader_paths or scope.security_paths)
