"""`POST /exchange/v1/envelopes`: another deployment hands over one signed envelope or status (decision 0013);
`POST /exchange/v1/batch`: several at once, each checked and answered on its own (decision 0029).

The request is signed with the sending unit's key (exchange/transports/http.py): its certificate must chain to
the trust roots of the peer whose organ ids cover the organ id it claims, its timestamp be fresh and its nonce
new. Then the receive pipeline runs (exchange/receiving.py) and the answer says what became of the envelope:
200 accepted (a duplicate answers as the first did), 422 refused with this deployment's signed status 02 as
the body, 401/403 for a request that does not authenticate, 413 too large. The pipeline runs inside the
request: the sender's delivery job is the asynchronous part, and it retries until it gets an answer. A batch
whose sender asks gets each accepted document's signed status 01 in the answer (decision 0046, `answering.py`).
"""

from __future__ import annotations

import base64
import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vanthu.exchange import answering, receiving
from vanthu.exchange.models import Peer, TransportKind, UsedNonce
from vanthu.exchange.refusals import refusal_status
from vanthu.exchange.transports import http
from vanthu.exchange.trustchain import chain_problem, load_pem_list


def _refuse(status: int, code: str, reason: str) -> JsonResponse:
    return JsonResponse({"state": "refused", "code": code, "reason": reason}, status=status)


def _authenticated(request: HttpRequest, body: bytes) -> Peer | JsonResponse:
    """The peer whose unit signed this request (its signature, certificate chain, timestamp and nonce), or the
    answer refusing it."""
    headers = {name: request.headers.get(name, "") for name in (http.H_ORGAN, http.H_TIME, http.H_NONCE,
                                                               http.H_CERT, http.H_SIG)}
    headers = {k: v for k, v in headers.items() if v}
    try:
        signed = http.check_request(headers=headers, path=request.path, body=body, method=request.method or "POST")
    except http.RequestRefused as exc:
        return _refuse(401, exc.code, exc.message)
    peer = receiving.peer_for(signed.organ_id)
    if peer is None or peer.transport != TransportKind.HTTP:
        return _refuse(403, "unknown_sender", _("Nơi gửi %(organ)s không có trong danh bạ liên thông.")
                       % {"organ": signed.organ_id})
    problem = chain_problem(signed.certificate, intermediates=[], roots=load_pem_list(peer.trust_roots))
    if problem:
        return _refuse(401, "untrusted", problem)
    try:
        with transaction.atomic():
            UsedNonce.objects.create(organ_id=signed.organ_id[:50], nonce=signed.nonce)
    except IntegrityError:
        return _refuse(401, "replayed_request", _("Yêu cầu này đã được gửi (nonce dùng lại)."))
    UsedNonce.objects.filter(seen_at__lt=timezone.now() - dt.timedelta(seconds=4 * http.MAX_SKEW)).delete()
    return peer


def _refusal_reply(receipt: receiving.Receipt) -> bytes | None:
    """This deployment's signed status 02 for a refused document (None for a status, or when no unit signs)."""
    row = receipt.envelope
    if row.kind != "document" or row.reason_code == "oversize":
        return None
    return refusal_status(row.unit, from_organ=row.from_organ, from_name=row.from_name,
                          document_id=row.document_id, reason=row.reason)


@csrf_exempt
@login_not_required
@require_POST
def envelopes(request: HttpRequest) -> HttpResponse:
    limit = settings.EXCHANGE_MAX_BYTES
    body = request.read(limit + 1)
    peer = _authenticated(request, body)
    if isinstance(peer, JsonResponse):
        return peer
    receipt = receiving.receive(body, transport="http", peer=peer)
    if receipt.accepted:
        return JsonResponse({"state": "accepted", "duplicate": receipt.duplicate,
                             "envelope": receipt.envelope.sha256})
    row = receipt.envelope
    reply = _refusal_reply(receipt)
    if reply is not None:
        return HttpResponse(reply, status=422, content_type="application/xml")
    return _refuse(422 if row.reason_code != "oversize" else 413, row.reason_code, row.reason)


@csrf_exempt
@login_not_required
@require_POST
def batch(request: HttpRequest) -> HttpResponse:
    """`POST /exchange/v1/batch` (decision 0029): several envelopes and statuses in one signed request, each
    checked on its own and answered in order: accepted (duplicate or not), refused (code, reason, and for a
    document this deployment's signed 02 in base64), or error (not applied: the sender tries it again)."""
    limit = settings.EXCHANGE_MAX_BYTES
    body = request.read(limit + 1)
    if len(body) > limit:
        return _refuse(413, "oversize", _("Lô gói tin vượt quá giới hạn %(max)s MB.")
                       % {"max": limit // (1024 * 1024)})
    peer = _authenticated(request, body)
    if isinstance(peer, JsonResponse):
        return peer
    try:
        items, answer_arrivals = http.decode_batch_request(body)
    except ValueError as exc:
        return _refuse(400, "invalid", _("Lô gói tin không đọc được: %(reason)s") % {"reason": str(exc)})
    arrivals: dict[int, list[bytes]] = {}
    if answer_arrivals:  # the sender asks for the statuses 01 in the answer (decision 0046)
        held: list[int] = []  # the 01s written, claimed in the batch's transaction
        receipts = receiving.receive_many(items, transport="http", peer=peer, answered=held)
        arrivals = answering.arrivals_for(receipts, held=held, peer=peer)  # after the commit
    else:
        receipts = receiving.receive_many(items, transport="http", peer=peer)
    answers: list[dict[str, object]] = []
    for index, receipt in enumerate(receipts):
        if receipt is None:
            answers.append({"state": "error"})
        elif receipt.accepted:
            answer: dict[str, object] = {"state": "accepted", "duplicate": receipt.duplicate,
                                         "envelope": receipt.envelope.sha256}
            if answer_arrivals:
                answer["statuses"] = [base64.b64encode(status).decode("ascii") for status in arrivals.get(index, [])]
            answers.append(answer)
        else:
            reply = _refusal_reply(receipt)
            answers.append({"state": "refused", "code": receipt.envelope.reason_code,
                            "reason": receipt.envelope.reason, "envelope": receipt.envelope.sha256,
                            "status": base64.b64encode(reply).decode("ascii") if reply is not None else ""})
    return JsonResponse({"results": answers})
