"""Store-and-forward bundles as the operator carries them (`vanthu exchange bundle export|import`; decision 0013,
docs/exchange.md "Bundles").

Semantics, the simplest honest ones:
- A message for a bundle peer waits in the outbox (the `bundle` transport defers it). **Export** writes every
  waiting message for the peer — documents and statuses — as signed envelopes into a ZIP whose manifest is signed
  with this deployment's top unit's seal (the highest unit holding a usable one).
- A **document** stays waiting after export, and is written again into every later export, until the peer's first
  status about it (01 arrived, or 02 refused) comes back in a returning bundle: then it is marked delivered.
  Receipt is idempotent, so carrying it twice creates one incoming document.
- A **status** has no acknowledgement in edXML: it is marked delivered when it is written into a bundle. A bundle
  lost on the way loses those statuses (the document's own statuses after them still travel).
- A document this deployment **refused** on import (its envelope verified but not acceptable: for none of our
  units, a PDF signature that fails, a secrecy the peer may not send …) is answered by a signed status 02 with the
  reason in the next bundle to that peer, once; the peer's import marks its message failed ("refused"), as the
  HTTP transport's 422 does.
- **Import** refuses the whole bundle, importing nothing, when the manifest's signature, its signer's trust (the
  peer's roots), the sender's organ id (a bundle peer of the directory) or any envelope's SHA-256 fails; otherwise
  each envelope goes through `receiving.receive(…, transport="bundle", peer=peer)`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.documents.actions import delivery, long_term
from vanthu.documents.models import MessageKind, OutboxMessage
from vanthu.exchange import actions, edxml, outgoing, receiving, sealing
from vanthu.exchange.carriers import BundleTransport
from vanthu.exchange.edxml.model import DocumentId
from vanthu.exchange.models import Peer, ReceivedEnvelope, TransportKind
from vanthu.exchange.refusals import refusal_status
from vanthu.exchange.transports import bundle
from vanthu.exchange.trustchain import chain_problem, load_pem_list
from vanthu.org.models import Unit
from vanthu.signing.types import SigningRefused

TRANSPORT = BundleTransport.name
REFUSED = edxml.StatusCode.REFUSED.value


class BundleError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def find_peer(name_or_organ: str) -> Peer:
    peer = Peer.objects.filter(name=name_or_organ, is_active=True).first() or receiving.peer_for(name_or_organ)
    if peer is None:
        raise BundleError("unknown_peer", _("Không có hệ thống liên thông %(name)s.") % {"name": name_or_organ})
    if peer.transport != TransportKind.BUNDLE:
        raise BundleError("not_bundle", _("Hệ thống %(name)s không liên thông bằng gói lưu chuyển.")
                          % {"name": peer.name})
    return peer


def signing_unit() -> tuple[Unit, sealing.Seal]:
    """The top unit's seal, or the highest unit's that holds a usable one."""
    found = sealing.highest_sealed()
    if found is None:
        raise BundleError("no_seal", _("Không đơn vị nào của hệ thống có khóa dấu dùng được để ký gói lưu chuyển."))
    return found


@dataclass
class Exported:
    data: bytes
    documents: int = 0
    statuses: int = 0
    keys: list[str] = field(default_factory=list)


def export(peer: Peer) -> Exported:
    """The bundle of every message waiting for `peer`; the statuses in it are then marked delivered."""
    waiting = [m for m in OutboxMessage.objects.filter(state=OutboxMessage.State.WAITING, transport=TRANSPORT)
               .select_related("document", "recipient", "unit").order_by("pk") if peer.covers(m.address)]
    items, statuses = [], []
    result = Exported(data=b"")
    for message in waiting:
        if message.kind == MessageKind.DOCUMENT and long_term.holds_delivery(message.document_id):
            continue
        name = message.recipient.external_name if message.recipient else message.document.organ_name
        to = edxml.Organization(organ_id=message.address, organ_name=(name or message.address)[:200])
        try:
            data = outgoing.signed_bytes(message, to=to)
        except (SigningRefused, edxml.EnvelopeInvalid) as exc:
            delivery.mark_failed(message=message, code="refused", detail=exc.message)
            continue
        items.append(bundle.Item(data=data, key=str(message.key), kind=message.kind,
                                 created=message.created_at.isoformat()))
        result.keys.append(str(message.key))
        if message.kind == MessageKind.DOCUMENT:
            result.documents += 1
        else:
            result.statuses += 1
            statuses.append(message)
    answered = []
    for row in _unanswered_refusals(peer):
        reply = refusal_status(row.unit, from_organ=row.from_organ, from_name=row.from_name,
                               document_id=row.document_id, reason=row.reason)
        if reply is None:
            continue
        items.append(bundle.Item(data=reply, key=f"refusal-{row.sha256[:32]}", kind=MessageKind.STATUS,
                                 created=row.received_at.isoformat()))
        result.statuses += 1
        answered.append(row)
    unit, seal = signing_unit()
    result.data = bundle.write(items=items, sender={"organ_id": unit.code or "", "name": unit.name},
                               to=peer.name, created=timezone.now().isoformat(), sign=seal.sign,
                               certificate_der=seal.certificate_der, chain_der=seal.chain_der)
    for message in statuses:
        delivery.mark_delivered(message=message, local_id=None)
    for row in answered:
        actions.mark_refusal_answered(row=row)
    return result


def _unanswered_refusals(peer: Peer) -> list[ReceivedEnvelope]:
    """Documents from `peer`'s bundles refused here whose 02 has not left yet (an oversize one says nothing usable)."""
    return list(ReceivedEnvelope.objects.filter(transport=TRANSPORT, peer=peer, kind="document",
                                                state=ReceivedEnvelope.State.REFUSED, answered_at__isnull=True)
                .exclude(reason_code="oversize").select_related("unit").order_by("pk"))


@dataclass
class Imported:
    peer: str
    sender: str
    accepted: int = 0
    duplicate: int = 0
    refused: list[dict[str, str]] = field(default_factory=list)
    delivered: int = 0  # our documents the peer's statuses acknowledged

    def as_dict(self) -> dict[str, Any]:
        return {"peer": self.peer, "from": self.sender, "accepted": self.accepted, "duplicate": self.duplicate,
                "refused": self.refused, "acknowledged": self.delivered}


def open_bundle(data: bytes, *, at: dt.datetime | None = None) -> tuple[Peer, bundle.Opened]:
    """The verified bundle and the peer that made it (BundleError: nothing may be imported)."""
    try:
        opened = bundle.read(data, max_bytes=settings.EXCHANGE_MAX_BYTES * 50)
    except bundle.BundleRefused as exc:
        raise BundleError(exc.code, _("Gói lưu chuyển không hợp lệ: %(reason)s") % {"reason": exc.message}) from exc
    sender = opened.manifest.get("from") or {}
    organ = str(sender.get("organ_id", "")) if isinstance(sender, dict) else ""
    peer = receiving.peer_for(organ) if organ else None
    if peer is None or peer.transport != TransportKind.BUNDLE:
        raise BundleError("unknown_sender", _("Gói lưu chuyển của %(organ)s: không có trong danh bạ liên thông.")
                          % {"organ": organ or "?"})
    problem = chain_problem(opened.certificate, intermediates=opened.chain, roots=load_pem_list(peer.trust_roots),
                            at=at)
    if problem:
        raise BundleError("untrusted", problem)
    return peer, opened


def import_(data: bytes) -> Imported:
    peer, opened = open_bundle(data)
    result = Imported(peer=peer.name, sender=str(opened.manifest["from"].get("organ_id", "")))
    for entry, body in opened.envelopes:
        receipt = receiving.receive(body, transport=TRANSPORT, peer=peer)
        if not receipt.accepted:
            result.refused.append({"file": str(entry.get("file", "")), "code": receipt.code, "reason": receipt.reason})
            continue
        if receipt.duplicate:
            result.duplicate += 1
        else:
            result.accepted += 1
        if receipt.envelope.kind == "status":
            refused = receipt.envelope.status_code == REFUSED
            result.delivered += _acknowledge(receipt.envelope.document_id, organ=receipt.envelope.from_organ,
                                             peer=peer, refused=refused,
                                             reason=_status_reason(body) if refused else "")
    return result


def _status_reason(body: bytes) -> str:
    try:
        parsed = edxml.parse(body)
    except edxml.EnvelopeInvalid:
        return ""
    return parsed.status.description[:500] if parsed.status is not None else ""


def _acknowledge(document_id: str, *, organ: str, peer: Peer, refused: bool = False, reason: str = "") -> int:
    """The peer answered about one of our documents: its message has arrived (marked delivered), or the peer
    refused it (02: marked failed with the peer's reason, as an HTTP 422 is)."""
    structured = DocumentId.parse(document_id)
    if structured is None:
        return 0
    ours = OutboxMessage.objects.filter(
        kind=MessageKind.DOCUMENT, transport=TRANSPORT, state=OutboxMessage.State.WAITING,
        document__unit__code=structured.organ_id, document__code_number=structured.number,
        document__code_notation=structured.notation, document__issued_date=structured.date)
    messages = list(ours.filter(address=organ))
    if not messages and refused:  # refused for an organ id none of its units has: its top unit signed the 02
        covered = [m for m in ours if peer.covers(m.address)]
        messages = covered if len(covered) == 1 else []
    count = 0
    for message in messages:
        if refused:
            delivery.mark_failed(message=message, code="refused", detail=reason)
        else:
            delivery.mark_delivered(message=message, local_id=None)
        count += 1
    return count
