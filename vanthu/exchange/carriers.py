"""The exchange's transports as the outbox sees them (documents.outbox.Transport), registered by
ExchangeConfig.ready(): "local" (replacing documents' own: units of this deployment, now as signed envelopes
through the receive pipeline) and "http" (other deployments of the peer directory). They read the rows they
need, sign with the sending unit's key and hand bytes to the adapters of `exchange/transports/`; the receiving
side applies them through `receiving.receive`. The outbox's delivery job retries what raises."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.translation import gettext as _

from vanthu.documents.local_transport import LocalTransport
from vanthu.documents.models import MessageKind, OutboxMessage, Recipient
from vanthu.documents.outbox import Deferred, DeliveryFailed
from vanthu.exchange import edxml, outgoing, receiving, sending
from vanthu.exchange.models import TransportKind
from vanthu.org.models import Unit
from vanthu.signing.types import SigningRefused

logger = logging.getLogger(__name__)


class LocalEnvelopeTransport(LocalTransport):
    """Units of this deployment. With EXCHANGE_LOCAL_ENVELOPES each message travels as an envelope signed by
    the sending unit and goes through the same receive pipeline as one from outside; a unit without a
    usable seal key (or an organ id) is handed over directly, as documents' own transport does."""

    name = "local"

    def hands_over(self, message: OutboxMessage, destination: Unit) -> bool:
        # as `deliver` decides below: no envelope between these two units (a batch hands them over together)
        return not settings.EXCHANGE_LOCAL_ENVELOPES or not (message.unit.code and destination.code)

    def deliver(self, message: OutboxMessage) -> int | None:
        if not settings.EXCHANGE_LOCAL_ENVELOPES:
            return super().deliver(message)
        destination = self._unit(message.address)
        if not (message.unit.code and destination.code):
            return super().deliver(message)
        to = outgoing.organization(destination)
        try:
            data = outgoing.signed_bytes(message, to=to)
        except SigningRefused as exc:
            logger.warning("exchange: %s has no usable seal key (%s); message %s handed over unsigned",
                           message.unit, exc.code, message.key)
            return super().deliver(message)
        except edxml.EnvelopeInvalid as exc:
            raise DeliveryFailed("refused", exc.message) from exc
        if message.kind == MessageKind.DOCUMENT and not destination.is_active:
            raise DeliveryFailed("unit_inactive", destination.name)
        receipt = receiving.receive(data, transport=self.name)
        if not receipt.accepted:
            raise DeliveryFailed("refused", receipt.reason)
        return receipt.incoming[0] if receipt.incoming and message.kind == MessageKind.DOCUMENT else None


class HttpTransport:
    """Other vanthu deployments over HTTP (decision 0013): the recipient's organ id finds the peer."""

    name = "http"

    def address_of(self, recipient: Recipient) -> str | None:
        if recipient.unit_id is not None or not recipient.organ_id:
            return None
        peer = receiving.peer_for(recipient.organ_id)
        return recipient.organ_id if peer is not None and peer.transport == TransportKind.HTTP else None

    def deliver(self, message: OutboxMessage) -> int | None:
        peer = receiving.peer_for(message.address)
        if peer is None or peer.transport != TransportKind.HTTP or not peer.base_url:
            raise DeliveryFailed("no_transport", message.address)
        sending.deliver(message, peer=peer)  # with the other messages waiting for this peer (decision 0029)
        return None


class BundleTransport:
    """Peers with no network link (decision 0013, docs/exchange.md "Bundles"): delivering checks the message may
    go to the peer and leaves it waiting; `vanthu exchange bundle export` writes it into a signed bundle. A document
    is marked delivered when the peer's first status about it comes back in a returning bundle (`bundles`)."""

    name = "bundle"
    carried_by_hand = True  # its messages wait for `vanthu exchange bundle export` (`delivering.stranded`)

    def address_of(self, recipient: Recipient) -> str | None:
        if recipient.unit_id is not None or not recipient.organ_id:
            return None
        peer = receiving.peer_for(recipient.organ_id)
        return recipient.organ_id if peer is not None and peer.transport == TransportKind.BUNDLE else None

    def deliver(self, message: OutboxMessage) -> int | None:
        peer = receiving.peer_for(message.address)
        if peer is None or peer.transport != TransportKind.BUNDLE:
            raise DeliveryFailed("no_transport", message.address)
        if message.kind == MessageKind.DOCUMENT and message.document.secrecy > peer.max_secrecy:
            raise DeliveryFailed("refused", _("Hệ thống nhận không được cấu hình để nhận văn bản có độ mật này."))
        raise Deferred(message.address)
