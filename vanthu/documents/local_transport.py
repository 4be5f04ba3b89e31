"""The local transport: units of this deployment. The destination applies each message in its own
transaction through a documents action; nothing is copied by writing the other unit's rows."""

from __future__ import annotations

from vanthu.core.errors import ActionRefused
from vanthu.documents.models import MessageKind, MessageStatus, OutboxMessage, Recipient
from vanthu.documents.outbox import FAILURES, DeliveryFailed
from vanthu.org.models import Unit


class LocalTransport:
    name = "local"

    def address_of(self, recipient: Recipient) -> str | None:
        return str(recipient.unit_id) if recipient.unit_id is not None else None

    def _unit(self, address: str) -> Unit:
        unit = Unit.objects.filter(pk=int(address)).first() if address.isdigit() else None
        if unit is None:
            raise DeliveryFailed("unit_missing", address)
        return unit

    def deliver(self, message: OutboxMessage) -> int | None:
        from vanthu.documents.actions import delivery

        unit = self._unit(message.address)
        try:
            if message.kind == MessageKind.DOCUMENT:
                if not unit.is_active:
                    raise DeliveryFailed("unit_inactive", unit.name)
                arrived = delivery.Arrived.of(message.document)
                document = delivery.receive_document(unit=unit, key=message.key, transport=self.name,
                                                     reply_to=str(message.unit_id), arrived=arrived)
                return document.pk
            assert message.answers is not None
            if message.status == MessageStatus.CANCELLED:
                delivery.cancel_arrival(unit=unit, key=message.answers, transport=self.name, reason=message.reason)
            else:
                # in this database: the status's own key and time; nothing signed (the trail says so)
                delivery.apply_status(answers=message.answers, status=message.status, reason=message.reason,
                                      transport=self.name, key=message.key, at=message.created_at)
        except ActionRefused as exc:
            raise DeliveryFailed(exc.code if exc.code in FAILURES else "refused", exc.message) from exc
        return None
