"""Freezing work records on demand (checklist point 50, decision 0027): a unit head or a security officer
freezes a chosen set of records with a reason, and lifts the freeze with a reason. The same actions as the page
(`vanthu.records.freeze_actions`). Someone who may freeze no record gets 404, as does an id among `records` they
may not freeze."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from vanthu.api.auth import person_of
from vanthu.api.errors import ErrorOut
from vanthu.api.schemas import In, PersonRef
from vanthu.org.models import Person
from vanthu.records import freeze_actions
from vanthu.records.freezes import freezable_records, live, may_freeze_any
from vanthu.records.models import Record

router = Router()
ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class FreezeIn(In):
    records: list[int] = Field(max_length=500, description="Mã các hồ sơ (tối đa 500)")
    reason: str = Field(max_length=500)


class FreezeOut(Schema):
    record_id: int
    code: str
    frozen: bool
    reason: str
    frozen_by: PersonRef | None
    frozen_at: dt.datetime | None


def _chosen(person: Person, ids: list[int]) -> list[Record]:
    if not may_freeze_any(person):
        raise Http404
    wanted = set(ids)
    rows = list(freezable_records(person).filter(pk__in=wanted).order_by("pk"))
    if len(rows) != len(wanted):
        raise Http404
    return rows


def _out(records: list[Record]) -> list[FreezeOut]:
    freezes = {f.record_id: f for f in live().filter(record__in=records).select_related("frozen_by")}
    out = []
    for record in records:
        freeze = freezes.get(record.pk)
        out.append(FreezeOut(record_id=record.pk, code=record.code, frozen=freeze is not None,
                             reason=freeze.reason if freeze else "",
                             frozen_by=PersonRef.of(freeze.frozen_by) if freeze else None,
                             frozen_at=freeze.frozen_at if freeze else None))
    return out


@router.post("/records/freeze", response={200: list[FreezeOut], **ERRORS}, summary="Phong tỏa các hồ sơ")
def freeze(request: HttpRequest, payload: FreezeIn) -> list[FreezeOut]:
    person = person_of(request)
    records = _chosen(person, payload.records)
    freeze_actions.freeze_records(records=records, reason=payload.reason, acting=person)
    return _out(records)


@router.post("/records/unfreeze", response={200: list[FreezeOut], **ERRORS}, summary="Gỡ phong tỏa các hồ sơ")
def unfreeze(request: HttpRequest, payload: FreezeIn) -> list[FreezeOut]:
    person = person_of(request)
    records = _chosen(person, payload.records)
    freeze_actions.unfreeze_records(records=records, reason=payload.reason, acting=person)
    return _out(records)
