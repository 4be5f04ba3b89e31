"""The local transport: units of this deployment. The destination applies each message in its own
transaction through a documents action; nothing is copied by writing the other unit's rows."""

from __future__ import annotations

from collections.abc import Sequence

from vanthu.core.errors import ActionRefused
from vanthu.documents.models import DocumentFile, MessageKind, MessageStatus, OutboxMessage, Recipient
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

    def hands_over(self, message: OutboxMessage, destination: Unit) -> bool:
        """Does `deliver` hand this message to the destination's documents action directly (so that a batch
        may do it for several at once)? A transport built on this one that delivers otherwise says when."""
        return type(self).deliver is LocalTransport.deliver

    def deliver_many(self, messages: Sequence[OutboxMessage]) -> dict[int, int | None]:
        """Deliver several messages of one kind waiting for one unit (decision 0037) — documents, or statuses
        other than a recall — in one transaction at the destination; the caller then marks them in each
        sender's. Returns, by message id, the incoming document's id (None for a status) for each message
        applied; the others (see `delivery_batch`) are left for delivery alone."""
        from vanthu.documents.actions import delivery, delivery_batch

        address, kind = messages[0].address, messages[0].kind
        assert all(m.address == address and m.kind == kind and m.status != MessageStatus.CANCELLED
                   for m in messages)
        unit = Unit.objects.filter(pk=int(address)).first() if address.isdigit() else None
        if unit is None or (kind == MessageKind.DOCUMENT and not unit.is_active):
            return {}  # each fails alone, with its reason
        direct = [m for m in messages if self.hands_over(m, unit)]
        if not direct:
            return {}
        if kind == MessageKind.STATUS:
            # in this database: each status's own key and time; nothing signed (the trail says so)
            keys = delivery_batch.apply_statuses(unit=unit, transport=self.name, items=[
                delivery_batch.StatusIn(key=m.key, answers=m.answers, status=m.status, reason=m.reason,
                                        at=m.created_at)
                for m in direct if m.answers is not None
            ])
            return {m.pk: None for m in direct if m.key in keys}
        attachments: dict[int, list[DocumentFile]] = {m.document_id: [] for m in direct}
        for item in (DocumentFile.objects.filter(document_id__in=list(attachments), kind=DocumentFile.Kind.ATTACHMENT)
                     .select_related("file")):  # one query for the batch, in the files' order
            attachments[item.document_id].append(item)
        applied = delivery_batch.receive_documents(unit=unit, transport=self.name, items=[
            delivery_batch.Incoming(key=m.key, reply_to=str(m.unit_id),
                                    arrived=delivery.Arrived.of(m.document, attachments=attachments[m.document_id]))
            for m in direct
        ])
        return {m.pk: applied[m.key] for m in direct if m.key in applied}

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
