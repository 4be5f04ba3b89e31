"""The exchange's jobs: refresh the peers' CRLs (hourly, and at once when a new CRL URL is noted)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from vanthu.exchange import agency_hub
from vanthu.exchange.models import PeerCrl
from vanthu.jobs import job

__all__ = ["agency_hub", "fetch_crl", "refresh", "refresh_crls"]  # agency_hub: its daily job, found here


def refresh(rows: list[PeerCrl]) -> dict[str, int]:
    """Fetch each row's CRL, keep it when its issuer is one of the peer's trust roots and it verifies."""
    from vanthu.exchange import actions, revocation  # here: cheap process start
    from vanthu.exchange.trustchain import load_pem_list

    done = {"fetched": 0, "failed": 0}
    for row in rows:
        roots = load_pem_list(row.peer.trust_roots)
        try:
            der = revocation.fetch(row.url, timeout=settings.EXCHANGE_HTTP_TIMEOUT)
            crl, _issuer = revocation.load_crl(der, issuers=roots)
        except (OSError, revocation.CrlInvalid) as exc:
            actions.store_crl(row=row, problem=str(exc) or type(exc).__name__)
            done["failed"] += 1
            continue
        actions.store_crl(row=row, der=der, next_update=crl.next_update_utc)
        done["fetched"] += 1
    return done


@job(every="hour", attempts=1, label=_("Cập nhật danh sách thu hồi chứng thư của hệ thống liên thông"))
def refresh_crls() -> dict[str, int]:
    """Once an hour: every active peer's CRLs."""
    return refresh(list(PeerCrl.objects.filter(peer__is_active=True).select_related("peer").order_by("pk")))


@job(attempts=3, backoff=60, label=_("Lấy danh sách thu hồi chứng thư mới của hệ thống liên thông"))
def fetch_crl(crl_id: int) -> dict[str, int]:
    """A CRL URL just noted on receipt: fetch it now rather than at the next hour."""
    return refresh(list(PeerCrl.objects.filter(pk=crl_id).select_related("peer")))
