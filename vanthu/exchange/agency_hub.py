"""The exchange's side of the agencies' synchronisation (checklist point 47, decision 0034).

- As the hub: `GET /exchange/v1/agencies` (exchange/agency_views.py) answers a peer's signed request with this
  deployment's units (both codes) and its directory of outside agencies (`served_rows`).
- As a member: `rows_from_peer(name)` reads a peer's list over the network, the request signed with this
  deployment's voice (`sealing.highest_sealed`), and is registered as org's source for `vanthu agencies sync
  --peer NAME`; the daily job `sync_from_hub` applies the list of the peer `VANTHU_AGENCY_HUB` names. Network
  only there, never in a request.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.exchange import sealing
from vanthu.exchange.models import Peer, TransportKind
from vanthu.exchange.transports import hub
from vanthu.jobs import job
from vanthu.org import agency_list, agency_sync
from vanthu.org.agency_list import HubAgency
from vanthu.org.models import Agency, Unit

logger = logging.getLogger(__name__)
SYNC_JOB = SystemActor("agency hub sync job")


def served_rows() -> list[HubAgency]:
    """What this deployment lists as a hub: its active units that have an organ id in either form (their parent's
    code as `pcode`), then its active outside agencies that do."""
    rows: list[HubAgency] = []
    units = Unit.objects.filter(is_active=True).select_related("parent").order_by("path")
    for unit in units:
        if unit.code or unit.code_qd20:
            parent = unit.parent
            rows.append(
                HubAgency(
                    line=len(rows) + 1,
                    name=unit.name,
                    code=unit.code or "",
                    code_qd20=unit.code_qd20,
                    parent=(parent.code_qd20 or parent.code or "") if parent is not None else "",
                )
            )
    agencies = Agency.objects.filter(is_active=True).exclude(code="", code_qd20="").order_by("name")
    for agency in agencies:
        rows.append(HubAgency(line=len(rows) + 1, name=agency.name, code=agency.code, code_qd20=agency.code_qd20))
    return rows


def rows_from_peer(name: str) -> list[HubAgency]:
    """The list of the active HTTP peer `name` (ActionRefused when it is not one or answers nonsense; OSError when
    it cannot be reached)."""
    peer = Peer.objects.filter(name=name, is_active=True).first()
    if peer is None or peer.transport != TransportKind.HTTP or not peer.base_url:
        raise ActionRefused(
            _("Không có hệ thống liên thông HTTP đang hoạt động tên “%(name)s”.") % {"name": name}, code="unknown_peer"
        )
    voice = sealing.highest_sealed()
    if voice is None:
        raise ActionRefused(_("Không đơn vị nào của hệ thống có khóa con dấu để ký yêu cầu."), code="no_seal")
    unit, seal = voice
    data = hub.fetch_agencies(
        base_url=peer.base_url,
        organ_id=unit.code or "",
        sign=seal.sign,
        certificate_der=seal.certificate_der,
        timeout=settings.EXCHANGE_HTTP_TIMEOUT,
    )
    try:
        return agency_list.parse(data)
    except agency_list.ListInvalid as exc:
        raise ActionRefused(
            _("Danh sách cơ quan của %(name)s không đọc được: %(reason)s") % {"name": name, "reason": str(exc)},
            code="bad_list",
        ) from exc


@job(every="day", attempts=3, backoff=600, label=gettext_lazy("Đồng bộ danh bạ cơ quan từ trục liên thông hằng ngày"))
def sync_from_hub() -> dict[str, int]:
    """Once a day: the hub's list applied to the directory (nothing when VANTHU_AGENCY_HUB is empty)."""
    if not settings.AGENCY_HUB:
        return {"skipped": 1}
    rows = rows_from_peer(settings.AGENCY_HUB)
    result = agency_sync.sync_agencies(rows=rows, acting=SYNC_JOB, source=f"peer:{settings.AGENCY_HUB}")
    logger.info("agencies synchronised from %s: %s", settings.AGENCY_HUB, result.as_dict())
    return result.as_dict()
