"""The exchange in the API: envelopes received at the caller's units (refused ones first of all: reason, sender,
time, the raw envelope), and the peer directory for an admin of a top unit. Same access rules as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from vanthu.api.auth import person_of
from vanthu.api.schemas import QueryIn
from vanthu.audit import reads
from vanthu.exchange.access import access_received, can_manage_peers, received_visible_q
from vanthu.exchange.models import Peer, ReceivedEnvelope

router = Router()


class ReceivedOut(Schema):
    id: int
    state: str
    reason_code: str
    reason: str
    kind: str
    from_organ: str
    from_name: str
    to_organ: str
    unit_id: int | None
    document_id: str
    subject: str
    status_code: str
    signer: str
    transport: str
    sha256: str = Field(description="SHA-256 của gói tin gốc")
    received_at: dt.datetime

    @staticmethod
    def of(row: ReceivedEnvelope) -> ReceivedOut:
        return ReceivedOut(id=row.pk, state=row.state, reason_code=row.reason_code, reason=row.reason, kind=row.kind,
                           from_organ=row.from_organ, from_name=row.from_name, to_organ=row.to_organ,
                           unit_id=row.unit_id, document_id=row.document_id, subject=row.subject,
                           status_code=row.status_code, signer=row.signer, transport=row.transport, sha256=row.sha256,
                           received_at=row.received_at)


class ReceivedQuery(QueryIn):
    state: str = Field("refused", pattern="^(refused|accepted|all)$")
    limit: int = Field(50, ge=1, le=500)


class PeerOut(Schema):
    id: int
    name: str
    organ_ids: list[str]
    base_url: str
    max_secrecy: int
    transport: str
    active: bool


@router.get("/exchange/received", response=list[ReceivedOut],
            summary="Gói tin đã nhận tại đơn vị (mặc định: bị từ chối)")
def received_list(request: HttpRequest, filters: Query[ReceivedQuery]) -> list[ReceivedOut]:
    rows = ReceivedEnvelope.objects.filter(received_visible_q(person_of(request)))
    if filters.state != "all":
        rows = rows.filter(state=filters.state)
    return [ReceivedOut.of(r) for r in rows.order_by("-received_at")[:filters.limit]]


@router.get("/exchange/received/{received_id}", response=ReceivedOut, summary="Một gói tin đã nhận")
def received_one(request: HttpRequest, received_id: int) -> ReceivedOut:
    return ReceivedOut.of(access_received(person_of(request), received_id))


@router.get("/exchange/received/{received_id}/raw", summary="Gói tin gốc (edXML)")
def received_raw(request: HttpRequest, received_id: int) -> HttpResponse:
    person = person_of(request)
    row = access_received(person, received_id)
    reads.record_read(request=request, actor=person, verb=reads.DOWNLOADED, target=row, unit=row.unit_id,
                      data={"envelope": row.pk}, via="api")
    response = HttpResponse(row.raw.read_bytes(), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="goi-tin-{row.pk}.edxml"'
    return response


@router.get("/exchange/peers", response=list[PeerOut], summary="Danh bạ liên thông (quản trị đơn vị cấp cao nhất)")
def peers(request: HttpRequest) -> list[PeerOut]:
    if not can_manage_peers(person_of(request)):
        raise Http404
    return [PeerOut(id=p.pk, name=p.name, organ_ids=p.organ_patterns, base_url=p.base_url, max_secrecy=p.max_secrecy,
                    transport=p.transport, active=p.is_active) for p in Peer.objects.order_by("name")]
