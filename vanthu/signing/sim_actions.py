"""SIM-PKI (checklist point 19, decision 0026): binding a certificate whose key is on a person's SIM, and the
two writes of the asynchronous signing — the MSSP's transaction id once the phone was asked, and the end of a
request the person cancelled or let expire. The signature itself completes as any remote one
(`actions.complete_remote_signing`)."""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.org.access import Actor
from vanthu.org.models import Person
from vanthu.signing.actions_common import check_owner_active, require_admin, unit_of
from vanthu.signing.binding_actions import bind_external
from vanthu.signing.models import Backend, KeyCredential, RemoteSigningRequest, RemoteState
from vanthu.signing.types import SigningRefused

PHONE = re.compile(r"^\+?\d{9,15}$")


@action("signing.certificate.bound")
def bind_sim_certificate(*, person: Person, data: bytes, mssp_url: str, phone: str, acting: Actor,
                         make_default: bool = True) -> KeyCredential:
    """Bind a certificate (PEM/DER) whose key is on the SIM of `person`'s phone `phone`, signed through the
    MSSP at `mssp_url`."""
    require_admin(acting)
    check_owner_active(person)
    phone = phone.replace(" ", "")
    if not mssp_url or not PHONE.match(phone):
        raise SigningRefused(_("Cần địa chỉ dịch vụ chữ ký số di động (MSSP) và số điện thoại hợp lệ."),
                             code="sim_incomplete", field="phone")
    return bind_external(owner=person, data=data, backend=Backend.SIM, service_url=mssp_url, credential_id=phone,
                         acting=acting, make_default=make_default)


@action("signing.sim.sent")
def mark_sent(*, request: RemoteSigningRequest, transid: str, acting: Actor) -> RemoteSigningRequest:
    """The phone was asked: keep the MSSP's transaction id (polling resumes from it after a restart)."""
    RemoteSigningRequest.objects.filter(pk=request.pk, state=RemoteState.PENDING).update(mssp_transid=transid[:100])
    request.mssp_transid = transid[:100]
    log.record(actor=acting, verb="signing.sim.sent", target=request, unit=unit_of(request.credential.owner),
               data={"transid": transid[:100]})
    return request


@action("signing.sim.failed")
def mark_failed(*, request: RemoteSigningRequest, problem: str, expired: bool, acting: Actor) -> RemoteSigningRequest:
    """The person cancelled on the phone, or did not answer in time: the request ends with the reason."""
    locked = RemoteSigningRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state != RemoteState.PENDING:
        return locked
    locked.state = RemoteState.EXPIRED if expired else RemoteState.FAILED
    locked.problem = problem[:500]
    locked.completed_at = timezone.now()
    locked.save(update_fields=["state", "problem", "completed_at"])
    log.record(actor=acting, verb="signing.sim.failed", target=locked, unit=unit_of(locked.credential.owner),
               data={"problem": problem[:500]})
    return locked
