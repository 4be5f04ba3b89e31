"""Who may see and act on work records. Pages, API and CLI all ask here; the actions check the same predicates.

- A record is seen by the people of its unit (own unit, or clerk of it), the leaders over the unit, and — once
  a transfer of it is submitted — the archive (`archivists_of`). `access_record` answers 404 for a missing and
  for a forbidden record alike.
- Inside a record, each document shows fully only to who may see that document (`documents.access.can_see`);
  the others show their ordinal, number, date and mark only (`queries.items_of`).
- Managing a record (filing, removing, closing, reopening) is for its creator (người lập hồ sơ), the unit's
  clerks and the leaders over the unit — while the unit holds it (never after the archive accepted it).
- A catalogue is drafted and published by the unit's clerks and leaders, approved by a leader of (or over) the
  unit (the head of the unit, Điều 28).
- The archive of a unit is the clerks of the unit named by `VANTHU_RECORDS_ARCHIVE_UNIT` (its code), or else of
  the unit's top unit (the agency's archive).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from vanthu.core.actors import SystemActor
from vanthu.org.models import Person, Role, Unit
from vanthu.org.queries import scope_of, top_unit
from vanthu.records.models import Catalogue, Handover, Record, RecordState, Transfer

Actor = Person | SystemActor


def archive_unit_for(unit: Unit) -> Unit:
    """The archive that receives `unit`'s records: the configured archive unit, else the top unit."""
    code = settings.RECORDS_ARCHIVE_UNIT
    if code:
        found = Unit.objects.filter(code=code, is_active=True).first()
        if found is not None:
            return found
    return top_unit(unit)


def is_archivist_for(person: Person, unit: Unit) -> bool:
    return archive_unit_for(unit).pk in scope_of(person).clerk_unit_ids


def is_unit_member(person: Person, unit: Unit) -> bool:
    scope = scope_of(person)
    return unit.pk in scope.member_unit_ids or scope.leads(unit)


def serves_in(person: Person, unit: Unit) -> bool:
    """An active person of the unit, or its clerk (the Command's clerk works in its office): who may keep a
    record of the unit."""
    return person.is_active and (person.unit_id == unit.pk or unit.pk in scope_of(person).clerk_unit_ids)


def can_keep_records(person: Person, unit: Unit) -> bool:
    """The unit's clerks and the leaders over it: the catalogue, transfers, any record of the unit."""
    scope = scope_of(person)
    return unit.pk in scope.clerk_unit_ids or scope.leads(unit)


def can_approve_catalogue(person: Person, catalogue: Catalogue) -> bool:
    return scope_of(person).leads(catalogue.unit) and catalogue.state == "draft"


def can_see_record(person: Person, record: Record) -> bool:
    if is_unit_member(person, record.unit):
        return True
    return record.transfer_id is not None and is_archivist_for(person, record.unit)


def can_manage_record(person: Person | SystemActor, record: Record) -> bool:
    """File, remove, close, reopen: the creator, the unit's clerks and leaders, while the unit holds it."""
    if record.state == RecordState.TRANSFERRED or record.transfer_id is not None:
        return False
    if isinstance(person, SystemActor):
        return True
    return person.is_active and (record.creator_id == person.pk or can_keep_records(person, record.unit))


def can_file_into(person: Person | SystemActor, record: Record) -> bool:
    return record.state == RecordState.OPEN and can_manage_record(person, record)


def can_accept_transfer(person: Person, transfer: Transfer) -> bool:
    return transfer.accepted_at is None and is_archivist_for(person, transfer.unit)


def records_visible_to(person: Person) -> QuerySet[Record]:
    scope = scope_of(person)
    mine = Q(unit_id__in=list(scope.member_unit_ids)) | scope.leader_q("unit__path")
    archived = Q(pk__in=[])
    if scope.clerk_unit_ids:
        # the archive sees what was transferred to it (see archive_unit_for)
        configured = Unit.objects.filter(code=settings.RECORDS_ARCHIVE_UNIT, is_active=True).first() if (
            settings.RECORDS_ARCHIVE_UNIT) else None
        if configured is not None:
            if configured.pk in scope.clerk_unit_ids:
                archived = Q(transfer__isnull=False)
        else:
            for top in Unit.objects.filter(pk__in=list(scope.clerk_unit_ids), parent__isnull=True):
                archived |= Q(transfer__isnull=False, unit__path__startswith=top.path)
    return Record.objects.filter(mine | archived)


M = TypeVar("M", bound=models.Model)


def _visible_or_404(person: Person | None, pk: int | str, rows: QuerySet[M],
                    allowed: Callable[[Person, M], bool]) -> M:
    """The row `pk` of `rows` if `person` passes `allowed`; Http404 for nobody, a malformed id, a row that does
    not exist and a row the person may not see alike."""
    if person is None:
        raise Http404
    try:
        key = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    row = rows.filter(pk=key).first()
    if row is None or not allowed(person, row):
        raise Http404
    return row


def access_record(person: Person | None, pk: int | str, *, manage: bool = False) -> Record:
    """The record if `person` may see it (and with manage=True, manage it); Http404 otherwise."""
    return _visible_or_404(
        person, pk, Record.objects.select_related("unit", "entry__catalogue", "creator", "transfer"),
        lambda who, record: can_see_record(who, record) and (not manage or can_manage_record(who, record)))


def access_catalogue(person: Person | None, pk: int | str) -> Catalogue:
    return _visible_or_404(person, pk, Catalogue.objects.select_related("unit", "approved_by", "copied_from"),
                           lambda who, catalogue: is_unit_member(who, catalogue.unit))


def access_transfer(person: Person | None, pk: int | str) -> Transfer:
    return _visible_or_404(
        person, pk, Transfer.objects.select_related("unit", "accepted_by", "submitted_by"),
        lambda who, transfer: can_keep_records(who, transfer.unit) or is_archivist_for(who, transfer.unit))


def can_draw_up_handover(person: Person | SystemActor, giver: Person) -> bool:
    """The giver themself, or a leader or administrator over the giver's unit."""
    if isinstance(person, SystemActor):
        return True
    scope = scope_of(person)
    return person.pk == giver.pk or scope.leads(giver.unit) or scope.administers(giver.unit)


def can_see_handover(person: Person, handover: Handover) -> bool:
    return person.pk in (handover.giver_id, handover.receiver_id, handover.created_by_id) or (
        scope_of(person).leads(handover.unit))


def access_handover(person: Person | None, pk: int | str) -> Handover:
    return _visible_or_404(person, pk, Handover.objects.select_related("unit", "giver", "receiver"),
                           can_see_handover)


def keepers_of(unit: Unit) -> QuerySet[Person]:
    """The unit's clerks (who keep its catalogue and transfers), active."""
    return Person.objects.filter(roles__unit=unit, roles__role=Role.CLERK, is_active=True).distinct()
