"""SIM-PKI signing after the click (checklist point 19): ask the person's phone through the MSSP once, then poll
until the person confirms, cancels, or the request expires. Runs in a job (`documents.jobs.sim_sign`), never in
a request: it waits on the network and on a person. Writes through `sim_actions`."""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.core.actors import SystemActor
from vanthu.signing import mssp, sim_actions
from vanthu.signing.models import Backend, RemoteSigningRequest, RemoteState
from vanthu.signing.types import SigningRefused


def sim_signature(request_id: uuid.UUID | str, *, acting: SystemActor, message: str) -> bytes | None:
    """The raw signature value the SIM returned for the request's digest; None when the request ended without
    one (already finished, cancelled on the phone, expired: the reason is kept on the request). `MsspError`
    when the MSSP does not answer (the job retries)."""
    request = RemoteSigningRequest.objects.select_related("credential").filter(pk=request_id).first()
    if request is None or request.state != RemoteState.PENDING:
        return None
    credential = request.credential
    if credential.backend != Backend.SIM:
        raise SigningRefused(_("Khóa ký số này không ở trên SIM."), code="not_sim", target=request)
    url, phone = credential.service_url, credential.remote_credential_id
    if not request.mssp_transid:
        transid = mssp.request_signature(url, msisdn=phone, digest=bytes(request.digest), message=message,
                                         ap_transid=str(request.pk))
        request = sim_actions.mark_sent(request=request, transid=transid, acting=acting)
    while True:
        if timezone.now() > request.expires_at:
            sim_actions.mark_failed(request=request, expired=True, acting=acting,
                                    problem=_("Quá thời gian chờ xác nhận trên điện thoại."))
            return None
        answer = mssp.status(url, transid=request.mssp_transid)
        if answer.status == mssp.SIGNATURE:
            return answer.signature
        if answer.status in (mssp.USER_CANCEL, mssp.EXPIRED):
            cancelled = answer.status == mssp.USER_CANCEL
            sim_actions.mark_failed(request=request, expired=not cancelled, acting=acting,
                                    problem=_("Người ký đã từ chối trên điện thoại.") if cancelled
                                    else _("Quá thời gian chờ xác nhận trên điện thoại."))
            return None
        time.sleep(settings.SIM_POLL_SECONDS)
